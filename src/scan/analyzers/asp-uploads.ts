/**
 * Classic-ASP upload features. A page (or upload class) that stores posted bytes under the
 * name the client sent is how upload shells look, and also how every CMS's upload component
 * looks. What tells them apart is the extension check: an upload component tests the file's
 * extension against a list (its allowed types, or the types it refuses) before it saves; an
 * upload shell exists to store a script and checks nothing. Upload components are ordinary
 * application code, so a page with such a check is an upload feature, not a shell by itself.
 */

/** An extension taken off a name: `Mid(n, InStrRev(n, ".") + 1)`, `Right(n, Len(n) - InStrRev(n, "."))`. */
const EXTENSION_OF =
  /\b([A-Za-z_]\w{0,40})[ \t]*=[ \t]*(?:LCase[ \t]*\([ \t]*|UCase[ \t]*\([ \t]*)?(?:Mid[ \t]*\([^\n]{0,120}?InStrRev[ \t]*\([^\n]{0,80}?"\."|Right[ \t]*\([^\n]{0,120}?InStrRev[ \t]*\([^\n]{0,80}?"\.")/gi;

/** A membership test of `v` in a list: `InStr(list, v)`, `InStr(1, "/" & list & "/", "/" & v & "/")`. */
function memberTest(code: string, v: string): boolean {
  return new RegExp(`\\bInStr[ \\t]*\\([^\\n]{0,160}?,[^\\n,]{0,40}?(?:LCase[ \\t]*\\([ \\t]*|UCase[ \\t]*\\([ \\t]*)?(?:"[^"\\n]{0,4}"[ \\t]*&[ \\t]*)?${v}\\b`, 'i').test(code);
}

/**
 * A pattern test of a name against an extension list: a regex literal (a `.Pattern` or a
 * helper's argument) holding `\.(` and ending in `)$`, the page's own list spliced in or written out.
 */
const EXTENSION_PATTERN = /"[^"\n]{0,40}\\\.\((?:[^"\n]{0,200}"[ \t]*&[^\n&]{1,60}&[ \t]*"|[^"\n]{1,200})\)\$"/;

/** Whether the page tests an uploaded name's extension against a list before it stores the file. */
export function checksUploadExtension(code: string): boolean {
  if (EXTENSION_PATTERN.test(code)) return true;
  EXTENSION_OF.lastIndex = 0;
  for (let m = EXTENSION_OF.exec(code), n = 0; m !== null && n < 20; m = EXTENSION_OF.exec(code), n++) if (memberTest(code, m[1]!)) return true;
  return false;
}
