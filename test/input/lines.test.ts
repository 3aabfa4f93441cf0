/**
 * The byte-stream line splitter: LF, CRLF and lone-CR line ends (also split across chunks),
 * and no rescanning of the chunk per line — a chunk of CR-only lines (an
 * attacker's log) is split in one pass. The cost is checked by counting, not by timing: the
 * chunk is searched through a wrapper String that counts the characters indexOf walks over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from '../../src/input/lines.js';

function split(chunks: string[]): [string, number][] {
  const out: [string, number][] = [];
  const s = new LineSplitter({ line: (l, n) => out.push([l, n]), tooLong: (n) => out.push(['<too long>', n]) });
  for (const c of chunks) s.push(c);
  s.end();
  return out;
}

test('LF, CRLF and lone CR end lines, also across chunk boundaries', () => {
  assert.deepEqual(split(['a\nb\r\nc\rd']), [
    ['a', 1],
    ['b', 2],
    ['c', 3],
    ['d', 4],
  ]);
  assert.deepEqual(split(['a\r', '\nb\r', 'c\r\r\n']), [
    ['a', 1],
    ['b', 2],
    ['c', 3],
    ['', 4],
  ]);
});

test('a chunk of 20,000 CR-only lines is split in one pass over it', () => {
  const n = 20_000;
  const chunk = `head${'\r'.repeat(n)}tail`;
  let scanned = 0;
  const orig = String.prototype.indexOf;
  // Counts the characters each indexOf call on the chunk walks over (to its hit or the end).
  String.prototype.indexOf = function (this: string, search: string, from?: number): number {
    const r = orig.call(this, search, from);
    if (this.length === chunk.length) scanned += (r < 0 ? this.length : r) - (from ?? 0);
    return r;
  };
  let lines = 0;
  try {
    const s = new LineSplitter({ line: () => lines++, tooLong: () => undefined });
    s.push(chunk);
    s.end();
  } finally {
    String.prototype.indexOf = orig;
  }
  assert.equal(lines, n + 1);
  // Linear: a few passes over the chunk at most (rescanning per line walked ~n²/2 = 2e8).
  assert.ok(scanned < 4 * chunk.length, `indexOf walked ${scanned} characters for a ${chunk.length}-character chunk`);
});
