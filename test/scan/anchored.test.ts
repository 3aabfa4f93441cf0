/**
 * The anchored pattern runs (matchesAt over starts from assignmentStarts/assignedFrom) must find
 * exactly what a global scan of the same regex finds. Checked on seeded random strings over the
 * characters that matter to assignments, and on a few hand-written lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignedFrom, assignmentStarts, matchesAt } from '../../src/scan/context.js';
import { matches } from '../../src/scan/flow.js';
import { blankStrings } from '../../src/scan/lexer.js';
import { prng } from '../helpers/prng.js';
import { FULL_ASSIGN, SLOT_ASSIGN } from '../../src/scan/analyzers/php/fold.js';
import { CHAR_ARRAY } from '../../src/scan/analyzers/php/mechanisms.js';

/** What assignedFrom anchors: the head of the character-table pattern. */
const ARRAY_HEAD = /(\$\w{1,40})\s*=\s*array\s*\(/g;

const ALPHABET = ['$', '$', 'a', 'b', '_', '1', '[', ']', "'", '"', ' ', ' ', '\n', '=', '=', '.', '>', ';', 'x', '\t', '\xa0', '[', 'array(', 'ARRAY (', "'x',"];

const show = (ms: Iterable<RegExpExecArray>): string[] => [...ms].map((m) => `${m.index}:${m[0]}`);

test('anchored assignment scans find exactly what the global scans find', () => {
  const next = prng(20261204);
  for (let t = 0; t < 30000; t++) {
    let s = '';
    const n = 5 + Math.floor(next() * 40);
    for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
    const bare = blankStrings(s, '\'"');
    assert.deepEqual(show(matchesAt(FULL_ASSIGN, bare, assignmentStarts(bare, 'optional', 2000, false, true), 20000)), show(matches(FULL_ASSIGN, bare, 20000)), JSON.stringify(s));
    assert.deepEqual(show(matchesAt(SLOT_ASSIGN, s, assignmentStarts(s, 'required', 40, true, false), 2000)), show(matches(SLOT_ASSIGN, s, 2000)), JSON.stringify(s));
    assert.deepEqual(show(matchesAt(ARRAY_HEAD, s, assignedFrom(s, 'array'), 200)), show(matches(ARRAY_HEAD, s, 200)), JSON.stringify(s));
  }
});

test('anchored scans on ordinary lines', () => {
  const code = `$a = 1; $b['k'] .= 'x'; $c[$d[1]] = 'no'; $h['s'] = 'assert'; if ($e == 2) {} $f => 3; $g = explode(',', 'a,b'); $t = array('a','s','s','e','r','t','x','y','z');`;
  const bare = blankStrings(code, '\'"');
  assert.deepEqual(
    matchesAt(FULL_ASSIGN, bare, assignmentStarts(bare, 'optional', 2000, false, true)).map((m) => m[1]),
    ['$a', "$b[' ']", "$h[' ']", '$g', '$t'],
  );
  assert.deepEqual(
    matchesAt(SLOT_ASSIGN, code, assignmentStarts(code, 'required', 40, true, false)).map((m) => [m[1], m[2]]),
    [["$h['s']", "'assert'"]],
  );
  assert.deepEqual(
    matchesAt(CHAR_ARRAY, code, assignedFrom(code, 'array')).map((m) => m[1]),
    ['$t'],
  );
});
