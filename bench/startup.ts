/**
 * Start-up as a user meets it (issue 17): the `warden` command itself, run as a child
 * process, measured in wall time and CPU time (user + system of the child, the steadier
 * figure on a shared machine).
 *
 * 1. `warden --version` (with `node -e 0` beside it: the floor no command goes below);
 * 2. `warden hunt` of a 10-event Sysmon file with the bench rule set (see shared-data.ts;
 *    default SigmaHQ's Windows rules) plus the built-in pack: cold (empty cache folder:
 *    nothing parsed or compiled before) and warm (the compiled-rule cache filled);
 * 3. `warden hunt` over N small EVTX files (copies of the shared samples; default 300,
 *    WARDEN_BENCH_EVTX_FILES) in one process, and one process per file — the responder who
 *    runs Warden file by file. Both must find the same detections.
 *
 * Env: WARDEN_BENCH_RULES, WARDEN_SHARED, WARDEN_BENCH_EVTX_FILES, WARDEN_BENCH_DIR.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchRules, describeRules, REPO, sharedDir } from './shared-data.js';

const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');

/** Reports the child's own CPU time on stderr as it exits (a preloaded one-liner). */
const CPU_PROBE = 'data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write("\\n@@cpu "+(u.user+u.system)+"\\n")})';

interface Run {
  wallMs: number;
  cpuMs: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

function runNode(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', CPU_PROBE, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
  const wallMs = performance.now() - t0;
  const m = /\n@@cpu (\d+)\n/.exec(r.stderr);
  return { wallMs, cpuMs: m ? Number(m[1]) / 1000 : Number.NaN, status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/\n@@cpu \d+\n/, '') };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

function series(label: string, runs: Run[], target?: string): void {
  const wall = runs.map((r) => r.wallMs);
  const cpu = runs.map((r) => r.cpuMs);
  process.stdout.write(
    `${label}: median ${fmt(median(wall))} wall, ${fmt(median(cpu))} CPU (${runs.length} run${runs.length > 1 ? 's' : ''}; wall ${fmt(Math.min(...wall))}–${fmt(Math.max(...wall))})${target ? `; target ${target}` : ''}\n`,
  );
}

function repeat(n: number, f: () => Run): Run[] {
  const out: Run[] = [];
  for (let i = 0; i < n; i++) out.push(f());
  return out;
}

function check(r: Run, what: string): Run {
  // 0: nothing wrong; 1: some input or rule could not be read (SigmaHQ has a few rules Warden refuses).
  if (r.status !== 0 && r.status !== 1) throw new Error(`${what} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return r;
}

function sysmonLine(i: number): string {
  const image = i % 2 ? 'C:\\Windows\\System32\\svchost.exe' : 'C:\\Windows\\System32\\cmd.exe';
  return JSON.stringify({
    Event: {
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } },
        EventID: 1,
        TimeCreated: { '#attributes': { SystemTime: `2026-01-01T00:00:0${i}.000Z` } },
        EventRecordID: i + 1,
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Computer: 'WS1.corp.example',
      },
      EventData: {
        Image: image,
        CommandLine: i === 3 ? 'cmd.exe /c whoami /all' : `${image} -k netsvcs`,
        ParentImage: i === 3 ? 'c:\\windows\\system32\\inetsrv\\w3wp.exe' : 'C:\\Windows\\System32\\services.exe',
        User: 'CORP\\alice',
      },
    },
  });
}

/** Detection ids of a JSON Lines hunt output. */
function idsOf(stdout: string): string[] {
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const id = (JSON.parse(line) as { id?: unknown }).id;
    if (typeof id === 'string') out.push(id);
  }
  return out;
}

export async function run(): Promise<void> {
  if (!existsSync(CLI)) {
    process.stdout.write(`skipped: ${CLI} not built (npm run build)\n`);
    return;
  }
  const base = process.env.WARDEN_BENCH_DIR ?? tmpdir();
  mkdirSync(base, { recursive: true });
  const work = mkdtempSync(join(base, 'warden-startup-'));
  try {
    series(
      'node -e 0 (the floor)',
      repeat(10, () => check(runNode(['-e', '0']), 'node')),
    );
    series(
      'warden --version',
      repeat(10, () => check(runNode([CLI, '--version']), 'warden --version')),
      '≤ 100 ms',
    );
    series(
      'warden --help',
      repeat(5, () => check(runNode([CLI, '--help']), 'warden --help')),
    );

    const found = benchRules();
    if ('missing' in found) {
      process.stdout.write(`hunt start-up skipped: ${found.missing}\n`);
      return;
    }
    process.stdout.write(`${describeRules(found)}, plus the built-in pack\n`);
    const ten = join(work, 'ten.jsonl');
    writeFileSync(ten, Array.from({ length: 10 }, (_, i) => sysmonLine(i)).join('\n') + '\n');
    const huntTen = (cache: string): Run => check(runNode([CLI, 'hunt', ten, '-r', found.path, '--no-progress', '-f', 'jsonl'], { WARDEN_CACHE_DIR: cache }), 'warden hunt');
    const cold: Run[] = [];
    for (let i = 0; i < 2; i++) {
      const empty = join(work, `cache-cold-${i}`);
      cold.push(huntTen(empty));
      rmSync(empty, { recursive: true, force: true });
    }
    series('warden hunt, 10 events, cold (empty cache)', cold, '≤ 2.5 s');
    const warmDir = join(work, 'cache-warm');
    huntTen(warmDir);
    const warm = repeat(5, () => huntTen(warmDir));
    series('warden hunt, 10 events, warm (compiled rules cached)', warm, '≤ 400 ms');
    const detections = new Set([...cold, ...warm].map((r) => idsOf(r.stdout).sort().join(',')));
    process.stdout.write(`  detections: ${idsOf(warm[0]!.stdout).length} per run, ${detections.size === 1 ? 'identical cold and warm' : 'DIFFER between runs'}\n`);

    const shared = sharedDir();
    const samples = shared ? join(shared, 'logs', 'evtx') : undefined;
    if (!samples || !existsSync(samples)) {
      process.stdout.write('EVTX start-up skipped: no shared/logs/evtx\n');
      return;
    }
    const small = readdirSync(samples)
      .filter((n) => n.endsWith('.evtx') && statSync(join(samples, n)).size <= 128 * 1024)
      .sort();
    const n = Number(process.env.WARDEN_BENCH_EVTX_FILES ?? 300);
    const dir = join(work, 'evtx');
    mkdirSync(dir);
    const files: string[] = [];
    for (let i = 0; i < n; i++) {
      const f = join(dir, `${String(i).padStart(4, '0')}-${small[i % small.length]!}`);
      copyFileSync(join(samples, small[i % small.length]!), f);
      files.push(f);
    }
    const bytes = files.reduce((a, f) => a + statSync(f).size, 0);
    process.stdout.write(`${n} small EVTX files (${small.length} samples ≤ 128 KB copied round-robin, ${(bytes / 1e6).toFixed(1)} MB), warm cache:\n`);
    const hunt = (inputs: string[]): Run =>
      check(runNode([CLI, 'hunt', ...inputs, '-r', found.path, '--no-progress', '-f', 'jsonl'], { WARDEN_CACHE_DIR: warmDir }), 'warden hunt');
    const one = hunt([dir]);
    series('  one process for all files', [one]);
    const each: Run[] = [];
    const t0 = performance.now();
    for (const f of files) each.push(hunt([f]));
    const wall = performance.now() - t0;
    const cpu = each.reduce((a, r) => a + r.cpuMs, 0);
    process.stdout.write(
      `  one process per file: ${fmt(wall)} wall, ${fmt(cpu)} CPU in all (median per file ${fmt(median(each.map((r) => r.wallMs)))} wall, ${fmt(median(each.map((r) => r.cpuMs)))} CPU)\n`,
    );
    process.stdout.write(`  per-file processes cost ${(wall / one.wallMs).toFixed(1)}x the wall time and ${(cpu / one.cpuMs).toFixed(1)}x the CPU of one process\n`);
    const oneIds = new Set(idsOf(one.stdout));
    const eachIds = new Set(each.flatMap((r) => idsOf(r.stdout)));
    const same = oneIds.size === eachIds.size && [...oneIds].every((id) => eachIds.has(id));
    process.stdout.write(`  detections: ${oneIds.size} distinct in one process, ${eachIds.size} across the per-file runs: ${same ? 'the same' : 'DIFFERENT'}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  // The command-line figures (wall medians against bare node, evtx dump, help).
  process.stdout.write('\n');
  await (await import('./startup-cli.js')).run();
}
