/**
 * Tailed files: appended lines, a half-written last line, rotation by rename and by
 * copytruncate, globs picking up new files, restarts from the saved position — every line
 * read exactly once — and decoders with header state (W3C) warmed up after a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProblemList } from '../../src/errors.js';
import type { Event } from '../../src/event/event.js';
import type { SourcePosition } from '../../src/event/source.js';
import { TailSource, type TailOptions } from '../../src/input/sources/tail.js';

function accessLine(n: number): string {
  return `203.0.113.9 - - [02/Mar/2026:09:16:05 +0000] "GET /page-${n} HTTP/1.1" 200 120 "-" "curl/8"\n`;
}

function pathOf(e: Event): string {
  return String(e.fields['cs-uri-stem'] ?? e.fields['cs-uri'] ?? e.fields.Uri ?? '');
}

/** Runs a tail source in the background; collects events and the last position. */
class Runner {
  readonly events: Event[] = [];
  position: SourcePosition | undefined;
  readonly problems = new ProblemList();
  private readonly ctl = new AbortController();
  private readonly done: Promise<void>;
  constructor(opts: TailOptions, from?: SourcePosition) {
    const src = new TailSource({ pollMs: 20, ...opts });
    this.done = (async () => {
      for await (const b of src.batches(this.problems, { from, signal: this.ctl.signal })) {
        this.events.push(...b.events);
        this.position = b.position;
      }
    })();
  }
  async until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) {
        this.ctl.abort();
        throw new Error(`timed out waiting for ${what}; have ${this.events.length} events: ${this.events.map(pathOf).join(' ')}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  async stop(): Promise<void> {
    this.ctl.abort();
    await this.done;
  }
  paths(): string[] {
    return this.events.map(pathOf);
  }
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 150));

test('appended lines are read once; a half-written last line waits for its line break', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-tail-'));
  const log = join(dir, 'access.log');
  writeFileSync(log, accessLine(1) + accessLine(2));
  const r = new Runner({ name: 't', paths: [log] });
  await r.until(() => r.events.length === 2, 'two lines');
  const third = accessLine(3);
  appendFileSync(log, third.slice(0, 30));
  await settle();
  assert.equal(r.events.length, 2, 'the partial line is not read');
  appendFileSync(log, third.slice(30) + accessLine(4));
  await r.until(() => r.events.length === 4, 'four lines');
  await settle();
  await r.stop();
  assert.deepEqual(r.paths(), ['/page-1', '/page-2', '/page-3', '/page-4']);
  assert.deepEqual(
    r.events.map((e) => e.origin.record),
    [1, 2, 3, 4],
  );
  assert.ok(r.events.every((e) => typeof e.origin.stream === 'string'));
});

test('rotation by rename: the old file is drained, the new one read from its start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-tail-'));
  const log = join(dir, 'app.log');
  writeFileSync(log, accessLine(1));
  const r = new Runner({ name: 't', paths: [log] });
  await r.until(() => r.events.length === 1, 'first line');
  appendFileSync(log, accessLine(2));
  renameSync(log, `${log}.1`);
  writeFileSync(log, accessLine(3));
  appendFileSync(`${log}.1`, accessLine(4)); // a late write to the old handle's file
  await r.until(() => r.events.length === 4, 'all four lines');
  await settle();
  await r.stop();
  assert.deepEqual(r.paths().sort(), ['/page-1', '/page-2', '/page-3', '/page-4']);
});

test('copytruncate: the copy continues where reading stopped, the truncated file starts over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-tail-'));
  const log = join(dir, 'app.log');
  writeFileSync(log, accessLine(1) + accessLine(2));
  const r = new Runner({ name: 't', paths: [`${log}*`] });
  await r.until(() => r.events.length === 2, 'two lines');
  await r.stop();
  // Written after the reader stopped, then rotated by copy + truncate while it is down.
  appendFileSync(log, accessLine(3));
  copyFileSync(log, `${log}.1`);
  truncateSync(log, 0);
  appendFileSync(log, accessLine(4));
  const again = new Runner({ name: 't', paths: [`${log}*`] }, r.position);
  await again.until(() => again.events.length === 2, 'the two new lines');
  await settle();
  // While running: another copytruncate.
  appendFileSync(log, accessLine(5));
  await again.until(() => again.events.length === 3, 'line 5');
  copyFileSync(log, `${log}.1`);
  truncateSync(log, 0);
  appendFileSync(log, accessLine(6));
  await again.until(() => again.events.length === 4, 'line 6');
  await settle();
  await again.stop();
  assert.deepEqual([...r.paths(), ...again.paths()].sort(), ['/page-1', '/page-2', '/page-3', '/page-4', '/page-5', '/page-6']);
});

test('a glob picks up new files; a restart resumes every file at its saved position', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-tail-'));
  writeFileSync(join(dir, 'a.log'), accessLine(1));
  const r = new Runner({ name: 't', paths: [join(dir, '*.log')] });
  await r.until(() => r.events.length === 1, 'a.log');
  writeFileSync(join(dir, 'b.log'), accessLine(2));
  await r.until(() => r.events.length === 2, 'b.log');
  await r.stop();
  appendFileSync(join(dir, 'a.log'), accessLine(3));
  appendFileSync(join(dir, 'b.log'), accessLine(4));
  const again = new Runner({ name: 't', paths: [join(dir, '*.log')] }, r.position);
  await again.until(() => again.events.length === 2, 'the lines written while down');
  await settle();
  await again.stop();
  assert.deepEqual([...r.paths(), ...again.paths()].sort(), ['/page-1', '/page-2', '/page-3', '/page-4']);
  // Line numbers continue, so detections keep their identities.
  const a3 = again.events.find((e) => pathOf(e) === '/page-3')!;
  assert.equal(a3.origin.record, 2);
});

test('W3C: after a restart the #Fields header read before it still decodes new lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-tail-'));
  const log = join(dir, 'u_ex260302.log');
  const head =
    '#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2026-03-02 09:00:00\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status\n';
  const line = (n: number): string => `2026-03-02 09:16:0${n} 10.0.0.5 GET /w3c-${n} - 443 - 203.0.113.9 curl/8 200\n`;
  writeFileSync(log, head + line(1));
  const r = new Runner({ name: 't', paths: [log], format: 'w3c' });
  await r.until(() => r.events.length === 1, 'first record');
  await r.stop();
  appendFileSync(log, line(2));
  const again = new Runner({ name: 't', paths: [log], format: 'w3c' }, r.position);
  await again.until(() => again.events.length === 1, 'second record');
  await again.stop();
  assert.equal(again.events[0]!.fields['cs-uri-stem'], '/w3c-2');
  assert.equal(again.events[0]!.origin.record, 6);
  assert.deepEqual(again.problems.problems, []);
});
