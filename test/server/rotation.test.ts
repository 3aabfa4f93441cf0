/**
 * Check 2 at the service level: a tailed glob through rotation by rename, copytruncate, a new
 * file matching the glob, a half-written line, and two restarts (one with lines written while
 * down) — every line produces its detection exactly once. Lines are Apache access-log lines,
 * whose identity is their position in their stream, so a line read twice would be a second
 * detection and a line skipped a missing one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/server/config.js';
import { startRuntime, type Runtime } from '../../src/server/runtime.js';

const quiet = { info() {}, warn() {}, error() {} };

function line(n: number): string {
  const t = new Date(Date.now() - 60_000);
  const stamp = `${String(t.getUTCDate()).padStart(2, '0')}/${t.toLocaleString('en', { month: 'short', timeZone: 'UTC' })}/${t.getUTCFullYear()}:${t.toISOString().slice(11, 19)} +0000`;
  return `203.0.113.9 - - [${stamp}] "GET /up/x.php?cmd=whoami&n=${n} HTTP/1.1" 200 12 "-" "curl/8.5"`;
}

function lines(from: number, to: number): string {
  let s = '';
  for (let n = from; n <= to; n++) s += `${line(n)}\n`;
  return s;
}

/** Detections of the query-string rule per line number n. */
async function perLine(rt: Runtime): Promise<Map<number, number>> {
  const rows = await rt.store.db.query("SELECT body FROM detections WHERE title = 'Operating-System Command in a Web Request Query String'");
  const m = new Map<number, number>();
  for (const r of rows) {
    const n = Number(/[?&]n=(\d+)/.exec(String(r.body))?.[1]);
    m.set(n, (m.get(n) ?? 0) + 1);
  }
  return m;
}

async function until(rt: Runtime, count: number, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  for (;;) {
    const m = await perLine(rt);
    if (m.size >= count) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${m.size} of ${count} lines detected`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('rotation (rename, copytruncate, new files by glob) and restarts: every line detected exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-rotation-'));
  const log = join(dir, 'access.log');
  const config = parseConfig(
    `data: ${join(dir, 'data')}
pipeline: { tolerance: 200ms, snapshot_every: 300ms }
sources:
  - { name: web, type: tail, paths: ["${dir}/access.log*"], format: access }
`,
    'rotation.yaml',
  );
  writeFileSync(log, lines(1, 100));
  let rt = await startRuntime(config, { logger: quiet });
  try {
    await until(rt, 100, 'the first file');
    // rotation by rename; the writer still appends a few lines to the old file, then a new one starts
    renameSync(log, `${log}.1`);
    appendFileSync(`${log}.1`, lines(101, 110));
    writeFileSync(log, lines(111, 200));
    await until(rt, 200, 'the renamed and the new file');
    // copytruncate: a copy with the same content appears (already read), the original starts over
    copyFileSync(log, `${log}.2`);
    truncateSync(log, 0);
    appendFileSync(log, lines(201, 250));
    await until(rt, 250, 'the truncated file');
    // a half-written line waits for its line break
    appendFileSync(log, line(251).slice(0, 40));
    await new Promise((r) => setTimeout(r, 600));
    assert.equal((await perLine(rt)).has(251), false);
    appendFileSync(log, `${line(251).slice(40)}\n`);
    // a new file matching the glob
    writeFileSync(`${log}.new`, lines(252, 300));
    await until(rt, 300, 'the half line and the new file');
    // a clean restart, with lines written while it is down, to an old and a new file
    await rt.stop();
    appendFileSync(log, lines(301, 320));
    appendFileSync(`${log}.new`, lines(321, 330));
    writeFileSync(`${log}.3`, lines(331, 350));
    rt = await startRuntime(config, { logger: quiet });
    await until(rt, 350, 'lines written while down');
    // another rename rotation right after the restart
    renameSync(log, `${log}.4`);
    writeFileSync(log, lines(351, 400));
    await until(rt, 400, 'after the second rotation');
    await new Promise((r) => setTimeout(r, 800));
    const m = await perLine(rt);
    const wrong = [...m].filter(([, k]) => k !== 1);
    assert.deepEqual(wrong, [], 'no line detected twice');
    assert.deepEqual(
      [...m.keys()].sort((a, b) => a - b),
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
  } finally {
    await rt.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
