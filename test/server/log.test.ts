/**
 * The service log (pino): one JSON object per line with the level by name, an ISO time, the
 * message and the context fields; lines below the configured level are dropped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { jsonLogger } from '../../src/server/log.js';

function collect(): { out: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return {
    out,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

test('one JSON line per entry: level name, ISO time, message, context; below the level dropped', () => {
  const c = collect();
  const log = jsonLogger('info', c.out);
  log.debug({ n: 1 }, 'not shown at info');
  log.info({ source: 'iis', events: 120 }, 'source started');
  log.warn({ file: 'u_ex260101.log', line: 7 }, 'half-written line');
  log.error({ err: 'disk full' }, 'commit failed');
  const lines = c.lines();
  assert.equal(lines.length, 3);
  for (const l of lines) {
    assert.match(String(l.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    delete l.time;
  }
  assert.deepEqual(lines, [
    { level: 'info', source: 'iis', events: 120, msg: 'source started' },
    { level: 'warn', file: 'u_ex260101.log', line: 7, msg: 'half-written line' },
    { level: 'error', err: 'disk full', msg: 'commit failed' },
  ]);
});

test('debug level shows debug lines; a message with odd characters stays one valid line', () => {
  const c = collect();
  const log = jsonLogger('debug', c.out);
  log.debug({ path: 'C:\\inetpub\\wwwroot\\x.aspx' }, 'line one\nline "two"');
  const lines = c.lines();
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.level, 'debug');
  assert.equal(lines[0]!.msg, 'line one\nline "two"');
  assert.equal(lines[0]!.path, 'C:\\inetpub\\wwwroot\\x.aspx');
});
