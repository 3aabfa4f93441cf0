/**
 * Scanner throughput on the benign corpus (../shared/corpus unpacked to /tmp/warden-corpus by
 * extract.sh): MB/s and files/s with the worker pool, and peak RSS. Reference point on this
 * 2-core machine: YARA with signature-base does 44-51 MB/s. Each configuration runs
 * WARDEN_BENCH_REPEATS times (default 3, each a fresh pool: cold workers, as a user's run is)
 * and the median run is reported with the range; the machine's own noise is a few percent.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { scan } from '../src/scan/scanner.js';

interface Run {
  secs: number;
  cpuSecs: number;
  files: number;
  mb: number;
  findings: number;
  problems: number;
}

export async function run(): Promise<void> {
  const dir = process.env.WARDEN_CORPUS ?? '/tmp/warden-corpus';
  const benign = `${dir}/benign`;
  if (!existsSync(benign)) {
    process.stdout.write(`scan bench skipped: ${benign} not found (unpack with ../shared/corpus/extract.sh ${dir})\n`);
    return;
  }
  const repeats = Math.max(1, Number(process.env.WARDEN_BENCH_REPEATS ?? 3));
  for (const workers of [availableParallelism(), 0]) {
    const runs: Run[] = [];
    for (let i = 0; i < repeats; i++) {
      const cpu0 = process.cpuUsage();
      const r = await scan([benign], { workers });
      const cpu = process.cpuUsage(cpu0);
      runs.push({
        secs: r.stats.elapsedMs / 1000,
        cpuSecs: (cpu.user + cpu.system) / 1e6,
        files: r.stats.files,
        mb: r.stats.bytes / 1048576,
        findings: r.findings.length,
        problems: r.problems.length,
      });
    }
    const sorted = [...runs].sort((a, b) => a.secs - b.secs);
    const m = sorted[Math.floor(sorted.length / 2)]!;
    const range = runs.length > 1 ? ` (runs: ${runs.map((x) => (x.mb / x.secs).toFixed(1)).join(', ')} MB/s)` : '';
    process.stdout.write(
      `${workers === 0 ? 'main thread ' : `${workers} workers  `}: ${m.files} files, ${m.mb.toFixed(1)} MB in ${m.secs.toFixed(2)} s = ${(m.mb / m.secs).toFixed(1)} MB/s median of ${runs.length}${range}, ${(m.files / m.secs).toFixed(0)} files/s; ` +
        `CPU ${m.cpuSecs.toFixed(1)} s (${(m.mb / m.cpuSecs).toFixed(1)} MB per CPU-second, independent of other load); findings ${m.findings}, problems ${m.problems}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`,
    );
  }
}
