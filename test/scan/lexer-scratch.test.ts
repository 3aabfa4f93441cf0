/**
 * The lexer blanks one-byte texts in bytes it keeps from one text to the next: a text's result
 * must not depend on what was blanked before it (longer texts leave stale bytes past a shorter
 * one's end), and a result handed out must not change when the bytes are reused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIKE_LEX, PHP_LEX, VB_LEX, blankStrings, stripComments, type LexSpec } from '../../src/scan/lexer.js';

const PIECES = ['<?php ', '?>', '<%', '%>', '// c\n', '# h\n', '/* b */', "' vb\n", '"s"', "'q'", '"a\\"b"', '`t`', 'x = 1;', '\n', '  ', 'html <b>', '/*', '"', "'", 'é'];

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function texts(seed: number): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (let n = 0; n < 300; n++) {
    // a few long ones among the short: each reuse meets bytes a longer text left behind
    const parts = n % 37 === 0 ? 20000 : 1 + Math.floor(r() * 40);
    let s = '';
    for (let k = 0; k < parts; k++) s += PIECES[Math.floor(r() * PIECES.length)];
    out.push(s);
  }
  return out;
}

const SPECS: LexSpec[] = [PHP_LEX, CLIKE_LEX, { ...VB_LEX, regions: [['<%', '%>']] }];

test('stripComments and blankStrings: the same result whatever was lexed before, and results stay as handed out', () => {
  const all = texts(9);
  const first = all.map((t, i) => {
    const code = stripComments(t, SPECS[i % 3]!);
    return [code, blankStrings(code, '"\'')] as const;
  });
  const kept = first.map(([a, b]) => [a.slice(0), b.slice(0)]);
  // again, backwards: short texts now follow the long ones they came before
  for (let i = all.length - 1; i >= 0; i--) {
    const code = stripComments(all[i]!, SPECS[i % 3]!);
    assert.equal(code, first[i]![0]);
    assert.equal(blankStrings(code, '"\''), first[i]![1]);
  }
  for (let i = 0; i < first.length; i++) assert.deepEqual([first[i]![0], first[i]![1]], kept[i]);
  // (texts made of other characters take the join path: the same blanking)
  assert.equal(stripComments('a // b\nc', CLIKE_LEX), 'a     \nc');
  assert.equal(stripComments('ā // b\nc', CLIKE_LEX), 'ā     \nc');
});
