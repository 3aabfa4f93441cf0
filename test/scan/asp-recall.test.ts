/**
 * Classic ASP and CFML mechanisms: parameters imported as page variables through Execute,
 * connection strings built from a procedure's parameters, string literals holding `;` and `:`,
 * long payloads behind a page decoder, and CFML file managers and writers. Every page is
 * written for this test from the mechanism's description, each with a benign look-alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatedCode } from '../../src/scan/analyzers/asp-interp.js';
import { findingOf, reasons } from './helpers.js';

function verdict(path: string, code: string): string {
  const f = findingOf(path, code);
  return `${f?.verdict ?? 'clean'} ${f?.score ?? 0}: ${reasons(f).join('; ')}`;
}

const IMPORT = `For Each k In Request.QueryString\n  Execute k & "=Request.QueryString(""" & k & """)"\nNext\n`;

test('asp import: a never-assigned page variable after a register_globals import is request data', () => {
  const shell = `<%\nDim cwd, act\n${IMPORT}Set fs = Server.CreateObject("Scripting.FileSystemObject")\nSet d = fs.GetFolder(cwd)\nFor Each f In d.Files\n  Response.Write f.Name\nNext\nIf act = "del" Then fs.DeleteFile(cwd & "\\" & Request("n"))\nSet t = fs.GetFile(cwd & "\\" & Request("n"))\nResponse.Write t.Size\n%>`;
  assert.equal(
    verdict('imp.asp', shell),
    'malicious 15: request chooses file-system paths the page passes to getfolder, deletefile, getfile (file manager); every request parameter imported as a page variable through Execute (register_globals by hand)',
  );
  // the same import where the page assigns the folder itself: its own paths, not the requester's
  const own = shell.replace('Set fs =', 'cwd = Server.MapPath("/uploads")\nSet fs =').replace(/ & Request\("n"\)/g, ' & "list.txt"');
  assert.equal(verdict('imp2.asp', own), 'suspicious 5: every request parameter imported as a page variable through Execute (register_globals by hand)');
});

test('asp sql client: a connection string built inside a Sub from request arguments (a literal holding ";")', () => {
  const shell = `<%\nSub RunSql(u, p)\n  Set Conn = Server.CreateObject("ADODB.Connection")\n  cs = "Driver={SQL Server};Server=.;Uid=" & u & ";Pwd=" & p\n  Conn.Open cs\n  Conn.Execute(Request.Form("sql"))\nEnd Sub\nIf Request.Form("u") <> "" Then Call RunSql(Request.Form("u"), Request.Form("p"))\n%>`;
  assert.equal(verdict('sql.asp', shell), 'malicious 10: request chooses the database connection and the SQL it runs (database client backdoor)');
  // the site's own connection string and a request value in its SQL: injectable, not a shell
  const site = `<%\nSub ShowUser(id)\n  Set Conn = Server.CreateObject("ADODB.Connection")\n  cs = "Driver={SQL Server};Server=db1;Uid=web;Pwd=secret"\n  Conn.Open cs\n  Set rs = Conn.Execute("select name from users where id=" & id)\n  Response.Write rs(0)\nEnd Sub\nCall ShowUser(Request("id"))\n%>`;
  assert.equal(verdict('site.asp', site), 'clean 0: ');
});

test('asp fetch: a URL with a fixed site prefix keeps its ":" and reaches the fetch through a function parameter', () => {
  const page = `<%\nq = Request("q")\nsearchUrl = "http://search.example.com/find?site=" & q\nResponse.Write GetPage(searchUrl)\nFunction GetPage(url)\n  Set x = Server.CreateObject("MSXML2.ServerXMLHTTP")\n  x.Open "GET", url, False\n  x.Send\n  GetPage = x.ResponseText\nEnd Function\n%>`;
  assert.equal(verdict('s.asp', page), 'clean 0: ');
  const proxy = page.replace('"http://search.example.com/find?site=" & q', 'q');
  assert.equal(verdict('p.asp', proxy), 'suspicious 5: request chooses a URL the server fetches (proxy / SSRF tool)');
});

test('asp shell object: ".Exec" inside a report string is not a call', () => {
  const page = `<%\nSet sh = Server.CreateObject("WScript.Shell")\nf = Request("f")\nReport = "<td>Server.Exec" & "ute of " & f & "</td>"\nResponse.Write Report\n%>`;
  assert.equal(verdict('r.asp', page), 'suspicious 7: creates a Windows shell COM object; shell object in a page that reads request input');
});

test('asp decoders: a long payload a character loop reverses through a substitution table is decoded', () => {
  // a table cipher over a payload of ~40 KB: a dozen steps per character, past the base budget
  const plain = `Execute Request("z") '${'x'.repeat(40000)}`;
  const from = 'abcdefghijklmnopqrstuvwxyz';
  const to = 'qwertyuiopasdfghjklzxcvbnm';
  const enc = Array.from(plain, (c) => (from.includes(c) ? to[from.indexOf(c)]! : c))
    .reverse()
    .join('')
    .replace(/"/g, '""');
  const code = `<%\nt = "${to}"\nf = "${from}"\ns = "${enc}"\nExecute Dec(s)\nFunction Dec(b)\n  For i = 1 To Len(b)\n    c = Mid(b, i, 1)\n    k = InStr(t, c)\n    If k > 0 Then c = Mid(f, k, 1)\n    r = c & r\n  Next\n  Dec = r\nEnd Function\n%>`;
  const runs = evaluatedCode(code);
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.text.length, plain.length);
  assert.equal(runs[0]!.text.slice(0, 24), 'Execute Request("z") \'xx');
  assert.equal(findingOf('long.asp', code)?.verdict, 'malicious');
});

test('cfml file manager: the request names the folder cfdirectory lists and the file cffile reads', () => {
  const shell = `<cfparam name="form.dir" default="c:\\">\n<cfif isDefined("form.f")><cffile action="read" file="#form.f#" variable="t"><cfoutput>#t#</cfoutput><cfabort></cfif>\n<cfdirectory directory="#form.dir#" name="q">\n<cfoutput query="q">#q.name#<br></cfoutput>`;
  assert.equal(verdict('fm.cfm', shell), 'malicious 10: request chooses file-system paths the page passes to list, read (file manager)');
  // a download page: one read of a request-named file under its own folder, no listing
  const dl = `<cfset base = expandPath("./docs/")>\n<cffile action="read" file="#base##url.doc#" variable="t">\n<cfoutput>#t#</cfoutput>`;
  assert.equal(verdict('dl.cfm', dl), 'clean 0: ');
});

test('cfml writer: the request names the file cffile writes and its text', () => {
  const shell = `<cfif isDefined("form.p")><cffile action="write" file="#form.p#" output="#form.body#"></cfif>`;
  assert.equal(verdict('w.cfm', shell), 'malicious 10: request chooses both the file cffile writes and its content (uploader)');
  const log = `<cffile action="append" file="#expandPath('./log.txt')#" output="#form.comment#">`;
  assert.equal(verdict('log.cfm', log), 'suspicious 6: request chooses a file (or its content) that cffile writes');
});

test("asp names: a variable or function name up to VBScript's 255 characters does not hide the flow", () => {
  const long = `v${'x'.repeat(199)}`;
  const fn = `f${'y'.repeat(149)}`;
  assert.equal(verdict('n1.asp', `<%\n${long} = Request("c")\nExecute ${long}\n%>`), verdict('n0.asp', `<%\nv = Request("c")\nExecute v\n%>`));
  assert.match(verdict('n1.asp', `<%\n${long} = Request("c")\nExecute ${long}\n%>`), /^malicious /);
  assert.equal(
    verdict('n2.asp', `<%\nFunction ${fn}(x)\n  ${fn} = x\nEnd Function\nExecute ${fn}(Request("c"))\n%>`),
    verdict('n3.asp', `<%\nFunction g(x)\n  g = x\nEnd Function\nExecute g(Request("c"))\n%>`),
  );
  // the same long name holding a fixed string stays ordinary
  assert.equal(verdict('n4.asp', `<%\n${long} = "Response.Write 1"\nExecute ${long}\n%>`), verdict('n5.asp', `<%\nv = "Response.Write 1"\nExecute v\n%>`));
});

test('cfml names: a long variable name does not cut the flow at a sink window, and a cfscript block starts a statement', () => {
  for (const n of [40, 400, 5000]) {
    const name = `v${'x'.repeat(n - 1)}`;
    assert.equal(
      verdict('l1.cfm', `<cfset ${name} = form.c>\n<cfexecute name="cmd.exe" arguments="/c #${name}#" timeout="5"></cfexecute>`),
      verdict('s1.cfm', `<cfset v = form.c>\n<cfexecute name="cmd.exe" arguments="/c #v#" timeout="5"></cfexecute>`),
    );
    assert.equal(verdict('l2.cfm', `<cfset ${name} = url.c>\n<cfset r = Evaluate(${name})>`), 'malicious 12: request input reaches Evaluate()');
    // the same name holding a fixed expression stays ordinary
    assert.equal(verdict('l3.cfm', `<cfset ${name} = "1+2">\n<cfset r = Evaluate(${name})>`), 'clean 0: ');
  }
  assert.equal(verdict('c1.cfm', '<cfscript>v = form.c; writeOutput(Evaluate(v));</cfscript>'), 'malicious 12: request input reaches Evaluate()');
  assert.equal(verdict('c2.cfm', '<cfscript>v = "1+2"; writeOutput(Evaluate(v));</cfscript>'), 'clean 0: ');
});
