/**
 * The scanner's shortcuts (substring gates before regex scans, patterns rewritten to run in
 * linear time, look-ups kept between comments) must not change what is found: each test here
 * is a small hand-written file that needs the work a shortcut may skip, and the exact result
 * the full pass gives. The hostile ones carry input on which the old form of a pattern ran for
 * minutes; they pass in well under a second now and would hit their generous time cap before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageFunctions } from '../../src/scan/analyzers/asp-fold.js';
import { tokenizePhp } from '../../src/scan/analyzers/php/tokens.js';
import { detectLanguage } from '../../src/scan/language.js';
import { findingOf, reasons, scanText } from './helpers.js';

test('php tokens: a line comment ends at its line or at `?>`, whichever comes first, however many comments come before', () => {
  const toks = (t: string): string[] => tokenizePhp(t).map((k) => `${k.k}:${k.v}`);
  assert.deepEqual(toks('<?php\n// a ?>html<?php $b = 1; # c\n$d // e\n;'), ['op:;', 'var:b', 'op:=', 'num:1', 'op:;', 'var:d', 'op:;']);
  // the `?>` looked up for the first comment is still the one that ends the last
  const many = `<?php\n${'// note\n'.repeat(500)}$x = 1; // last ?>page<?php $y`;
  assert.deepEqual(toks(many), ['var:x', 'op:=', 'num:1', 'op:;', 'op:;', 'var:y']);
  // no `?>` at all: every comment ends at its line
  assert.deepEqual(toks(`<?php\n${'# c\n'.repeat(300)}$z;`), ['var:z', 'op:;']);
  // operators: the longest one that starts at a character wins, as before
  assert.deepEqual(toks('<?php $a ??= $b <=> $c ?-> d; $e .= "f";'), ['var:a', 'op:??=', 'var:b', 'op:<=>', 'var:c', 'op:?->', 'id:d', 'op:;', 'var:e', 'op:.=', 'str:f', 'op:;']);
});

test('php: 3.5 MB of line comments and no `?>` after a shell: the data-flow pass reads it in linear time, shell reported', () => {
  const text = `<?php\n$c = $_GET['c'];\neval($c);\n${'// padding comment line\n'.repeat(150_000)}`;
  const [o] = scanText('comments.php', text, { maxMillisPerFile: 60_000 });
  assert.deepEqual(o!.problems, []);
  assert.equal(o!.finding?.verdict, 'malicious');
  assert.ok(reasons(o!.finding).includes('request-derived variable reaches eval()'), JSON.stringify(reasons(o!.finding)));
});

const PSR_SHELL = `<?php
function handle(\\Psr\\Http\\Message\\ServerRequestInterface $in) {
  $body = $in->getParsedBody();
  system($body['c']);
}
`;

test('php: a parameter typed as a (namespaced) framework request is a request source; a look-alike class name is not', () => {
  const f = findingOf('psr.php', PSR_SHELL);
  assert.equal(f?.verdict, 'malicious');
  assert.deepEqual(reasons(f), ['request-derived variable reaches system()', 'OS command built from variables in a script that reads request input', 'runs OS commands (system)']);
  assert.equal(findingOf('plain.php', `<?php\nfunction handle(ServerRequest $in) {\n  system($in->getParam('c'));\n}\n`)?.score, 17);
  // `MyRequest` is some other class: its reads are not request input
  assert.equal(findingOf('mine.php', `<?php\nfunction handle(MyRequest $in) {\n  system($in->getParam('c'));\n}\n`), undefined);
});

test('php: a 600 KB word with no namespace separator before a typed request parameter: found, and in linear time', () => {
  const text = `<?php\n$k = '${'a'.repeat(600_000)}';\n${PSR_SHELL.slice(6)}`;
  const [o] = scanText('word.php', text, { maxMillisPerFile: 60_000 });
  assert.deepEqual(o!.problems, []);
  assert.ok(reasons(o!.finding).includes('request-derived variable reaches system()'), JSON.stringify(reasons(o!.finding)));
});

test('asp page functions: one-expression bodies by their own name only, eval wrappers through any parameter and nested calls', () => {
  const fns = pageFunctions(
    [
      'Function Run1(code)\n  Execute(Eval(code))\nEnd Function',
      'Function Dbl(a) : Dbl = a & a : End Function',
      // assigns another name that starts like the function's: not a one-expression body
      'Function Foo(a)\n FooBar = a\nEnd Function',
      'Function Bar(ByVal a, b)\n Execute b\nEnd Function',
      // runs something, but not its parameter
      'Function Baz(a)\n Execute other\nEnd Function',
      'function jrun(s) { var t = 1; eval (s); }',
    ].join('\n'),
  );
  assert.deepEqual([...fns.bodies], [['dbl', { params: ['a'], body: 'a & a' }]]);
  assert.deepEqual([...fns.evaluators], ['run1', 'bar', 'jrun']);
});

test('asp: the shell object is found in any letter case, and a page without one gets no shell evidence', () => {
  const f = findingOf('up.asp', '<%\nSet s = CREATEOBJECT("WSCRIPT.SHELL")\ns.Run Request("c")\n%>');
  assert.deepEqual(reasons(f), ['request input reaches shell Run', 'creates a Windows shell COM object', 'shell object in a page that reads request input']);
  const g = findingOf('clsid.asp', '<%\nSet s = GetObject("new:clsid:72C24DD5-D70A-438B-8A42-98424B88AFB8")\ns.Run Request("c")\n%>');
  assert.ok(reasons(g).includes('creates a Windows shell COM object'), JSON.stringify(reasons(g)));
  assert.equal(findingOf('plain.asp', '<%\nSet fs = CreateObject("Scripting.FileSystemObject")\nResponse.Write Request("c")\n%>')?.verdict, undefined);
});

test('language cues: case-blind cues match in any letter case, case-true ones only as written', () => {
  assert.deepEqual(detectLanguage('<SCRIPT LANGUAGE="VBScript" RUNAT="Server">\nDim x\nx = 1\n</SCRIPT>\n', ''), { language: 'asp', confidence: 10 });
  assert.deepEqual(detectLanguage('<%\nSET FS = SERVER.CREATEOBJECT("Scripting.FileSystemObject")\nRESPONSE.WRITE "hi"\n%>', ''), { language: 'asp', confidence: 7 });
  // page directive 5 + `Language="C#"` 6 + System namespace 3
  assert.deepEqual(detectLanguage('<%@ Page Language="C#" %>\n<% using System.IO; %>', ''), { language: 'aspx', confidence: 14 });
  // `system.io` is not the .NET namespace cue (that one is case-true)
  assert.deepEqual(detectLanguage('<%@ Page Language="C#" %>\n<% x = system.io; %>', ''), { language: 'aspx', confidence: 11 });
  // a C# page whose directive has no Page keyword still counts the language cue
  assert.deepEqual(detectLanguage('<%@ language="c#"%>\n<% x = 1; %>', ''), { language: 'aspx', confidence: 6 });
  assert.deepEqual(detectLanguage('#!/usr/bin/perl\nuse strict;\nmy $x = 1;\n', ''), { language: 'perl', confidence: 21 });
  assert.deepEqual(detectLanguage('import os\ndef run(x):\n  return x\n', ''), { language: 'python', confidence: 10 });
  assert.deepEqual(detectLanguage('<CFSET x = 1>', ''), { language: 'cfml', confidence: 8 });
});
