/**
 * Mechanisms beyond a single request-to-sink call: typographic quotes in copied shells,
 * WebSocket memory shells, tunnels that build the target address from headers, log
 * handlers as file writers, attack-tool menus, whole-database dumpers, and CGI scripts whose
 * request data arrives through read(STDIN), loops or getter functions. Fixtures are inert
 * text written for these tests; nothing is executed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanBytes } from '../../src/scan/scan-bytes.js';
import { DEFAULT_LIMITS } from '../../src/scan/types.js';
import { findingOf, reasons } from './helpers.js';

test('typographic quotes copied into code are read as quotes (UTF-8 bytes)', () => {
  const page = '<%@ Page Language=\u201dJscript\u201d%><%eval(Request.Item[\u201cz\u201d],\u201dunsafe\u201d);%>';
  const f = scanBytes('x.aspx', Buffer.from(page, 'utf8'), { limits: DEFAULT_LIMITS })[0]!.finding;
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('request input reaches JScript eval'));
  // prose with typographic quotes and no code around them stays as it is, and clean
  const prose = '<%@ Page Language="C#" %><p>He said \u201chello\u201d to the \u2018world\u2019.</p>';
  assert.equal(scanBytes('y.aspx', Buffer.from(prose, 'utf8'), { limits: DEFAULT_LIMITS })[0]!.finding, undefined);
});

test('typographic quotes copied into code are read as quotes (GBK bytes)', () => {
  // GBK spells the curly quotes A1 B0 / A1 B1 and A1 AE / A1 AF
  const q = (s: string): Buffer =>
    Buffer.from(
      s.replace(/[\u201c\u201d\u2018\u2019]/g, (c) => ({ '\u201c': '\xa1\xb0', '\u201d': '\xa1\xb1', '\u2018': '\xa1\xae', '\u2019': '\xa1\xaf' })[c]!),
      'latin1',
    );
  const page = '<%\nSet o = Server.CreateObject(\u201cMSScriptControl.ScriptControl\u201d)\no.Language = \u201cvbscript\u201d\no.AddCode(Request(\u201ccode\u201d))\n%>';
  const f = scanBytes('x.asp', q(page), { limits: DEFAULT_LIMITS })[0]!.finding;
  assert.equal(f?.verdict, 'malicious', reasons(f).join('; '));
  // Chinese prose between GBK quotes, no code around them, stays clean
  const prose = '<%@ Page Language="C#" %><p>\xc4\xe3\u201c\xba\xc3\u201d</p>';
  assert.equal(scanBytes('y.aspx', q(prose), { limits: DEFAULT_LIMITS })[0]!.finding, undefined);
});

const WS_MEMSHELL = `<%@ page import="javax.websocket.server.*" %>
<%
ServerEndpointConfig cfg = ServerEndpointConfig.Builder.create(Ep.class, "/ws").build();
ServerContainer sc = (ServerContainer) application.getAttribute("javax.websocket.server.ServerContainer");
sc.addEndpoint(cfg);
%>`;
const WS_LIBRARY = `package org.example.ws;
import javax.websocket.server.ServerContainer;
public class Registrar {
  public void register(ServerContainer sc, Class<?> c) throws Exception { sc.addEndpoint(c); }
}`;

test('jsp: a page that adds a WebSocket endpoint at runtime is a memory-shell loader; a library doing it is weaker', () => {
  const f = findingOf('ws.jsp', WS_MEMSHELL);
  assert.equal(f?.verdict, 'suspicious');
  assert.equal(f?.score, 9);
  assert.ok(reasons(f).includes('registers a filter/servlet/listener/endpoint into the running server (memory shell loader)'));
  const lib = findingOf('Registrar.java', WS_LIBRARY);
  assert.equal(lib?.score, 6);
});

const JSP_TUNNEL = `<%@ page import="java.nio.channels.*,java.net.*" %><%
String target = request.getHeader("X-T");
int port = Integer.parseInt(request.getHeader("X-P"));
SocketChannel ch = SocketChannel.open();
ch.connect(new InetSocketAddress(target, port));
%>`;
const JSP_LOGGER_WRITER = `<%java.util.logging.Logger l = java.util.logging.Logger.getLogger("t");
java.util.logging.FileHandler h = new java.util.logging.FileHandler(application.getRealPath("/") + request.getParameter("f"), true);
l.addHandler(h); l.info(request.getParameter("t"));%>`;

test('jsp: tunnel address built from request headers; FileHandler as a request-chosen file writer', () => {
  const t = findingOf('t.jsp', JSP_TUNNEL);
  assert.ok(reasons(t).includes('request input chooses a network host/port to connect to (tunnel)'));
  const w = findingOf('l.jsp', JSP_LOGGER_WRITER);
  assert.ok(reasons(w).includes('request input reaches file write'));
});

const ASPX_TOOL_MENU = `<%@ Page Language="C#" %>
<asp:TextBox ID="c" runat="server" Text="cmd.exe /c net user backup P4ss /add" />
<asp:ListItem Value="EXEC sp_configure 'xp_cmdshell',1;RECONFIGURE">enable</asp:ListItem>
<asp:ListItem Value="exec master..xp_cmdshell 'whoami'">run</asp:ListItem>`;
const ASPX_ADMIN_DOC = `<%@ Page Language="C#" %>
<p>Never enable xp_cmdshell on production servers.</p>`;

test('attack-tool menus: two or more operations are a shell, one word on a page is not', () => {
  const f = findingOf('spy.aspx', ASPX_TOOL_MENU);
  assert.equal(f?.verdict, 'suspicious');
  assert.match(reasons(f)[0]!, /^offers attack operations: adds an OS account; enables or runs SQL Server command execution/);
  assert.equal(findingOf('doc.aspx', ASPX_ADMIN_DOC), undefined);
});

const JSP_DUMPER = `<%@ page import="java.sql.*,java.io.*" %><%
Connection c = DriverManager.getConnection(url, user, pass);
ResultSet t = c.getMetaData().getTables(null, null, "%", null);
while (t.next()) {
  String table = t.getString(3);
  Writer w = new FileWriter(new File("c:/", table + ".txt"));
  ResultSet r = c.createStatement().executeQuery("SELECT * FROM " + table);
}
%>`;

test('jsp: every table walked and written out is a database dumper; reading one table is not', () => {
  const f = findingOf('d.jsp', JSP_DUMPER);
  assert.equal(f?.verdict, 'suspicious');
  assert.ok(reasons(f).includes('walks every table and copies every row out (database dumper)'));
  const one = JSP_DUMPER.replace(/getTables\([^)]*\)/, 'executeQuery("select name from users")');
  assert.ok(!reasons(findingOf('e.jsp', one)).includes('walks every table and copies every row out (database dumper)'));
});

const PERL_CGI = `#!/usr/bin/perl
print "Content-type: text/html\\n\\n";
read(STDIN, $buf, $ENV{'CONTENT_LENGTH'});
@parts = split(/=/, $buf);
$out = \`$parts[1]\`;
print $out;`;
const PY_CGI = `import os
def arg(name):
    qs = os.environ['QUERY_STRING']
    for pair in qs.split('&'):
        k, v = pair.split('=')
        if k == name:
            return v
cmd = arg('c')
print(os.popen(cmd).read())`;
const PY_BENIGN = `import os
def home():
    return os.path.expanduser('~')
print(os.popen('uptime').read())`;

test('CGI scripts: request body through read(STDIN) and sigil-changing arrays; getter functions and loop variables', () => {
  const p = findingOf('x.cgi', PERL_CGI);
  assert.equal(p?.verdict, 'malicious');
  assert.ok(reasons(p).some((r) => r.startsWith('request-derived variable reaches `$parts[1]`')));
  const y = findingOf('x.py', PY_CGI);
  assert.equal(y?.verdict, 'malicious');
  assert.ok(reasons(y).includes('request-derived variable reaches os.popen'));
  assert.equal(findingOf('y.py', PY_BENIGN), undefined);
});

const ASHX_SPACED = `<% @ webhandler language="C#" class="H" %>
using System; using System.Web; using System.Diagnostics;
public class H : IHttpHandler {
  public bool IsReusable { get { return true; } }
  public void ProcessRequest(HttpContext ctx) {
    string c = ctx.Request.QueryString["c"];
    ProcessStartInfo psi = new ProcessStartInfo();
    psi.FileName = "cmd.exe";
    psi.Arguments = "/c " + c;
    Process.Start(psi);
  }
}`;

test('aspx: a handler whose directive has a space after <% is read as code', () => {
  const f = findingOf('h.ashx', ASHX_SPACED);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('request-derived variable reaches ProcessStartInfo.FileName/Arguments'));
});

const CHOPPER_SERVER = `<%@ page import="java.io.*" %><%
String Z = request.getParameter("action"), z1 = request.getParameter("z1");
if (Z.equals("A")) { } else if (Z.equals("B")) { } else if (Z.equals("C")) { } else if (Z.equals("D")) { }
else if (Z.equals("E")) { } else if (Z.equals("F")) { } else if (Z.equals("G")) { } else if (Z.equals("H")) { }
else if (Z.equals("I")) { } else if (Z.equals("J")) { } else if (Z.equals("M")) { Process p = Runtime.getRuntime().exec(new String[]{"sh", "-c", z1}); }
%>`;
const LETTER_GRADES = `<%
String g = request.getParameter("grade");
if (g.equals("A")) {} else if (g.equals("B")) {} else if (g.equals("C")) {} else if (g.equals("D")) {} else if (g.equals("E")) {}
else if (g.equals("F")) {} else if (g.equals("G")) {} else if (g.equals("H")) {} else if (g.equals("I")) {} else if (g.equals("J")) {}
%>`;

test('family: single-letter operation dispatch plus command execution is the Chopper custom-script server; letters alone are not', () => {
  const f = findingOf('c.jsp', CHOPPER_SERVER);
  assert.equal(f?.family, 'China Chopper');
  assert.ok(reasons(f).some((r) => r.startsWith('picks file, command and database operations by single-letter codes (11 of A–Q')));
  assert.equal(findingOf('grades.jsp', LETTER_GRADES), undefined);
});

test('asp: eval returned as a value; server-side include of a .txt file', () => {
  const js = `<%@LANGUAGE="javascript"%><%f()(f(1));function f(x){if(x){return Request('k')+''}else{return eval}}%>`;
  const a = findingOf('a.asp', js);
  assert.equal(a?.verdict, 'malicious');
  assert.ok(reasons(a).includes('eval passed around as a value (aliased code execution)'));
  const ssi = findingOf('b.asp', '<!--#include file="notes.txt"-->');
  assert.equal(ssi?.verdict, 'suspicious');
  assert.equal(findingOf('c.asp', '<!--#include file="header.asp"--><% Response.Write "hi" %>'), undefined);
});

const REG_VIEWER = `<%@ Page Language="C#" %><%@ Import Namespace="Microsoft.Win32" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  string p = Request["path"];
  RegistryKey k = Registry.LocalMachine.OpenSubKey(p);
  foreach (string n in k.GetSubKeyNames()) Response.Write(n);
  foreach (string v in k.GetValueNames()) Response.Write(v);
}
</script>`;

test('aspx: registry viewer driven by the request', () => {
  const f = findingOf('r.aspx', REG_VIEWER);
  assert.ok(reasons(f).includes('browses the Windows registry along paths the request gives (registry viewer)'));
});

const ASPX_INPUT_CONTROLS = `<%@ Page Language="C#" %>
<script runat="server">
void Pack(object s, EventArgs e) {
  System.Diagnostics.Process.Start(txtTool.Value, " a " + txtOut.Value);
  var cfg = new Dictionary<string, string>();
  foreach (var kv in cfg) Response.Write(kv.Value);
}
</script>
<form runat="server"><input id="txtTool" type="text" runat="server" /><input id="txtOut" runat="server" /></form>`;

test('aspx: .Value of a runat=server input is posted data; .Value of anything else is not', () => {
  const f = findingOf('p.aspx', ASPX_INPUT_CONTROLS);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('request input reaches Process.Start'));
  const plain = ASPX_INPUT_CONTROLS.replace(/ runat="server" \/>/g, ' />').replace('<input id="txtOut" runat="server" />', '');
  assert.ok(!reasons(findingOf('q.aspx', plain)).includes('request input reaches Process.Start'));
});

test('php lexer: ?> inside a block comment or a heredoc does not end PHP; inside a // comment it does, and quotes there are text', () => {
  const block = `<?php\n/* short tags <?php ?> are supported */\n$c = $_POST['c'];\nsystem($c);\n`;
  assert.equal(findingOf('a.php', block)?.verdict, 'malicious');
  const quoteInComment = `<?php\n$a = 1; # don't stop here\n$b = 'x' . '?>{<';\neval($_POST[1]);\n`;
  assert.ok(reasons(findingOf('b.php', quoteInComment)).includes('request input reaches eval()'));
  const heredoc = `<?php\n$x = <<< XML\n<?xml version="1.0"?>\n<a/>\nXML;\nsystem($_GET['c']);\n`;
  assert.ok(reasons(findingOf('c.php', heredoc)).includes('request input reaches system()'));
  // a line comment does end PHP at ?>: what follows is HTML, not code
  const lineComment = `<?php // done ?>\nsystem($_GET['c']);\n`;
  assert.equal(findingOf('d.php', lineComment), undefined);
});

test('an ASP page that writes PHP out as a string stays ASP', () => {
  const page = `<%\nSet fso = Server.CreateObject("Scripting.FileSystemObject")\nfso.CreateTextFile(Server.MapPath("t.php")).Write "<?php phpinfo()?>"\nExecute Request("c")\n%>`;
  const f = findingOf('x.asp', page);
  assert.equal(f?.language, 'asp');
  assert.ok(reasons(f).includes('request input reaches Execute'));
});

test('writers: namespace-qualified StreamWriter; a page appending request text to its own script file', () => {
  const aspx = `<%@ Page Language="C#" %><script runat="server">
void Save(object s, EventArgs e) {
  System.IO.StreamWriter sw = new System.IO.StreamWriter(this.txtPath.Text, true);
  sw.Write(this.txtBody.Text); sw.Close();
}</script>`;
  assert.ok(reasons(findingOf('w.aspx', aspx)).includes('request chooses both the file written and its content (uploader)'));
  const asp = `<%\nff = Request.ServerVariables("SCRIPT_NAME")\ntxt = Request.Form("what")\nSet Fs = Server.CreateObject("Scripting.FileSystemObject")\nSet File = Fs.OpenTextFile(Server.MapPath(ff), 8, False)\nFile.WriteLine txt\n%>`;
  assert.ok(reasons(findingOf('self.asp', asp)).includes('request content written into a server-script file'));
});

test('dumpers over Oracle catalog views; stored procedure picked from a posted list; ASP proxy of a requested URL', () => {
  const ora = `<%@ page import="java.sql.*,java.io.*" %><%
PreparedStatement ps = conn.prepareStatement("select TABLE_NAME from user_tab_comments");
ResultSet rs = ps.executeQuery();
while (rs.next()) { String table = rs.getString(1);
  Writer w = new OutputStreamWriter(new FileOutputStream("/tmp/" + table + ".txt"));
  ResultSet r = conn.createStatement().executeQuery("select * from " + table); }
%>`;
  assert.ok(reasons(findingOf('o.jsp', ora)).includes('walks every table and copies every row out (database dumper)'));
  const sp = `<%@ Page Language="C#" %><script runat="server">
void Run(object s, EventArgs e) {
  SqlConnection c = new SqlConnection(txtConn.Text);
  SqlCommand cmd = new SqlCommand(cboSps.SelectedItem.Value, c);
  cmd.CommandType = CommandType.StoredProcedure;
}</script>`;
  assert.ok(reasons(findingOf('sp.aspx', sp)).includes('request chooses the database connection and the SQL it runs (database client backdoor)'));
  const proxy = `<%\nurl = Request.QueryString("u")\nSet x = Server.CreateObject("MSXML2.ServerXMLHTTP")\nx.Open "GET", url, False\nx.Send\nResponse.BinaryWrite x.responseBody\n%>`;
  assert.ok(reasons(findingOf('p.asp', proxy)).includes('request chooses a URL the server fetches (proxy / SSRF tool)'));
  // an XMLHTTP `.Open "GET", url` opens a request, not a database connection
  assert.ok(!reasons(findingOf('p.asp', proxy)).some((r) => r.includes('database connection')));
  const fixed = proxy.replace('url, False', '"https://example.com/feed.xml", False');
  assert.ok(!reasons(findingOf('q.asp', fixed)).includes('request chooses a URL the server fetches (proxy / SSRF tool)'));
});

test('asp: a COM object name assembled from pieces is a hidden shell or script host', () => {
  const page = `<%\nSET o = Server.CreateObject("WSc"&chr(114)&"ipt.She"&Chr(108)&"l")\n%>`;
  assert.ok(reasons(findingOf('a.asp', page)).includes('COM object name assembled from pieces (WScript.Shell)'));
  const plain = `<%\nSET o = Server.CreateObject("ADODB." & "Connection")\n%>`;
  assert.equal(findingOf('b.asp', plain), undefined);
});

test('node: a big bundle reusing short names is not tainted through its own helpers; a small handler is', () => {
  const helpers = `var samsam = require('samsam');\nmodule.exports = { run: run };\nfunction now() { return timer.func; }\nfunction keys(o) { return Object.keys(o); }\nvar requestUrl = request.url;\nvar func = requestUrl;\n`;
  const body = `var timer = addTimer(now());\nfunction addTimer(t) { return { func: t }; }\nfunction run() { eval(timer.func); }\nmodule.exports = { run: run, vm: typeof Function };\n`;
  const filler = Array.from({ length: 1400 }, (_, i) => `function helper${i}(a, b) { return a + b * ${i}; }`).join('\n');
  const bundle = `${helpers}${filler}\n${body}`;
  assert.ok(bundle.length > 65536);
  assert.ok(!reasons(findingOf('bundle.js', bundle)).includes('request-derived variable reaches eval'));
  const handler = `const http = require('http');\nfunction getCode(req) { return req.query.c; }\nhttp.createServer((req, res) => { const c = getCode(req); res.end(String(eval(c))); }).listen(8080);\n`;
  assert.equal(findingOf('h.js', handler)?.verdict, 'malicious');
});

test('shell CGI: the request body copied from stdin into a file is an uploader; reading CONTENT_LENGTH alone is not', () => {
  const up = `#!/bin/sh\necho Content-Type: text/html\necho\ndd count=$CONTENT_LENGTH bs=1 of=/tmp/upload\necho done\n`;
  assert.ok(reasons(findingOf('up.cgi', up)).includes('CGI script saves the request body to a file (uploader)'));
  const log = `#!/bin/sh\necho Content-Type: text/plain\necho\necho "received $CONTENT_LENGTH bytes"\n`;
  assert.ok(!reasons(findingOf('log.cgi', log)).includes('CGI script saves the request body to a file (uploader)'));
});
