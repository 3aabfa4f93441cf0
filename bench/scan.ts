/**
 * Scanner throughput on the benign corpus (../shared/corpus unpacked to /tmp/warden-corpus by
 * extract.sh): MB/s and files/s with the worker pool, and peak RSS. Reference point on this
 * 2-core machine: YARA with signature-base does 44-51 MB/s.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { scan } from '../src/scan/scanner.js';

export async function run(): Promise<void> {
  const dir = process.env.WARDEN_CORPUS ?? '/tmp/warden-corpus';
  const benign = `${dir}/benign`;
  if (!existsSync(benign)) {
    process.stdout.write(`scan bench skipped: ${benign} not found (unpack with ../shared/corpus/extract.sh ${dir})\n`);
    return;
  }
  for (const workers of [availableParallelism(), 0]) {
    const before = process.resourceUsage().maxRSS;
    const cpu0 = process.cpuUsage();
    const r = await scan([benign], { workers });
    const cpu = process.cpuUsage(cpu0);
    const cpuSecs = (cpu.user + cpu.system) / 1e6;
    const secs = r.stats.elapsedMs / 1000;
    const mb = r.stats.bytes / 1048576;
    process.stdout.write(
      `${workers === 0 ? 'main thread ' : `${workers} workers  `}: ${r.stats.files} files, ${mb.toFixed(1)} MB in ${secs.toFixed(2)} s = ${(mb / secs).toFixed(1)} MB/s, ${(r.stats.files / secs).toFixed(0)} files/s; ` +
        `CPU ${cpuSecs.toFixed(1)} s (${(mb / cpuSecs).toFixed(1)} MB per CPU-second, independent of other load); findings ${r.findings.length}, problems ${r.problems.length}; peak RSS ${(Math.max(before, process.resourceUsage().maxRSS) / 1024).toFixed(0)} MB\n`,
    );
  }
}
