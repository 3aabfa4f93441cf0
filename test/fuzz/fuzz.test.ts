/**
 * A short seeded fuzz run of every target (the long one is `npm run fuzz`): the first inputs of
 * one seed, so every machine runs the same inputs (a slow one may stop early at the time cap).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from './harness.js';

test('a seeded fuzz run over every input target finds no crash, hang or runaway memory', async (t) => {
  const r = await runFuzz({
    seed: 1505,
    maxIterations: Number(process.env.WARDEN_FUZZ_INPUTS ?? 3000),
    durationMs: Number(process.env.WARDEN_FUZZ_MS ?? 90_000),
    hangMs: 10_000,
    maxRssMb: 1024,
  });
  for (const c of r.cleared) t.diagnostic(`suspected, not reproduced alone: ${c}`);
  t.diagnostic(`${r.iterations} inputs`);
  assert.deepEqual(
    r.findings.map((f) => `${f.kind} ${f.target} #${f.iteration} ${f.how}: ${f.detail}`),
    [],
  );
  assert.ok(r.iterations > 50, `ran ${r.iterations} inputs`);
});
