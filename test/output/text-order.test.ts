/**
 * Summary lists (hosts, rules, incidents) are ordered without ICU collation: case-insensitive
 * first, so "alpha" and "Alpha" sit together, then by code unit so the order is total.
 * Numbers are grouped by hand the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareText, formatCount } from '../../src/output/text-table.js';

test('compareText orders case-insensitively, then by code unit, and is total', () => {
  const names = ['web02', 'Beta', 'alpha', 'WEB01', 'Alpha', 'beta', ''];
  assert.deepEqual([...names].sort(compareText), ['', 'Alpha', 'alpha', 'Beta', 'beta', 'WEB01', 'web02']);
  assert.equal(compareText('same', 'same'), 0);
  assert.equal(Math.sign(compareText('a', 'B')), -1);
  assert.equal(Math.sign(compareText('B', 'a')), 1);
});

test('formatCount groups thousands like en-US', () => {
  assert.deepEqual([0, 999, 1000, 1234567, -4500].map(formatCount), ['0', '999', '1,000', '1,234,567', '-4,500']);
  assert.equal(formatCount(1.5), (1.5).toLocaleString('en-US'));
});
