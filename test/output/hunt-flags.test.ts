/**
 * The responder's flags (issue 14): skipped files are named, the time window, times shown in
 * the case's zone, --fail-on-findings, the memory budgets on the command line, and scan output
 * in path order with UTF-8 evidence intact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/shared.js';

const root = repoRoot();
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

function warden(args: string[], cwd = root): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd, env: { ...process.env, NO_COLOR: '1', COLUMNS: '200' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The example logs plus a corrupt file and a text file nothing recognizes. */
function logsWithJunk(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-flags-'));
  cpSync(join(root, 'examples', 'logs'), join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'logs', 'corrupt.bin'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0x00, 0x13]));
  writeFileSync(join(dir, 'logs', 'notes.txt'), 'shopping list: milk, eggs\n');
  return dir;
}

const times = (jsonl: string): string[] =>
  jsonl
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { timestamp: string }).timestamp);

test('skipped files are counted with the reason, named with --verbose, and always named in JSON on stderr with --format jsonl', () => {
  const dir = logsWithJunk();
  const reason = 'unrecognized format (use --input-format to force one)';
  let r = warden(['hunt', 'logs', '--no-progress'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Inputs: +2 files \\(1 w3c, 1 json\\), 2 skipped \\(${reason.replace(/[()]/g, '\\$&')}; --verbose lists them\\)`));
  assert.doesNotMatch(r.stderr, /skipped/);
  r = warden(['hunt', 'logs', '--no-progress', '-v'], dir);
  assert.deepEqual(
    r.stderr.split('\n').filter((l) => l.includes('skipped')),
    [`warden: skipped ${join('logs', 'corrupt.bin')}: ${reason}`, `warden: skipped ${join('logs', 'notes.txt')}: ${reason}`],
  );
  r = warden(['hunt', 'logs', '--no-progress', '-f', 'jsonl'], dir);
  const skipped = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(skipped, [
    { type: 'skipped', file: join('logs', 'corrupt.bin'), reason },
    { type: 'skipped', file: join('logs', 'notes.txt'), reason },
  ]);
});

test('--from/--to hunt only the events in the window; the summary says how many were left out', () => {
  const all = times(warden(['hunt', 'examples/logs', '-f', 'jsonl', '--no-progress']).stdout);
  assert.ok(all.includes('2026-03-02T09:15:39.000Z') && all.includes('2026-03-02T09:17:31.090Z'));
  const r = warden(['hunt', 'examples/logs', '-f', 'jsonl', '--no-progress', '--from', '2026-03-02T09:16:00Z', '--to', '2026-03-02T09:17:00Z']);
  assert.equal(r.code, 0, r.stderr);
  const inside = times(r.stdout);
  assert.ok(inside.length > 0);
  assert.deepEqual(
    inside.filter((t) => t < '2026-03-02T09:16:00Z' || t > '2026-03-02T09:17:00Z'),
    [],
  );
  const eventTimes = times(warden(['events', 'examples/logs', '--no-raw']).stdout);
  const outside = eventTimes.filter((t) => t < '2026-03-02T09:16:00Z' || t > '2026-03-02T09:17:00Z').length;
  assert.ok(outside > 0 && outside < eventTimes.length);
  assert.match(r.stderr, new RegExp(`Events: +${eventTimes.length} in [\\d.]+ s \\([\\d,]+ events/s\\), ${outside} outside --from/--to left out`));
  // A date alone is the whole day; a time without an offset is in --timezone.
  assert.equal(times(warden(['hunt', 'examples/logs', '-f', 'jsonl', '--no-progress', '--to', '2026-03-01']).stdout).length, 0);
  assert.deepEqual(times(warden(['hunt', 'examples/logs', '-f', 'jsonl', '--no-progress', '--from', '2026-03-02']).stdout), all);
  const berlin = times(warden(['hunt', 'examples/logs', '-f', 'jsonl', '--no-progress', '--timezone', 'Europe/Berlin', '--from', '2026-03-02T10:17:00']).stdout);
  assert.deepEqual(berlin, ['2026-03-02T09:17:31.090Z'], 'JSON Lines keeps UTC');
});

test('bad --from/--to are usage errors', () => {
  let r = warden(['hunt', 'examples/logs', '--from', 'yesterday']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^warden: --from "yesterday" is not an ISO 8601 date or time/);
  r = warden(['hunt', 'examples/logs', '--from', '2026-03-03', '--to', '2026-03-02']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^warden: --from 2026-03-03 is after --to 2026-03-02/);
});

test('--timezone shows ISO 8601 times with the offset; --utc shows UTC', () => {
  const r = warden(['hunt', 'examples/logs', '--no-progress', '--timezone', '+05:30', '--ids', 'warden_win_iis_apppool_runs_recon']);
  assert.match(r.stdout, /^2026-03-02T14:46:05\.871\+05:30 │ high/m);
  assert.match(r.stdout, /Time range: +2026-03-02T14:46:05\.871\+05:30 → 2026-03-02T14:46:05\.871\+05:30/);
  const utc = warden(['hunt', 'examples/logs', '--no-progress', '--timezone', '+05:30', '--utc', '--ids', 'warden_win_iis_apppool_runs_recon']);
  assert.match(utc.stdout, /^2026-03-02T09:16:05\.871Z │ high/m);
});

test('--fail-on-findings exits 3 when something was detected, 0 when nothing was', () => {
  assert.equal(warden(['hunt', 'examples/logs', '--no-progress', '--fail-on-findings']).code, 3);
  assert.equal(warden(['hunt', 'examples/logs', '--no-progress', '--fail-on-findings', '--to', '2020-01-01']).code, 0);
});

test('--max-groups and --max-buffered reach the engine (a budget of 1 is reported, nothing crashes)', () => {
  const r = warden(['hunt', 'examples/logs', '--no-progress', '-f', 'jsonl', '--incidents', '--max-buffered', '1', '--max-groups', '1']);
  assert.equal(r.code, 1, 'budget hits are reported as problems');
  assert.match(r.stderr, /raise --max-buffered/);
  assert.equal(warden(['hunt', 'examples/logs', '--max-groups', '0']).code, 2);
});

test('scan output is in path order, in the table and in JSON Lines, with UTF-8 evidence intact', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-scanorder-'));
  const names = ['z.php', 'a.php', 'm/b.php', 'Ä.php'];
  mkdirSync(join(dir, 'm'));
  for (const n of names) writeFileSync(join(dir, n), '<?php\n// 这是一个后门，用于执行命令\n@eval($_POST["cmd"]);\n?>\n');
  const expected = [...names].sort().map((n) => join(dir, n));
  for (let i = 0; i < 2; i++) {
    const j = warden(['scan', dir, '-f', 'jsonl', '--threads', '2']);
    const recs = j.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { path: string; evidence: { snippet?: string }[] });
    assert.deepEqual(
      recs.map((f) => f.path),
      expected,
    );
    assert.ok(recs.every((f) => f.evidence.some((e) => e.snippet?.includes('用于执行命令'))));
    const t = warden(['scan', dir, '--threads', '2']);
    assert.deepEqual(
      t.stdout
        .split('\n')
        .filter((l) => l.startsWith(`  ${dir}`))
        .map((l) => l.trim()),
      expected,
    );
  }
});
