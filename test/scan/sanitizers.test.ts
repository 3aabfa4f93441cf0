/**
 * Taint that stops at a sanitizer: a number cast from the request, a hash of it, an argument
 * quoted by escapeshellarg after a fixed program, a file name stripped of its folders for a
 * read, a dispatch table of the page's own functions, a closure as the callback. Each benign
 * page sits next to the shell form it resembles; written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';
import { phpUnsanitized, shellQuotedOnly } from '../../src/scan/analyzers/php/sanitizers.js';
import { blankCalls, reachesOnlyThrough } from '../../src/scan/sanitize.js';
import { Taint } from '../../src/scan/flow.js';
import { PHP_FLOW } from '../../src/scan/analyzers/php/signatures.js';

test('phpUnsanitized blanks casts, numeric and hash functions, and leaves the rest', () => {
  assert.equal(phpUnsanitized("max(16, min(1024, (int)($_GET['w'] ?? 128)))"), 'max(16, min(1024, 0))');
  assert.equal(phpUnsanitized("'id=' . intval($_GET['id']) . '&h=' . md5($_COOKIE['s'])"), "'id=' . 0 . '&h=' . 0");
  assert.equal(phpUnsanitized("(int) $row['n'] + (string)$_GET['x']"), "0 + (string)$_GET['x']");
  assert.equal(phpUnsanitized("isset($_GET['a']) ? $_GET['a'] : ''"), "0 ? $_GET['a'] : ''");
  // a method or variable function of the same name is the application's, not PHP's
  assert.equal(phpUnsanitized("$o->md5($_GET['x'])"), "$o->md5($_GET['x'])");
  assert.equal(phpUnsanitized("$_POST['cmd']"), "$_POST['cmd']");
});

test('shellQuotedOnly: quoted arguments of a fixed program, not of a shell or of the program position', () => {
  const taint = (code: string) => new Taint(code, PHP_FLOW);
  const code = "<?php $f = $_GET['f'];\n$cmd = sprintf('convert %s out.png', escapeshellarg($f));\n$sh = 'bash -c ' . escapeshellarg($f);\n$any = escapeshellarg($f);\n";
  const t = taint(code);
  assert.equal(shellQuotedOnly('$cmd', t), true);
  assert.equal(shellQuotedOnly("'ping -c 1 ' . escapeshellarg($_GET['h'])", t), true);
  assert.equal(shellQuotedOnly('$sh', t), false);
  assert.equal(shellQuotedOnly('$any', t), false);
  assert.equal(shellQuotedOnly("'ls ' . $f", t), false);
  assert.equal(shellQuotedOnly("'find . -name ' . escapeshellarg($f) . ' -exec rm {} ;'", t), false);
});

test('a variable tainted other than by its assignments is not explained by them', () => {
  // register_globals style: $shell comes from the form, its only assignment is a fixed example
  const code = "<?php foreach ($_POST as $k => $shell) {}\n$shell = 'ls';\n";
  const t = new Taint(code, PHP_FLOW);
  t.vars.add('$shell');
  assert.equal(shellQuotedOnly('$shell', t), false);
  assert.equal(
    reachesOnlyThrough('$shell', t, (e) => blankCalls(e, /\bbasename\s*\(/g)),
    false,
  );
});

test("a command built from an (int) count and a quoted path is the page's own; the request-built one is not", () => {
  const app = `<?php\n$lines = (int)($_GET['n'] ?? 50);\n$log = '/var/log/app/' . date('Y-m-d') . '.log';\necho shell_exec('tail -n ' . $lines . ' ' . escapeshellarg($log));\n`;
  assert.equal(findingOf('a.php', app), undefined);
  const shell = `<?php\n$lines = $_GET['n'];\necho shell_exec('tail -n ' . $lines . ' /var/log/app.log');\n`;
  assert.equal(findingOf('b.php', shell)?.verdict, 'malicious');
});

test('escapeshellarg after a fixed program clears the command; after bash -c it does not', () => {
  const app = `<?php\n$src = __DIR__ . '/img/' . basename($_GET['img']);\n$cmd = sprintf('convert %s -resize 64x64 png:-', escapeshellarg($src));\npassthru($cmd);\n`;
  assert.equal(findingOf('a.php', app), undefined);
  const shell = `<?php\n$c = $_GET['c'];\npassthru('bash -c ' . escapeshellarg($c));\n`;
  assert.equal(findingOf('b.php', shell)?.verdict, 'malicious');
});

test('exec of a fixed command with an output array is not a command built from variables', () => {
  const app = `<?php\n$out = [];\nexec('git rev-parse --short HEAD', $out);\necho (int)$_GET['page'];\n`;
  assert.ok(!reasons(findingOf('a.php', app)).includes('OS command built from variables in a script that reads request input'));
  const shell = `<?php\nfunction run($c) { exec($c, $o); return $o; }\necho implode("\\n", run($_POST['x']));\n`;
  assert.equal(findingOf('b.php', shell)?.verdict, 'malicious');
});

test('md5 of the URL names a cache file; the URL itself writing a file is an uploader', () => {
  const app = `<?php\n$cache = __DIR__ . '/cache/' . md5($_SERVER['REQUEST_URI']) . '.html';\nob_start();\ninclude 'page.php';\nfile_put_contents($cache, ob_get_contents());\n`;
  assert.equal(findingOf('a.php', app), undefined);
  const shell = `<?php\nfile_put_contents($_GET['f'], $_POST['c']);\n`;
  assert.equal(findingOf('b.php', shell)?.verdict, 'malicious');
});

test("a closure callback is the page's code; a request-named callback is not", () => {
  const app = `<?php\n$vars = ['name' => $_POST['name'] ?? ''];\necho preg_replace_callback('/\\{(\\w+)\\}/', fn($m) => $vars[$m[1]] ?? '', 'Hi {name}');\n`;
  assert.equal(findingOf('a.php', app), undefined);
  const shell = `<?php\n$cb = $_POST['cb'];\necho preg_replace_callback('/.+/', $cb, $_POST['d']);\n`;
  assert.equal(findingOf('b.php', shell)?.verdict, 'malicious');
});

test("a dispatch table of the page's own functions is a router; a table with system is not", () => {
  const app = `<?php\n$actions = ['list' => 'listItems', 'show' => 'showItem'];\n$a = $_GET['a'] ?? 'list';\ncall_user_func($actions[$a]);\nfunction listItems() {}\nfunction showItem() {}\n`;
  assert.equal(findingOf('a.php', app), undefined);
  const shell = `<?php\n$actions = ['list' => 'listItems', 'run' => 'system'];\n$a = $_GET['a'];\ncall_user_func($actions[$a], $_GET['x']);\n`;
  assert.ok(reasons(findingOf('b.php', shell)).includes('request-derived value selects code to run (function, callback or include) through several steps'));
});

test('new on a request name with a fixed class suffix is a router; a bare request class name is not', () => {
  const app = `<?php\n$controller = ucfirst(preg_replace('/[^a-z]/', '', $_GET['c'] ?? 'home')) . 'Controller';\nif (class_exists($controller)) { (new $controller())->handle($_REQUEST); }\n`;
  assert.equal(findingOf('a.php', app), undefined);
  const shell = `<?php\n$c = $_GET['c'];\n$o = new $c($_GET['a']);\n`;
  assert.ok(reasons(findingOf('b.php', shell)).includes('data flow: request chooses the class the page instantiates and its arguments'));
  const appended = `<?php\n$c = 'X' . 'Controller';\n$c .= $_GET['c'];\n$o = new $c($_GET['a']);\n`;
  assert.ok(reasons(findingOf('c.php', appended)).includes('data flow: request chooses the class the page instantiates and its arguments'));
});

test('a download page reading a file name in its own folder is not a file manager (ASP.NET, JSP)', () => {
  const aspx = `<%@ Page Language="C#" %>\n<script runat="server">\nprotected void Page_Load(object s, EventArgs e) {\n  string f = System.IO.Path.GetFileName(Request.QueryString["f"] ?? "");\n  string path = Server.MapPath("~/App_Data/reports/" + f);\n  Response.TransmitFile(path);\n}\n</script>\n`;
  assert.equal(findingOf('a.aspx', aspx), undefined);
  const aspxShell = `<%@ Page Language="C#" %>\n<script runat="server">\nprotected void Page_Load(object s, EventArgs e) {\n  string path = Request.QueryString["p"];\n  foreach (var d in System.IO.Directory.GetFiles(path)) Response.Write(d);\n  Response.TransmitFile(path);\n}\n</script>\n`;
  assert.ok(reasons(findingOf('b.aspx', aspxShell)).some((r) => r.includes('(file manager)')));
  const jsp = `<%@ page import="java.io.*" %>\n<%\nString name = new File(request.getParameter("doc")).getName();\nFile f = new File(application.getRealPath("/WEB-INF/docs"), name);\ntry (BufferedReader r = new BufferedReader(new FileReader(f))) { out.println(r.readLine()); }\n%>\n`;
  assert.equal(findingOf('a.jsp', jsp), undefined);
  const jspShell = `<%@ page import="java.io.*" %>\n<%\nFile f = new File(request.getParameter("p"));\nfor (File c : f.listFiles()) out.println(c.getName());\nBufferedReader r = new BufferedReader(new FileReader(new File(request.getParameter("r"))));\nout.println(r.readLine());\n%>\n`;
  assert.ok(reasons(findingOf('b.jsp', jspShell)).some((r) => r.includes('(file manager)')));
});

test('a class suffix that completes a risky built-in class (ReflectionFunction) still lets the request choose it', () => {
  const shell = `<?php\n$cls = $_GET['c'] . 'Function';\n$r = new $cls($_GET['f']);\necho $r->invoke($_GET['a']);\n`;
  assert.equal(findingOf('a.php', shell)?.verdict, 'malicious');
});

test('Java and .NET number parsers: a page number from the request names no file', () => {
  const jsp = `<%\nint page_ = 1;\ntry { page_ = Integer.parseInt(request.getParameter("p")); } catch (Exception e) {}\njava.io.File dir = new java.io.File(application.getRealPath("/WEB-INF/pages"));\njava.io.File f = new java.io.File(dir, "page" + page_ + ".html");\nif (f.exists()) { out.print(new String(java.nio.file.Files.readAllBytes(f.toPath()))); }\n%>\n`;
  assert.equal(findingOf('a.jsp', jsp), undefined);
  const shell = jsp.replace('Integer.parseInt(request.getParameter("p"))', 'request.getParameter("p")').replace('int page_ = 1', 'String page_ = ""');
  assert.ok(reasons(findingOf('b.jsp', shell)).some((r) => r.includes('(file manager)')));
});

test('a table of functions holding a runner, called at a request index with request data, is a shell', () => {
  const shell = `<?php\n$ops = ['a' => 'phpinfo', 'b' => 'passthru'];\n$ops[$_GET['o']]($_GET['x']);\n`;
  assert.deepEqual(reasons(findingOf('a.php', shell)), ['request picks passthru() out of a table of functions and hands it request input']);
  // the same call over the page's own handlers is a router
  const router = `<?php\n$ops = ['a' => 'showList', 'b' => 'showItem'];\n$ops[$_GET['o']]((int)$_GET['id']);\nfunction showList() {}\nfunction showItem($id) {}\n`;
  assert.equal(findingOf('b.php', router), undefined);
});

test('include of a data: URL built from request-fetched code runs that code; a data: URL of a fixed string does not', () => {
  const shell = `<?php\n$code = file_get_contents($_GET['u']);\ninclude 'data://text/plain;base64,' . base64_encode($code);\n`;
  assert.ok(reasons(findingOf('a.php', shell)).includes('data flow: request-derived code run by include through a data: URL'));
  assert.equal(findingOf('a.php', shell)?.verdict, 'malicious');
  const fixed = `<?php\n$tpl = '<?php echo 1;';\ninclude 'data://text/plain;base64,' . base64_encode($tpl);\necho htmlspecialchars($_GET['q'] ?? '');\n`;
  assert.ok(!reasons(findingOf('b.php', fixed)).includes('data flow: request-derived code run by include through a data: URL'));
});

test('unserialize of request data next to a __destruct that writes the file its properties name is an object-injection backdoor', () => {
  const shell = `<?php\n$d = unserialize(base64_decode($_COOKIE['s']));\nclass L { public $f; public $m; function __destruct() { file_put_contents($this->f, $this->m); } }\n`;
  assert.deepEqual(reasons(findingOf('a.php', shell)), [
    'request data unserialized into a class whose magic method writes the file its properties name (object-injection backdoor)',
  ]);
  // a cache class writing its own fixed file is not that gadget
  const app = `<?php\n$prefs = unserialize($_COOKIE['p'], ['allowed_classes' => false]);\nclass C { private $data = []; function __destruct() { file_put_contents(__DIR__ . '/cache.bin', serialize($this->data)); } }\n`;
  assert.ok(!reasons(findingOf('b.php', app)).some((r) => r.includes('object-injection')));
});

test('broken input: unclosed calls and tables are left as they are, never read past the text', () => {
  assert.equal(phpUnsanitized("intval($_GET['x']"), "intval($_GET['x']");
  assert.equal(phpUnsanitized("(int) $_GET['x'"), "(int) $_GET['x'");
  assert.equal(blankCalls("escapeshellarg($_GET['x'] . ')", /\bescapeshellarg\s*\(/gi), "escapeshellarg($_GET['x'] . ')");
  // a table that never closes is no table: the request-chosen callee stays a finding
  const shell = `<?php\n$ops = ['a' => 'showList', 'b' => 'showItem';\ncall_user_func($ops[$_GET['o']], $_GET['x']);\n`;
  assert.ok(reasons(findingOf('a.php', shell)).length > 0);
  // hostile nesting: 5,000 unclosed casts do not blow up
  assert.equal(phpUnsanitized('(int)('.repeat(5000)).length, 30000);
});
