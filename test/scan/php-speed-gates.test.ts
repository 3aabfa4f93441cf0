/**
 * passwordGate (php/gates.ts) runs its two long patterns only where a quoted run of eight hex
 * digits occurs, which every match of both holds: checked on seeded random strings against
 * copies of the patterns, and on the gate shapes through the analyzer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyzerContext } from '../../src/scan/context.js';
import { EvidenceCollector } from '../../src/scan/evidence.js';
import { passwordGate } from '../../src/scan/analyzers/php/gates.js';
import { prng } from '../helpers/prng.js';

/** gates.ts's patterns, as the oracle. */
const HASHED_GATE =
  /\b(?:md5|sha1|crc32|hash\s*\(\s*['"]\w+['"]\s*,)\s*\(?\s*\$_(?:GET|POST|REQUEST|COOKIE|SERVER)\s*\[[^\]]{1,40}\]\s*\)\s*[!=]==?\s*['"][0-9a-f]{8,64}['"]|['"][0-9a-f]{32,64}['"]\s*[!=]==?\s*(?:md5|sha1)\s*\(\s*\$_(?:GET|POST|REQUEST|COOKIE)/i;
const RAW_GATE = /\$_(?:GET|POST|REQUEST|COOKIE)\s*\[[^\]\n]{1,40}\]\s*[!=]==?\s*['"][0-9a-f]{32,64}['"]|['"][0-9a-f]{32,64}['"]\s*[!=]==?\s*\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/i;
const HEX_LITERAL = /['"][0-9a-f]{8}/i;
const GATE = 'request parameter checked against a hard-coded hash (backdoor password gate)';

const PIECES = [
  'md5(',
  'sha1(',
  'crc32(',
  "hash('sha256', ",
  '$_GET',
  '$_POST',
  '$_SERVER',
  "['p']",
  '[1]',
  '(',
  ')',
  ' ',
  '==',
  '!==',
  '=',
  "'",
  '"',
  'abcdef01',
  'ABCDEF0123456789',
  '0123456789abcdef0123456789abcdef',
  'g',
  '\n',
];
const GATES = [
  "md5($_GET['p']) == '5f4dcc3b'",
  "hash('sha1', $_POST['k']) !== \"0123456789abcdef01234567\"",
  "'5f4dcc3b5aa765d61d8327deb882cf99' === md5($_COOKIE['c'])",
  "$_REQUEST['x'] == 'ABCDEF0123456789ABCDEF0123456789'",
  "'0123456789abcdef0123456789abcdef' != $_GET [1]",
];

/** A gate shape with a few characters dropped or replaced, or a soup of its pieces. */
function sample(rnd: () => number): string {
  if (rnd() < 0.5) {
    let code = '';
    const len = 1 + Math.floor(rnd() * 14);
    for (let k = 0; k < len; k++) code += PIECES[Math.floor(rnd() * PIECES.length)]!;
    return code;
  }
  let g = GATES[Math.floor(rnd() * GATES.length)]!;
  const edits = Math.floor(rnd() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * g.length);
    g = rnd() < 0.5 ? g.slice(0, at) + g.slice(at + 1) : g.slice(0, at) + 'x"\'9 '[Math.floor(rnd() * 5)] + g.slice(at + 1);
  }
  return g;
}

function gateOf(code: string): string[] {
  const ctx: AnalyzerContext = { text: code, code, lower: code.toLowerCase(), ev: new EvidenceCollector(code, 'php', 0), layers: [], size: code.length };
  passwordGate(ctx);
  return ctx.ev.list().map((e) => e.reason);
}

test('no quoted run of eight hex digits: neither password gate pattern matches', () => {
  const rnd = prng(4242);
  let gated = 0;
  let matched = 0;
  for (let n = 0; n < 30000; n++) {
    const code = sample(rnd);
    const hit = HASHED_GATE.exec(code) ?? RAW_GATE.exec(code);
    if (hit) matched++;
    // the pass reports exactly what the patterns find
    assert.deepEqual(gateOf(code), hit ? [GATE] : [], JSON.stringify(code));
    if (HEX_LITERAL.test(code)) continue;
    gated++;
    assert.equal(hit, null, JSON.stringify(code));
  }
  assert.ok(gated > 1000 && matched > 1000, `${gated} ${matched}`);
});

test('php: the password gate shapes are still reported', () => {
  assert.deepEqual(gateOf(`<?php if (md5($_GET['p']) == '5f4dcc3b5aa765d61d8327deb882cf99') { echo 1; }`), [GATE]);
  assert.deepEqual(gateOf(`<?php if ($_POST['k'] === "5F4DCC3B5AA765D61D8327DEB882CF99") { echo 1; }`), [GATE]);
  assert.deepEqual(gateOf(`<?php if (md5($_GET['p']) == $stored) { echo 1; }`), []);
});
