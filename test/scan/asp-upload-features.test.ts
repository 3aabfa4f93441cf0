/**
 * Classic-ASP upload components beside upload shells: a class that parses the multipart body
 * and saves the file under the client's name is an upload feature when it tests the file's
 * extension against a list (its allowed types, or an extension pattern) before saving, and an
 * upload shell when it checks nothing. Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';
import { checksUploadExtension } from '../../src/scan/analyzers/asp-uploads.js';

const PARSER = `Class Uploader
  Private allowed, saveDir
  Private Sub Class_Initialize
    allowed = "jpg/gif/png"
    saveDir = "/uploads/"
  End Sub
  Public Property Let AllowedTypes(v)
    allowed = v
  End Property
  Public Function Receive()
    Dim total, raw, stream, name, ext, p
    total = Request.TotalBytes
    raw = Request.BinaryRead(total)
    Set stream = Server.CreateObject("ADODB.Stream")
    stream.Type = 1
    stream.Open
    stream.Write raw
    p = InStrB(raw, ChrB(34))
    name = Request.QueryString("name")
    ext = LCase(Mid(name, InStrRev(name, ".") + 1))
    CHECK
    stream.SaveToFile Server.MapPath(saveDir & name), 2
    stream.Close
    Receive = True
  End Function
End Class
`;

const page = (check: string): string => `<%\n${PARSER.replace('CHECK', check)}\nSet u = New Uploader\nu.Receive()\n%>\n`;

test('checksUploadExtension: an extension taken off the name and tested against a list, or an extension pattern', () => {
  assert.equal(checksUploadExtension(page('If InStr(1, "/" & allowed & "/", "/" & ext & "/") = 0 Then Exit Function')), true);
  assert.equal(checksUploadExtension(page('If Not re.Test(name) Then Exit Function')), false);
  assert.equal(checksUploadExtension(`re.Pattern = "\\.(" & UPLOAD_TYPES & ")$"`), true);
  assert.equal(checksUploadExtension('re.Pattern = "\\.(jpg|gif|png)$"'), true);
  assert.equal(checksUploadExtension(page('')), false);
});

test('an upload class that checks the extension against its allowed types is an upload feature, not a shell', () => {
  const f = findingOf('inc/upload.asp', page('If InStr(1, "/" & allowed & "/", "/" & ext & "/") = 0 Then Exit Function'));
  assert.notEqual(f?.verdict, 'malicious', JSON.stringify(f?.evidence.map((e) => [e.weight, e.reason])));
  assert.ok(!reasons(f).includes('request chooses both the file written and its content (uploader)'));
});

test('the same class without any extension check stores whatever the client sends: an upload shell', () => {
  const f = findingOf('inc/upload.asp', page(''));
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('request chooses both the file written and its content (uploader)'));
});
