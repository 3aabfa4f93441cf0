/**
 * The language-independent speed-ups must not change what is found: sampled run searches find
 * the runs a full walk finds, grouped gate alternations match what the plain ones match, and
 * the indexOf walk over ASP regions and VBScript strings blanks what the character walk did.
 * Hand-written inputs with exact expected results, plus seeded random strings checked against
 * plain reference walks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gateOf, hasAny, includesText } from '../../src/scan/context.js';
import { base64Runs, hexLiteralStarts } from '../../src/scan/analyzers/obfuscation.js';
import { stripComments, VB_LEX } from '../../src/scan/lexer.js';
import { containsWord } from '../../src/scan/words.js';
import { prng } from '../helpers/prng.js';

function randomText(next: () => number, alphabet: string[], max: number): string {
  let s = '';
  const n = Math.floor(next() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

/** The reference: every quote followed by 32+ hex digits and a quote. */
function hexStartsByWalk(code: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < code.length; i++) {
    if (code[i] !== '"' && code[i] !== "'") continue;
    const m = /^[0-9a-fA-F]{32,}/.exec(code.slice(i + 1));
    if (m && /["']/.test(code[i + 1 + m[0].length] ?? '')) out.push(i);
  }
  return out;
}

test('hexLiteralStarts finds each quoted run of 32+ hex digits, wherever it falls against the samples', () => {
  const hex = 'a'.repeat(32);
  assert.deepEqual(hexLiteralStarts(`"${hex}"`), [0]);
  assert.deepEqual(hexLiteralStarts(`x = '${'0'.repeat(31)}'`), []);
  assert.deepEqual(hexLiteralStarts(`${'z'.repeat(40)}"${hex}F'; y("${'9'.repeat(70)}")`), [40, 79]);
  assert.deepEqual(hexLiteralStarts(`${hex}"`), []);
  const next = prng(7);
  for (let k = 0; k < 400; k++) {
    const s = randomText(next, ['"', "'", 'a', 'F', '0', '9', 'g', ' ', '\n', 'aaaaaaaaaaaaaaaa'], 300);
    assert.deepEqual(hexLiteralStarts(s), hexStartsByWalk(s), JSON.stringify(s));
  }
});

test('base64Runs gives the maximal runs at least min long with up to two = after, in order, capped', () => {
  assert.deepEqual(base64Runs(`x ${'A'.repeat(10)}=== ${'b/'.repeat(4)}`, 8, 10), [
    { 0: `${'A'.repeat(10)}==`, index: 2 },
    { 0: 'b/'.repeat(4), index: 16 },
  ]);
  assert.deepEqual(base64Runs(`${'A'.repeat(7)}\n${'B'.repeat(7)}`, 8, 10), []);
  assert.deepEqual(base64Runs(`${'A'.repeat(9)} ${'B'.repeat(9)}`, 8, 1), [{ 0: 'A'.repeat(9), index: 0 }]);
  const next = prng(11);
  for (let k = 0; k < 400; k++) {
    const s = randomText(next, ['A', 'z', '+', '/', '=', ' ', '\n', '.', 'QUJDREVGR0g'], 200);
    const ref = [...s.matchAll(/[A-Za-z0-9+/]{12,}={0,2}/g)].map((m) => ({ 0: m[0], index: m.index }));
    assert.deepEqual(base64Runs(s, 12, 100), ref, JSON.stringify(s));
  }
});

test('gateOf groups needles by first character and matches what the plain alternation matches', () => {
  assert.equal(gateOf(['net user', 'netstat', 'x.y', 'n'], '').source, 'n(?:et user|etstat|)|x\\.y');
  assert.equal(hasAny('a netstat b', ['net user', 'netstat']), true);
  assert.equal(hasAny('a net  user b', ['net user', 'netstat']), false);
  assert.equal(gateOf(['whoami', 'cmd /c'], 'i').test('WhoAmI'), true);
  const words = ['ab', 'abc', 'b.', 'c', 'ba*'];
  const next = prng(3);
  for (let k = 0; k < 300; k++) {
    const s = randomText(next, ['a', 'b', 'c', '.', '*', 'x'], 12);
    assert.equal(
      hasAny(s, words),
      words.some((w) => s.includes(w)),
      s,
    );
  }
});

test('containsWord and includesText answer what includes answers, blanks and line breaks included', () => {
  assert.equal(containsWord('select * from show  tables', 'show tables'), false);
  assert.equal(containsWord('x\nshow tables;', 'show tables'), true);
  assert.equal(includesText('a = "A";', '"A"'), true);
  assert.equal(includesText("a = 'A';", '"A"'), false);
  const next = prng(5);
  const words = ['e v', ' ev', 'v\ne', 'eval', '"A"', 'e'];
  for (let k = 0; k < 300; k++) {
    const s = randomText(next, ['e', 'v', 'a', 'l', ' ', '\n', '"', 'A'], 20);
    for (const w of words) assert.equal(includesText(s, w), s.includes(w), JSON.stringify([s, w]));
  }
});

test('ASP regions end at the %> outside VBScript strings; strings end at their quote or line', () => {
  const spec = { ...VB_LEX, regions: [['<%', '%>'] as [string, string]] };
  // the "%>" inside the string does not end the region; the doubled quote stays in the string
  assert.equal(stripComments('<p><% x = "a %> ""b"" %>" \' c %>\n<b>', spec), '<p><% x = "a %> ""b"" %>"     %>\n<b ');
  // a string cut by its line: the quote on the next line opens another one
  assert.equal(stripComments('<% x = "a\ny = "%>" %> and some page text', spec), '<% x = "a\ny = "%>" %> an            text');
  // an unclosed string longer than 64 KiB: the plain search for %> takes over
  const long = `<% x = "${'q'.repeat(70000)} %> y`;
  assert.equal(stripComments(long, spec), long);
});
