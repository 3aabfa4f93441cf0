/**
 * The classic ASP speed-ups must not change what is found: word gates (src/scan/words.ts) answer
 * exactly what the plain search or the call index answers, anchored scans find what a global
 * scan finds, the kept assignment replay gives the env a replay from the start gives, and the
 * rewritten walks return what the old ones returned. Seeded random strings over the characters
 * that matter, plus small hand-written inputs with exact expected results.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallIndex, matchesAt } from '../../src/scan/context.js';
import { matches } from '../../src/scan/flow.js';
import { anyWord, asciiCiOffsets, callsAnyOf, containsWord, firstAt, literalOffsets, mergeAscending, wordOffsets } from '../../src/scan/words.js';
import { envAt } from '../../src/scan/analyzers/asp-fold.js';
import { serverCode } from '../../src/scan/analyzers/asp-vb.js';
import { VB_PIECES, vbPieceStarts } from '../../src/scan/analyzers/writers.js';
import { detectLanguage } from '../../src/scan/language.js';
import { prng } from '../helpers/prng.js';
import { findingOf, reasons } from './helpers.js';

function randomText(next: () => number, alphabet: string[], max: number): string {
  let s = '';
  const n = Math.floor(next() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

test('containsWord and anyWord answer what includes answers', () => {
  assert.equal(containsWord('x = eval(y)', 'eval'), true);
  assert.equal(containsWord('x = evaluate', 'eval'), true);
  assert.equal(containsWord('x = vale', 'eval'), false);
  assert.equal(containsWord('', 'eval'), false);
  assert.equal(containsWord('session', 'session'), true);
  assert.equal(containsWord('clsid:72C24DD5', 'clsid:'), true);
  assert.equal(containsWord('clsid 72C24DD5', 'clsid:'), false);
  assert.equal(anyWord('set o = createobject("wscript.shell")', ['clsid:', 'wscript.shell']), true);
  assert.equal(anyWord('set o = createobject("wscript.she")', ['clsid:', 'wscript.shell']), false);
  const next = prng(7);
  const alphabet = ['e', 'v', 'a', 'l', 'x', ':', 'q', 'E', ' ', 'ev', 'val', 'clsid', 'z'];
  const words = ['eval', 'val', 'clsid:', 'xq', 'e', 'Eval', 'qz:'];
  for (let t = 0; t < 5000; t++) {
    const s = randomText(next, alphabet, 20);
    for (const w of words) assert.equal(containsWord(s, w), s.includes(w), JSON.stringify([s, w]));
    assert.equal(
      anyWord(s, words.slice(2)),
      words.slice(2).some((w) => s.includes(w)),
    );
  }
});

test('callsAnyOf answers what the call index answers', () => {
  const idx = (s: string, names: string[]): boolean => new CallIndex(s).hasAnyOf(names);
  const cases: Array<[string, string[], boolean]> = [
    ['x = pack("h*", y)', ['pack'], true],
    ['x = pack \n\t ("h*", y)', ['pack'], true],
    ['x = $pack("h*")', ['pack'], false],
    ['x = unpack("h*")', ['pack'], false],
    ['x = pack_it("h*")', ['pack'], false],
    ['x = \xe9pack("h*")', ['pack'], false],
    ['pack(', ['pack'], true],
    ['pack', ['pack'], false],
    ['atob (x) + b64decode(y)', ['hex2bin', 'b64decode'], true],
  ];
  for (const [s, names, want] of cases) {
    assert.equal(callsAnyOf(s, names), want, s);
    assert.equal(idx(s, names), want, s);
  }
  const next = prng(11);
  const alphabet = ['pack', 'atob', '(', ' ', '\n', '\xa0', '$', '_', 'x', '.', '\xe9', 'un'];
  for (let t = 0; t < 5000; t++) {
    const s = randomText(next, alphabet, 16);
    for (const names of [['pack'], ['atob', 'pack'], ['unpack'], ['x']]) assert.equal(callsAnyOf(s, names), idx(s, names), JSON.stringify([s, names]));
  }
});

test('offset helpers: literal, any-case and merged offsets', () => {
  assert.deepEqual(literalOffsets('aaa', 'aa'), [0, 1]);
  assert.deepEqual(literalOffsets('<%@ x <%@', '<%@'), [0, 6]);
  assert.deepEqual(wordOffsets('function sub subfunction', ['function', 'sub']), [0, 9, 13, 16]);
  assert.deepEqual(asciiCiOffsets('<SCRIPT> <Script <scrip <script', '<script'), [0, 9, 24]);
  // a non-ASCII letter is not an ASCII letter in another case
  assert.deepEqual(asciiCiOffsets('<\u017fcript', '<script'), []);
  assert.deepEqual(mergeAscending([1, 4, 9], [2, 4, 10, 11]), [1, 2, 4, 9, 10, 11]);
  assert.deepEqual(mergeAscending([], [3]), [3]);
});

test('a pattern run at its opening literal finds the first match a scan finds', () => {
  const re = /<%@\s*LANGUAGE\s*=\s*["']?\s*(?:JScript|Javascript)|<script[^>]{0,80}language\s*=\s*["']?(?:jscript|javascript)[^>]{0,80}runat/i;
  const starts = (s: string): number[] => mergeAscending(literalOffsets(s, '<%@'), asciiCiOffsets(s, '<script'));
  const page = '<p>x</p><script language="javascript">a()</script>\n<SCRIPT LANGUAGE=JScript RUNAT=Server>b()</SCRIPT>';
  const m = firstAt(re, page, starts(page));
  assert.equal(m?.index, 51);
  assert.equal(firstAt(re, '<%@ LANGUAGE = "VBScript" %>', starts('<%@ LANGUAGE = "VBScript" %>')), null);
  const next = prng(13);
  const alphabet = ['<%@', '<script', '<SCRIPT', ' ', 'language', '=', '"', 'jscript', 'runat', '>', 'x', '<'];
  for (let t = 0; t < 5000; t++) {
    const s = randomText(next, alphabet, 14);
    assert.equal(firstAt(re, s, starts(s))?.index, re.exec(s)?.index, JSON.stringify(s));
  }
});

test('envAt: calls going on from the kept replay give what a replay from the start gives', () => {
  const code = 'a = "ex"\nb = a & "ecute"\nc = Request("x")\na = "z" : d = a & b\ne = Replace(d, "z", "")';
  const fresh = (offset: number, cap?: number): string => {
    envAt('other page', 0); // another text drops the kept replay
    return JSON.stringify([...envAt(code, offset, cap)]);
  };
  assert.equal(fresh(0), '[]');
  assert.equal(fresh(code.indexOf('c =')), '[["a","ex"],["b","execute"]]');
  assert.equal(fresh(code.length), '[["a","z"],["b","execute"],["d","zexecute"],["e","execute"]]');
  const offsets = [0, 5, code.indexOf('c ='), code.indexOf('d ='), code.indexOf('d ='), code.length, 12, code.length];
  const want = offsets.map((o) => fresh(o));
  envAt('other page', 0);
  assert.deepEqual(
    offsets.map((o) => JSON.stringify([...envAt(code, o)])),
    want,
  );
  // the cap stops the replay at the same assignment whatever came before
  envAt('other page', 0);
  assert.equal(JSON.stringify([...envAt(code, code.indexOf('c ='), 3)]), fresh(code.indexOf('c ='), 3));
  assert.equal(JSON.stringify([...envAt(code, code.length, 3)]), '[["a","ex"],["b","execute"]]');
  assert.equal(JSON.stringify([...envAt(code, code.length)]), fresh(code.length));
});

test('serverCode keeps code, blanks the rest, keeps line breaks and offsets', () => {
  const page = '<p>\r\nhi</p><%@ LANGUAGE="VBScript" %>\n<% x = 1 %>\r\n<%= x %>tail\n';
  assert.equal(serverCode(page), '    \n                              : \n:  x = 1 :  \n      :     \n');
});

/** The walk vbPieceStarts replaced: every quote within 401 characters before a joint's quote, on its line (a set, sorted). */
function oldPieceStarts(code: string): number[] {
  const starts = new Set<number>();
  for (const op of ['&', '+']) {
    for (let k = code.indexOf(op); k !== -1; k = code.indexOf(op, k + 1)) {
      let e = k - 1;
      while (e >= 0 && /\s/.test(code[e]!)) e--;
      if (e < 1 || code[e] !== '"') continue;
      let n = k + 1;
      while (n < code.length && /\s/.test(code[n]!)) n++;
      if (!'"cC'.includes(code[n] ?? 'x')) continue;
      const lineStart = code.lastIndexOf('\n', e - 1) + 1;
      for (let q = Math.max(lineStart, e - 401); q < e; q++) if (code[q] === '"') starts.add(q);
    }
  }
  return [...starts].sort((a, b) => a - b);
}

test('vbPieceStarts: the quotes before each joint, each once, ascending', () => {
  assert.deepEqual(vbPieceStarts('x = "a" & "b" + "c" & chr(100)'), [4, 6, 10, 12, 16]);
  assert.deepEqual(vbPieceStarts('"a"\n& "b"'), [0]);
  assert.deepEqual(vbPieceStarts('y = "a" & b'), []);
  const long = `"${'x'.repeat(450)}" & "y"`;
  assert.deepEqual(vbPieceStarts(long), []);
  const next = prng(17);
  const alphabet = ['"', '&', '+', ' ', '\n', 'chr(1)', 'C', 'x', '""', 'ab'];
  for (let t = 0; t < 5000; t++) {
    const s = randomText(next, alphabet, 40);
    assert.deepEqual(vbPieceStarts(s), oldPieceStarts(s), JSON.stringify(s));
    const global = [...matches(VB_PIECES, s, 200)].map((m) => `${m.index}:${m[0]}`);
    assert.deepEqual(
      matchesAt(VB_PIECES, s, vbPieceStarts(s), 200).map((m) => `${m.index}:${m[0]}`),
      global,
    );
  }
});

test('language cues behind word gates still score as before', () => {
  const guess = (text: string, ext = ''): string => {
    const g = detectLanguage(text, ext);
    return `${g.language} ${g.confidence}`;
  };
  assert.equal(guess('#!/usr/bin/env node\nconst x = 1;\nmodule.exports = x;\n'), 'node 2');
  assert.equal(guess('var cp = require("child_process");\n'), 'node 8');
  assert.equal(guess('my $x = 1;\nuse strict;\nprint $x;\n'), 'perl 9');
  assert.equal(guess('the use of strict rules\n'), 'unknown 0');
  assert.equal(guess('<html><script runat="server" language="vbscript">\nResponse.Write "x"\n</script>'), 'asp 9');
  assert.equal(guess('<html><script type="text/javascript">x()</script></html>'), 'unknown 0');
  assert.equal(guess('<script language="php">echo 1;</script>'), 'php 10');
  assert.equal(guess('x\nif (isset($a)) { $b = 1; }'), 'php 2');
  assert.equal(guess('<%\nSet c = Server.CreateObject("ADODB.Connection")\n%>'), 'asp 6');
});

test('ASP shell behaviour behind the new gates is still found', () => {
  // `.Open` of a request-named URL through XMLHTTP, and a JScript page's eval of the request
  const proxy = '<%\nSet h = Server.CreateObject("MSXML2.XMLHTTP")\nh.Open "GET", Request("u"), False\nh.Send\nResponse.BinaryWrite h.ResponseBody\n%>';
  assert.ok(reasons(findingOf('p.asp', proxy)).includes('request chooses a URL the server fetches (proxy / SSRF tool)'));
  const js = '<%@ LANGUAGE = "JScript" %>\n<%\nvar f = eval;\nf(Request.Form("c"));\n%>';
  assert.ok(reasons(findingOf('j.asp', js)).includes('eval passed around as a value (aliased code execution)'));
  const hidden = '<!--#include file="logo.jpg"-->\n<%\nResponse.Write 1\n%>';
  assert.ok(reasons(findingOf('h.asp', hidden)).includes('server-side include of a file with a non-script extension (code hidden under a harmless name)'));
});
