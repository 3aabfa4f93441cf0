/**
 * Check 3, the crash test: 200,000 events reach `warden serve` (a child process) through a
 * tailed file and through HTTP ingest while the service is `kill -9`ed at 10 random moments
 * and restarted each time. A sender resends a batch until it gets a 2xx. At the end the store
 * holds exactly the detections of a clean run over the same events (compared by id), so no
 * acknowledged batch and no line was lost, and nothing was stored twice.
 *
 * WARDEN_CRASH_EVENTS scales it down for a quick look; WARDEN_CRASH_SEED replays a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/store.js';
import { type Child, freePort, startServe, token } from './helpers/child.js';
import { prng } from '../helpers/prng.js';

const EVENTS = Number(process.env['WARDEN_CRASH_EVENTS'] ?? 200_000);
const KILLS = 10;
const BATCH = 500;
const BASE = Date.parse('2026-12-01T08:00:00Z');

/** Event i: a Sysmon process start (Winlogbeat shape); one in 25 is IIS starting a shell. */
function event(i: number, via: 'tail' | 'http'): string {
  const bad = i % 25 === 0;
  return JSON.stringify({
    '@timestamp': new Date(BASE + i).toISOString(),
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    EventID: 1,
    Computer: `${via === 'tail' ? 'TAIL' : 'HTTP'}${i % 3}.corp.example`,
    EventRecordID: i + 1,
    Image: bad ? 'C:\\Windows\\System32\\cmd.exe' : 'C:\\Program Files\\Contoso\\agent.exe',
    CommandLine: bad ? `cmd.exe /c whoami #${i}` : `agent.exe --tick ${i}`,
    ParentImage: bad ? 'C:\\Windows\\System32\\inetsrv\\w3wp.exe' : 'C:\\Windows\\System32\\services.exe',
    User: bad ? 'IIS APPPOOL\\DefaultAppPool' : 'NT AUTHORITY\\SYSTEM',
    ProcessId: 1000 + (i % 50_000),
  });
}

interface Run {
  root: string;
  data: string;
  tailFile: string;
  config: string;
  port: number;
  ingest: string;
  read: string;
}

async function prepare(name: string): Promise<Run> {
  const root = mkdtempSync(join(tmpdir(), `warden-crash-${name}-`));
  const data = join(root, 'data');
  mkdirSync(join(root, 'feed'));
  const tailFile = join(root, 'feed', 'sysmon.jsonl');
  writeFileSync(tailFile, '');
  const port = await freePort();
  const config = join(root, 'warden.yaml');
  writeFileSync(
    config,
    `data: ${data}
listen: 127.0.0.1:${port}
pipeline: { tolerance: 1s, snapshot_every: 1s }
log: { level: warn }
sources:
  - { name: sysmon, type: tail, paths: ["${tailFile}"] }
`,
  );
  return { root, data, tailFile, config, port, ingest: token('ingest', data), read: token('read', data) };
}

/** The events split between the two paths: tail lines in chunks, HTTP batches. */
function plan(): { tail: string[][]; http: string[][] } {
  const tail: string[][] = [];
  const http: string[][] = [];
  for (let start = 0; start < EVENTS; start += BATCH * 2) {
    const t: string[] = [];
    const h: string[] = [];
    for (let i = start; i < Math.min(EVENTS, start + BATCH * 2); i++) (i % 2 === 0 ? t : h).push(event(i, i % 2 === 0 ? 'tail' : 'http'));
    tail.push(t);
    http.push(h);
  }
  return { tail, http };
}

/** Sends every batch, resending each until it is acknowledged; returns how many were acknowledged. */
async function send(run: Run, batches: string[][], tail: string[][]): Promise<number> {
  let acked = 0;
  for (let k = 0; k < batches.length; k++) {
    appendFileSync(run.tailFile, `${tail[k]!.join('\n')}\n`);
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${run.port}/api/v1/ingest`, {
          method: 'POST',
          headers: { authorization: `Bearer ${run.ingest}`, 'content-type': 'application/x-ndjson' },
          body: `${batches[k]!.join('\n')}\n`,
        });
        await r.arrayBuffer();
        if (r.status === 202) {
          acked++;
          break;
        }
      } catch {
        // down (being killed or restarting): try again
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return acked;
}

/** Waits until the service has read everything and its detection count has stopped moving. */
async function settle(run: Run, child: Child): Promise<void> {
  let last = '';
  let same = 0;
  for (let i = 0; i < 1200; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const m = await (await fetch(`${child.url}/metrics`, { headers: { authorization: `Bearer ${run.read}` } })).text();
    const lag = [...m.matchAll(/^warden_source_lag\{[^}]*\} (\d+)$/gm)].reduce((n, x) => n + Number(x[1]), 0);
    const queue = Number(/^warden_queue_depth (\d+)$/m.exec(m)?.[1] ?? 1);
    const det = /^warden_detections_total (\d+)$/m.exec(m)?.[1] ?? '';
    const events = /^warden_events_in_total (\d+)$/m.exec(m)?.[1] ?? '';
    const key = `${det}/${events}`;
    if (lag === 0 && queue === 0 && key === last) {
      if (++same >= 6) return;
    } else same = 0;
    last = key;
  }
  throw new Error('the service did not settle');
}

async function storedIds(data: string): Promise<string[]> {
  const store = await openStore({ data });
  try {
    return await store.alerts.detectionIds();
  } finally {
    await store.close();
  }
}

test(`crash: ${EVENTS} events through tail and HTTP ingest, kill -9 at ${KILLS} random moments; the store equals a clean run`, { timeout: 1_800_000 }, async (t) => {
  const seed = Number(process.env['WARDEN_CRASH_SEED'] ?? Date.now() % 1_000_000);
  t.diagnostic(`seed ${seed} (WARDEN_CRASH_SEED=${seed} replays the kill moments)`);
  const random = prng(seed);
  const { tail, http } = plan();

  // the clean run
  const clean = await prepare('clean');
  t.after(() => rmSync(clean.root, { recursive: true, force: true }));
  let child = await startServe(['--config', clean.config]);
  const t0 = Date.now();
  await send(clean, http, tail);
  await settle(clean, child);
  const cleanMs = Date.now() - t0;
  child.proc.kill('SIGTERM');
  assert.equal(await child.exited, 0);
  const want = await storedIds(clean.data);
  t.diagnostic(`clean run: ${EVENTS} events → ${want.length} detections in ${cleanMs} ms`);
  assert.ok(want.length >= (EVENTS / 25) * 2, 'the clean run detected the malicious events');

  // the crash run: the sender runs on while the service is killed and restarted
  const run = await prepare('crash');
  t.after(() => rmSync(run.root, { recursive: true, force: true }));
  child = await startServe(['--config', run.config]);
  t.after(() => {
    child.proc.kill('SIGKILL');
  });
  let sent = false;
  const sender = send(run, http, tail).then((n) => {
    sent = true;
    return n;
  });
  // kill moments spread over the expected duration of the run
  const span = Math.max(2000, cleanMs);
  const kills: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    await new Promise((r) => setTimeout(r, 150 + random() * (span / KILLS)));
    child.proc.kill('SIGKILL');
    await child.exited;
    kills.push(Date.now() - t0);
    child = await startServe(['--config', run.config]);
  }
  const acked = await sender;
  assert.ok(sent);
  assert.equal(acked, http.length, 'every batch was acknowledged in the end');
  await settle(run, child);
  child.proc.kill('SIGTERM');
  assert.equal(await child.exited, 0);
  const got = await storedIds(run.data);
  t.diagnostic(`crash run: ${KILLS} kills; ${got.length} detections stored`);
  const gotSet = new Set(got);
  const wantSet = new Set(want);
  const missing = want.filter((id) => !gotSet.has(id));
  const extra = got.filter((id) => !wantSet.has(id));
  assert.deepEqual({ missing: missing.length, extra: extra.length }, { missing: 0, extra: 0 });
  assert.equal(got.length, want.length);
});
