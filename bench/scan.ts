/**
 * Scanner throughput on the benign corpus (../shared/corpus unpacked to /tmp/warden-corpus by
 * extract.sh): MB/s and files/s with 1 and 2 worker threads, and the peak RSS of each run, then
 * the 10 slowest files (single-threaded analysis time). Reference point on this 2-core
 * machine: YARA with signature-base does 44-51 MB/s. Each configuration runs in a child
 * process of its own (so its peak RSS is its own), WARDEN_BENCH_REPEATS times (default 3, each
 * a fresh pool: cold workers, as a user's run is); the median run is reported with the range.
 * The machine's own noise is a few percent; CPU seconds are printed too, since they do not
 * depend on what else the machine runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scan } from '../src/scan/scanner.js';
import { scanBytes } from '../src/scan/scan-bytes.js';
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

export async function run(): Promise<void> {
  const dir = process.env.WARDEN_CORPUS ?? '/tmp/warden-corpus';
  const benign = `${dir}/benign`;
  if (!existsSync(benign)) {
    process.stdout.write(`scan bench skipped: ${benign} not found (unpack with ../shared/corpus/extract.sh ${dir})\n`);
    return;
  }
  const repeats = Math.max(1, Number(process.env.WARDEN_BENCH_REPEATS ?? 3));
  const self = fileURLToPath(import.meta.url);
  for (const workers of [1, 2]) {
    const runs: Run[] = [];
    for (let i = 0; i < repeats; i++) {
      const out = execFileSync(process.execPath, [self, CHILD_FLAG, benign, String(workers)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      runs.push(JSON.parse(out.trim().split('\n').at(-1)!) as Run);
    }
    const sorted = [...runs].sort((a, b) => a.secs - b.secs);
    const m = sorted[Math.floor(sorted.length / 2)]!;
    const range = runs.length > 1 ? ` (runs: ${runs.map((x) => (x.mb / x.secs).toFixed(1)).join(', ')} MB/s)` : '';
    process.stdout.write(
      `${workers} worker${workers > 1 ? 's' : ' '}: ${m.files} files, ${m.mb.toFixed(1)} MB in ${m.secs.toFixed(2)} s = ${(m.mb / m.secs).toFixed(1)} MB/s median of ${runs.length}${range}, ${(m.files / m.secs).toFixed(0)} files/s; ` +
        `CPU ${m.cpuSecs.toFixed(1)} s (${(m.mb / m.cpuSecs).toFixed(1)} MB per CPU-second, independent of other load); findings ${m.findings}, problems ${m.problems}; peak RSS ${Math.max(...runs.map((x) => x.rssMb)).toFixed(0)} MB\n`,
    );
  }
  // the slowest files, timed one by one on the main thread (analysis only, file already read)
  const times: Array<[number, string, number]> = [];
  for (const p of files(benign)) {
    const size = statSync(p).size;
    if (size > DEFAULT_LIMITS.maxFileBytes) continue;
    const buf = readFileSync(p);
    const t0 = process.hrtime.bigint();
    scanBytes(p, buf, { limits: DEFAULT_LIMITS });
    times.push([Number(process.hrtime.bigint() - t0) / 1e6, p, size]);
  }
  times.sort((a, b) => b[0] - a[0]);
  const total = times.reduce((s, [ms]) => s + ms, 0);
  process.stdout.write(`slowest 10 of ${times.length} files (single thread; all files ${(total / 1000).toFixed(1)} s):\n`);
  for (const [ms, p, size] of times.slice(0, 10))
    process.stdout.write(
      `  ${ms.toFixed(1).padStart(8)} ms  ${(size / 1024).toFixed(0).padStart(6)} KB  ${(size / 1048576 / (ms / 1000)).toFixed(1).padStart(6)} MB/s  ${p.slice(dir.length + 1)}\n`,
    );
}

if (process.argv[2] === CHILD_FLAG) await child(process.argv[3]!, Number(process.argv[4]));
