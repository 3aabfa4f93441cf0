/**
 * The PHP passes' gates and start finders (php/probe.ts, and the walks in bypass.ts,
 * obfuscation.ts, dynamic.ts and planted.ts) must answer exactly what the regex or substring
 * search they replace answers: checked on seeded random strings over the characters that
 * matter to each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesAt } from '../../src/scan/context.js';
import { matches } from '../../src/scan/flow.js';
import { hasAnyText, hasText, textAt } from '../../src/scan/analyzers/php/probe.js';
import { STATIC_DYNAMIC_CALL, calledResultAt, staticCallStarts } from '../../src/scan/analyzers/php/bypass.js';
import { BITWISE, bitwiseStarts, mayAssembleNames } from '../../src/scan/analyzers/php/obfuscation.js';
import { closeThenOpen } from '../../src/scan/analyzers/php/dynamic.js';
import { securityNamed } from '../../src/scan/analyzers/php/planted.js';
import { prng } from '../helpers/prng.js';

function randomText(next: () => number, alphabet: string[], max: number): string {
  let s = '';
  const n = 1 + Math.floor(next() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

const show = (ms: Iterable<RegExpExecArray>): string[] => [...ms].map((m) => `${m.index}:${m[0]}`);
const SPACES = [' ', '\t', '\n', '\xa0', '\u2003', '\ufeff'];

test('hasText and textAt answer what includes and indexOf answer', () => {
  const next = prng(7);
  const needles = ['unlink', 'ld_preload', 'str_rot13', 'chr', 'ls -la', 'wfIssues', 'x'];
  for (let t = 0; t < 20000; t++) {
    const s = randomText(next, ['u', 'n', 'l', 'i', 'k', 'unl', 'ink', 'unlink', 'chr', 'ch', 'r', 'ls -la', 'ls', ' ', '-', 'wf', 'Issues', 'x', 'str_', 'rot13'], 12);
    for (const n of needles) {
      assert.equal(hasText(s, n), s.includes(n), JSON.stringify([s, n]));
      const from = Math.floor(next() * (s.length + 1));
      assert.equal(textAt(s, n, from), s.indexOf(n, from), JSON.stringify([s, n, from]));
    }
    assert.equal(
      hasAnyText(s, needles),
      needles.some((n) => s.includes(n)),
    );
  }
});

test('the name-assembly gate answers what its regex answers', () => {
  const next = prng(11);
  const re = /['"]\s*\.\s*(?:['"]|chr)|chr\s*\(|\\x|\\[0-9]|strrev|str_rot13|base64_decode|hex2bin/;
  const alphabet = ["'", '"', '.', 'chr', 'ch', 'r', '(', '\\', 'x', '7', 'a', 'strrev', 'strre', 'hex2bin', 'base64_decode', 'str_rot13', ...SPACES];
  for (let t = 0; t < 30000; t++) {
    const s = randomText(next, alphabet, 10);
    assert.equal(mayAssembleNames(s), re.test(s), JSON.stringify(s));
  }
});

test('the bitwise-string scan from its starts finds what the global scan finds', () => {
  const next = prng(13);
  const alphabet = ["'", '"', '^', '|', '&', '~', '(', 'a', '$x', ...SPACES];
  for (let t = 0; t < 30000; t++) {
    const s = randomText(next, alphabet, 16);
    assert.deepEqual(show(matchesAt(BITWISE, s, bitwiseStarts(s), 200)), show(matches(BITWISE, s, 200)), JSON.stringify(s));
  }
});

test('called results and static calls through variables: the walks agree with the regexes', () => {
  const next = prng(17);
  const alphabet = [')', ']', '(', '$a', '$', 'b', '::', ':', '{', '}', 'x', '\n', ...SPACES];
  for (let t = 0; t < 30000; t++) {
    const s = randomText(next, alphabet, 14);
    assert.equal(calledResultAt(s), /[)\]]\s*\(/.test(s), JSON.stringify(s));
    const gated = s.includes('::$') || s.includes('::{') ? show(matches(STATIC_DYNAMIC_CALL, s, 100)) : [];
    assert.deepEqual(show(matchesAt(STATIC_DYNAMIC_CALL, s, staticCallStarts(s), 100)), gated, JSON.stringify(s));
    const pairs = [...closeThenOpen(s, 2000)].map(([c, o]) => `${c}:${s.slice(c, o + 1)}`);
    assert.deepEqual(pairs, show(matches(/\)\s*\(/g, s, 2000)), JSON.stringify(s));
  }
});

test('the security-plugin name gate answers what the substring searches answer', () => {
  const next = prng(19);
  const names = ['wfIssues', 'wfStatus', 'wfConfig', 'wsd_plugin', 'aiowps_', 'itsec_', 'exploitscanner_'];
  const alphabet = [...names, 'w', 'wf', 'aio', 'ps_', 'Issues', 'its', 'ec_', 'exploit', 'x', ' '];
  for (let t = 0; t < 20000; t++) {
    const s = randomText(next, alphabet, 6);
    assert.equal(
      securityNamed(s),
      names.some((n) => s.includes(n)),
      JSON.stringify(s),
    );
  }
});
