/**
 * Classic ASP flow the analyzer follows beyond literal `Request(...)` reads into literal sinks:
 * COM object names the page assembles or keeps in constants, VBScript's case-blind names, the
 * Request object kept in a variable, class methods and `Property Let`, array elements, headers
 * read through ServerVariables, JScript's Function constructor, text files opened for reading.
 * Every page was written for this test from the mechanism's description (none is a corpus
 * file), each next to an ordinary page that uses the same construct.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf } from './helpers.js';

function outcome(path: string, code: string): string {
  const f = findingOf(path, code);
  return `${f?.verdict ?? 'clean'} ${f?.score ?? 0}: ${(f?.evidence ?? []).map((e) => e.id).join(', ')}`;
}

test('asp COM names: a shell ProgID reversed from a constant is created all the same; a constant file object name is no disguise', () => {
  const shell = `<%\nConst N = "llehS.tpircSW"\nSet o = Server.CreateObject(StrReverse(N))\nSet e = o.Exec("cmd.exe /c " & Request.Form("c"))\nResponse.Write e.StdOut.ReadAll\n%>`;
  assert.equal(
    outcome('p01.asp', shell),
    'malicious 27: flow/request-input-reaches-shell-exec, obfuscation/com-object-name-assembled-from-pieces, capability/creates-a-windows-shell-com-object, flow/shell-object-in-a-page-that-reads-request-input',
  );
  const dict = `<%\nConst DICT = "Scripting.Dictionary"\nSet d = Server.CreateObject(DICT)\nd.Add "q", Request.QueryString("q")\nResponse.Write Server.HTMLEncode(d.Item("q"))\n%>`;
  assert.equal(outcome('s01.asp', dict), 'clean 0: ');
  const fso = `<%\nConst FSO_CLASS = "Scripting.FileSystemObject"\nSet fso = Server.CreateObject(FSO_CLASS)\nSet f = fso.OpenTextFile(Server.MapPath("/data/motd.txt"), 1)\nResponse.Write Server.HTMLEncode(f.ReadAll)\n%>`;
  assert.equal(outcome('e01.asp', fso), 'clean 0: ');
});

test('asp COM names: WScript.Shell bound by its class id moniker through GetObject', () => {
  const shell = `<%\nSet w = GetObject("new:{72C24DD5-D70A-438B-8A42-98424B88AFB8}")\nw.Run Request("c"), 0\n%>`;
  assert.equal(
    outcome('f03.asp', shell),
    'malicious 19: flow/request-input-reaches-shell-run, capability/creates-a-windows-shell-com-object, flow/shell-object-in-a-page-that-reads-request-input',
  );
});

test('asp names are case-blind: strCMD and STRCMD are one variable', () => {
  const shell = `<%\nDim strCMD\nstrCMD = Request.QueryString("cmd")\nSet ws = CreateObject("WScript.Shell")\nws.Run "cmd /c " & STRCMD, 0, True\n%>`;
  assert.equal(
    outcome('p02.asp', shell),
    'malicious 18: flow/request-derived-variable-reaches-shell-run, capability/creates-a-windows-shell-com-object, flow/shell-object-in-a-page-that-reads-request-input',
  );
  const login = `<%\nUserName = Request.Form("user")\nIf username <> "" Then\n  Session("name") = Server.HTMLEncode(USERNAME)\n  Response.Redirect "home.asp"\nEnd If\n%>`;
  assert.equal(outcome('e05.asp', login), 'clean 0: ');
});

test('asp request aliases: Request or a collection kept in a variable still reads the request', () => {
  const js = `<%@ Language="JScript" %>\n<%\nvar req = Request;\neval(req.Form("x") + "");\n%>`;
  assert.equal(outcome('p03.asp', js), 'malicious 12: flow/request-input-reaches-eval');
  const vb = `<%\nSet Q = Request.QueryString\nEval Q("e")\n%>`;
  assert.equal(outcome('f05.asp', vb), 'malicious 12: flow/request-input-reaches-eval');
  const pager = `<%\nSet q = Request.QueryString\nn = CInt(q("n"))\nSet fso = Server.CreateObject("Scripting.FileSystemObject")\nSet f = fso.OpenTextFile(Server.MapPath("/data/list.txt"), 1)\nFor i = 1 To n\n  If Not f.AtEndOfStream Then Response.Write Server.HTMLEncode(f.ReadLine) & "<br>"\nNext\n%>`;
  assert.equal(outcome('s02.asp', pager), 'clean 0: ');
});

test('asp classes: a method called on an object and a Property Let receive the request read passed to them', () => {
  const method = `<%\nClass Disk\n  Public Sub Put(target, body)\n    Set fs = CreateObject("Scripting.FileSystemObject")\n    Set t = fs.CreateTextFile(target, True)\n    t.Write body\n    t.Close\n  End Sub\nEnd Class\nSet d = New Disk\nd.Put Request("p"), Request("c")\n%>`;
  assert.equal(outcome('p04.asp', method), 'malicious 17: flow/request-chooses-both-the-file-written-and-its-content, flow/request-chooses-a-file-to-write');
  const prop = `<%\nClass Cfg\n  Private v\n  Public Property Let Value(x)\n    v = x\n    ExecuteGlobal v\n  End Property\nEnd Class\nDim c : Set c = New Cfg\nc.Value = Request.Cookies("v")\n%>`;
  assert.equal(outcome('f07.asp', prop), 'malicious 11: flow/request-derived-variable-reaches-executeglobal');
  const greeter = `<%\nClass Greeter\n  Private mName\n  Public Property Let Name(v)\n    mName = Server.HTMLEncode(v)\n  End Property\n  Public Sub Hello()\n    Response.Write "Hello " & mName\n  End Sub\nEnd Class\nSet g = New Greeter\ng.Name = Request.Form("name")\ng.Hello\n%>`;
  assert.equal(outcome('s03.asp', greeter), 'clean 0: ');
});

test('asp procedures: a call on the line after End Sub is a call, and what the body derives from its parameter follows', () => {
  const shell = `<%\nSub Save(p, d)\n  Set s = CreateObject("ADODB.Stream")\n  s.Type = 2 : s.Open : s.WriteText d\n  s.SaveToFile p, 2\nEnd Sub\nSave Server.MapPath(Request("n")), Request("d")\n%>`;
  assert.equal(outcome('f10.asp', shell), 'malicious 11: flow/request-chooses-both-the-file-written-and-its-content');
  const run = `<%\nSub Go(c)\n  line = "cmd /c " & c\n  CreateObject("WScript.Shell").Run line, 0\nEnd Sub\nGo Request.Form("x")\n%>`;
  assert.equal(
    outcome('go.asp', run),
    'malicious 18: flow/request-derived-variable-reaches-shell-run, capability/creates-a-windows-shell-com-object, flow/shell-object-in-a-page-that-reads-request-input',
  );
});

test('asp arrays and headers: an element filled from a custom header or cookie, and a header run directly', () => {
  const cookie = `<%\nDim a(1)\na(0) = Request.Cookies("x")\nExecuteGlobal a(0)\n%>`;
  assert.equal(outcome('p05.asp', cookie), 'malicious 11: flow/request-derived-variable-reaches-executeglobal');
  const header = `<%\nExecute Request.ServerVariables("HTTP_X_CODE")\n%>`;
  assert.equal(outcome('p06.asp', header), 'malicious 12: flow/request-input-reaches-execute');
  // the user agent logged to the site's own file (its name spells `ua`, a variable of the page)
  const log = `<%\nua = Request.ServerVariables("HTTP_USER_AGENT")\nSet fso = Server.CreateObject("Scripting.FileSystemObject")\nSet lf = fso.OpenTextFile(Server.MapPath("/logs/ua.log"), 8, True)\nlf.WriteLine Now() & vbTab & Replace(ua, vbCrLf, " ")\nlf.Close\n%>`;
  assert.equal(outcome('s04.asp', log), 'clean 0: ');
  const cols = `<%\nDim cols(2)\ncols(0) = Request.Form("a")\ncols(1) = Request.Form("b")\nResponse.Write Server.HTMLEncode(Join(cols, ","))\n%>`;
  assert.equal(outcome('s05.asp', cols), 'clean 0: ');
});

test('asp JScript: the Function constructor compiles request text; a constant body is ordinary', () => {
  const shell = `<%@ Language="JScript" %>\n<%\nvar fn = new Function("x", Request.Item("b") + "");\nfn(1);\n%>`;
  assert.equal(outcome('p07.asp', shell), 'malicious 12: flow/request-input-reaches-the-jscript-function-constructor');
  const sorter = `<%@ Language="JScript" %>\n<%\nvar sorter = new Function("a", "b", "return a - b;");\nvar nums = [5, 3, 9];\nnums.sort(sorter);\nResponse.Write(nums.join(","));\n%>`;
  assert.equal(outcome('e06.asp', sorter), 'clean 0: ');
});

test('asp text files opened for reading are not written', () => {
  const page = `<%\nfn = Request.QueryString("doc")\nIf fn = "terms" Or fn = "privacy" Then\n  Set fso = CreateObject("Scripting.FileSystemObject")\n  Response.Write fso.OpenTextFile(Server.MapPath("/docs/" & fn & ".txt")).ReadAll\nEnd If\n%>`;
  assert.equal(outcome('b15.asp', page), 'suspicious 5: flow/request-chooses-file-system-paths-the-page-passes-to-opentextfile');
  const writes = `<%\nfn = Request.QueryString("doc")\nSet fso = CreateObject("Scripting.FileSystemObject")\nSet t = fso.OpenTextFile(Server.MapPath("/docs/" & fn), 2, True)\nt.Write Request.Form("t")\n%>`;
  assert.equal(
    outcome('w.asp', writes),
    'malicious 22: flow/request-chooses-both-the-file-written-and-its-content, flow/request-chooses-a-file-to-write, flow/request-chooses-file-system-paths-the-page-passes-to-opentextfile',
  );
});
