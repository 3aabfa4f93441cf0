/**
 * Classic-ASP libraries that hold several classes: a member name in one class is another
 * variable than the same name in another class; rows a query returns are the database's
 * values whatever key the request chose; a ChrB() byte string that InStrB() looks for in the
 * posted body is an upload parser's search, not hidden text. Beside each, the shell shape that
 * still counts. Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';
import { ASP_FLOW } from '../../src/scan/analyzers/asp.js';

const FILLER = `${"' ----------------------------------------------------------------------\n".repeat(40)}`;

const LIBRARY = `<%
${FILLER}
Class TUpload
  Public FileName
  Sub Receive()
    FileName = Request.QueryString("name")
    Response.Write Server.HTMLEncode(FileName)
  End Sub
End Class

Class TArticle
  Public FileName, Directory
  Sub Load(id)
    FileName = "post_" & CLng(id) & ".html"
    Directory = "/static/"
  End Sub
  Function DelFile()
    Dim fso
    Set fso = CreateObject("Scripting.FileSystemObject")
    If fso.FileExists(Server.MapPath(Directory & FileName)) Then fso.DeleteFile(Server.MapPath(Directory & FileName))
    Set fso = Nothing
  End Function
End Class
%>
`;

test('a member of one class is not the same-named member of another', () => {
  const f = findingOf('c_system_base.asp', LIBRARY);
  assert.ok(!reasons(f).some((r) => r.startsWith('request chooses file-system paths')), JSON.stringify(reasons(f)));
  // the class that reads the request and deletes what it names is still reported
  const own = LIBRARY.replace('FileName = "post_" & CLng(id) & ".html"', 'FileName = Request("f")');
  assert.ok(reasons(findingOf('c_system_base.asp', own)).some((r) => r.startsWith('request chooses file-system paths')));
  // a page-level request value used inside a class is still the page's value
  const global = LIBRARY.replace('Class TArticle', 'Dim target\ntarget = Request("f")\nClass TArticle').replace(
    'Server.MapPath(Directory & FileName))\n',
    'Server.MapPath(target))\n',
  );
  assert.ok(
    reasons(findingOf('c_system_base.asp', global)).some((r) => r.startsWith('request chooses file-system paths')),
    JSON.stringify(reasons(findingOf('c_system_base.asp', global))),
  );
});

test('the rows a query returns are the database\u2019s values, not request text', () => {
  const clean = ASP_FLOW.sanitize!;
  assert.equal(clean('objConn.Execute("SELECT * FROM t WHERE id=" & ID)'), `objConn.Execute(${' '.repeat(32)})`);
  assert.equal(clean('Execute(a)'), 'Execute(a)');
  const del = `<%
Set rs = conn.Execute("SELECT path FROM uploads WHERE id=" & Request("id"))
If Not rs.EOF Then
  p = Server.MapPath("/uploads/" & rs("path"))
  Set fso = CreateObject("Scripting.FileSystemObject")
  fso.DeleteFile p
End If
%>`;
  assert.ok(!reasons(findingOf('del.asp', del)).some((r) => r.startsWith('request chooses')), JSON.stringify(reasons(findingOf('del.asp', del))));
  // the request naming the file itself is still a request-chosen path
  assert.ok(reasons(findingOf('del.asp', del.replace('rs("path")', 'Request("path")'))).some((r) => r.startsWith('request chooses')));
});

test('a ChrB() byte string InStrB() searches the posted body for is no hidden text', () => {
  const parser =
    '<%\nraw = Request.BinaryRead(Request.TotalBytes)\np = InStrB(raw, ChrB(&H66) & ChrB(&H69) & ChrB(&H6C) & ChrB(&H65) & ChrB(&H6E) & ChrB(&H61) & ChrB(&H6D) & ChrB(&H65) & ChrB(&H3D))\n%>';
  assert.ok(!reasons(findingOf('up.asp', parser)).includes('string built from character codes'));
  // the same characters built into a string the page runs are
  const hidden = '<%\nc = Chr(101) & Chr(120) & Chr(101) & Chr(99) & Chr(117) & Chr(116) & Chr(101) & Chr(32) & Chr(114)\nExecute c & "equest(""x"")"\n%>';
  assert.ok(reasons(findingOf('h.asp', hidden)).includes('string built from character codes'), JSON.stringify(reasons(findingOf('h.asp', hidden))));
});
