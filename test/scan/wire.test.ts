/** Worker results on the wire: clean single outcomes shrink to tuples and come back equal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromWire, toWire } from '../../src/scan/wire.js';
import type { FileOutcome } from '../../src/scan/scan-bytes.js';

test('clean outcomes travel compact and are restored with their path', () => {
  const analyzed: FileOutcome = { path: '/w/a.php', bytes: 120, analyzed: true, language: 'php', problems: [] };
  const skipped: FileOutcome = { path: '/w/s.css', bytes: 9, analyzed: false, skipped: 'not server-executable', problems: [] };
  assert.deepEqual(toWire([analyzed], '/w/a.php'), [120, 1, '', 'php']);
  assert.deepEqual(fromWire(toWire([analyzed], '/w/a.php'), '/w/a.php'), [analyzed]);
  assert.deepEqual(fromWire(toWire([skipped], '/w/s.css'), '/w/s.css'), [skipped]);
});

test('outcomes with findings, problems or archive entries travel whole', () => {
  const problem: FileOutcome = { path: '/w/b.php', bytes: 0, analyzed: false, problems: [{ kind: 'scan', file: '/w/b.php', message: 'cannot open: EACCES' }] };
  const entries: FileOutcome[] = [
    { path: '/w/p.zip', bytes: 300, analyzed: false, problems: [] },
    { path: '/w/p.zip!x.jsp', bytes: 40, analyzed: true, language: 'jsp', problems: [], entry: true },
  ];
  assert.deepEqual(toWire([problem], '/w/b.php'), [problem]);
  assert.deepEqual(toWire(entries, '/w/p.zip'), entries);
  assert.deepEqual(fromWire(toWire(entries, '/w/p.zip'), '/w/p.zip'), entries);
});
