/**
 * `npm run bench -- serve`: `warden serve` as a user runs it (a child process, the full
 * built-in pack), measured from outside:
 *   1. HTTP ingest: events/s from the first POST until the pipeline has read every event
 *      (ingested, journaled, detected, committed), 4 senders with 2,000-event NDJSON batches;
 *   2. tail: events/s reading and detecting a file written before the service starts;
 *   3. latency: lines appended at 5,000 events/s for 20 s, one in 50 malicious; the time from
 *      a line's write to its detection being returned by GET /api/v1/detections (p50/p99);
 *   4. RSS and V8 heap (live after the last full GC, in use, reserved) of the service at every
 *      tenth of a long HTTP ingest run, with a verdict: flat = the least-squares line through the
 *      checkpoints from 20% on grows at most 10% to the end, for the RSS at each checkpoint and
 *      for the highest RSS seen in each tenth (single readings, which swing with V8's
 *      collection cycle, are printed beside it).
 * Mostly benign Sysmon process starts (Winlogbeat shape), 1 in 100 IIS starting a shell.
 *
 * Env: WARDEN_BENCH_SERVE_EVENTS (phases 1 and 2, default 500000),
 * WARDEN_BENCH_SERVE_RSS_EVENTS (phase 4, default 2000000; the issue's figure is 10000000),
 * WARDEN_BENCH_SERVE_NODE_ARGS (e.g. --max-old-space-size=192: bounded state runs in a small heap),
 * WARDEN_BENCH_SERVE_HEAP_SNAPSHOTS (phase 4: event counts at which to write V8 heap snapshots),
 * WARDEN_BENCH_SERVE_PHASES (default http,tail,latency,rss), WARDEN_BENCH_DIR (default /tmp/warden-bench).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fittedGrowth } from './trend.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '..', '..');
const cli = join(repo, 'dist', 'src', 'cli', 'main.js');
const DIR = process.env['WARDEN_BENCH_DIR'] ?? '/tmp/warden-bench';
const EVENTS = Number(process.env['WARDEN_BENCH_SERVE_EVENTS'] ?? 500_000);
const RSS_EVENTS = Number(process.env['WARDEN_BENCH_SERVE_RSS_EVENTS'] ?? 2_000_000);

function event(i: number, t: number, marker?: number): string {
  const bad = marker !== undefined || i % 100 === 0;
  const iso = new Date(t).toISOString();
  return bad
    ? `{"@timestamp":"${iso}","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Computer":"WEB${i % 20}.corp.example","EventRecordID":${i + 1},"Image":"C:\\\\Windows\\\\System32\\\\cmd.exe","CommandLine":"cmd.exe /c whoami #${marker ?? i}","ParentImage":"C:\\\\Windows\\\\System32\\\\inetsrv\\\\w3wp.exe","User":"IIS APPPOOL\\\\DefaultAppPool","ProcessId":${1000 + (i % 30000)}}`
    : `{"@timestamp":"${iso}","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Computer":"WEB${i % 20}.corp.example","EventRecordID":${i + 1},"Image":"C:\\\\Program Files\\\\Contoso\\\\agent.exe","CommandLine":"agent.exe --tick ${i}","ParentImage":"C:\\\\Windows\\\\System32\\\\services.exe","User":"NT AUTHORITY\\\\SYSTEM","ProcessId":${1000 + (i % 30000)}}`;
}

async function freePort(): Promise<number> {
  return new Promise((r, j) => {
    const s = createServer();
    s.once('error', j);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => r(p));
    });
  });
}

interface Svc {
  proc: ChildProcess;
  url: string;
  read: string;
  ingest: string;
}

async function startService(name: string, yaml: string): Promise<Svc> {
  const root = join(DIR, `serve-${name}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const data = join(root, 'data');
  const port = await freePort();
  const config = join(root, 'warden.yaml');
  writeFileSync(config, `data: ${data}\nlisten: 127.0.0.1:${port}\nlog: { level: error }\n${yaml}`);
  const tok = (role: string): string =>
    execFileSync(process.execPath, [cli, 'token', 'create', '--role', role, '--data', data], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const read = tok('read');
  const ingest = tok('ingest');
  const nodeArgs = (process.env['WARDEN_BENCH_SERVE_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, cli, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<string>((r, j) => {
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) r(m[1]!);
    });
    proc.on('exit', (c) => j(new Error(`warden serve exited ${c}`)));
  });
  return { proc, url, read, ingest };
}

async function stop(s: Svc): Promise<void> {
  s.proc.kill('SIGTERM');
  await once(s.proc, 'exit');
}

function rssMb(pid: number, kind: 'VmRSS' | 'RssAnon' = 'VmRSS'): number {
  try {
    const m = new RegExp(`${kind}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** CPU-seconds (user + system) the process has used, from /proc (0 where there is none). */
function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

async function metric(s: Svc, name: string): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.read}` } })).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
}

async function waitEvents(s: Svc, n: number, onSample?: (events: number) => void): Promise<void> {
  for (;;) {
    const got = await metric(s, 'warden_events_in_total');
    onSample?.(got);
    if (got >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The NDJSON bodies of `n` events in 2,000-event batches (made before timing: the sender must not be the bottleneck). */
function bodies(n: number, from = 0, spacingMs = 0.1, t0 = Date.now() - 60_000): string[] {
  const out: string[] = [];
  for (let start = from; start < from + n; start += 2000) {
    let body = '';
    for (let i = start; i < Math.min(from + n, start + 2000); i++) body += `${event(i, t0 + i * spacingMs)}\n`;
    out.push(body);
  }
  return out;
}

/** Posts the bodies with 4 senders; returns when every one got its 202. */
async function sendHttp(s: Svc, all: string[], onProgress?: (sent: number) => void): Promise<void> {
  let next = 0;
  let sent = 0;
  const sender = async (): Promise<void> => {
    while (next < all.length) {
      const body = all[next++]!;
      for (;;) {
        const r = await fetch(`${s.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `Bearer ${s.ingest}`, 'content-type': 'application/x-ndjson' }, body });
        await r.arrayBuffer();
        if (r.status === 202) break;
        if (r.status !== 503 && r.status !== 429) throw new Error(`ingest answered ${r.status}`);
        await new Promise((res) => setTimeout(res, 200));
      }
      sent++;
      onProgress?.(sent);
    }
  };
  await Promise.all([sender(), sender(), sender(), sender()]);
}

async function httpPhase(): Promise<void> {
  const s = await startService('http', 'rules: { builtin: true }\n');
  try {
    const all = bodies(EVENTS);
    const t0 = performance.now();
    await sendHttp(s, all);
    const acked = performance.now() - t0;
    await waitEvents(s, EVENTS);
    const done = performance.now() - t0;
    const det = await metric(s, 'warden_detections_total');
    process.stdout.write(
      `HTTP ingest   ${EVENTS} events: acknowledged (journaled, fsynced) at ${Math.round(EVENTS / (acked / 1000))} ev/s; ingested and detected at ${Math.round(EVENTS / (done / 1000))} ev/s (${(done / 1000).toFixed(1)} s, ${det} detections; target ≥ 30,000 ev/s: ${EVENTS / (done / 1000) >= 30_000 ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    await stop(s);
  }
}

async function tailPhase(): Promise<void> {
  const feed = join(DIR, 'serve-tail-feed.jsonl');
  if (!existsSync(feed) || Number(readFileSync(`${feed}.count`, { encoding: 'utf8', flag: 'a+' }) || 0) !== EVENTS) {
    const out = createWriteStream(feed);
    const t0 = Date.now() - 3_600_000;
    let buf = '';
    for (let i = 0; i < EVENTS; i++) {
      buf += `${event(i, t0 + i / 10)}\n`;
      if (buf.length > 1 << 20) {
        if (!out.write(buf)) await once(out, 'drain');
        buf = '';
      }
    }
    out.end(buf);
    await once(out, 'finish');
    writeFileSync(`${feed}.count`, String(EVENTS));
  }
  const t0 = performance.now();
  const s = await startService('tail', `rules: { builtin: true }\nsources:\n  - { name: feed, type: tail, paths: ["${feed}"] }\n`);
  try {
    const started = performance.now() - t0;
    await waitEvents(s, EVENTS);
    const done = performance.now() - t0 - started;
    const det = await metric(s, 'warden_detections_total');
    process.stdout.write(
      `tailed file   ${EVENTS} events: read and detected at ${Math.round(EVENTS / (done / 1000))} ev/s (${(done / 1000).toFixed(1)} s after a ${(started / 1000).toFixed(1)} s start, ${det} detections; target ≥ 30,000 ev/s: ${EVENTS / (done / 1000) >= 30_000 ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    await stop(s);
  }
}

async function latencyPhase(): Promise<void> {
  const root = join(DIR, 'serve-latency-feed');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const feed = join(root, 'sysmon.jsonl');
  writeFileSync(feed, '');
  const s = await startService('latency', `rules: { builtin: true }\npipeline: { tolerance: 1s }\nsources:\n  - { name: feed, type: tail, paths: ["${feed}"] }\n`);
  const RATE = 5000;
  const SECONDS = 20;
  const TICK = 50;
  const written = new Map<number, number>();
  const seen = new Map<number, number>();
  let polling = true;
  let stopAt = 0;
  const allSeen = (): boolean => [...written.keys()].every((m) => seen.has(m));
  const poll = (async () => {
    while (polling || !allSeen()) {
      const r = await fetch(`${s.url}/api/v1/detections?limit=200&rule=c74d3ff6-57f4-4b01-9e5d-de6a91e484bd`, { headers: { authorization: `Bearer ${s.read}` } });
      const now = performance.now();
      const page = (await r.json()) as { items: { event?: { CommandLine?: string } }[] };
      for (const d of page.items) {
        const m = /#(\d+)$/.exec(d.event?.CommandLine ?? '');
        if (m && !seen.has(Number(m[1]))) seen.set(Number(m[1]), now);
      }
      if (!polling && performance.now() - stopAt > 10_000) break;
      await new Promise((res) => setTimeout(res, 10));
    }
  })();
  try {
    let i = 0;
    let marker = 0;
    const start = performance.now();
    const perTick = (RATE * TICK) / 1000;
    for (let k = 0; k < (SECONDS * 1000) / TICK; k++) {
      const due = start + k * TICK;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      let chunk = '';
      const marks: number[] = [];
      for (let j = 0; j < perTick; j++, i++) {
        if (j % 50 === 0) {
          marks.push(++marker);
          chunk += `${event(i, Date.now(), 1_000_000 + marker)}\n`;
        } else chunk += `${event(i, Date.now())}\n`;
      }
      appendFileSync(feed, chunk);
      const at = performance.now();
      for (const m of marks) written.set(1_000_000 + m, at);
    }
    polling = false;
    stopAt = performance.now();
    await poll;
    const lat = [...written]
      .filter(([m]) => seen.has(m))
      .map(([m, w]) => seen.get(m)! - w)
      .sort((a, b) => a - b);
    const q = (p: number): number => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? Number.NaN);
    process.stdout.write(
      `latency       ${RATE} ev/s for ${SECONDS} s (${i} events, ${written.size} marked): line written → detection returned by the API p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms; ${written.size - lat.length} never seen (target p99 < 1000 ms: ${q(0.99) < 1000 && lat.length === written.size ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    polling = false;
    await stop(s);
  }
}

interface MemSample {
  events: number;
  rssMb: number;
  /** The anonymous part of RSS (heaps, malloc); the rest is mapped files (the binary, libraries). */
  anonMb: number;
  heapUsedMb: number;
  /** V8 heap in use after the last full collection: live data (0 before the first). */
  liveMb: number;
  heapTotalMb: number;
  externalMb: number;
}

async function memSample(s: Svc, events: number): Promise<MemSample> {
  const text = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.read}` } })).text();
  const mb = (name: string): number => Math.round(Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0) / 2 ** 20);
  return {
    events,
    rssMb: rssMb(s.proc.pid!),
    anonMb: rssMb(s.proc.pid!, 'RssAnon'),
    heapUsedMb: mb('nodejs_heap_size_used_bytes'),
    liveMb: mb('warden_heap_used_after_gc_bytes'),
    heapTotalMb: mb('nodejs_heap_size_total_bytes'),
    externalMb: mb('nodejs_external_memory_bytes'),
  };
}

/** Largest fitted RSS growth from the 20% checkpoint (2M of 10M) to the end that still counts as flat. */
const FLAT_GROWTH = 0.1;

/**
 * RSS and V8 heap at every tenth of the run, each taken once the pipeline has read every event
 * sent so far. Flat: RSS at the end at most 10% above RSS at the 20% checkpoint (the first
 * 20% is start-up: V8 and SQLite growing their heaps and caches to working size). The heap
 * live after the last full GC is printed beside it: RSS rising with it level is V8 or the
 * allocator keeping pages, RSS rising with it is state retained (heapUsed counts garbage too). WARDEN_BENCH_SERVE_HEAP_SNAPSHOTS=1000000,3000000 also
 * writes V8 heap snapshots at those counts (to compare object counts between them).
 */
async function rssPhase(): Promise<void> {
  const snapAt = new Set((process.env['WARDEN_BENCH_SERVE_HEAP_SNAPSHOTS'] ?? '').split(',').filter(Boolean).map(Number));
  const root = join(DIR, 'serve-rss');
  const snapDir = join(DIR, 'serve-rss-heap');
  if (snapAt.size) {
    rmSync(snapDir, { recursive: true, force: true });
    mkdirSync(snapDir, { recursive: true });
    process.env['WARDEN_BENCH_SERVE_NODE_ARGS'] = `${process.env['WARDEN_BENCH_SERVE_NODE_ARGS'] ?? ''} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapDir}`;
  }
  const s = await startService('rss', 'rules: { builtin: true }\n');
  try {
    const step = Math.max(100_000, Math.round(RSS_EVENTS / 10));
    const samples: MemSample[] = [];
    const cpu0 = cpuSeconds(s.proc.pid!);
    const t1 = performance.now();
    // Event time advances 10 ms per event (a busy site's day, not all inside one incident
    // window): correlation windows and incidents close behind it, as they do in production.
    const t0 = Date.now() - RSS_EVENTS * 10 - 60_000;
    let next = step;
    // RSS read after every slice: the highest of each tenth beside the checkpoint's own
    let peak = 0;
    const peaks: number[] = [];
    // in slices of 100k events, so the bench itself stays small
    for (let from = 0; from < RSS_EVENTS; from += 100_000) {
      const n = Math.min(100_000, RSS_EVENTS - from);
      await sendHttp(s, bodies(n, from, 10, t0));
      const sent = from + n;
      peak = Math.max(peak, rssMb(s.proc.pid!));
      if (sent >= next || sent === RSS_EVENTS) {
        await waitEvents(s, sent);
        const m = await memSample(s, sent);
        samples.push(m);
        peaks.push(Math.max(peak, m.rssMb));
        peak = 0;
        process.stdout.write(
          `  ${String(sent / 1e6).padStart(5)}M events: RSS ${m.rssMb} MB (anonymous ${m.anonMb} MB), heap live after GC ${m.liveMb} MB, heapUsed ${m.heapUsedMb} MB (heapTotal ${m.heapTotalMb} MB, external ${m.externalMb} MB)\n`,
        );
        // at the first checkpoint at or past each count asked for
        const due = [...snapAt].filter((n) => n <= sent);
        for (const n of due) snapAt.delete(n);
        if (due.length) {
          const before = new Set(readdirSync(snapDir));
          s.proc.kill('SIGUSR2');
          // The snapshot is written on the service's main thread: /metrics answers once it is done.
          for (;;) {
            await new Promise((r) => setTimeout(r, 500));
            await metric(s, 'warden_events_in_total');
            const made = readdirSync(snapDir).filter((f) => !before.has(f));
            if (made.length) {
              renameSync(join(snapDir, made[0]!), join(snapDir, `serve-${sent}.heapsnapshot`));
              break;
            }
          }
          process.stdout.write(`  heap snapshot: ${join(snapDir, `serve-${sent}.heapsnapshot`)}\n`);
        }
        while (next <= sent) next += step;
      }
    }
    const secs = (performance.now() - t1) / 1000;
    const cpu = cpuSeconds(s.proc.pid!) - cpu0;
    const base = samples.find((m) => m.events >= RSS_EVENTS * 0.2) ?? samples[0]!;
    const last = samples[samples.length - 1]!;
    const baseAt = samples.indexOf(base);
    const steady = samples.slice(baseAt);
    const xs = steady.map((m) => m.events);
    // One reading swings ±10% with V8's collection cycle (heapTotal moves by 40 MB while the
    // live heap is level), so comparing two single readings says more about where in its cycle
    // each fell than about growth. The verdict is the least-squares trend through every
    // checkpoint from 20% on: what the fitted line grows from the 20% checkpoint to the end. A
    // leak lifts every later checkpoint and so the line; a swing does not.
    const trendRss = fittedGrowth(
      xs,
      steady.map((m) => m.rssMb),
    );
    const trendPeak = fittedGrowth(xs, peaks.slice(baseAt));
    const trendLive = fittedGrowth(
      xs,
      steady.map((m) => m.liveMb),
    );
    const growth = base.rssMb ? last.rssMb / base.rssMb - 1 : 0;
    const peakGrowth = peaks[baseAt] ? peaks[peaks.length - 1]! / peaks[baseAt]! - 1 : 0;
    const liveGrowth = base.liveMb ? last.liveMb / base.liveMb - 1 : 0;
    const flat = trendRss <= FLAT_GROWTH && trendPeak <= FLAT_GROWTH;
    const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
    process.stdout.write(
      `RSS           ${RSS_EVENTS} events through HTTP ingest in ${secs.toFixed(0)} s (${Math.round(RSS_EVENTS / secs)} ev/s, service ${cpu.toFixed(0)} CPU-s): RSS ${samples.map((m) => m.rssMb).join(' → ')} MB; highest RSS in each tenth ${peaks.join(' → ')} MB; heap live after GC ${samples.map((m) => m.liveMb).join(' → ')} MB; heapUsed ${samples.map((m) => m.heapUsedMb).join(' → ')} MB; heapTotal ${samples.map((m) => m.heapTotalMb).join(' → ')} MB\n` +
        `              single readings ${base.events / 1e6}M → ${last.events / 1e6}M: RSS ${base.rssMb} → ${last.rssMb} MB (${pct(growth)}), highest in the tenth ${peaks[baseAt]} → ${peaks[peaks.length - 1]} MB (${pct(peakGrowth)}), heap live ${base.liveMb} → ${last.liveMb} MB (${pct(liveGrowth)})\n` +
        `              trend through the ${steady.length} checkpoints from ${base.events / 1e6}M on: RSS ${pct(trendRss)}, highest RSS per tenth ${pct(trendPeak)}, heap live ${pct(trendLive)}; flat (both RSS trends ≤ +${FLAT_GROWTH * 100}%): ${flat ? 'yes' : 'NO'}\n`,
    );
  } finally {
    await stop(s);
    rmSync(root, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const phases = (process.env['WARDEN_BENCH_SERVE_PHASES'] ?? 'http,tail,latency,rss').split(',');
  if (phases.includes('http')) await httpPhase();
  if (phases.includes('tail')) await tailPhase();
  if (phases.includes('latency')) await latencyPhase();
  if (phases.includes('rss')) await rssPhase();
}
