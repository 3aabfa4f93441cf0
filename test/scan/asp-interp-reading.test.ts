/**
 * How the page interpreter (asp-interp.ts) reads VBScript: the tokenizer's character scanners
 * (numbers and names read within the windows the former per-token patterns saw: 40 characters
 * for a number, 120 for a name) and the expression reader's precedence (one climbing reader for
 * every level). The expected values are what the former per-level reader and per-token
 * patterns produced; the scanner's findings depend on them byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../src/scan/analyzers/asp-vb.js';
import { evaluatedCode } from '../../src/scan/analyzers/asp-interp.js';

const toks = (s: string): string[] => (tokenize(s) ?? []).map((t) => `${t.k}:${t.v}@${t.at}`);

test('asp interpreter tokens: hex, octal, decimals and exponents; dotted names end before a dot not followed by a name', () => {
  assert.deepEqual(toks('x = &H1F& + &o17 - &h + 12.5e-3 + 7.e2 + 3E+ : y = a.b.c_1.2d.'), [
    'id:x@0',
    'op:=@2',
    'num:31@4',
    'op:+@10',
    'num:15@12',
    'op:-@17',
    'op:&@19',
    'id:h@20',
    'op:+@22',
    'num:0.0125@24',
    'op:+@32',
    'num:7@34',
    'op:.@35',
    'id:e2@36',
    'op:+@39',
    'num:3@41',
    'id:e@42',
    'op:+@43',
    'nl::@45',
    'id:y@47',
    'op:=@49',
    'id:a.b.c_1@51',
    'op:.@58',
    'num:2@59',
    'id:d@60',
    'op:.@61',
  ]);
});

test('asp interpreter tokens: a number is cut at 40 characters, a name at 120; `_` before a line break continues it', () => {
  assert.deepEqual(toks(`n = ${'9'.repeat(45)} : k = &H${'f'.repeat(45)}`), [
    'id:n@0',
    'op:=@2',
    'num:1e+40@4',
    'num:99999@44',
    'nl::@50',
    'id:k@52',
    'op:=@54',
    'num:5.70899077082384e+45@56',
    'id:fffffff@96',
  ]);
  assert.deepEqual(toks(`${'v'.repeat(130)}.w = 1 : z = a _\r\n + b`), [
    `id:${'v'.repeat(120)}@0`,
    `id:${'v'.repeat(10)}.w@120`,
    'op:=@133',
    'num:1@135',
    'nl::@137',
    'id:z@139',
    'op:=@141',
    'id:a@143',
    'op:+@149',
    'id:b@151',
  ]);
});

test('asp interpreter expressions: VBScript precedence from Xor down to ^, unary minus below ^', () => {
  const run = (e: string) => evaluatedCode(`<%\nExecute "c=" & (${e})\n%>`).map((r) => r.text);
  assert.deepEqual(run('Not 1 = 2 And 3 > 2'), ['c=True']);
  assert.deepEqual(run('"a" & 1 + 2 & "b" = "a3b" Or 1 Xor 3'), ['c=-4']);
  assert.deepEqual(run('(1 + 2) * 3 - -4 & Not 0 & 2 Is 2 & "x" + 1'), ['c=13']);
  assert.deepEqual(run('-2 ^ 2 & "|" & 7 \\ 2 * 3 & "|" & 7 Mod 3 + 1 & "|" & 2 ^ 3 ^ 2'), ['c=-4|1|2|64']);
  assert.deepEqual(run('Chr(65) & Mid("hello", 2, 3) & Len("abc") * 2 ^ 2'), ['c=Aell12']);
  // `^` takes a primary on its right: `2 ^ -1` is unknown, and so is all the code
  assert.deepEqual(run('-2 ^ 2 & "|" & 2 ^ -1'), []);
});
