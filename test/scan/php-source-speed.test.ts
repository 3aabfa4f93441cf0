/**
 * The cheaper readings of the PHP request-source setup find exactly what the plain scans
 * found: assignment sites read back from each `=`, word-anchored pattern runs, and constant
 * folding that skips right-hand sides no rule folds. Checked on seeded random strings over the
 * characters that matter, and on hand-written lines with exact expected values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignmentStarts, matchesAt, type AnalyzerContext } from '../../src/scan/context.js';
import { matches } from '../../src/scan/flow.js';
import { EvidenceCollector } from '../../src/scan/evidence.js';
import { blankStrings } from '../../src/scan/lexer.js';
import { prng } from '../helpers/prng.js';
import { FULL_ASSIGN, fullAssignSites } from '../../src/scan/analyzers/php/fold-sites.js';
import { constantStrings, varyingNames } from '../../src/scan/analyzers/php/fold.js';
import { matchesAtWord } from '../../src/scan/analyzers/php/code.js';
import { splitCalls } from '../../src/scan/analyzers/php/mechanisms.js';

const ctxOf = (code: string): AnalyzerContext => ({ text: code, code, lower: code.toLowerCase(), ev: new EvidenceCollector(code, 'php', 0), layers: [], size: code.length });

const pick = (next: () => number, alphabet: readonly string[], min: number, spread: number): string => {
  let s = '';
  const n = min + Math.floor(next() * spread);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
};

const ASSIGN_ALPHABET = [
  '$',
  '$',
  'a',
  'b',
  '_',
  '1',
  '9',
  '[',
  ']',
  "'",
  '"',
  ' ',
  '\n',
  '=',
  '=',
  '.',
  '>',
  ';',
  '\t',
  '\xa0',
  "['k']",
  '[1234567]',
  '[12]',
  '"x]"',
  '\\',
  ' '.repeat(999),
  'w'.repeat(39),
  `'${' '.repeat(39)}'`,
  `"${'q'.repeat(41)}"`,
  '.=',
];

test('assignment sites read back from each = are the matches of the anchored pattern', () => {
  const next = prng(20261207);
  const show = (ms: Array<[number, number, number]>): string => ms.map((x) => x.join(',')).join(' ');
  for (let t = 0; t < 20000; t++) {
    const s = pick(next, ASSIGN_ALPHABET, 3, 40);
    for (const bare of [blankStrings(s, '\'"'), s]) {
      const want = matchesAt(FULL_ASSIGN, bare, assignmentStarts(bare, 'optional', 2000, false, true), 20000).map((m): [number, number, number] => [
        m.index,
        m.index + m[1]!.length,
        m.index + m[0].length - 1,
      ]);
      const got = fullAssignSites(bare);
      assert.equal(show(got.at.map((a, k): [number, number, number] => [a, got.lhsEnd[k]!, got.eq[k]!])), show(want), JSON.stringify(bare));
    }
  }
});

const WORD_ALPHABET = [
  'foreach',
  'FOREACH',
  'ForEach',
  'explode',
  'EXPLODE',
  'str_split',
  'Str_Split',
  '(',
  ')',
  '$a',
  '$b',
  ' ',
  '\n',
  '=',
  ' as ',
  ' AS ',
  '=>',
  ';',
  'x',
  '\xa0',
  '$',
  ',',
];
const FOREACH = /foreach\s*\(\s*([^;]{1,120}?)\s+as\s+(\$\w+)(?:\s*=>\s*(\$\w+))?/gi;
const SPLIT_CALL = /(\$\w{1,40})\s*=\s*(explode|str_split)\s*\(/gi;

test('word-anchored runs find what the global scans find', () => {
  const next = prng(7120626);
  const show = (ms: Iterable<RegExpExecArray>): string => [...ms].map((m) => `${m.index}:${m[0]}|${m[1]}|${m[2]}|${m[3]}`).join(' ');
  for (let t = 0; t < 20000; t++) {
    const ctx = ctxOf(pick(next, WORD_ALPHABET, 3, 30));
    assert.equal(show(matchesAtWord(FOREACH, ctx, 'foreach', 3)), show(matches(FOREACH, ctx.code, 3)), JSON.stringify(ctx.code));
    assert.equal(show(splitCalls(ctx)), show(matches(SPLIT_CALL, ctx.code, 200)), JSON.stringify(ctx.code));
  }
  // a character whose lower case is longer shifts the offsets: the plain scan is used
  const odd = ctxOf('\u0130 $p = explode(".", "a.b"); foreach ($x as $y) {}');
  assert.equal(show(splitCalls(odd)), show(matches(SPLIT_CALL, odd.code, 200)));
  assert.equal(show(matchesAtWord(FOREACH, odd, 'foreach')), show(matches(FOREACH, odd.code)));
});

test('constant folding: values, and the varying names among those that hold one', () => {
  const code = `<?php $a = 'x'; $a = foo(); $b = bar(); $c = 'as'.'sert'; $o = $obj->name . 'a'; $s = $s . 'abc'; $u = strtoupper(foo('a')); $r = str_replace('q', '', 'bqase64'); $j = implode('', array('e', 'val')); $d['k'] = "v"; $d['k'] .= 'w';`;
  const consts = constantStrings(code);
  assert.deepEqual(
    [...consts],
    [
      ['$a', ['x']],
      ['$c', ['assert']],
      ['$s', ['abc']],
      ['$r', ['base64']],
      ['$j', ['eval']],
      ['$d[k]', ['v', 'vw']],
    ],
  );
  assert.deepEqual([...varyingNames(consts)], ['$a']);
  assert.deepEqual([...varyingNames(constantStrings('<?php $x = foo(); $y = $z->w;'))], []);
});
