import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fittedGrowth } from '../../bench/trend.js';

test('fittedGrowth: a steady climb is its own growth', () => {
  // 100 → 150 over the span: +50%
  assert.equal(fittedGrowth([2, 4, 6, 8, 10], [100, 112.5, 125, 137.5, 150]), 0.5);
});

test('fittedGrowth: a swing around a level has no trend, whatever the last reading', () => {
  // The serve bench's 10M-event RSS readings from 2M on: single readings say +9.1%, the line ~-1%.
  const xs = [2, 3, 4, 5, 6, 7, 8, 9, 10];
  const ys = [307, 344, 330, 343, 325, 348, 303, 315, 335];
  const g = fittedGrowth(xs, ys);
  assert.ok(g > -0.02 && g < 0, `fitted growth ${g}`);
  // a leak of 5 MB per step on the same swing shows
  assert.ok(
    fittedGrowth(
      xs,
      ys.map((y, i) => y + 5 * i),
    ) > 0.1,
  );
});

test('fittedGrowth: fewer than two points or one x is no growth', () => {
  assert.equal(fittedGrowth([], []), 0);
  assert.equal(fittedGrowth([1], [5]), 0);
  assert.equal(fittedGrowth([3, 3], [1, 9]), 0);
});
