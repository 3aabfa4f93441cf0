/**
 * `npm run fuzz -- [--minutes N] [--seed S] [--only TARGET,...]`: fuzzes every input Warden
 * reads for N minutes (default 30) and lists what it found; findings' inputs are saved under
 * fuzz-findings/. Exit code 1 when anything was found.
 */
import { runFuzz } from './harness.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const minutes = Number(arg('--minutes') ?? 30);
const seed = Number(arg('--seed') ?? Date.now() % 1_000_000);
const only = arg('--only')?.split(',');
process.stdout.write(`fuzzing for ${minutes} min, seed ${seed}${only ? `, targets ${only.join(', ')}` : ''}\n`);
let last = 0;
const r = await runFuzz({
  seed,
  durationMs: minutes * 60_000,
  only,
  findingsDir: 'fuzz-findings',
  onProgress: (n, f) => {
    if (Date.now() - last > 10_000) {
      last = Date.now();
      process.stdout.write(`  ${n} inputs, ${f} findings\n`);
    }
  },
});
process.stdout.write(`\n${r.iterations} inputs in ${minutes} min (seed ${seed})\n`);
for (const [t, s] of Object.entries(r.perTarget).sort())
  process.stdout.write(
    `  ${t.padEnd(22)} ${String(s.runs).padStart(7)} inputs, slowest ${s.slowestMs.toFixed(0)} ms${s.slowest ? ` (#${s.slowest.iteration}, ${s.slowest.how}, ${s.slowest.bytes} bytes)` : ''}\n`,
  );
for (const c of r.cleared) process.stdout.write(`  suspected, not reproduced alone: ${c}\n`);
process.stdout.write(`findings: ${r.findings.length}\n`);
for (const f of r.findings) process.stdout.write(`  ${f.kind} in ${f.target} (iteration ${f.iteration}, ${f.how}): ${f.detail}${f.file ? ` [${f.file}]` : ''}\n`);
process.exitCode = r.findings.length ? 1 : 0;
