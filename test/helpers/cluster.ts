/**
 * The cluster's test bench: planted logs (many hosts, web-shell sequences spread over minutes
 * of event time), the rules that find them, workers as child processes, a NATS server of a
 * test's own, and the comparison of what the cluster stored with a local `warden hunt`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { runHunt } from '../../src/hunt/collect.js';
import { ProblemList } from '../../src/errors.js';
import { clusterNames } from '../../src/stream/settings.js';
import type { Store } from '../../src/store/store.js';
import { prng } from './prng.js';
import { repoRoot } from './shared.js';

export const NATS_URL = process.env['WARDEN_TEST_NATS'] ?? 'nats://127.0.0.1:4222';
export const CLI = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');

const RULES: Record<string, string> = {
  'webshell-child.yml': `title: IIS worker starts a shell (cluster test)
id: 0c5d3f9e-1a2b-4c3d-8e4f-5a6b7c8d9e01
name: t_webshell_child
status: test
level: high
author: Warden tests
tags: [attack.persistence, attack.t1505.003]
logsource: {product: windows, category: process_creation}
detection:
  sel: {ParentImage|endswith: '\\w3wp.exe', Image|endswith: '\\cmd.exe'}
  condition: sel
`,
  'recon-whoami.yml': `title: whoami (cluster test)
id: 0c5d3f9e-1a2b-4c3d-8e4f-5a6b7c8d9e02
name: t_recon_whoami
status: test
level: medium
author: Warden tests
tags: [attack.discovery, attack.t1033]
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\\whoami.exe'}
  condition: sel
`,
  'corr-shell-then-recon.yml': `title: Web shell then recon on one host (cluster test)
id: 0c5d3f9e-1a2b-4c3d-8e4f-5a6b7c8d9e03
status: test
level: critical
author: Warden tests
tags: [attack.t1505.003]
correlation:
  type: temporal_ordered
  rules: [t_webshell_child, t_recon_whoami]
  group-by: [host]
  timespan: 5m
`,
  'corr-recon-burst.yml': `title: Three whoami within ten minutes (cluster test)
id: 0c5d3f9e-1a2b-4c3d-8e4f-5a6b7c8d9e04
status: test
level: high
author: Warden tests
tags: [attack.t1033]
correlation:
  type: event_count
  rules: [t_recon_whoami]
  group-by: [host]
  timespan: 10m
  condition: {gte: 3}
`,
};

export interface PlantedLogs {
  files: string[];
  rulesDir: string;
  events: number;
  planted: number;
}

const T0 = Date.UTC(2026, 0, 5);

function sysmon(host: string, rid: number, t: number, image: string, parent: string, cmd: string): string {
  return `{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Computer":"${host}","EventRecordID":${rid},"UtcTime":"${new Date(t).toISOString().replace('T', ' ').replace('Z', '')}","Image":${JSON.stringify(image)},"ParentImage":${JSON.stringify(parent)},"CommandLine":${JSON.stringify(cmd)},"User":"CORP\\\\svc"}\n`;
}

/**
 * `events` Sysmon process events of `hosts` hosts, one every 200 ms of event time, in time
 * order across `files` files. Every ~`every` events a sequence starts on a random host: w3wp
 * starts cmd, then 1-4 whoami follow over the next 0-4 minutes (so sequences straddle files,
 * fetches, commits and crashes); some whoami come alone.
 */
export async function plantedLogs(dir: string, opts: { events: number; hosts: number; files: number; seed?: number; every?: number; hostPrefix?: string }): Promise<PlantedLogs> {
  mkdirSync(dir, { recursive: true });
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir, { recursive: true });
  for (const [name, text] of Object.entries(RULES)) writeFileSync(join(rulesDir, name), text);
  const rnd = prng(opts.seed ?? 18);
  const every = opts.every ?? 400;
  const rid = new Array<number>(opts.hosts).fill(0);
  const hostName = (h: number): string => `${opts.hostPrefix ?? 'WEB'}${String(h).padStart(3, '0')}.corp.example`;
  // planned[i]: what event i is, when it is not benign
  const planned = new Map<number, { host: number; image: string; parent: string }>();
  let planted = 0;
  for (let i = 0; i < opts.events; i += Math.max(1, Math.floor(every * (0.5 + rnd())))) {
    const host = Math.floor(rnd() * opts.hosts);
    if (rnd() < 0.8) {
      planted++;
      planned.set(i, { host, image: 'C:\\Windows\\System32\\cmd.exe', parent: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe' });
    }
    const n = 1 + Math.floor(rnd() * 4);
    for (let k = 0; k < n; k++) {
      const j = i + 1 + Math.floor(rnd() * 1200);
      if (j < opts.events && !planned.has(j)) planned.set(j, { host, image: 'C:\\Windows\\System32\\whoami.exe', parent: 'C:\\Windows\\System32\\cmd.exe' });
    }
  }
  const files: string[] = [];
  const perFile = Math.ceil(opts.events / opts.files);
  for (let f = 0; f * perFile < opts.events; f++) {
    const path = join(dir, `events-${String(f).padStart(3, '0')}.jsonl`);
    files.push(path);
    const out = createWriteStream(path);
    let buf = '';
    for (let i = f * perFile; i < Math.min(opts.events, (f + 1) * perFile); i++) {
      const p = planned.get(i);
      const host = p?.host ?? Math.floor(rnd() * opts.hosts);
      rid[host]!++;
      buf += p
        ? sysmon(hostName(host), rid[host]!, T0 + i * 200, p.image, p.parent, `${p.image} #${i}`)
        : sysmon(hostName(host), rid[host]!, T0 + i * 200, 'C:\\Windows\\System32\\svchost.exe', 'C:\\Windows\\System32\\services.exe', `svchost.exe -k netsvcs #${i}`);
      if (buf.length > 1 << 20) {
        if (!out.write(buf)) await once(out, 'drain');
        buf = '';
      }
    }
    out.end(buf);
    await once(out, 'finish');
  }
  return { files, rulesDir, events: opts.events, planted };
}

export interface ClusterResult {
  detections: string[];
  /** incident id → its member detection ids, sorted (merged-away incidents left out). */
  incidents: Map<string, string[]>;
}

export async function huntResult(logs: PlantedLogs): Promise<ClusterResult> {
  const problems = new ProblemList();
  const r = await runHunt({ inputs: logs.files, rules: { rulePaths: [logs.rulesDir], builtin: false }, threads: 1, incidents: { windowMs: 3_600_000 } }, problems);
  if (problems.problems.length) throw new Error(`hunt reported problems: ${JSON.stringify(problems.problems.slice(0, 3))}`);
  const incidents = new Map<string, string[]>();
  for (const c of r.incidents) if (c.incident.status !== 'merged') incidents.set(c.incident.id, c.members.map((m) => m.id).sort());
  return { detections: r.detections.map((d) => d.id).sort(), incidents };
}

export async function storedResult(store: Store): Promise<ClusterResult> {
  const detections = await store.alerts.detectionIds();
  const rows = await store.db.query("SELECT i.id AS id, m.detection_id AS d FROM incidents i JOIN incident_members m ON m.incident_id = i.id WHERE i.status <> 'merged'");
  const incidents = new Map<string, string[]>();
  for (const r of rows) {
    const id = String(r.id);
    if (!incidents.has(id)) incidents.set(id, []);
    incidents.get(id)!.push(String(r.d));
  }
  for (const v of incidents.values()) v.sort();
  const open = await store.db.query("SELECT COUNT(*) AS n FROM incidents WHERE status = 'open'");
  if (Number(open[0]?.n) > 0) throw new Error(`${String(open[0]?.n)} incidents are still open`);
  return { detections, incidents };
}

export async function natsAnswers(url: string): Promise<NatsConnection | string> {
  try {
    const nc = await connect({ servers: url, timeout: 3000, maxReconnectAttempts: 0 });
    const jsm = await jetstreamManager(nc);
    await jsm.getAccountInfo();
    return nc;
  } catch (e) {
    return `no NATS server with JetStream answers at ${url} (${(e as Error).message})`;
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  log: string;
}

export function startWorker(o: { nats: string; store: string; namespace: string; rulesDir: string; logDir: string; n: number; lease?: string }): WorkerProcess {
  const log = join(o.logDir, `worker-${o.n}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(
    process.execPath,
    [CLI, 'worker', '--jetstream', o.nats, '--store', o.store, '--namespace', o.namespace, '--no-builtin', '-r', o.rulesDir, '--lease', o.lease ?? '3s', '--log-level', 'warn'],
    { stdio: ['ignore', fd, fd] },
  );
  return { child, log };
}

export async function stopWorker(w: WorkerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  const exited = once(w.child, 'exit');
  w.child.kill(signal);
  await exited;
}

/** True once every partition's committed sequence has reached the last message of its subject. */
export async function allCommitted(nc: NatsConnection, store: Store, namespace: string, partitions: number): Promise<boolean> {
  const names = clusterNames(namespace);
  const jsm = await jetstreamManager(nc);
  const saved = new Map((await store.db.query('SELECT partition, positions FROM pipeline_state')).map((r) => [String(r.partition), String(r.positions)]));
  for (let p = 0; p < partitions; p++) {
    let last = 0;
    try {
      const m = await jsm.streams.getMessage(names.stream, { last_by_subj: names.subject(p) });
      last = m?.seq ?? 0;
    } catch (e) {
      if (/no message found/i.test((e as Error).message)) continue; // nothing published to this partition
      return false; // NATS busy or restarting: not known yet
    }
    const pos = saved.get(names.stateKey(p));
    const seq = pos ? (JSON.parse(pos) as { seq: number }).seq : 0;
    if (seq < last) return false;
  }
  return true;
}

export async function until(pred: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await pred()) return;
    } catch {
      // NATS or the store between restarts: ask again
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

export const NATS_SERVER = process.env['WARDEN_TEST_NATS_SERVER'] ?? '/usr/sbin/nats-server';

/** A nats-server of the test's own (JetStream in `dir`), so restarting it disturbs nobody else. */
export async function startNatsServer(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', resolve(dir)], { stdio: 'ignore' });
  const up = async (): Promise<boolean> => {
    const nc = await natsAnswers(`nats://127.0.0.1:${port}`);
    if (typeof nc === 'string') return false;
    await nc.close();
    return true;
  };
  await until(up, `nats-server on port ${port}`, 15_000).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  return child;
}
