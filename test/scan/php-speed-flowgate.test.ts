/**
 * flowMayReport (dataflow-gate.ts) reads from the text what flowCanReport reads from the
 * tokens: it may say yes where the tokens say no, never the reverse. Checked on hand-written
 * edge cases (comments, tags, method operators, numbers, variable variables) and on seeded
 * random soups of the pieces the tokenizer reads differently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowCanReport, flowMayReport } from '../../src/scan/analyzers/php/dataflow-gate.js';
import { tokenizePhp } from '../../src/scan/analyzers/php/tokens.js';
import { resolveVariableVariables } from '../../src/scan/analyzers/php/dataflow-varvars.js';
import { prng } from '../helpers/prng.js';

function canReport(text: string): boolean {
  const raw = tokenizePhp(text, 20001);
  return raw.length > 0 && raw.length <= 20000 && flowCanReport(resolveVariableVariables(raw));
}

function check(text: string): void {
  if (canReport(text)) assert.equal(flowMayReport(text), true, JSON.stringify(text));
}

const CASES = [
  '<?php $f($x);',
  '<?php $a->exec($_GET[1]);',
  '<?php $a-->exec($_GET[1]);',
  '<?php $a:::system($_GET[1]);',
  '<?php // ->\n system($_GET[1]);',
  '<?php X:: system($_GET[1]);',
  '<?php $a->include($_GET[1]);',
  '<?php 1.e($x);',
  '<?php $a.5 ($x);',
  '<?php 0x1f /* c */ ($x);',
  '<?php $x # c\n ($y);',
  "<?php 'a' ($y);",
  '<?php ${"a"}($y);',
  '<?php $$n($y);',
  '<?php $n = "f"; $$n($y);',
  '<?php new $c($_GET[1]);',
  '<?php \\new $c($_GET[1]);',
  '<?php new /* c */ $c($_GET[1]);',
  '<?phpeval("x");',
  '<?PHP1.e($x);',
  '<?=eval("x");',
  '<?eval("x");',
  'html <?php /* (r) (C) */ echo 1; ?> (x) <?php echo 2;',
  '<?php # a ?> (x) <?php eval($c);',
  '<?php $x\u00a0($y);',
  '<?php $x \u00a0($y);',
  '<?php \\Foo\\eval($x);',
  '<?php EVAL($x);',
  '<?php inv\u212ake($x);',
  '<?php $r->invoke($_GET[1]);',
  '<?php echo <<<EOT\nx\nEOT($y);',
  '<?php `ls $x`;',
  '<?php $a = $_GET[1]; array_map($a, [1]);',
  '<?php $a = $_GET[1]; $o->array_map($a, [1]);',
  '<?php $a = $_GET[1]; include $a;',
  '<?php $s = "a:b"; preg_replace($p, $s, $_POST[1]);',
  '<?php FFI::cdef("x");',
  '<?php $st->fetchAll(PDO::FETCH_FUNC, "assert");',
  '$x = 1; <?php eval($x);',
  'plain text (no php) eval',
];

test('flowMayReport holds wherever flowCanReport does (hand-written)', () => {
  for (const c of CASES) check(c);
  // pages refused without tokens
  assert.equal(flowMayReport('<?php /* Movable Type (r) (C) Six Apart */ echo strlen($a); $b->exec(1);'), false);
  assert.equal(flowMayReport('<?php $this->assertEquals(1, foo($x));'), false);
});

const PIECES = [
  '<?php',
  '<?PHP',
  '<?=',
  '<?',
  '?>',
  ' ',
  '\n',
  '\t',
  '\u00a0',
  '\u212a',
  '\u0130',
  '/*',
  '*/',
  '//',
  '#',
  '#[',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '$',
  '$x',
  '$_GET',
  '$GLOBALS',
  '"',
  "'",
  '`',
  '\\',
  '.',
  '1',
  '0x',
  'e',
  '->',
  '-',
  '>',
  '::',
  ':',
  ';',
  ',',
  '=',
  '~',
  '^',
  'new',
  'function',
  'eval',
  'Eval',
  'assert',
  'exec',
  'system',
  'array_map',
  'include',
  'require_once',
  'invoke',
  'cdef',
  'fetch_func',
  'preg_replace',
  'reflectionfunction',
  'getenv',
  'chr',
  'foo',
  'é',
  '<<<',
  'EOT',
  'a:b',
  '"$x"',
  '"$_POST"',
];

test('flowMayReport holds wherever flowCanReport does (seeded random soups)', () => {
  const rnd = prng(20261207);
  let refused = 0;
  for (let n = 0; n < 40000; n++) {
    const len = 1 + Math.floor(rnd() * 24);
    let s = '';
    for (let k = 0; k < len; k++) s += PIECES[Math.floor(rnd() * PIECES.length)]!;
    check(s);
    if (!flowMayReport(s)) refused++;
  }
  // the soups exercise both answers
  assert.ok(refused > 1000, `refused ${refused}`);
});
