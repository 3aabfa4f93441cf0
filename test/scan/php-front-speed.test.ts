/**
 * The PHP analyzer's front half (request taint, constant folding, call index, tokenizer) reads
 * less than it did and must answer exactly as before: the call index makes site objects only
 * for the names read, the sanitizer and folding skip their patterns where the first character
 * or a missing `(` rules them out, and the foreach loops are not read in a file without any
 * request source. Each shortcut is checked on exact outputs, and the gates against the full
 * patterns on seeded random strings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallIndex, type AnalyzerContext } from '../../src/scan/context.js';
import { EvidenceCollector } from '../../src/scan/evidence.js';
import { constantStrings, evalStringExpr, type VarResolver } from '../../src/scan/analyzers/php/fold.js';
import { phpUnsanitized } from '../../src/scan/analyzers/php/sanitizers.js';
import { requestTaint } from '../../src/scan/analyzers/php/sources.js';
import { tokenizePhp } from '../../src/scan/analyzers/php/tokens.js';
import { prng } from '../helpers/prng.js';

function randomText(next: () => number, alphabet: string[], max: number): string {
  let s = '';
  const n = 1 + Math.floor(next() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

function phpContext(code: string): AnalyzerContext {
  return { text: code, code, lower: code.toLowerCase(), ev: new EvidenceCollector(code, 'php', 0), layers: [], size: code.length };
}

test('call index: sites of several names in text order, one name as indexed, the same array for every get()', () => {
  const idx = new CallIndex('a(1); b (2); $f(3); a(4); c(b(5));');
  assert.deepEqual(idx.sites(['a', 'b']), [
    { at: 0, open: 1, name: 'a' },
    { at: 6, open: 8, name: 'b' },
    { at: 20, open: 21, name: 'a' },
    { at: 28, open: 29, name: 'b' },
  ]);
  assert.deepEqual(idx.sites(['b']), [
    { at: 6, open: 8, name: 'b' },
    { at: 28, open: 29, name: 'b' },
  ]);
  assert.deepEqual(idx.sites(['zz']), []);
  assert.deepEqual(idx.get('$'), [{ at: 13, open: 15 }]);
  assert.equal(idx.get('a'), idx.get('a'));
  assert.deepEqual(idx.get('nope'), []);
  assert.equal(idx.hasAnyOf(['x', 'c']), true);
});

test('phpUnsanitized: without a `(` nothing is blanked, as the full hint pattern answered', () => {
  const hint =
    /\b(?:intval|floatval|boolval|abs|count|sizeof|strlen|mb_strlen|md5|sha1|crc32|hash|hash_hmac|is_numeric|is_int|is_string|is_array|isset|empty|in_array|array_key_exists|ctype_\w+)\s*\(|\(\s*(?:int|integer|float|double|bool|boolean)\s*\)/i;
  const next = prng(515);
  const alphabet = ['intval', 'INT', 'int', 'md5', '(', ')', ' ', '$_GET', '[', ']', 'x', 'ctype_a', '->'];
  for (let t = 0; t < 20000; t++) {
    const s = randomText(next, alphabet, 8);
    if (!hint.test(s)) assert.equal(phpUnsanitized(s), s, JSON.stringify(s));
  }
  assert.equal(phpUnsanitized("$a . (int)$_GET['n']"), '$a . 0');
  assert.equal(phpUnsanitized("$_GET['cmd']"), "$_GET['cmd']");
});

test('constant folding: literals with and without escapes, pieces opening with chr or $, right-hand sides that cannot fold', () => {
  const env = new Map([['$x', 'abc']]);
  const resolve: VarResolver = Object.assign((n: string) => env.get(n), { varying: new Set<string>() });
  assert.equal(evalStringExpr("'plain'"), 'plain');
  assert.equal(evalStringExpr("'it\\'s \\\\ \\n'"), "it's \\ \\n");
  assert.equal(evalStringExpr('"tab\\there"'), 'tab\there');
  assert.equal(evalStringExpr('"no escapes"'), 'no escapes');
  assert.equal(evalStringExpr('"$x!"', resolve), 'abc!');
  assert.equal(evalStringExpr('CHR(65) . chr(0x42)', resolve), 'AB');
  assert.equal(evalStringExpr('$x . $x[1] . $x{2}', resolve), 'abcbc');
  assert.equal(evalStringExpr('strrev($x)', resolve), 'cba');
  assert.equal(evalStringExpr('crc32($x)', resolve), undefined);
  const consts = constantStrings("<?php $a = 'as'; $b = 7; $c = array(1); $a .= \"sert\"; $d = \u00a0'nb'; $e = Strrev('x'); $f = new Foo; $b = $a;");
  assert.deepEqual(
    [...consts],
    [
      ['$a', ['as', 'assert']],
      ['$d', ['nb']],
      ['$e', ['x']],
      ['$b', ['assert']],
    ],
  );
});

test('request taint: foreach loops over request data taint their variables; in a file without a source they are not read', () => {
  const withSource = requestTaint(phpContext('<?php foreach ($_POST as $k => $v) { echo $v; } foreach ($list as $i) { $y = $i; }'));
  assert.deepEqual([...withSource.taint.vars].sort(), ['$k', '$v']);
  assert.deepEqual([...withSource.taint.direct].sort(), ['$k', '$v']);
  assert.equal(withSource.hasRequest, true);
  const without = requestTaint(phpContext('<?php foreach ($list as $k => $v) { $y = $v; } foreach (intval($n) as $i) {}'));
  assert.deepEqual([...without.taint.vars], []);
  assert.equal(without.hasRequest, false);
});

test('php tokens: names kept as written when plain, lower-cased and unqualified otherwise; operators by first character', () => {
  // `<<<=` is no heredoc: the longest operator from its first character, then the rest
  const toks = tokenizePhp("<?php Foo(); \\A\\bar(); x\\; $a ??= 'q'; $b?->c <=> 1 <<<= 2;\n?>html<?= $d ?>").map((k) => `${k.k}:${k.v}`);
  assert.deepEqual(toks, [
    'id:foo',
    'op:(',
    'op:)',
    'op:;',
    'id:bar',
    'op:(',
    'op:)',
    'op:;',
    'op:;',
    'var:a',
    'op:??=',
    'str:q',
    'op:;',
    'var:b',
    'op:?->',
    'id:c',
    'op:<=>',
    'num:1',
    'op:<<',
    'op:<=',
    'num:2',
    'op:;',
    'op:;',
    'var:d',
    'op:;',
  ]);
});
