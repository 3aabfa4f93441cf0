/**
 * Scanner throughput on the benign corpus (../shared/corpus unpacked to /tmp/warden-corpus by
 * extract.sh): MB/s, CPU seconds and peak RSS with 1 and 2 worker threads, then
 * the 10 slowest files (single-threaded analysis CPU time). Reference point on this 2-core
 * machine: YARA with signature-base does 44-51 MB/s. Each configuration runs in a child
 * process of its own (so its peak RSS is its own), WARDEN_BENCH_REPEATS times (default 3, each
 * a fresh pool: cold workers, as a user's run is); the median run is reported with the range.
 * The machine's own noise is a few percent, and other work on it moves MB/s far more: CPU
 * seconds (and CPU seconds per MB) are printed too, with the load average before and after,
 * since they barely depend on what else the machine runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scan } from '../src/scan/scanner.js';
import { DEFAULT_LIMITS } from '../src/scan/types.js';

interface Run {
  secs: number;
  cpuSecs: number;
  files: number;
  mb: number;
  findings: number;
  problems: number;
  rssMb: number;
}

const CHILD_FLAG = '--warden-scan-bench-child';

/** One scan in this (child) process; prints its Run as JSON. */
async function child(dir: string, workers: number): Promise<void> {
  const cpu0 = process.cpuUsage();
  const r = await scan([dir], { workers });
  const cpu = process.cpuUsage(cpu0);
  const run: Run = {
    secs: r.stats.elapsedMs / 1000,
    cpuSecs: (cpu.user + cpu.system) / 1e6,
    files: r.stats.files,
    mb: r.stats.bytes / 1048576,
    findings: r.findings.length,
    problems: r.problems.length,
    // worker threads live in this process: its peak RSS covers them
    rssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(run) + '\n');
}

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

/** The load average now (1, 5, 15 min): other work on the machine moves MB/s, not CPU-seconds per MB. */
function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

export async function run(): Promise<void> {
  const dir = process.env.WARDEN_CORPUS ?? '/tmp/warden-corpus';
  const benign = `${dir}/benign`;
  if (!existsSync(benign)) {
    process.stdout.write(`scan bench skipped: ${benign} not found (unpack with ../shared/corpus/extract.sh ${dir})\n`);
    return;
  }
  const repeats = Math.max(1, Number(process.env.WARDEN_BENCH_REPEATS ?? 3));
  const self = fileURLToPath(import.meta.url);
  process.stdout.write(`benign corpus ${benign}; ${repeats} run(s) per row, median shown; load average at start ${load()} (${cpus().length} cores)\n`);
  const head = `${'workers'.padEnd(7)} | ${'files'.padStart(6)} | ${'MB'.padStart(6)} | ${'wall s'.padStart(7)} | ${'MB/s'.padStart(6)} | ${'runs MB/s'.padEnd(17)} | ${'CPU s'.padStart(6)} | ${'CPU s/MB'.padStart(8)} | ${'peak RSS'.padStart(8)} | findings`;
  process.stdout.write(`${head}\n${'-'.repeat(head.length)}\n`);
  for (const workers of [1, 2]) {
    const runs: Run[] = [];
    for (let i = 0; i < repeats; i++) {
      const out = execFileSync(process.execPath, [self, CHILD_FLAG, benign, String(workers)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      runs.push(JSON.parse(out.trim().split('\n').at(-1)!) as Run);
    }
    const sorted = [...runs].sort((a, b) => a.secs - b.secs);
    const m = sorted[Math.floor(sorted.length / 2)]!;
    const each = runs.map((x) => (x.mb / x.secs).toFixed(1)).join(', ');
    process.stdout.write(
      `${String(workers).padEnd(7)} | ${String(m.files).padStart(6)} | ${m.mb.toFixed(1).padStart(6)} | ${m.secs.toFixed(2).padStart(7)} | ${(m.mb / m.secs).toFixed(1).padStart(6)} | ${each.padEnd(17)} | ${m.cpuSecs.toFixed(1).padStart(6)} | ${(m.cpuSecs / m.mb).toFixed(4).padStart(8)} | ${`${Math.max(...runs.map((x) => x.rssMb)).toFixed(0)} MB`.padStart(8)} | ${m.findings} (${m.problems} problems)\n`,
    );
  }
  process.stdout.write(`load average after the runs ${load()}; CPU s counts every thread of the run (walk, workers, messages) and does not depend on other load\n`);
  // the slowest files, timed one by one on the main thread (analysis only, file already read) in
  // CPU time, which another process taking the core does not inflate; the 30 slowest are timed
  // again three times and keep their best, so a collection or a first compile does not put a
  // small file on the list
  const cpuMs = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  // loaded here, not at the top: the child runs above load only what `warden scan` loads in its
  // main thread (the analyzers run in the workers)
  const { scanBytes } = await import('../src/scan/scan-bytes.js');
  const timeOne = (p: string, buf: Buffer): number => {
    const t0 = cpuMs();
    scanBytes(p, buf, { limits: DEFAULT_LIMITS });
    return cpuMs() - t0;
  };
  const times: Array<[number, string, number]> = [];
  for (const p of files(benign)) {
    const size = statSync(p).size;
    if (size > DEFAULT_LIMITS.maxFileBytes) continue;
    times.push([timeOne(p, readFileSync(p)), p, size]);
  }
  const total = times.reduce((s, [ms]) => s + ms, 0);
  times.sort((a, b) => b[0] - a[0]);
  const slow = times.slice(0, 30).map(([, p, size]): [number, string, number] => {
    const buf = readFileSync(p);
    return [Math.min(timeOne(p, buf), timeOne(p, buf), timeOne(p, buf)), p, size];
  });
  slow.sort((a, b) => b[0] - a[0]);
  process.stdout.write(`\nslowest 10 of ${times.length} files (analysis only, one thread, CPU ms, best of 3; all files ${(total / 1000).toFixed(1)} CPU s):\n`);
  process.stdout.write(`${'CPU ms'.padStart(8)}  ${'KB'.padStart(6)}  ${'MB/s'.padStart(6)}  file\n`);
  for (const [ms, p, size] of slow.slice(0, 10))
    process.stdout.write(
      `${ms.toFixed(1).padStart(8)}  ${(size / 1024).toFixed(0).padStart(6)}  ${(size / 1048576 / (ms / 1000)).toFixed(1).padStart(6)}  ${p.slice(dir.length + 1)}\n`,
    );
}

if (process.argv[2] === CHILD_FLAG) await child(process.argv[3]!, Number(process.argv[4]));
