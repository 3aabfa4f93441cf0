/**
 * C# allowlist guards: an upload's extension confined to the page's literals before the save,
 * beside the shell forms that look the same but confine nothing. Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';
import { csharpGuards } from '../../src/scan/analyzers/dotnet-guards.js';

const UPLOADER = 'request chooses both the file written and its content (uploader)';

const page = (guard: string): string => `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Upload_Click(object s, EventArgs e) {
    var f = Request.Files["doc"];
    var ext = Path.GetExtension(f.FileName).ToLowerInvariant();
    ${guard}
    var name = Guid.NewGuid().ToString("N") + ext;
    f.SaveAs(Server.MapPath("~/App_Data/docs/" + name));
}
</script>
`;

test('an extension allowlist that ends the request confines the saved name', () => {
  for (const g of [
    'if (ext != ".pdf" && ext != ".docx") { Response.Write("type not allowed"); return; }',
    'if (!(ext == ".pdf" || ext == ".docx")) return;',
    'if (ext != ".pdf") { Response.StatusCode = 415; Response.End(); }',
  ]) {
    assert.deepEqual([...csharpGuards(page(g)).allowlisted], ['ext'], g);
    assert.equal(findingOf('up.aspx', page(g)), undefined, g);
  }
});

test('guards that confine nothing leave the uploader', () => {
  for (const g of [
    '',
    // a script extension among the values
    'if (ext != ".pdf" && ext != ".aspx") { return; }',
    // the failing branch goes on
    'if (ext != ".pdf" && ext != ".docx") { Response.Write("type not allowed"); }',
    // an equality, not an inequality: the listed value is refused, any other passes
    'if (ext == ".exe") return;',
  ]) {
    assert.deepEqual([...csharpGuards(page(g)).allowlisted], [], g);
    assert.ok(reasons(findingOf('up.aspx', page(g))).includes(UPLOADER), g);
  }
});
