/** A short seeded fuzz run of every target (the long one is `npm run fuzz`). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from './harness.js';

test('a seeded fuzz run over every input target finds no crash, hang or runaway memory', async () => {
  const r = await runFuzz({ seed: 1505, durationMs: Number(process.env.WARDEN_FUZZ_MS ?? 20_000), hangMs: 10_000, maxRssMb: 1024 });
  assert.deepEqual(
    r.findings.map((f) => `${f.kind} ${f.target} #${f.iteration} ${f.how}: ${f.detail}`),
    [],
  );
  assert.ok(r.iterations > 50, `ran ${r.iterations} inputs`);
});
