/**
 * Hostile logs and rule sets through the command line (issue #16): 200,000 bad lines after one
 * malicious event (problems streamed and capped, the detection still printed, in a 64 MB heap),
 * a small truncated .jsonl.gz (the events before the cut recovered), CR-only line endings
 * (right record numbers), JSON fields named like Object's own methods (kept), log fields with
 * terminal escapes (printed escaped), and correlation cycles (rejected by `rules lint` as by
 * `hunt`). Every input is built here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot } from '../helpers/shared.js';

const root = repoRoot();
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

function warden(args: string[], heapMb?: number): { code: number | null; stdout: string; stderr: string } {
  const flags = heapMb ? [`--max-old-space-size=${heapMb}`] : [];
  const r = spawnSync(process.execPath, [...flags, cli, ...args], { encoding: 'utf8', cwd: root, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The example Sysmon event where w3wp.exe starts cmd.exe (the example rule fires on it). */
function shellEvent(): string {
  const lines = readFileSync(join(root, 'examples', 'logs', 'web01-sysmon.jsonl'), 'utf8').split('\n');
  const hit = lines.find((l) => l.includes('w3wp.exe') && l.includes('cmd.exe'));
  assert.ok(hit, 'examples hold the w3wp -> cmd event');
  return hit;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'warden-hostile-logs-'));
}

test('200,000 bad lines after one malicious event: detection printed, problems capped per file then counted, exit 1, in a 64 MB heap', () => {
  const dir = tempDir();
  try {
    const log = join(dir, 'bad.jsonl');
    writeFileSync(log, `${shellEvent()}\n${'{bad\n'.repeat(200_000)}`);
    const r = warden(['hunt', log, '--rules', 'examples/rules', '-f', 'jsonl'], 64);
    assert.equal(r.code, 1, r.stderr.slice(-2000));
    const detections = r.stdout.trim().split('\n').filter(Boolean);
    assert.ok(
      detections.some((d) => d.includes('IIS Worker Process Starts a Command Interpreter')),
      r.stdout,
    );
    // with --format jsonl the problems on stderr are JSON lines too
    const listed = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; file: string; message: string; more?: number });
    assert.equal(listed.length, 101);
    assert.ok(listed.every((p) => p.type === 'problem' && p.file === log));
    assert.equal(listed[100]!.message, '199900 more problems in this file are not shown (the first 100 are)');
    assert.match(r.stderr, /Problems: {4}200,000/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a small truncated .jsonl.gz: the events before the cut are read, the cut is a problem', () => {
  const dir = tempDir();
  try {
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ EventID: 1, n: i }));
    const gz = gzipSync(`${lines.join('\n')}\n`);
    const file = join(dir, 'cut.jsonl.gz');
    writeFileSync(file, gz.subarray(0, gz.length - 30));
    const r = warden(['events', file]);
    assert.equal(r.code, 1);
    const ns = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { fields: { n: number } }).fields.n);
    assert.ok(ns.length >= 30, `${ns.length} events recovered`);
    assert.deepEqual(
      ns,
      ns.map((_, i) => i),
    );
    assert.match(r.stderr, /cut\.jsonl\.gz/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CR-only JSONL: records numbered by line; fields named toString, constructor, hasOwnProperty kept', () => {
  const dir = tempDir();
  try {
    const ev = (n: number): string => JSON.stringify({ EventID: 1, n, toString: 'a', constructor: 'b', hasOwnProperty: 'c', __proto__x: 'd' });
    const file = join(dir, 'mac.jsonl');
    writeFileSync(file, `${ev(1)}\r${ev(2)}\r{bad\r${ev(4)}\r`);
    const r = warden(['events', file]);
    assert.equal(r.code, 1);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { source: { record: number }; fields: Record<string, unknown> });
    assert.deepEqual(
      events.map((e) => e.source.record),
      [1, 2, 4],
    );
    assert.deepEqual(events[2]!.fields, { EventID: 1, n: 4, toString: 'a', constructor: 'b', hasOwnProperty: 'c', __proto__x: 'd' });
    assert.match(r.stderr, /mac\.jsonl:3/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('log fields with ESC sequences and newlines are printed escaped in the detection table', () => {
  const dir = tempDir();
  try {
    const hostile = shellEvent().replace('cmd.exe', 'cmd.exe \\u001b]52;c;ZXZpbA==\\u0007\\u001b[2J\\nFORGED LINE');
    assert.notEqual(hostile, shellEvent());
    const file = join(dir, 'esc.jsonl');
    writeFileSync(file, `${hostile}\n`);
    const r = warden(['hunt', file, '--rules', 'examples/rules', '--no-color']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(r.stdout.replace(/\n/g, '')), JSON.stringify(r.stdout.slice(0, 3000)));
    assert.ok(!r.stdout.split('\n').some((l) => l.startsWith('FORGED LINE')), r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rules lint rejects a correlation cycle as hunt does (exit 1, both rules named)', () => {
  const dir = tempDir();
  try {
    const corr = (name: string, other: string): string =>
      `title: ${name.toUpperCase()}\nname: ${name}\ncorrelation:\n  type: event_count\n  rules: [${other}]\n  group-by: [host]\n  timespan: 5m\n  condition: {gte: 2}\n`;
    const file = join(dir, 'cycle.yml');
    writeFileSync(file, `${corr('corr_a', 'corr_b')}---\n${corr('corr_b', 'corr_a')}`);
    const r = warden(['rules', 'lint', file]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      [
        `${file}:1: correlation 'CORR_A': correlation chain has a cycle: corr_a -> corr_b -> corr_a`,
        `${file}:10: correlation 'CORR_B': depends on correlation 'CORR_A', which cannot be used`,
        '0 loaded (0 rules, 0 filters, 0 correlations), 2 failed',
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
