/**
 * Start-up: how long a whole `warden` process takes for the small jobs scripts run hundreds of
 * times — `warden --version`, `warden evtx dump` of a one-record file, and `warden hunt` of a
 * 10-event file with the built-in pack and with the SigmaHQ Windows rules (from ../shared, when
 * present), each with a cold and a warm parsed-rule cache. `node -e 0` is the floor every
 * figure is compared with. Medians of several runs; prints figures only, never fails on speed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const shared = resolve(repoRoot, '..', 'shared');
const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall-clock ms of one process run (the exit code must be 0 or 1: 1 = problems reported, still a finished run). */
function once(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 400)}`);
  return ms;
}

function measure(args: string[], before?: () => NodeJS.ProcessEnv): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(once(args, before?.() ?? {}));
  return median(times);
}

function line(label: string, ms: number, floor: number, target?: number): void {
  const t = target !== undefined ? `  (target < ${target} ms: ${ms < target ? 'met' : 'not met'})` : '';
  process.stdout.write(`${label.padEnd(62)} ${ms.toFixed(0).padStart(6)} ms   ${(ms / floor).toFixed(1).padStart(5)}× node -e 0${t}\n`);
}

/** Ten Windows (Sysmon JSON) events, the example log's lines repeated. */
function tenEvents(dir: string): string {
  const lines = readFileSync(join(repoRoot, 'examples', 'logs', 'web01-sysmon.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean);
  const out = Array.from({ length: 10 }, (_, i) => lines[i % lines.length]!);
  const file = join(dir, 'ten.jsonl');
  writeFileSync(file, `${out.join('\n')}\n`);
  return file;
}

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'warden-startup-'));
  try {
    const floor = measure(['-e', '0']);
    process.stdout.write(`median of ${RUNS} runs each, whole processes; machine load shifts every figure alike\n`);
    line('node -e 0 (the floor)', floor, floor);
    line('warden --version', measure([cli, '--version']), floor, 100);
    line('warden hunt --help', measure([cli, 'hunt', '--help']), floor);
    const one = join(shared, 'logs', 'evtx', 'issue_201.evtx');
    if (existsSync(one)) line('warden evtx dump (1-record file)', measure([cli, 'evtx', 'dump', one]), floor, 200);
    else process.stdout.write(`warden evtx dump: skipped, ${one} not found (../shared is absent)\n`);

    const ten = tenEvents(work);
    // Cold: a fresh, empty rule cache every run; warm: one cache filled by the first run.
    let n = 0;
    const cold = (): NodeJS.ProcessEnv => ({ WARDEN_CACHE_DIR: join(work, `cold-${n++}`) });
    const warmDir = join(work, 'warm');
    const warm = (): NodeJS.ProcessEnv => ({ WARDEN_CACHE_DIR: warmDir });
    const huntArgs = [cli, 'hunt', ten, '--no-progress', '-f', 'jsonl'];
    line('warden hunt, 10 events, built-in pack, cold cache', measure(huntArgs, cold), floor);
    once(huntArgs, warm());
    line('warden hunt, 10 events, built-in pack, warm cache', measure(huntArgs, warm), floor);
    line(
      'warden hunt, 10 events, built-in pack, no cache',
      measure(huntArgs, () => ({ WARDEN_CACHE_DIR: 'off' })),
      floor,
    );

    const sigma = join(shared, 'sigma', 'rules', 'windows');
    if (existsSync(sigma)) {
      const args = [cli, 'hunt', ten, '--no-builtin', '-r', sigma, '--no-progress', '-f', 'jsonl'];
      line('warden hunt, 10 events, SigmaHQ rules/windows, cold cache', measure(args, cold), floor);
      const warmSigma = join(work, 'warm-sigma');
      once(args, { WARDEN_CACHE_DIR: warmSigma });
      line(
        'warden hunt, 10 events, SigmaHQ rules/windows, warm cache',
        measure(args, () => ({ WARDEN_CACHE_DIR: warmSigma })),
        floor,
      );
    } else process.stdout.write(`SigmaHQ hunts: skipped, ${sigma} not found (../shared is absent)\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
