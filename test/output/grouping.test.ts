/**
 * De-duplication for display, never for data (issue 14): one rule firing 10,000 times for one
 * host is one table row with the count and the first → last time; JSON Lines carries all
 * 10,000 detections, each naming the same group; --no-group shows every row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/shared.js';

const root = repoRoot();
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const N = 10_000;

function warden(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root, maxBuffer: 256 << 20, env: { ...process.env, NO_COLOR: '1', COLUMNS: '160' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A reGeorg tunnel: the same POST from one client, once a second from 08:00:00. */
function tunnelLog(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-group-'));
  const file = join(dir, 'localhost_access_log.2026-03-02.txt');
  const start = Date.UTC(2026, 2, 2, 8, 0, 0);
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    const t = new Date(start + i * 1000);
    const hh = String(t.getUTCHours()).padStart(2, '0');
    const mm = String(t.getUTCMinutes()).padStart(2, '0');
    const ss = String(t.getUTCSeconds()).padStart(2, '0');
    lines.push(`198.51.100.23 - - [02/Mar/2026:${hh}:${mm}:${ss} +0000] "POST /examples/tunnel.jsp?cmd=read HTTP/1.1" 200 2048 "-" "Python-urllib/3.8"`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const log = tunnelLog();
const base = [log, '--host', 'tomcat01.example.org', '--ids', 'warden_web_regeorg_tunnel', '--no-progress'];

test('10,000 detections of one rule for one host: one table row with the count and first → last time', () => {
  const r = warden(['hunt', ...base]);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT/.test(l));
  assert.equal(rows.length, 1, r.stdout);
  assert.match(rows[0]!, /^2026-03-02T08:00:00\.000Z +│ high +│ tomcat01\.example\.org +│ reGeorg \/ Tunna Web-Shell Tunnel Requests +│ +10,000 │ cs-method: POST/);
  assert.match(r.stdout, /^→ 2026-03-02T10:46:39\.000Z /m, 'the last time under the first');
  assert.match(r.stdout, /Detections: +10,000 \(high 10,000 \(1 rule\)\)/);
});

test('JSON Lines keeps all 10,000 detections, each with the one group id', () => {
  const r = warden(['hunt', ...base, '-f', 'jsonl']);
  assert.equal(r.code, 0, r.stderr);
  const recs = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; group: string; source: { record: number } });
  assert.equal(recs.length, N);
  assert.equal(new Set(recs.map((d) => d.id)).size, N, 'every detection has its own id');
  assert.equal(new Set(recs.map((d) => d.group)).size, 1, 'all in one group');
  assert.deepEqual(
    recs.map((d) => d.source.record),
    Array.from({ length: N }, (_, i) => i + 1),
  );
});

test('--no-group shows every detection as a row', () => {
  const r = warden(['hunt', ...base, '--no-group']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT/.test(l)).length, N);
});
