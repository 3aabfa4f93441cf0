/**
 * Correlation and incident state stay within their budgets on hostile input: a correlation
 * grouped by a field that is new on every event, with a timespan longer than the input, over a
 * few hundred thousand matches, in a child process whose heap is far too small to hold them — it finishes,
 * with one warning per budget, instead of running out of memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

async function child(): Promise<void> {
  const { Pipeline } = await import('../../src/engine/pipeline.js');
  const { parseCorrelations, resolveCorrelations } = await import('../../src/sigma/correlations.js');
  const { ProblemList } = await import('../../src/errors.js');
  const { parse } = await import('yaml');
  const problems = new ProblemList();
  const rule = { id: 'r1', name: 'r1', title: 'every request', level: 'low' as const, status: 'test', author: 't', tags: [], references: [] };
  const doc = parse('title: many sessions\ncorrelation: {type: event_count, rules: [r1], group-by: [Session], timespan: 30d, generate: true, condition: {gte: 3}}') as unknown;
  const corr = resolveCorrelations(parseCorrelations([{ file: 'c.yml', doc }], problems), [rule], problems);
  const p = new Pipeline(
    { correlations: corr },
    { outOfOrderToleranceMs: Number.POSITIVE_INFINITY, maxGroups: 5_000, maxBuffered: 15_000, incidents: { windowMs: 3_600_000, maxOpen: 2_000 }, problems },
  );
  const N = 200_000;
  const t0 = Date.UTC(2026, 0, 1);
  let out = 0;
  for (let i = 0; i < N; i += 1000) {
    const batch = [];
    for (let j = i; j < i + 1000; j++) {
      batch.push({
        id: `d${j}`,
        kind: 'rule' as const,
        rule,
        timestamp: t0 + j,
        host: `h${j % 7}`,
        origin: { file: 'big.log', record: j + 1, format: 'access' },
        logsource: {},
        event: { Session: `s${j}`, User: `u${j}` },
      });
    }
    out += p.pushDetections(batch).detections.length;
  }
  out += p.flush().detections.length;
  const warnings = problems.problems.map((x) => x.message.slice(0, 60));
  process.stdout.write(JSON.stringify({ out, warnings, heapMb: Math.round(process.memoryUsage().heapUsed / 1e6) }));
}

if (process.argv[2] === '--child') {
  await child();
} else {
  test('200,000 matches of a high-cardinality, month-long correlation fit a 64 MB heap', () => {
    const r = spawnSync(process.execPath, ['--max-old-space-size=64', here, '--child'], { encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const res = JSON.parse(r.stdout) as { out: number; warnings: string[]; heapMb: number };
    assert.equal(res.out, 200_000, 'every base detection went out');
    assert.equal(res.warnings.filter((w) => w.startsWith('correlation: more than 15000')).length, 1);
    assert.equal(res.warnings.filter((w) => w.startsWith('incidents: more than 15000')).length, 1);
    assert.equal(res.warnings.filter((w) => w.includes('more than 5000 groups')).length, 1);
    assert.equal(res.warnings.filter((w) => w.startsWith('incidents: more than 2000 open')).length, 1);
  });
}
