/**
 * asp-objects' creatorCalls must list the matches a global scan of CREATORS lists: the same
 * offsets, texts and count, on hand-written pages and seeded random ones over the characters
 * that matter (the three words in mixed case, `\b` neighbours, blanks, parentheses, and the
 * characters whose lower case is not one ASCII letter of the same offset).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matches } from '../../src/scan/flow.js';
import { CREATORS, creatorCalls } from '../../src/scan/analyzers/asp-objects.js';
import { prng } from '../helpers/prng.js';

function byScan(code: string, cap: number): Array<[number, string]> {
  return [...matches(new RegExp(CREATORS.source, CREATORS.flags), code, cap)].map((m) => [m.index, m[0]]);
}

function byStarts(code: string, cap: number): Array<[number, string]> {
  return creatorCalls(code, code.toLowerCase(), cap).map((m) => [m.index, m[0]]);
}

test('creatorCalls finds what the global scan of CREATORS finds', () => {
  const pages = [
    '',
    'Set o = Server.CreateObject("WScript.Shell")',
    'set o = createobject ( "x" ) : Set f = GETOBJECT(\n"y")',
    'new ActiveXObject("a"); xCreateObject("b"); _GetObject("c"); CreateObjectX("d")',
    'CreateObject(CreateObject(GetObject(',
    'Create\u212aObject( \u0130 CreateObject(',
    '\u0130CreateObject("x") GetObject(y)',
    'createobjectcreateobject( getobjectgetobject (',
  ];
  for (const p of pages) for (const cap of [1, 2, 100]) assert.deepEqual(byStarts(p, cap), byScan(p, cap), JSON.stringify(p));
  assert.deepEqual(
    byStarts('Set o = Server.CreateObject("WScript.Shell")', 100).map(([i]) => i),
    [15],
  );
});

test('creatorCalls on seeded random pages', () => {
  const next = prng(20261208);
  const pieces = [
    'CreateObject',
    'createobject',
    'CREATEOBJECT',
    'GetObject',
    'getObject',
    'ActiveXObject',
    'activexobject',
    'Object',
    'Get',
    'Create',
    'x',
    '_',
    '.',
    ' ',
    '\t',
    '\n',
    '(',
    ')',
    '"',
    '\u212a',
    '\u0130',
    '\u017f',
    'k',
    's',
    '1',
  ];
  for (let t = 0; t < 4000; t++) {
    let s = '';
    const n = Math.floor(next() * 30);
    for (let i = 0; i < n; i++) s += pieces[Math.floor(next() * pieces.length)];
    const cap = 1 + Math.floor(next() * 4);
    assert.deepEqual(byStarts(s, cap), byScan(s, cap), JSON.stringify(s));
    assert.deepEqual(byStarts(s, 100), byScan(s, 100), JSON.stringify(s));
  }
});
