/**
 * `npm run bench -- baseline`: hashing a 20,000-file tree (a Tomcat webapps folder, files of
 * 256 B to 16 KB) with `warden baseline` against Debian's `aide --init` restricted to sha256,
 * with the same number of hashing threads, in the same run (page cache warmed for both first).
 * Both wall time and CPU-seconds (all threads; AIDE's from the shell's `times`) are reported:
 * on a loaded machine the CPU ratio is the steadier figure, and each side's busiest thread
 * (CPU-s, sampled from /proc) says what the wall time would be with a free core per thread. Then `warden watch` latency from a write to its report (p50/p99 over WARDEN_WATCH_SAMPLES
 * writes, default 60). Figures only; nothing fails on speed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProblemList } from '../src/errors.js';
import { takeBaseline } from '../src/integrity/baseline.js';
import { ComponentWatcher, type WatchReport } from '../src/integrity/watch.js';
import { openStore } from '../src/store/store.js';
import { ThreadCpu } from './thread-cpu.js';

const FILES = Number(process.env.WARDEN_BASELINE_FILES ?? 20_000);

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeTree(root: string): { bytes: number } {
  const rnd = prng(20);
  const webapps = join(root, 'opt/tomcat/webapps');
  mkdirSync(join(root, 'opt/tomcat/conf'), { recursive: true });
  writeFileSync(join(root, 'opt/tomcat/conf/server.xml'), '<Server/>');
  let bytes = 0;
  const block = Buffer.alloc(16384);
  for (let i = 0; i < block.length; i++) block[i] = Math.floor(rnd() * 256);
  for (let i = 0; i < FILES; i++) {
    const dir = join(webapps, `app${i % 20}`, `d${Math.floor(i / 20) % 50}`);
    if (i < 1000) mkdirSync(dir, { recursive: true });
    const size = 256 + Math.floor(rnd() * (16384 - 256));
    const b = Buffer.from(block.subarray(0, size));
    b.writeUInt32LE(i, 0);
    writeFileSync(join(dir, `f${i}.jsp`), b);
    bytes += size;
  }
  return { bytes };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** AIDE's wall and CPU seconds (and its busiest thread's, when /proc can be read), or why it could not run. */
async function aideRun(root: string, work: string, workers: number): Promise<{ wall: number; cpu: number; busiest?: number } | string> {
  const conf = join(work, 'aide.conf');
  rmSync(join(work, 'aide.db.new'), { force: true });
  writeFileSync(
    conf,
    [`database_out=file:${join(work, 'aide.db.new')}`, 'gzip_dbout=no', `num_workers=${workers}`, 'Sha = sha256', `${join(root, 'opt/tomcat/webapps')} Sha`, ''].join('\n'),
  );
  const t0 = process.hrtime.bigint();
  // `times` prints the shell's, then its children's, user and system time
  const child = spawn('sh', ['-c', 'command -v aide >/dev/null || exit 127; aide --init -c "$1" >/dev/null 2>"$1.err"; s=$?; times; exit $s', 'sh', conf], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  // aide's own threads, as the shell's child
  const threads = child.pid === undefined ? undefined : ThreadCpu.start(10, child.pid, true);
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const status = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code));
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const t = threads?.stop();
  if (status === 127) return 'aide not installed; apt-get install -y aide';
  if (status !== 0) return `aide --init failed (${status})`;
  const line = stdout.trim().split('\n')[1] ?? '';
  const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].reduce((a, m) => a + Number(m[1]) * 60 + Number(m[2]), 0);
  return t ? { wall, cpu: secs, busiest: Math.max(t.main, ...t.others) } : { wall, cpu: secs };
}

export async function run(): Promise<void> {
  const work = join(tmpdir(), `warden-bench-baseline-${process.pid}`);
  const root = join(work, 'root');
  mkdirSync(root, { recursive: true });
  try {
    const { bytes } = makeTree(root);
    const mb = bytes / 1048576;
    const workers = availableParallelism();
    process.stdout.write(
      `tree: ${FILES} files, ${mb.toFixed(1)} MB; ${workers} hashing threads for both (aide num_workers=${workers}; warden --workers ${workers}: this thread + ${workers - 1})\n`,
    );
    // warm the page cache so neither side pays for the first read
    spawnSync('sh', ['-c', `cat $(find ${join(root, 'opt')} -type f) > /dev/null`]);
    const repeats = Math.max(1, Number(process.env.WARDEN_BENCH_REPEATS ?? 3));
    const ours: number[] = [];
    const oursCpu: number[] = [];
    const aide: number[] = [];
    const aideCpu: number[] = [];
    // the busiest thread's CPU-s: about the wall time each would take with a free core per thread
    const oursBusiest: number[] = [];
    const aideBusiest: number[] = [];
    let aideError: string | undefined;
    for (let i = 0; i < repeats; i++) {
      const store = await openStore({ data: join(work, `data${i}`) });
      const problems = new ProblemList();
      const threads = ThreadCpu.start(10);
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      const { info } = await takeBaseline(store, { root, problems, workers });
      const c = process.cpuUsage(c0);
      ours.push(Number(process.hrtime.bigint() - t0) / 1e9);
      oursCpu.push((c.user + c.system) / 1e6);
      const t = threads?.stop();
      if (t) oursBusiest.push(Math.max(t.main, ...t.others));
      await store.close();
      if (info.records < FILES) process.stdout.write(`warning: baseline holds ${info.records} items\n`);
      const a = await aideRun(root, work, workers);
      if (typeof a === 'string') aideError = a;
      else {
        aide.push(a.wall);
        aideCpu.push(a.cpu);
        if (a.busiest !== undefined) aideBusiest.push(a.busiest);
      }
    }
    const o = median(ours);
    const oc = median(oursCpu);
    process.stdout.write(
      `warden baseline (hash + signature checks + store): median ${o.toFixed(2)} s (${(FILES / o).toFixed(0)} files/s, ${(mb / o).toFixed(1)} MB/s), ${oc.toFixed(2)} CPU-s, over ${repeats} runs [${ours.map((x) => x.toFixed(2)).join(', ')}] CPU [${oursCpu.map((x) => x.toFixed(2)).join(', ')}]\n`,
    );
    if (aideError) process.stdout.write(`aide: ${aideError}\n`);
    else {
      const a = median(aide);
      const ac = median(aideCpu);
      process.stdout.write(
        `aide --init (sha256 only): median ${a.toFixed(2)} s (${(FILES / a).toFixed(0)} files/s, ${(mb / a).toFixed(1)} MB/s), ${ac.toFixed(2)} CPU-s [${aide.map((x) => x.toFixed(2)).join(', ')}] CPU [${aideCpu.map((x) => x.toFixed(2)).join(', ')}]\n`,
      );
      process.stdout.write(`ratio: warden is ${(a / o).toFixed(2)}x AIDE's speed in wall time, ${(ac / oc).toFixed(2)}x in CPU-seconds (>1 = faster)\n`);
      if (oursBusiest.length === repeats && aideBusiest.length === repeats) {
        const ob = median(oursBusiest);
        const ab = median(aideBusiest);
        process.stdout.write(
          `busiest thread (the wall time with a free core per thread): warden ${ob.toFixed(2)} CPU-s [${oursBusiest.map((x) => x.toFixed(2)).join(', ')}], aide ${ab.toFixed(2)} CPU-s [${aideBusiest.map((x) => x.toFixed(2)).join(', ')}]: warden ${(ab / ob).toFixed(2)}x\n`,
        );
      }
    }
    await watchLatency(root, work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function watchLatency(root: string, work: string): Promise<void> {
  const samples = Math.max(1, Number(process.env.WARDEN_WATCH_SAMPLES ?? 60));
  const store = await openStore({ data: join(work, 'watch-data') });
  const problems = new ProblemList();
  await takeBaseline(store, { root, problems });
  const seen = new Map<string, number>();
  const w = new ComponentWatcher(store, {
    root,
    problems,
    report(r: WatchReport) {
      if (r.type === 'change') seen.set(r.change.item.path, performance.now());
    },
  });
  await w.start();
  const lat: number[] = [];
  for (let i = 0; i < samples; i++) {
    const rel = `/opt/tomcat/webapps/app${i % 20}/d${i % 50}/new${i}.jsp`;
    const t0 = performance.now();
    writeFileSync(join(root, rel), `<% // ${i} %>`);
    const end = t0 + 10_000;
    while (!seen.has(rel) && performance.now() < end) await new Promise((r) => setTimeout(r, 5));
    lat.push((seen.get(rel) ?? Number.POSITIVE_INFINITY) - t0);
    // writes a little apart, as changes on a server are
    await new Promise((r) => setTimeout(r, 100));
  }
  await w.stop();
  await store.close();
  process.stdout.write(
    `watch latency, write to report, ${samples} writes into a ${FILES}-file tree: p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms (target: p99 < 2000 ms)\n`,
  );
}
