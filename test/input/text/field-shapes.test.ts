import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldValue, Fields } from '../../../src/event/event.js';
import { addField, buildFields, mixShape } from '../../../src/input/text/field-shapes.js';
import { prng } from '../../helpers/prng.js';

/** What buildFields must equal: the keys added (repeats collected) and then assigned, one by one. */
function reference(keys: string[], vals: FieldValue[], sets: number): Fields {
  const f: Fields = {};
  for (let i = 0; i < sets; i++) addField(f, keys[i]!, vals[i] as string);
  for (let i = sets; i < keys.length; i++) f[keys[i]!] = vals[i]!;
  return f;
}

function hashOf(keys: string[]): number {
  let h = 0;
  for (const k of keys) h = mixShape(h, k.length * 131 + k.charCodeAt(0));
  return h;
}

function same(a: Fields, b: Fields): void {
  // Key order is part of the result (JSON output, field listings).
  assert.deepStrictEqual(Object.keys(a), Object.keys(b));
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  const pa: unknown = Object.getPrototypeOf(a);
  const pb: unknown = Object.getPrototypeOf(b);
  // A `__proto__` key replaces the prototype (with a fresh array each time): compare its contents then.
  if (pa === Object.prototype || pb === Object.prototype) {
    assert.equal(pa, pb);
    assert.deepStrictEqual(a, b);
  } else assert.deepStrictEqual(pa, pb);
}

test('buildFields: repeated keys become arrays in order, assigned keys replace in place', () => {
  const keys = ['name', 'pid', 'name', 'type', 'name', 'type', 'a0'];
  const vals = ['x', '1', 'y', 'T', 'z', 'SYSCALL', 'ls'];
  const f = buildFields(keys, vals, keys.length, 5, hashOf(keys));
  same(f, { name: ['x', 'y', 'z'], pid: '1', type: 'SYSCALL', a0: 'ls' });
  // The same shape again (now from the cache), with other values.
  const vals2: FieldValue[] = ['p', '2', 'q', 'U', 'r', ['A', 'B'], 'id'];
  same(buildFields(keys, vals2, keys.length, 5, hashOf(keys)), reference(keys, vals2, 5));
});

test('buildFields: names that are not plain, or that objects inherit, give what key-by-key stores give', () => {
  for (const odd of ['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'a b', '0', '12', 'x"y', '', 'é', 'old-auid']) {
    for (const keys of [
      ['a', odd, 'b'],
      [odd, odd, 'c'],
      ['d', odd],
    ]) {
      const vals = keys.map((_, i) => `v${i}`);
      for (const sets of [keys.length, 1, 0]) same(buildFields(keys, vals, keys.length, sets, hashOf(keys)), reference(keys, vals, sets));
    }
  }
});

test('buildFields: random key sequences match the key-by-key result, also when hashes collide', () => {
  const rnd = prng(99);
  const names = ['a', 'b', 'c', 'name', 'type', 'a0', 'a1', 'SYSCALL', 'x-y', 'toString', '1'];
  for (let i = 0; i < 3000; i++) {
    const n = Math.floor(rnd() * 12);
    const keys = Array.from({ length: n }, () => names[Math.floor(rnd() * names.length)]!);
    const sets = Math.floor(rnd() * (n + 1));
    // Added values are strings (scanned text); assigned ones may be lists.
    const vals: FieldValue[] = keys.map((_, j) => (j >= sets && rnd() < 0.3 ? [`l${j}`] : `v${j}`));
    // A constant hash sends every shape to one bucket: only the key comparison tells them apart.
    const hash = i % 2 === 0 ? hashOf(keys) : 7;
    same(buildFields(keys, vals, n, sets, hash), reference(keys, vals, sets));
  }
});

test('buildFields: only the first n entries count', () => {
  const keys = ['a', 'b', 'stale'];
  const vals = ['1', '2', 'old'];
  same(buildFields(keys, vals, 2, 2, hashOf(['a', 'b'])), { a: '1', b: '2' });
});
