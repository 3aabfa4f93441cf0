/** Field maps compared as Warden's output sees them. */
import assert from 'node:assert/strict';
import type { Fields } from '../../src/event/event.js';

/** Same keys in the same order, same JSON, plain prototype (a `__proto__` key never replaces it), deep-equal. */
export function sameFields(a: Fields, b: Fields): void {
  // key order is part of the result (JSON output, field listings)
  assert.deepStrictEqual(Object.keys(a), Object.keys(b));
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  assert.equal(Object.getPrototypeOf(a), Object.prototype);
  assert.equal(Object.getPrototypeOf(b), Object.prototype);
  assert.deepStrictEqual(a, b);
}
