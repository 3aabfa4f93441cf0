/**
 * VBScript allowlist guards: an upload's extension or a command name confined to the page's
 * literals before use, beside the shell forms that look the same but confine nothing. Written
 * for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';
import { selectCaseConfined, vbGuards } from '../../src/scan/analyzers/asp-guards.js';

const UPLOADER = 'request chooses both the file written and its content (uploader)';

function uploadPage(guard: string, after = ''): string {
  return `<%
Dim bytes, stm, fname, ext
bytes = Request.BinaryRead(Request.TotalBytes)
ext = LCase(Request.QueryString("ext"))
${guard}
fname = "up" & Int(Rnd * 100000) & "." & ext
Set stm = Server.CreateObject("ADODB.Stream")
stm.Type = 1
stm.Open
stm.Write bytes
stm.SaveToFile Server.MapPath("/upload/" & fname), 2
stm.Close
${after}
%>
`;
}

test('an upload whose extension an If allowlist confines, stopping or resetting, writes a page-chosen name', () => {
  assert.equal(findingOf('u.asp', uploadPage('If ext <> "jpg" And ext <> "png" Then Response.End')), undefined);
  assert.equal(findingOf('u.asp', uploadPage('If Not (ext = "jpg" Or ext = "png") Then ext = "jpg"')), undefined);
  assert.equal(findingOf('u.asp', uploadPage('If ext <> "jpg" And ext <> "png" Then\n  Response.Write "bad type"\n  Response.End\nEnd If')), undefined);
});

test('guards that confine nothing leave the uploader', () => {
  const cases = [
    '',
    // the failing branch goes on
    'If ext <> "jpg" And ext <> "png" Then Response.Write "bad"',
    // a script extension among the values
    'If ext <> "jpg" And ext <> "asp" Then Response.End',
    'If ext <> "jpg" And ext <> "config" Then Response.End',
    // Or: always true, not an allowlist
    'If ext <> "jpg" Or ext <> "png" Then Response.End',
  ];
  for (const g of cases) assert.ok(reasons(findingOf('u.asp', uploadPage(g))).includes(UPLOADER), g);
  // assigned again after the guard, in another case
  assert.ok(reasons(findingOf('u.asp', uploadPage('If ext <> "jpg" And ext <> "png" Then Response.End', 'EXT = Request("e2")'))).includes(UPLOADER));
});

test('vbGuards: which variables a page confines', () => {
  const page = (body: string): string[] => [...vbGuards(body).allowlisted];
  assert.deepEqual(page('c = Request("c")\nIf c <> "a" And c <> "b" Then Response.End\nExecute c\n'), ['c']);
  // read before the guard
  assert.deepEqual(page('c = Request("c")\nResponse.Write c\nIf c <> "a" And c <> "b" Then Response.End\n'), []);
  // bound again by For Each, or as a procedure's parameter
  assert.deepEqual(page('c = Request("c")\nIf c <> "a" Then Response.End\nFor Each c In Request.Form\nNext\n'), []);
  assert.deepEqual(page('c = Request("c")\nIf c <> "a" Then Response.End\nSub Run(ByVal C)\nExecute C\nEnd Sub\n'), []);
  // a value that is code, not a word
  assert.deepEqual(page('c = Request("c")\nIf c <> "Response.Write(1)" Then Response.End\n'), []);
  // a declaration is no read
  assert.deepEqual(page('Dim c\nc = Request("c")\nIf c <> "a" Then Exit Sub\n'), ['c']);
});

test('hostile input: 50,000 unclosed block Ifs confine nothing (each looks 700 characters ahead, 200 at most)', () => {
  const big = `c = Request("c")\n${'If c <> "a" Then\n'.repeat(50000)}`;
  assert.deepEqual([...vbGuards(big).allowlisted], []);
});

const TEMPLATE = (arms: string): string => `<%
Dim page, tpl, html
page = Request.QueryString("p")
Select Case page
${arms}
End Select
Set fso = Server.CreateObject("Scripting.FileSystemObject")
Set ts = fso.OpenTextFile(Server.MapPath("templates/" & tpl & ".htm"), 1)
html = ts.ReadAll
Response.Write html
%>
`;

test('a Select Case allowlist: the value copied only in arms that list plain literals', () => {
  assert.deepEqual(selectCaseConfined(TEMPLATE('  Case "about", "contact"\n    tpl = page\n  Case Else\n    tpl = "home"')), ['tpl']);
  assert.equal(findingOf('p.asp', TEMPLATE('  Case "about", "contact"\n    tpl = page\n  Case Else\n    tpl = "home"')), undefined);
  // one-line arms
  assert.deepEqual(selectCaseConfined(TEMPLATE('  Case "about": tpl = page\n  Case Else: tpl = "home"')), ['tpl']);
});

test('Select Case arms that confine nothing leave the request-chosen path', () => {
  const open = 'request chooses file-system paths the page passes to opentextfile (file manager)';
  const cases = [
    // the Else arm copies the request value
    '  Case "about"\n    tpl = page\n  Case Else\n    tpl = page',
    // a script extension among the listed values
    '  Case "about", "x.asp"\n    tpl = page',
    // an arm that lists an expression, not literals
    '  Case "about", Request("q")\n    tpl = page',
  ];
  for (const arms of cases) {
    assert.deepEqual(selectCaseConfined(TEMPLATE(arms)), [], arms);
    assert.ok(reasons(findingOf('p.asp', TEMPLATE(arms))).includes(open), arms);
  }
  // assigned from the request elsewhere in the page
  const again = TEMPLATE('  Case "about"\n    tpl = page\n  Case Else\n    tpl = "home"').replace('Set fso', 'tpl = Request("t")\nSet fso');
  assert.deepEqual(selectCaseConfined(again), []);
});
