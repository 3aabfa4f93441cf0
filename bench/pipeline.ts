/**
 * Memory of the streaming pipeline: `warden hunt -f jsonl` over 1M, 2M and 5M events with a
 * rule that fires on every event. Detections stream out, so peak RSS must stay flat instead
 * of growing with the number of detections. Each size runs in a fresh process (the CLI, as a
 * user runs it), writing to /dev/null; peak RSS is the child's maximum resident set.
 *
 * Env: WARDEN_BENCH_PIPELINE_EVENTS (comma-separated sizes, default 1000000,2000000,5000000),
 * WARDEN_BENCH_DIR (default /tmp/warden-bench).
 */
import { createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '..', '..');
const cli = join(repo, 'dist', 'src', 'cli', 'main.js');

const RULE = `title: every process (pipeline memory bench)
id: 5e2f0c1a-7b3d-4c5e-9f10-2a3b4c5d6e7f
status: test
level: low
author: Warden bench
logsource: {product: windows, category: process_creation}
detection:
  sel: {EventID: 1}
  condition: sel
`;

async function generate(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  const t0 = Date.UTC(2026, 0, 1);
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += `{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Computer":"HOST${i % 50}.corp.example","EventRecordID":${i + 1},"UtcTime":"${new Date(t0 + i * 10).toISOString().replace('T', ' ').replace('Z', '')}","Image":"C:\\\\Windows\\\\System32\\\\cmd.exe","CommandLine":"cmd.exe /c echo ${i}","User":"CORP\\\\user${i % 97}","ProcessId":${1000 + (i % 30000)}}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

export async function run(): Promise<void> {
  const sizes = (process.env.WARDEN_BENCH_PIPELINE_EVENTS ?? '1000000,2000000,5000000').split(',').map(Number);
  const dir = process.env.WARDEN_BENCH_DIR ?? '/tmp/warden-bench';
  mkdirSync(dir, { recursive: true });
  const rule = join(dir, 'every-process.yml');
  writeFileSync(rule, RULE);
  const rows: { n: number; rss: number; cpu: number; wall: number }[] = [];
  for (const n of sizes) {
    const file = join(dir, `every-process-${n}.jsonl`);
    if (!existsSync(file)) await generate(file, n);
    const t = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, cli, 'hunt', file, '-r', rule, '--no-builtin', '-f', 'jsonl', '-o', '/dev/null', '--threads', '1'], {
      encoding: 'utf8',
    });
    const wall = Number(process.hrtime.bigint() - t) / 1e9;
    const last = r.stderr.trim().split('\n').pop() ?? '';
    const [rssKb, user, sys] = last.split(' ').map(Number);
    if (r.status !== 0 || !rssKb) {
      process.stdout.write(`hunt over ${n} events failed (status ${r.status}): ${r.stderr.slice(-500)}\n`);
      continue;
    }
    rows.push({ n, rss: rssKb / 1024, cpu: (user ?? 0) + (sys ?? 0), wall });
    process.stdout.write(
      `hunt -f jsonl, rule firing on every event: ${n.toLocaleString('en-US')} events (${(statSync(file).size / 1e6).toFixed(0)} MB), ${n.toLocaleString('en-US')} detections: peak RSS ${(rssKb / 1024).toFixed(0)} MB, CPU ${((user ?? 0) + (sys ?? 0)).toFixed(1)} s, wall ${wall.toFixed(1)} s\n`,
    );
  }
  if (rows.length >= 2) {
    const a = rows[0]!;
    const b = rows[rows.length - 1]!;
    process.stdout.write(`peak RSS ratio ${b.n / a.n}x the events: ${(b.rss / a.rss).toFixed(2)}x (flat means ~1.0)\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await run();
