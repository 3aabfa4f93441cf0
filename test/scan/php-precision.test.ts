/**
 * Ordinary application idioms that look like shell mechanisms at a glance and must not be
 * scored as them: each negative sits next to the shell form it resembles. Written for these
 * tests after real applications (DB managers, wikis, mail clients) tripped the shallow forms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

test('a $variable( inside a string literal is text, not a call', () => {
  const app = `<?php\n$function = $_GET['fn'];\n$sql = "SELECT " . strtoupper("$function(") . "col)";\necho $sql;\n`;
  assert.ok(!reasons(findingOf('a.php', app)).includes('request-derived variable is called as a function'));
  const shell = `<?php\n$function = $_GET['fn'];\n$function($_GET['arg']);\n`;
  assert.equal(findingOf('b.php', shell)?.verdict, 'malicious');
});

test('parse_str into a result array imports nothing; the one-argument form does', () => {
  const app = `<?php\nparse_str($_POST['list'], $fields);\nforeach ($fields as $k => $v) { $cb = 'trim'; $cb($v); }\n`;
  assert.ok(!reasons(findingOf('a.php', app)).some((r) => r.startsWith('request parameters imported as variables')));
  const shell = `<?php\nparse_str($_SERVER['QUERY_STRING']);\n$f($a);\n`;
  assert.ok(reasons(findingOf('b.php', shell)).some((r) => r.startsWith('request parameters imported as variables')));
});

test('ReflectionMethod on a fixed handler is a router; ReflectionFunction of a request name is not', () => {
  const router = `<?php\n$handler = new Api();\n$method = $_REQUEST['op'];\n$m = new ReflectionMethod($handler, $method);\n$m->invoke($handler);\n`;
  assert.ok(!reasons(findingOf('a.php', router)).includes('request input chooses a function invoked through reflection'));
  const shell = `<?php\n$f = new ReflectionFunction($_GET['f']);\n$f->invoke($_GET['a']);\n`;
  assert.ok(reasons(findingOf('b.php', shell)).includes('request input chooses a function invoked through reflection'));
});

test('goto to one error label is error handling, not a scrambled maze', () => {
  const body = Array.from({ length: 13 }, (_, i) => `if (!$r${i}) goto FAIL;`).join('\n');
  assert.equal(findingOf('a.php', `<?php\n${body}\nreturn true;\nFAIL:\nreturn false;\n`), undefined);
});

test('move_uploaded_file through a variable is ordinary; system through one is not', () => {
  const app = `<?php\n$move = 'move_uploaded_file';\nif (!$move($tmp, $dest)) { return false; }\n`;
  assert.ok(!findingOf('a.php', app) || findingOf('a.php', app)!.score < 5);
  const shell = `<?php\n$run = 'sys' . 'tem';\n$run($cmd);\n`;
  assert.ok(reasons(findingOf('b.php', shell)).includes('a variable holding a dangerous function name is called'));
});

test('reading an upload or the request body is not writing a request-chosen file', () => {
  const app = `<?php\n$fd = fopen($_FILES['import']['tmp_name'], 'r');\nwhile ($line = fgets($fd)) { $rows[] = str_getcsv($line); }\n`;
  assert.ok(!reasons(findingOf('a.php', app)).includes('request chooses both the file written and its content (uploader)'));
  const shell = `<?php\n$fp = fopen($_POST['path'], 'w');\nfwrite($fp, $_POST['body']);\n`;
  assert.ok(reasons(findingOf('b.php', shell)).includes('request chooses both the file written and its content (uploader)'));
});

test('doc comments parsed as data are not code read from doc comments', () => {
  const app = `<?php\n$doc = $method->getDocComment();\n$clean = preg_replace('/^\\s*\\*\\s?/m', '', $doc);\n$first = call_user_func('trim', $clean);\n`;
  assert.ok(!reasons(findingOf('a.php', app)).includes('code read from its own doc comments (Reflection) is run'));
});

test('a quote in the HTML around a PHP block does not open a string in the code after it', () => {
  const page = `<?php $x = 1; ?>\n<link rel="stylesheet" href="a.css">\n<?php\n$val = $_GET['w'];\n$prefix = "$val[op](" . q($val["val"]) . ", ";\n`;
  assert.ok(!reasons(findingOf('a.php', page)).includes('request-derived variable is called as a function'));
});

test('CLI arguments are not register_globals request variables', () => {
  const cli = `<?php\nwhile (true) { passthru(PHP_BINARY . " " . $argv[0] . " --loop"); sleep(60); }\n`;
  assert.ok(!reasons(findingOf('a.php', cli)).some((r) => r.includes('register_globals')));
});

test('an included .txt template in a page weighs less than an included image; a stub that only includes one does not', () => {
  const page = `<?php\n$title = 'Register';\n$intro = 'Create an account to follow feeds and share articles with other readers.';\n?>\n<h1><?php echo htmlspecialchars($title); ?></h1>\n<p><?php echo $intro; ?></p>\n`;
  const txt = findingOf('a.php', `${page}<?php if (file_exists("templates/notice.txt")) { require_once "templates/notice.txt"; }`);
  const img = findingOf('b.php', `<?php include "uploads/avatar.jpg";`);
  assert.equal(txt, undefined);
  assert.equal(img?.verdict, 'suspicious');
  assert.equal(findingOf('c.php', `<?php include('notes.txt'); ?>`)?.verdict, 'suspicious');
});

test('class-based code: a wrapper of eval called with a variable that only another method reads from the request', () => {
  const wrap = `  protected function evalExpr($expr) { return eval("return ($expr);"); }\n`;
  const app = `<?php\nclass Tpl {\n  public function form() { $value = $_GET['title']; echo htmlspecialchars($value); }\n  public function attrs($attribs) { foreach ($attribs as $key => $value) { $attribs[$key] = $this->evalExpr($value); } return $attribs; }\n${wrap}}\n`;
  assert.ok(!reasons(findingOf('tpl.php', app)).some((r) => r.includes('through a wrapper function')));
  const shell = `<?php\nclass Tpl {\n  public function run() { $value = $_GET['x']; return $this->evalExpr($value); }\n${wrap}}\n`;
  assert.ok(reasons(findingOf('tpl2.php', shell)).includes('request input reaches eval() through a wrapper function'));
});

test('a big library holding file, upload, recon and command helpers is not a remote administration kit unless the request drives them', () => {
  const helpers = `<?php
function lib_exec($cmd) { return shell_exec($cmd); }
function lib_rm($path) { return unlink($path); }
function lib_upload($f) { return move_uploaded_file($f['tmp_name'], '/var/lib/app/' . basename($f['name'])); }
function lib_info() { return php_uname() . disk_free_space('/'); }
function lib_ls($dir) { return scandir($dir); }
function lib_save($file, $data) { return file_put_contents($file, $data); }
$title = isset($_GET['title']) ? htmlspecialchars($_GET['title']) : '';
`;
  const filler = Array.from({ length: 1500 }, (_, i) => `function util_${i}($a) { return strlen($a) + ${i}; }`).join('\n');
  const lib = `${helpers}${filler}\n`;
  assert.ok(lib.length > 65536);
  assert.ok(!reasons(findingOf('lib.php', lib)).some((r) => r.startsWith('remote administration kit')));
  const kit = `${lib}unlink($_POST['rm']); print_r(scandir($_GET['d'])); file_put_contents($_POST['f'], $_POST['c']); echo shell_exec($_POST['cmd']); echo lib_info(); if ($_FILES) move_uploaded_file($_FILES['u']['tmp_name'], $_POST['to']);\n`;
  assert.ok(reasons(findingOf('kit.php', kit)).some((r) => r.startsWith('remote administration kit')));
});

test("an application's own access-control check in front of its file operations keeps them from counting as a file manager", () => {
  const ops = `$f = $_GET['file'];\nif (file_exists($f)) { unlink($f); }\n$d = $_GET['dir'];\nforeach (scandir($d) as $e) echo $e;\n`;
  const guarded = `<?php\nif (auth_quickaclcheck($_GET['ns']) < AUTH_DELETE) die('forbidden');\n${ops}`;
  assert.ok(!reasons(findingOf('g.php', guarded)).some((r) => r.includes('(file manager)')));
  assert.ok(reasons(findingOf('u.php', `<?php\n${ops}`)).some((r) => r.includes('(file manager)')));
});
