import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldValue, Fields } from '../../../src/event/event.js';
import { buildFields, cachedShapes, mixShape } from '../../../src/input/text/field-shapes.js';
import { addField, setField } from '../../../src/input/field-map.js';
import { sameFields as same } from '../../helpers/same-fields.js';
import { prng } from '../../helpers/prng.js';

/** What buildFields must equal: the keys added (repeats collected) and then assigned, one by one. */
function reference(keys: string[], vals: FieldValue[], sets: number): Fields {
  const f: Fields = {};
  for (let i = 0; i < sets; i++) addField(f, keys[i]!, vals[i] as string);
  for (let i = sets; i < keys.length; i++) setField(f, keys[i]!, vals[i]!);
  return f;
}

function hashOf(keys: string[]): number {
  let h = 0;
  for (const k of keys) h = mixShape(h, k.length * 131 + k.charCodeAt(0));
  return h;
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
      // Twice: the first sighting takes the generic path, the second the compiled one.
      for (const sets of [keys.length, 1, 0]) for (let k = 0; k < 2; k++) same(buildFields(keys, vals, keys.length, sets, hashOf(keys)), reference(keys, vals, sets));
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

test('buildFields: names objects inherit are kept as own fields, never as the prototype', () => {
  const keys = ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf', 'toString'];
  const vals = ['a', 'b', 'c', 'd', 'e', 'f'];
  for (let k = 0; k < 3; k++) {
    const f = buildFields(keys, vals, keys.length, keys.length, hashOf(keys));
    assert.equal(Object.getPrototypeOf(f), Object.prototype);
    assert.deepStrictEqual(Object.keys(f), ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf']);
    assert.equal(JSON.stringify(f), '{"toString":["a","f"],"constructor":"b","hasOwnProperty":"c","__proto__":"d","valueOf":"e"}');
    assert.ok(Object.hasOwn(f, '__proto__'));
  }
});

test('buildFields: a stream of ever-new layouts keeps the shape cache bounded and still decodes each exactly', () => {
  for (let i = 0; i < 5000; i++) {
    const keys = [`k${i}`, 'pid', `x${i % 7}`];
    const vals = [`v${i}`, String(i), 'x'];
    const f = buildFields(keys, vals, 3, 3, hashOf(keys) + i);
    assert.deepStrictEqual(f, { [`k${i}`]: `v${i}`, pid: String(i), [`x${i % 7}`]: 'x' });
    assert.ok(cachedShapes() <= 512, `${cachedShapes()} shapes cached`);
  }
  // A layout in steady use survives the churn around it.
  const keys = ['steady', 'pid'];
  for (let i = 0; i < 2000; i++) {
    buildFields(keys, ['s', String(i)], 2, 2, hashOf(keys));
    buildFields([`churn${i}`], ['c'], 1, 1, 12345 + i);
  }
  assert.deepStrictEqual(buildFields(keys, ['s', 'last'], 2, 2, hashOf(keys)), { steady: 's', pid: 'last' });
});

test('buildFields: only the first n entries count', () => {
  const keys = ['a', 'b', 'stale'];
  const vals = ['1', '2', 'old'];
  same(buildFields(keys, vals, 2, 2, hashOf(['a', 'b'])), { a: '1', b: '2' });
});
