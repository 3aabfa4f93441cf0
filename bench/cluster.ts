/**
 * The cluster end to end on this machine (issue #18, check 3): planted logs shipped to NATS
 * JetStream and processed by 1, 2 and 3 `warden worker` processes into PostgreSQL. One
 * machine cannot show scaling (the workers share its two cores with NATS, PostgreSQL and the
 * shipper), so next to events/s it prints what each worker's CPU cost is and the overhead
 * against an in-process `hunt` over the same files; then the time a worker needs to catch up
 * after an outage during which events kept arriving.
 *
 * Env: WARDEN_BENCH_CLUSTER_EVENTS (default 200000), WARDEN_BENCH_CLUSTER_HOSTS (50),
 * WARDEN_BENCH_CLUSTER_OUTAGE_S (60), WARDEN_BENCH_CLUSTER_RATE (events/s shipped during the
 * outage, default 2000), WARDEN_TEST_NATS, WARDEN_TEST_PG.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectNats, destroyTopology, ensureTopology } from '../src/stream/connect.js';
import { Shipper } from '../src/stream/ship.js';
import { shipFiles } from '../src/stream/ship-files.js';
import { clusterSettings } from '../src/stream/settings.js';
import { readEventBatches } from '../src/input/read.js';
import { openStore } from '../src/store/store.js';
import { runHunt } from '../src/hunt/collect.js';
import { allCommitted, NATS_URL, natsAnswers, plantedLogs, startWorker, stopWorker, until, type WorkerProcess } from '../test/helpers/cluster.js';
import { postgresBackend } from '../test/store/backends.js';

const PARTITIONS = 6;
const quiet = { report: () => undefined };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return 0;
  }
}

function cpuSelf(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export async function run(): Promise<void> {
  const events = Number(process.env.WARDEN_BENCH_CLUSTER_EVENTS ?? 200_000);
  const hosts = Number(process.env.WARDEN_BENCH_CLUSTER_HOSTS ?? 50);
  const outageS = Number(process.env.WARDEN_BENCH_CLUSTER_OUTAGE_S ?? 60);
  const rate = Number(process.env.WARDEN_BENCH_CLUSTER_RATE ?? 2000);
  const nc = await natsAnswers(NATS_URL);
  if (typeof nc === 'string') {
    process.stdout.write(`cluster bench skipped: ${nc}\n`);
    return;
  }
  await nc.close();
  const pg = await postgresBackend();
  if (typeof pg === 'string') {
    process.stdout.write(`cluster bench skipped: ${pg}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-cluster-'));
  try {
    const logs = await plantedLogs(join(dir, 'logs'), { events, hosts, files: Math.max(2, Math.ceil(events / 50_000)) });
    let c0 = cpuSelf();
    let t0 = performance.now();
    const h = await runHunt({ inputs: logs.files, rules: { rulePaths: [logs.rulesDir], builtin: false }, threads: 1, incidents: { windowMs: 3_600_000 } }, quiet);
    const huntS = (performance.now() - t0) / 1000;
    const huntCpu = cpuSelf() - c0;
    process.stdout.write(
      `in-process hunt: ${events.toLocaleString('en-US')} events of ${hosts} hosts, ${h.detections.length} detections: ${huntS.toFixed(1)} s, ${Math.round(events / huntS)} events/s, CPU ${huntCpu.toFixed(1)} s\n`,
    );

    for (const n of [1, 2, 3]) {
      const namespace = `wb${n}${Date.now().toString(36)}`;
      const { url } = await pg.fresh();
      const store = await openStore({ url: url! });
      const workers: WorkerProcess[] = [];
      const conn = await connectNats({ url: NATS_URL });
      try {
        for (let k = 0; k < n; k++) workers.push(startWorker({ nats: NATS_URL, store: url!, namespace, rulesDir: logs.rulesDir, logDir: dir, n: k }));
        // every partition owned before the clock starts
        await until(async () => Number((await store.db.query('SELECT COUNT(*) AS n FROM pipeline_state'))[0]?.n) >= PARTITIONS, 'workers to take the partitions', 60_000);
        await sleep(3000);
        const before = workers.map((w) => cpuOf(w.child.pid));
        c0 = cpuSelf();
        t0 = performance.now();
        await shipFiles({ paths: logs.files, url: NATS_URL, settings: { namespace, partitions: PARTITIONS }, end: true }, quiet);
        const shipS = (performance.now() - t0) / 1000;
        const shipCpu = cpuSelf() - c0;
        await until(() => allCommitted(conn, store, namespace, PARTITIONS), 'all committed', 60 * 60_000);
        const s = (performance.now() - t0) / 1000;
        const cpu = workers.map((w, i) => cpuOf(w.child.pid) - before[i]!);
        const total = cpu.reduce((a, b) => a + b, 0);
        const stored = (await store.alerts.counts()).detections;
        process.stdout.write(
          `${n} worker${n > 1 ? 's' : ' '}: ${Math.round(events / s)} events/s end to end (${s.toFixed(1)} s; shipping ${shipS.toFixed(1)} s, shipper CPU ${shipCpu.toFixed(1)} s); ` +
            `worker CPU ${cpu.map((c) => c.toFixed(1)).join(' + ')} = ${total.toFixed(1)} s = ${((total / events) * 1e6).toFixed(1)} µs/event; ` +
            `vs in-process hunt: ${(s / huntS).toFixed(1)}x the time, ${((total + shipCpu) / huntCpu).toFixed(1)}x the CPU; ${stored} detections stored\n`,
        );
      } finally {
        await Promise.all(workers.map((w) => stopWorker(w)));
        await destroyTopology(conn, namespace);
        await conn.close();
        await store.close();
      }
    }

    // Lag recovery: the only worker is down for the outage while events keep arriving.
    const namespace = `wbo${Date.now().toString(36)}`;
    const { url } = await pg.fresh();
    const store = await openStore({ url: url! });
    const conn = await connectNats({ url: NATS_URL });
    let worker: WorkerProcess | undefined;
    try {
      const backlog = await plantedLogs(join(dir, 'outage'), { events: Math.ceil(outageS * rate), hosts, files: 1, seed: 99, hostPrefix: 'APP' });
      worker = startWorker({ nats: NATS_URL, store: url!, namespace, rulesDir: logs.rulesDir, logDir: dir, n: 9 });
      await until(async () => Number((await store.db.query('SELECT COUNT(*) AS n FROM pipeline_state'))[0]?.n) >= PARTITIONS, 'the worker to start', 60_000);
      const killed = worker.child.exitCode === null ? worker.child.kill('SIGKILL') : false;
      await stopWorker(worker);
      const topology = await ensureTopology(conn, clusterSettings({ namespace, partitions: PARTITIONS }));
      const shipper = new Shipper(conn, topology);
      t0 = performance.now();
      let sent = 0;
      for await (const batch of readEventBatches(backlog.files, {}, quiet)) {
        await shipper.add(batch);
        sent += batch.length;
        const ahead = sent / rate - (performance.now() - t0) / 1000;
        if (ahead > 0) await sleep(ahead * 1000);
      }
      await shipper.finish({ end: true });
      const outage = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      worker = startWorker({ nats: NATS_URL, store: url!, namespace, rulesDir: logs.rulesDir, logDir: dir, n: 10, lease: '2s' });
      await until(() => allCommitted(conn, store, namespace, PARTITIONS), 'the backlog', 60 * 60_000);
      const rec = (performance.now() - t1) / 1000;
      process.stdout.write(
        `lag recovery: worker ${killed ? 'killed (SIGKILL)' : 'down'} for ${outage.toFixed(0)} s while ${sent.toLocaleString('en-US')} events arrived (${rate}/s); ` +
          `restarted, it caught up in ${rec.toFixed(1)} s (lease expiry included), ${Math.round(sent / rec)} events/s, ${(outage / rec).toFixed(1)}x faster than they came\n`,
      );
    } finally {
      if (worker) await stopWorker(worker);
      await destroyTopology(conn, namespace);
      await conn.close();
      await store.close();
    }
  } finally {
    await pg.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await run();
