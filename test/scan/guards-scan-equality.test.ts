/**
 * guardStatements looks for each check word's `if` within reach with character tests, where it
 * searched back through the code with lastIndexOf and tested each character with a regex: the
 * same statements on hand-written and generated code (the reference is the version before).
 * Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardStatements, type GuardStatement } from '../../src/scan/guards-scan.js';
import { phpGuards } from '../../src/scan/analyzers/php/guards.js';
import { matchingClose } from '../../src/scan/text.js';
import { prng } from '../helpers/prng.js';

const IF_REACH = 400;

/** guardStatements as it was. */
function* refGuardStatements(code: string, words: readonly string[], cap = 200): Generator<GuardStatement> {
  const hits: number[] = [];
  for (const w of words) for (let k = code.indexOf(w); k !== -1 && hits.length < cap * words.length; k = code.indexOf(w, k + w.length)) hits.push(k);
  hits.sort((a, b) => a - b);
  const seen = new Set<number>();
  let looked = 0;
  for (const k of hits) {
    if (++looked > cap) return;
    let i = code.lastIndexOf('if', k);
    while (i !== -1 && k - i <= IF_REACH && /[\w$.]/.test(i > 0 ? code[i - 1]! : ' ')) i = code.lastIndexOf('if', i - 1);
    if (i === -1 || k - i > IF_REACH || seen.has(i)) continue;
    seen.add(i);
    let p = i + 2;
    while (p < k && /\s/.test(code[p]!)) p++;
    if (code[p] !== '(') continue;
    const close = matchingClose(code, p, Math.min(code.length, p + 2400));
    if (close === -1 || close < k) continue;
    const cond = code.slice(p + 1, close);
    let b = close + 1;
    while (b < code.length && /\s/.test(code[b]!)) b++;
    let end: number;
    if (code[b] === '{') {
      const bc = matchingClose(code, b, Math.min(code.length, b + 600));
      if (bc === -1) continue;
      end = bc + 1;
    } else {
      const semi = code.indexOf(';', b);
      if (semi === -1 || semi - b > 400) continue;
      end = semi + 1;
    }
    yield { at: i, end, cond, body: code.slice(b, end) };
  }
}

const WORDS = ['in_array', 'preg_match', 'ctype_', 'is_numeric'];

/** The seeded generator of the test helpers: the same pages on every run. */
const rng = prng;

const PIECES = [
  'if',
  'if ',
  'if(',
  'if (',
  'if\u00a0(',
  'if\u2028(',
  '$if',
  '.if',
  'notify',
  '$diff',
  '_if',
  'elseif (',
  "!in_array($f, ['a', 'b'], true)",
  "preg_match('/^[a-z]+$/', $p)",
  'ctype_alnum($x)',
  'is_numeric($n)',
  ') exit;',
  ') { die(); }',
  ')',
  '(',
  '{',
  '}',
  ';',
  ' ',
  '\n',
  '\t',
  '$f = $_GET["f"];',
  'x'.repeat(90),
  'y'.repeat(390),
];

test('guardStatements finds the statements it found before', () => {
  const fixed = [
    '',
    'if',
    'in_array',
    "if (!in_array($f, ['a'], true)) exit;",
    `if (!in_array($f, ['a'])) ${'x'.repeat(500)}; preg_match('/^a$/', $f)`,
    `if (${' '.repeat(395)}in_array($f, $l)) exit;`,
    `if (${' '.repeat(396)}in_array($f, $l)) exit;`,
    `if (${' '.repeat(397)}in_array($f, $l)) exit;`,
    `if (${' '.repeat(399)}in_array($f, $l)) exit;`,
    `notify(in_array($a, $b)); $diff(preg_match($a, $b)); .if (is_numeric($x)) {}`,
    'if\u3000(!ctype_digit($n)) { exit; }',
  ];
  const r = rng(7);
  const generated: string[] = [];
  for (let n = 0; n < 3000; n++) {
    let code = '';
    const parts = 1 + Math.floor(r() * 16);
    for (let i = 0; i < parts; i++) code += PIECES[Math.floor(r() * PIECES.length)];
    generated.push(code);
  }
  let found = 0;
  for (const code of [...fixed, ...generated]) {
    const mine = [...guardStatements(code, WORDS)];
    assert.deepEqual(mine, [...refGuardStatements(code, WORDS)], JSON.stringify(code));
    assert.deepEqual([...guardStatements(code, WORDS, 2)], [...refGuardStatements(code, WORDS, 2)], JSON.stringify(code));
    found += mine.length;
  }
  // (the generated code holds guards, not only misses)
  assert.ok(found > 50, `${found}`);
});

test('a page of unclosed `if (` and check words stays linear', () => {
  const code = 'if (in_array('.repeat(40000);
  const t = process.hrtime.bigint();
  const n = [...guardStatements(code, WORDS)].length;
  assert.equal(n, 0);
  assert.ok(Number(process.hrtime.bigint() - t) / 1e6 < 2000);
  assert.deepEqual(phpGuards(code), { allowlisted: new Set(), charset: new Set() });
});
