/**
 * The PHP evaluator's wall-clock cap follows the file's budget: 2 s of the default 5 s, 40% of
 * a larger one, so with a generous budget the step count alone decides and a busy machine gets
 * the same answer as an idle one. The clock is made to jump instead of waiting for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withBudget } from '../../src/scan/budget.js';
import { runConstantPhp } from '../../src/scan/analyzers/php/interp.js';

const SRC = `<?php $s = ''; for ($i = 0; $i < 20000; $i++) { $s .= 'a'; } eval('echo 1;' . substr($s, 0, 0));`;

/** Runs `fn` with the clock 3 s ahead from its third reading on (after the budget and the run have taken their start). */
function withClockJump<T>(fn: () => T): T {
  const real = Date.now;
  let n = 0;
  Date.now = () => real() + (++n > 2 ? 3000 : 0);
  try {
    return fn();
  } finally {
    Date.now = real;
  }
}

test('3 s into a run: past the cap under the default 5 s budget, inside it under a 100 s budget', () => {
  // without the jump the run finishes well inside either cap
  assert.deepEqual(
    withBudget(5000, () => runConstantPhp(SRC)).map((r) => r.code),
    ['echo 1;'],
  );
  const short = withClockJump(() => withBudget(5000, () => runConstantPhp(SRC)));
  assert.deepEqual(
    short.map((r) => r.code),
    [],
  );
  const long = withClockJump(() => withBudget(100_000, () => runConstantPhp(SRC)));
  assert.deepEqual(
    long.map((r) => r.code),
    ['echo 1;'],
  );
});
