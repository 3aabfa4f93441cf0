/**
 * registerGlobals (php/interproc.ts) skips the request-import replacement in code that names
 * neither extract nor parse_str, and reads the file's parameters only when a sink argument
 * reaches that test. The gate is checked against the pattern itself (a copy of it is the
 * oracle) on seeded random strings; the findings on hand-written shells.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyzerContext } from '../../src/scan/context.js';
import { EvidenceCollector } from '../../src/scan/evidence.js';
import { hasText } from '../../src/scan/analyzers/php/probe.js';
import { registerGlobals } from '../../src/scan/analyzers/php/interproc.js';
import { requestTaint } from '../../src/scan/analyzers/php/sources.js';
import { prng } from '../helpers/prng.js';

/** interproc.ts's REQUEST_IMPORT, as the oracle. */
const REQUEST_IMPORT =
  /\b(?:extract|parse_str|mb_parse_str)\s*\(\s*(?:\$_(?:GET|POST|REQUEST|COOKIE|SERVER|ENV)|\$HTTP_(?:GET|POST|COOKIE|SERVER|ENV)_VARS|\$HTTP_POST_FILES)\s*(?:,\s*EXTR_(?:SKIP|OVERWRITE)\s*)?\)/gi;

const PIECES = [
  'extract',
  'EXTRACT',
  'Extr',
  'act',
  'parse_str',
  'PARSE_STR',
  'mb_',
  'parse',
  '_str',
  '(',
  ')',
  ' ',
  '\n',
  ',',
  '$_GET',
  '$_post',
  '$HTTP_GET_VARS',
  'EXTR_SKIP',
  '\u0130',
  '\u212a',
  'x',
];

test('the import replacement changes nothing where lower-cased code names neither extract nor parse_str', () => {
  const rnd = prng(7001);
  let gated = 0;
  for (let n = 0; n < 30000; n++) {
    let code = '';
    const len = 1 + Math.floor(rnd() * 12);
    for (let k = 0; k < len; k++) code += PIECES[Math.floor(rnd() * PIECES.length)]!;
    const lower = code.toLowerCase();
    if (hasText(lower, 'extract') || hasText(lower, 'parse_str')) continue;
    gated++;
    assert.equal(code.replace(REQUEST_IMPORT, ' '), code, JSON.stringify(code));
  }
  assert.ok(gated > 1000);
});

function findings(code: string): string[] {
  const ctx: AnalyzerContext = { text: code, code, lower: code.toLowerCase(), ev: new EvidenceCollector(code, 'php', 0), layers: [], size: code.length };
  const s = requestTaint(ctx);
  registerGlobals(ctx, s.calls, s.taint);
  return ctx.ev.list().map((e) => e.reason);
}

test('registerGlobals findings: never-assigned variables, parameters, request imports', () => {
  assert.deepEqual(findings('<?php system($cmd);'), ['system() runs a variable that is never assigned (register_globals request variable $cmd)']);
  assert.deepEqual(findings('<?php function f($cmd) { system($cmd); }'), []);
  assert.deepEqual(findings('<?php $f = function () use ($cmd) { system($cmd); };'), []);
  assert.deepEqual(findings('<?php extract($_POST); system($cmd);'), ['system() runs a variable that is never assigned (request variable set by extract() $cmd)']);
  assert.deepEqual(findings('<?php EXTRACT($_POST); system($cmd);'), ['system() runs a variable that is never assigned (request variable set by extract() $cmd)']);
  assert.deepEqual(findings('<?php extract($row); system($cmd);'), []);
  assert.deepEqual(findings('<?php $cmd = "ls"; system($cmd);'), []);
});
