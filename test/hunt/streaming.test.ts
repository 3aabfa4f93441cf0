/**
 * What the streaming pipeline gives users: any input from stdin or gzip (EVTX too),
 * `warden events` output hunted again with the same result, detections written while the
 * input is still being read, EVTX records named by their EventRecordID.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DetectionRecord } from '../../src/output/record.js';
import { repoRoot, sharedDir, skipWithoutShared } from '../helpers/shared.js';

const root = repoRoot();
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'warden-stream-'));
const SIGMA_WINDOWS = join(sharedDir(), 'sigma', 'rules', 'windows', 'process_creation');
const SYSMON_EVTX = join(sharedDir(), 'logs', 'evtx', 'sysmon.evtx');

function warden(args: string[], input?: Buffer | string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', input, cwd: root, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function records(stdout: string): DetectionRecord[] {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as DetectionRecord);
}

function ids(stdout: string): string[] {
  return records(stdout)
    .map((r) => r.id)
    .sort();
}

test('EVTX from stdin and from a .gz give the same detections as the file itself', {
  skip: skipWithoutShared('logs/evtx/sysmon.evtx') ?? skipWithoutShared('sigma/rules/windows'),
}, () => {
  const direct = warden(['hunt', SYSMON_EVTX, '-r', SIGMA_WINDOWS, '--no-builtin', '-f', 'jsonl']);
  assert.equal(direct.code, 0, direct.stderr);
  const want = records(direct.stdout);
  assert.ok(want.length > 0, 'the sample has detections');
  const bytes = readFileSync(SYSMON_EVTX);
  const piped = warden(['hunt', '-', '-r', SIGMA_WINDOWS, '--no-builtin', '-f', 'jsonl'], bytes);
  assert.equal(piped.code, 0, piped.stderr);
  // Same records; only the file name differs ("-"), and so do the ids of events without a record identity.
  assert.deepEqual(
    records(piped.stdout)
      .map((r) => `${r.rule.id} ${r.source.record} ${r.source.format}`)
      .sort(),
    want.map((r) => `${r.rule.id} ${r.source.record} ${r.source.format}`).sort(),
  );
  // Windows events have an identity of their own (host, channel, EventRecordID): same ids.
  assert.deepEqual(ids(piped.stdout), ids(direct.stdout));
  const gz = join(dir, 'sysmon.evtx.gz');
  writeFileSync(gz, gzipSync(bytes));
  const zipped = warden(['hunt', gz, '-r', SIGMA_WINDOWS, '--no-builtin', '-f', 'jsonl']);
  assert.equal(zipped.code, 0, zipped.stderr);
  assert.deepEqual(ids(zipped.stdout), ids(direct.stdout));
  const gzStdin = warden(['hunt', '-', '-r', SIGMA_WINDOWS, '--no-builtin', '-f', 'jsonl'], gzipSync(bytes));
  assert.equal(gzStdin.code, 0, gzStdin.stderr);
  assert.deepEqual(ids(gzStdin.stdout), ids(direct.stdout));
});

test('`warden events X > ev.jsonl; warden hunt ev.jsonl` gives the detections of `warden hunt X`', () => {
  for (const input of ['examples/logs/u_ex260302.log', 'examples/logs/web01-sysmon.jsonl']) {
    const direct = warden(['hunt', input, '-r', 'examples/rules', '-f', 'jsonl']);
    assert.equal(direct.code, 0, direct.stderr);
    assert.ok(records(direct.stdout).length > 0);
    const events = join(dir, `${input.replace(/\W/g, '_')}.events.jsonl`);
    const ev = warden(['events', input, '-o', events]);
    assert.equal(ev.code, 0, ev.stderr);
    const again = warden(['hunt', events, '-r', 'examples/rules', '-f', 'jsonl']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(ids(again.stdout), ids(direct.stdout), input);
    assert.deepEqual(
      records(again.stdout).map((r) => r.source),
      records(direct.stdout).map((r) => r.source),
      'the detections point at the original log',
    );
  }
});

test('detections stream out while the input is still being read', async () => {
  const child = spawn(process.execPath, [cli, 'hunt', '-', '--input-format', 'w3c', '-r', 'examples/rules', '--no-builtin', '-f', 'jsonl', '--host', 'WEB01'], { cwd: root });
  const header = '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status\n';
  const hit = '2026-03-02 09:16:05 10.0.0.5 GET /shell.aspx cmd=whoami 443 - 203.0.113.9 curl/8 200\n';
  child.stdin.write(header);
  let out = '';
  const firstLine = new Promise<string>((resolve) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
  });
  // Enough matching lines to fill a read chunk; stdin stays open.
  const burst = hit.repeat(Math.ceil((1 << 20) / hit.length) + 10);
  child.stdin.write(burst);
  const timeout = new Promise<string>((_, reject) => setTimeout(() => reject(new Error('no detection before the input ended')), 20_000));
  const line = await Promise.race([firstLine, timeout]);
  assert.equal((JSON.parse(line) as DetectionRecord).rule.title, 'Shell Command in a Web Request Query String (example rule)');
  assert.equal(child.exitCode, null, 'warden is still reading');
  child.stdin.end();
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0);
});

test('an EVTX detection names the record by its EventRecordID; the header number is kept as ordinal', { skip: skipWithoutShared('logs/evtx/new-user-security.evtx') }, () => {
  const rule = join(dir, 'any-security.yml');
  writeFileSync(
    rule,
    'title: any security event\nid: 0f6c6f3e-6a7b-4a43-9d6e-3a9b8b7e0a11\nstatus: test\nlevel: low\nauthor: test\nlogsource: {product: windows, service: security}\ndetection:\n  sel: {EventID: 4720}\n  condition: sel\n',
  );
  const r = warden(['hunt', join(sharedDir(), 'logs', 'evtx', 'new-user-security.evtx'), '-r', rule, '--no-builtin', '-f', 'jsonl']);
  assert.equal(r.code, 0, r.stderr);
  const recs = records(r.stdout);
  assert.ok(recs.length > 0);
  for (const d of recs) {
    assert.equal(d.source.record, Number(d.event.EventRecordID));
    assert.notEqual(d.source.ordinal, undefined, 'this export numbers its record headers from 1');
  }
});
