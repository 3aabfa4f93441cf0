/**
 * PendingGroups must behave as the Map<number, group> in insertion order it replaces, whatever
 * the sequence of sets and deletes (the auditd decoder ages groups oldest first from it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingGroups } from '../../../src/input/text/auditd-pending.js';
import { prng } from '../../helpers/prng.js';

interface G {
  serial: number;
  id: number;
}

function contents(p: PendingGroups<G>): G[] {
  if (p.solo !== undefined) return [p.solo];
  return p.map === undefined ? [] : [...p.map.values()];
}

test('PendingGroups: get, set, delete, size and order as a Map', () => {
  const rnd = prng(17);
  const p = new PendingGroups<G>();
  const m = new Map<number, G>();
  for (let i = 0; i < 50_000; i++) {
    const serial = Math.floor(rnd() * (rnd() < 0.8 ? 3 : 12));
    const r = rnd();
    if (r < 0.45) {
      const g = { serial, id: i };
      p.set(serial, g);
      m.set(serial, g);
    } else if (r < 0.9) {
      p.delete(serial);
      m.delete(serial);
    }
    assert.equal(p.size, m.size, `op ${i}`);
    assert.equal(p.get(serial), m.get(serial));
    assert.deepStrictEqual(contents(p), [...m.values()], `op ${i}`);
    // At most one of the two holders is in use.
    assert.ok(p.solo === undefined || p.map === undefined || p.map.size === 0);
  }
});

test('PendingGroups: a lone group is held without a Map, a second one keeps it first', () => {
  const p = new PendingGroups<G>();
  const a = { serial: 7, id: 1 };
  const b = { serial: 8, id: 2 };
  p.set(7, a);
  assert.equal(p.solo, a);
  assert.equal(p.map, undefined);
  p.set(8, b);
  assert.equal(p.solo, undefined);
  assert.deepStrictEqual([...p.map!.keys()], [7, 8]);
  p.delete(7);
  p.delete(8);
  assert.equal(p.size, 0);
  const c = { serial: 9, id: 3 };
  p.set(9, c);
  assert.equal(p.solo, c);
  assert.equal(p.get(9), c);
  assert.equal(p.get(7), undefined);
});
