/**
 * Commands given as argument vectors to a fixed program, variables confined to an allowlist
 * before use, and streams copied into buffers: each benign page sits next to the shell form it
 * resembles. Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons, scanText } from './helpers.js';
import { argvElements, plainProgramOf } from '../../src/scan/argv.js';
import { phpGuards } from '../../src/scan/analyzers/php/guards.js';
import { javaGuards } from '../../src/scan/analyzers/java-guards.js';
import { charsetOf, confiningSet } from '../../src/scan/guards.js';

const never = (): boolean => false;

test('argvElements reads separate arguments and vector literals; one command string is no vector', () => {
  assert.deepEqual(argvElements('"ping", "-c", "1", host'), ['"ping"', ' "-c"', ' "1"', ' host']);
  assert.deepEqual(argvElements('new String[]{"nslookup", h}'), ['"nslookup"', ' h']);
  assert.deepEqual(argvElements('Arrays.asList("dig", "+short", name)'), ['"dig"', ' "+short"', ' name']);
  assert.equal(argvElements('"ping -c 1 " + host'), undefined);
  assert.equal(argvElements('cmd'), undefined);
  assert.equal(argvElements('new String[]{c}'), undefined);
});

test('plainProgramOf: a literal program that runs no argument; shells, interpreters and launchers are not plain', () => {
  assert.equal(plainProgramOf('"/usr/bin/whois", $d', never), 'whois');
  assert.equal(plainProgramOf('"ping", "-c", "1", host', never), 'ping');
  assert.equal(plainProgramOf('"/bin/sh", "-c", c', never), undefined);
  assert.equal(plainProgramOf('new String[]{"cmd.exe", "/c", c}', never), undefined);
  assert.equal(plainProgramOf('"python3", script', never), undefined);
  assert.equal(plainProgramOf('"sudo", "ls", d', never), undefined);
  assert.equal(plainProgramOf('"find", ".", "-name", n', never), undefined);
  // the program itself from a variable is no fixed program
  assert.equal(plainProgramOf('prog, "-v"', never), undefined);
  assert.equal(
    plainProgramOf("'/usr/bin/dig', $_GET['p']", (e) => e.includes('$_GET')),
    'dig',
  );
});

test('JSP: a ping page passes the host as one argument of ping; a shell runs it', () => {
  const page = (argv: string) =>
    `<%\nString host = request.getParameter("host");\nif (host != null) {\n  Process p = new ProcessBuilder(${argv}).start();\n  out.print(new String(p.getInputStream().readAllBytes()));\n}\n%>\n`;
  assert.equal(findingOf('ping.jsp', page('"ping", "-c", "1", host')), undefined);
  assert.equal(findingOf('dig.jsp', page('java.util.Arrays.asList("dig", "+short", host)')), undefined);
  assert.equal(findingOf('sh.jsp', page('"sh", "-c", host'))?.verdict, 'malicious');
  assert.equal(findingOf('bash.jsp', page('"/bin/bash", "-c", "ping " + host'))?.verdict, 'malicious');
  assert.equal(findingOf('one.jsp', page('host'))?.verdict, 'malicious');
  const exec = `<%\nString c = request.getParameter("c");\nProcess p = Runtime.getRuntime().exec(new String[]{"cmd.exe", "/c", c});\n%>\n`;
  assert.equal(findingOf('exec.jsp', exec)?.verdict, 'malicious');
});

test('Perl: list-form system runs a fixed program without a shell; a command string or a shell vector is a shell', () => {
  const cgi = (call: string) => `#!/usr/bin/perl\nuse CGI;\nmy $q = CGI->new;\nmy $d = $q->param('d');\nprint $q->header('text/plain');\n${call};\n`;
  assert.equal(findingOf('whois.cgi', cgi("system('/usr/bin/whois', $d)")), undefined);
  assert.deepEqual(reasons(findingOf('whois-str.cgi', cgi('system("/usr/bin/whois $d")'))), [
    'request-derived variable reaches system',
    'command/code execution in a script that reads request input',
  ]);
  assert.equal(findingOf('sh.cgi', cgi("system('/bin/sh', '-c', $d)"))?.verdict, 'malicious');
});

test('phpGuards allowlists: a guard that stops the page or resets the variable, with literal values that are no dangerous names', () => {
  const g = (code: string) => [...phpGuards(code).allowlisted];
  assert.deepEqual(g("<?php $f = $_GET['f'];\nif (!in_array($f, ['trim', 'ucfirst'], true)) { http_response_code(400); exit; }\necho $f($_GET['s']);"), ['$f']);
  assert.deepEqual(g("<?php $ok = ['csv', 'json'];\n$f = $_GET['f'] ?? 'csv';\nif (!in_array($f, $ok)) $f = 'csv';\n"), ['$f']);
  // a menu of dangerous names is a shell's
  assert.deepEqual(g("<?php $f = $_GET['f'];\nif (!in_array($f, ['system', 'exec'])) exit;\n$f($_GET['c']);"), []);
  // used before the guard; reassigned after it; a guard whose failure runs on
  assert.deepEqual(g("<?php $f = $_GET['f'];\n$f($_GET['c']);\nif (!in_array($f, ['a'])) exit;\n"), []);
  assert.deepEqual(g("<?php $f = $_GET['f'];\nif (!in_array($f, ['a'])) exit;\n$f = $_POST['g'];\n"), []);
  assert.deepEqual(g("<?php $f = $_GET['f'];\nif (!in_array($f, ['a'])) { $f($_GET['c']); }\n"), []);
  // a list that is a property or a call (its text full of regex characters) says nothing, and breaks nothing
  assert.deepEqual(g("<?php $m = $_GET['m'];\nif (!in_array($m, $this->objs[ $tag ][ 1 ])) { return; }\nif (!in_array($m, get_list($x) + [1])) exit;\n"), []);
  assert.deepEqual(g("<?php $m = $_GET['m'];\nif (!isset($o[$t]) || !in_array($m, $o[$t][3]) && (empty($o[$t][1]) || in_array($m, $o[$t][1]))) { return; }\n"), []);
  // a part that is more than the one call confines nothing
  assert.deepEqual(g("<?php $f = $_GET['f'];\nif (!in_array($f, ['a']) && log_it($f)) exit;\n"), []);
  // a list variable written twice may hold anything
  assert.deepEqual(g("<?php $ok = ['a'];\n$ok[] = $_GET['x'];\n$f = $_GET['f'];\nif (!in_array($f, $ok)) exit;\n"), []);
});

test('PHP: a formatter picked from an allowlist is a router; the same call without the guard is a shell', () => {
  const guarded =
    "<?php\n$fn = $_GET['fmt'] ?? 'trim';\nif (!in_array($fn, ['trim', 'strtolower', 'ucfirst'], true)) { http_response_code(400); exit; }\necho htmlspecialchars($fn($_GET['s'] ?? ''));\n";
  assert.equal(findingOf('fmt.php', guarded), undefined);
  const open = "<?php\n$fn = $_GET['fmt'] ?? 'trim';\necho htmlspecialchars($fn($_GET['s'] ?? ''));\n";
  assert.equal(findingOf('open.php', open)?.verdict, 'malicious');
  const menu = "<?php\n$fn = $_GET['fmt'];\nif (!in_array($fn, ['system', 'passthru'], true)) exit;\n$fn($_GET['s']);\n";
  assert.equal(findingOf('menu.php', menu)?.verdict, 'malicious');
});

test('.NET: an uploaded file copied into a memory stream and loaded as an assembly is a shell; loading the site plugins is not', () => {
  const shell = `<%@ Page Language="C#" %>\n<script runat="server">\nvoid Page_Load(object s, EventArgs e) {\n  var ms = new System.IO.MemoryStream();\n  Request.Files[0].InputStream.CopyTo(ms);\n  System.Reflection.Assembly.Load(ms.ToArray()).CreateInstance("X");\n}\n</script>\n`;
  assert.deepEqual(reasons(findingOf('load.aspx', shell)), ['request-derived variable reaches Assembly.Load']);
  const plugins = `<%@ Page Language="C#" %>\n<script runat="server">\nvoid Page_Load(object s, EventArgs e) {\n  var ms = new System.IO.MemoryStream();\n  System.IO.File.OpenRead(Server.MapPath("~/bin/plugin.dll")).CopyTo(ms);\n  Response.Write(System.Reflection.Assembly.Load(ms.ToArray()).FullName + Request.QueryString["x"]);\n}\n</script>\n`;
  assert.equal(findingOf('plugins.aspx', plugins)?.verdict ?? 'clean', 'clean');
});

test('charsetOf reads the characters a whole-value pattern allows; confiningSet keeps separators, blanks and shell characters out', () => {
  const chars = (p: string, i = false) => {
    const s = charsetOf(p, i);
    return s ? String.fromCharCode(...[...s].sort((a, b) => a - b)) : undefined;
  };
  assert.equal(chars('[a-c0-2_-]+'), '-012_abc');
  assert.equal(chars('[a-c]{1,40}\\.pdf'), '.abcdfp');
  assert.equal(chars('\\d{1,3}(\\.\\d{1,3}){3}'), '.0123456789');
  assert.equal(chars('[a-b]+', true), 'ABab');
  for (const wide of ['.+', '[^/]+', '\\S+', '\\w+\\s\\w+', '(?=a)b', '[a-z]+\\1']) assert.equal(chars(wide), undefined, wide);
  assert.equal(confiningSet(charsetOf('[a-z0-9_.-]+')), true);
  assert.equal(confiningSet(charsetOf('[a-z0-9/]+')), false);
  assert.equal(confiningSet(charsetOf('[a-z ]+')), false);
  assert.equal(confiningSet(charsetOf('[a-z;|]+')), false);
});

test('phpGuards: character-set checks that stop the page or reset the value, in each spelling', () => {
  const g = (code: string) => {
    const r = phpGuards(code);
    return { allow: [...r.allowlisted], set: [...r.charset] };
  };
  assert.deepEqual(g("<?php $p = $_GET['p'] ?? 'home';\nif (!preg_match('/^[a-z0-9_-]+$/', $p)) $p = '404';\ninclude __DIR__ . \"/pages/$p.php\";"), { allow: [], set: ['$p'] });
  assert.deepEqual(g("<?php $p = $_GET['p'];\nif (preg_match('/[^a-z0-9]/i', $p)) { die('bad'); }\n"), { allow: [], set: ['$p'] });
  assert.deepEqual(g("<?php $p = $_GET['p'];\nif (!isset($p) || !ctype_alnum($p)) exit;\n"), { allow: [], set: ['$p'] });
  // unanchored, a slash allowed, `m` flag, a check whose failure goes on
  assert.deepEqual(g("<?php $p = $_GET['p'];\nif (!preg_match('/[a-z]+/', $p)) exit;\n"), { allow: [], set: [] });
  assert.deepEqual(g("<?php $p = $_GET['p'];\nif (!preg_match('#^[a-z/]+$#', $p)) exit;\n"), { allow: [], set: [] });
  assert.deepEqual(g("<?php $p = $_GET['p'];\nif (!preg_match('/^[a-z]+$/m', $p)) exit;\n"), { allow: [], set: [] });
  assert.deepEqual(g("<?php $p = $_GET['p'];\nif (!preg_match('/^[a-z]+$/', $p)) { error_log($p); }\n"), { allow: [], set: [] });
});

test('PHP: a page name checked against a character set is a router; unchecked, or used whole as a callee, it is not', () => {
  const router =
    "<?php\n$page = $_GET['page'] ?? 'home';\nif (!preg_match('/^[a-z0-9_-]+$/', $page)) $page = '404';\n$file = __DIR__ . \"/pages/$page.php\";\nif (is_file($file)) include $file;\n";
  assert.equal(findingOf('router.php', router), undefined);
  const open = "<?php\n$page = $_GET['page'] ?? 'home';\ninclude $_GET['dir'] . $page;\n";
  assert.equal(findingOf('lfi.php', open)?.verdict, 'malicious');
  // a word from the set can still name any function: called whole, it is the requester's choice
  const callee = "<?php\n$f = $_GET['f'];\nif (!preg_match('/^[a-z_]+$/', $f)) exit;\n$f($_GET['a']);\n";
  assert.equal(findingOf('callee.php', callee)?.verdict, 'malicious');
});

test('javaGuards and JSP: a document name checked with matches() stays in the page folder; an unchecked one is a file manager', () => {
  const page = (check: string) =>
    `<%@ page import="java.nio.file.*" %>\n<%\nString name = request.getParameter("doc");\n${check}\nPath p = Paths.get(application.getRealPath("/WEB-INF/docs"), name);\nFiles.copy(p, response.getOutputStream());\n%>\n`;
  const checked = page('if (name == null || !name.matches("[A-Za-z0-9_-]{1,40}\\\\.pdf")) { response.sendError(400); return; }');
  assert.deepEqual([...javaGuards(checked).charset], ['name']);
  assert.equal(findingOf('doc.jsp', checked), undefined);
  assert.ok(findingOf('any.jsp', page('')));
  // a pattern that lets the separator through confines nothing
  const slash = page('if (!name.matches("[A-Za-z0-9/._-]+")) return;');
  assert.deepEqual([...javaGuards(slash).charset], []);
  const formats = `<%\njava.util.Set<String> OK = java.util.Set.of("csv", "json");\nString f = request.getParameter("f");\nif (!OK.contains(f)) { response.sendError(400); return; }\n%>\n`;
  assert.deepEqual([...javaGuards(formats).allowlisted], ['f']);
});

test('hostile guard shapes stay bounded: 200,000 unclosed `if (preg_match(`, a guarded name read 100,000 times, 50,000 JSP guards', () => {
  const cases: Array<[string, string]> = [
    ['unclosed-if.php', `<?php in_array($a, [1]);\n${'if (preg_match('.repeat(200000)}`],
    ['many-uses.php', `<?php $p = $_GET['p'];\nif (!preg_match('/^[a-z]+$/', $p)) exit;\n${'echo $p;\n'.repeat(100000)}`],
    ['many-ifs.jsp', `<% String s = request.getParameter("s");\n${'if (!s.matches("[a-z]+")) return;\n'.repeat(50000)}%>`],
  ];
  for (const [name, text] of cases) {
    const [o] = scanText(name, text);
    assert.deepEqual(o!.problems, [], name);
  }
  // a name read 50,000 times is not followed to prove the guard: it confines nothing
  assert.deepEqual([...javaGuards(cases[2]![1]).charset], []);
});
