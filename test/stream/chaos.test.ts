/**
 * Check 2 of the cluster (issue #18): while planted logs are shipped and three workers
 * process them, a worker is killed with SIGKILL five times at random moments and started
 * again, and the NATS server itself is restarted once. The detections and incidents in
 * PostgreSQL still equal a local `warden hunt`, id for id: nothing doubled, nothing missing,
 * and the sequences that straddled a crash are found.
 *
 * The test runs a nats-server of its own (a free port, its own storage folder), so the
 * restart disturbs nobody; it skips with the reason when nats-server or PostgreSQL is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProblemList } from '../../src/errors.js';
import { shipFiles } from '../../src/stream/ship-files.js';
import { openStore } from '../../src/store/store.js';
import {
  allCommitted,
  freePort,
  huntResult,
  NATS_SERVER,
  natsAnswers,
  plantedLogs,
  startNatsServer,
  startWorker,
  stopWorker,
  storedResult,
  until,
  type WorkerProcess,
} from '../helpers/cluster.js';
import { prng } from '../helpers/prng.js';
import { postgresBackend } from '../store/backends.js';

const EVENTS = Number(process.env['WARDEN_CHAOS_EVENTS'] ?? 50_000);
const PARTITIONS = 6;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('chaos: 5 × kill -9 of a worker and a NATS restart during the run change nothing', { timeout: 20 * 60_000 }, async (t) => {
  if (!existsSync(NATS_SERVER)) return t.skip(`no nats-server at ${NATS_SERVER} (set WARDEN_TEST_NATS_SERVER); the chaos test is skipped`);
  const pg = await postgresBackend();
  if (typeof pg === 'string') return t.skip(pg);
  const dir = mkdtempSync(join(tmpdir(), 'warden-chaos-'));
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const namespace = 'chaos';
  let nats: ChildProcess | undefined;
  const workers: WorkerProcess[] = [];
  const { url: storeUrl } = await pg.fresh();
  const store = await openStore({ url: storeUrl! });
  const rnd = prng(2);
  try {
    nats = await startNatsServer(port, join(dir, 'jetstream'));
    const logs = await plantedLogs(join(dir, 'logs'), { events: EVENTS, hosts: 20, files: 10, seed: 7 });
    const expected = await huntResult(logs);
    const start = (n: number): void => {
      workers[n] = startWorker({ nats: url, store: storeUrl!, namespace, rulesDir: logs.rulesDir, logDir: dir, n, lease: '2s' });
    };
    for (let n = 0; n < 3; n++) start(n);

    // shipping, one file at a time with pauses, while the chaos goes on
    const problems = new ProblemList();
    let shipped = 0;
    const shipping = (async () => {
      for (let i = 0; i < logs.files.length; i++) {
        const st = await shipFiles({ paths: [logs.files[i]!], url, settings: { namespace, partitions: PARTITIONS }, end: i === logs.files.length - 1 }, problems);
        shipped += st.events;
        await sleep(600);
      }
    })();
    const kills: string[] = [];
    for (let k = 0; k < 5; k++) {
      await sleep(800 + Math.floor(rnd() * 1500));
      const n = Math.floor(rnd() * 3);
      const w = workers[n]!;
      const exited = once(w.child, 'exit');
      w.child.kill('SIGKILL');
      await exited;
      kills.push(`worker ${n} after ${shipped} events shipped`);
      if (k === 2) {
        // the NATS server goes down and comes back (its stream and consumers on disk)
        const down = once(nats, 'exit');
        nats.kill('SIGTERM');
        await down;
        await sleep(500);
        nats = await startNatsServer(port, join(dir, 'jetstream'));
        kills.push('NATS restarted');
      }
      await sleep(200 + Math.floor(rnd() * 800));
      start(n);
    }
    await shipping;
    assert.equal(problems.count, 0);
    assert.equal(shipped, EVENTS);
    const nc = await natsAnswers(url);
    if (typeof nc === 'string') throw new Error(nc);
    try {
      await until(() => allCommitted(nc, store, namespace, PARTITIONS), 'every partition committed after the chaos', 10 * 60_000);
    } finally {
      await nc.close();
    }
    t.diagnostic(`chaos: ${kills.join('; ')}; ${expected.detections.length} detections, ${expected.incidents.size} incidents expected`);
    const got = await storedResult(store);
    assert.deepEqual(got.detections, expected.detections, 'the same detections, none doubled, none missing');
    assert.deepEqual([...got.incidents.keys()].sort(), [...expected.incidents.keys()].sort(), 'the same incidents');
    for (const [id, members] of expected.incidents) assert.deepEqual(got.incidents.get(id), members, `incident ${id} has the same members`);
    const takeovers = (await store.db.query('SELECT positions FROM pipeline_state')).map((r) => (JSON.parse(String(r.positions)) as { epoch: number }).epoch);
    assert.ok(takeovers.length === PARTITIONS);
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w)));
    if (nats && nats.exitCode === null) {
      const down = once(nats, 'exit');
      nats.kill('SIGTERM');
      await down;
    }
    await store.close();
    await pg.cleanup();
    if (!process.env['WARDEN_CLUSTER_KEEP']) rmSync(dir, { recursive: true, force: true });
  }
});
