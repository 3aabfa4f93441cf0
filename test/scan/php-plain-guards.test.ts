/**
 * Shortcuts of the PHP analyzer (issue #15) against the forms they replace: whether a variable
 * is assigned a plain function name or a closure, read in place at each `$name` instead of by a
 * regex compiled per name; the guards reader skipped, with the same empty answer, on code that
 * holds none of its check words; and the function-table gate walked from the `]` signs. Checked
 * on hand-written edge cases and on seeded random strings over the characters that matter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainNameAssigned } from '../../src/scan/analyzers/php/code.js';
import { phpGuards } from '../../src/scan/analyzers/php/guards.js';
import { escapeRegExp } from '../../src/scan/text.js';
import { prng } from '../helpers/prng.js';
import { bracketCalled } from '../../src/scan/analyzers/php/dynamic.js';

/** The regex plainNameAssigned used to build for each name. */
function plainNameAssignedRegex(code: string, name: string): boolean {
  return new RegExp(`\\$${escapeRegExp(name)}\\s*=\\s*(?:(['"])[A-Za-z_]\\w*\\1\\s*;|(?:static\\s+)?(?:function|fn)\\s*\\()`).test(code);
}

function randomText(next: () => number, alphabet: string[], max: number): string {
  let s = '';
  const n = 1 + Math.floor(next() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

test('plainNameAssigned: literal names, closures, static closures, and the shapes that are neither', () => {
  const cases: Array<[string, string, boolean]> = [
    ["$cb = 'strtoupper';", 'cb', true],
    ['$cb="trim" ;', 'cb', true],
    ["$cb = 'str' . 'rev';", 'cb', false],
    ["$cb = '1abc';", 'cb', false],
    ["$cb = '_a1';", 'cb', true],
    ['$cb = \'abc";', 'cb', false],
    ["$cb == 'abc';", 'cb', false],
    ["$cbx = 'abc';", 'cb', false],
    ["$$cb = 'abc';", 'cb', true],
    ['$cb = function ($s) {};', 'cb', true],
    ['$cb = fn($s) => $s;', 'cb', true],
    ['$cb = static function() {};', 'cb', true],
    ['$cb = static  fn ($x) => 1;', 'cb', true],
    ['$cb = staticfunction() {};', 'cb', false],
    ['$cb = static::make();', 'cb', false],
    ['$cb = fnord();', 'cb', false],
    ['$cb = functions();', 'cb', false],
    ["$cb\u3000=\u00a0'x'\u2028;", 'cb', true],
    ["$cb = 'x'", 'cb', false],
    ['$cb = function', 'cb', false],
    ["$a = 1; $cb = $a; $cb = 'ok';", 'cb', true],
    ["$cb = 'é';", 'cb', false],
    ["$cb = 'x';", '', false],
    ["$ = 'x';", '', true],
  ];
  for (const [code, name, want] of cases) {
    assert.equal(plainNameAssignedRegex(code, name), want, `reference ${code}`);
    assert.equal(plainNameAssigned(code, name), want, code);
  }
});

test('plainNameAssigned equals the per-name regex on random code', () => {
  const next = prng(2715);
  const alphabet = [
    '$cb',
    '$c',
    'b',
    ' ',
    '\n',
    '\u00a0',
    '\u2003',
    '=',
    '==',
    "'",
    '"',
    'a',
    '_',
    '1',
    ';',
    'static',
    'function',
    'fn',
    '(',
    's',
    'x',
    '$cb = ',
    '$cb=',
    "'f'",
    "'f';",
    'function(',
    'static fn (',
    'é',
  ];
  let hits = 0;
  for (let k = 0; k < 20000; k++) {
    const code = randomText(next, alphabet, 24);
    const name = next() < 0.8 ? 'cb' : 'c';
    const want = plainNameAssignedRegex(code, name);
    if (want) hits++;
    assert.equal(plainNameAssigned(code, name), want, JSON.stringify([code, name]));
  }
  // the generator reaches both answers often
  assert.ok(hits > 1000, `${hits}`);
});

test('plainNameAssigned stays linear on long runs of its own prefix', () => {
  const code = '$cb = static '.repeat(40000);
  const t = Date.now();
  assert.equal(plainNameAssigned(code, 'cb'), false);
  assert.ok(Date.now() - t < 2000);
});

test('phpGuards: code without any check word confines nothing; the readers answer is kept otherwise', () => {
  for (const code of ['', '<?php $f = $_GET["f"]; if (!in_arra($f, ["a"])) exit; $f();', '<?php if (!IN_ARRAY($f, ["a"])) exit;', '<?php if (!ctype($p)) die;']) {
    const g = phpGuards(code);
    assert.equal(g.allowlisted.size + g.charset.size, 0, code);
  }
  const g = phpGuards('<?php $f = $_GET["f"]; if (!in_array($f, ["trim", "md5"], true)) exit; $p = $_GET["p"]; if (!ctype_alnum($p)) die; echo $f($p);');
  assert.deepEqual([...g.allowlisted], ['$f']);
  assert.deepEqual([...g.charset], ['$p']);
});

test('bracketCalled: a `(` after `]` with or without blanks, as the two searches it replaces', () => {
  const old = (code: string): boolean => code.includes('](') || /\]\s+\(/.test(code);
  for (const code of ['', ']', '](', '] (', ']\u3000\n(', '] x (', '$a[1] ;(', '$a[1]\u00a0(', ']]  ](']) assert.equal(bracketCalled(code), old(code), JSON.stringify(code));
  const next = prng(4411);
  const alphabet = [']', '(', ' ', '\n', '\u2028', 'x', '$a', '[', ')'];
  for (let k = 0; k < 20000; k++) {
    const code = randomText(next, alphabet, 16);
    assert.equal(bracketCalled(code), old(code), JSON.stringify(code));
  }
});
