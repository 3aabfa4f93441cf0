/**
 * The auditd decoder's shortcuts must decode exactly what the general paths do: record types
 * predicted from the type before (two candidates per type), whole EXECVE arguments stored
 * straight from a lean pattern's match, and exe names found in a small cache before the map.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditdDecoder } from '../../../src/input/text/auditd.js';
import type { Event } from '../../../src/event/event.js';
import type { Problem } from '../../../src/errors.js';
import { plainEvent } from '../../../src/event/lazy-event.js';
import { NodeProcesses } from '../../../src/input/text/auditd-processes.js';

function decode(lines: string[]): { events: Event[]; problems: Problem[] } {
  const events: Event[] = [];
  const problems: Problem[] = [];
  const state = auditdDecoder.open({ file: 'a.log', problems: { report: (p) => problems.push(p) } });
  const emit = (e: Event): void => {
    events.push(plainEvent(e));
  };
  lines.forEach((l, i) => {
    state.line(l, i + 1, emit);
  });
  state.end(emit);
  return { events, problems };
}

function stamp(n: number): string {
  return `1700000000.${String(n % 1000).padStart(3, '0')}:${500 + n}`;
}

test('auditd: a type followed by two types in turn (PATH, PATH, PROCTITLE) is read the same whichever was predicted', () => {
  const lines: string[] = [];
  for (let n = 0; n < 6; n++) {
    const st = stamp(n);
    lines.push(
      `type=CWD msg=audit(${st}): cwd="/srv"`,
      `type=PATH msg=audit(${st}): item=0 name="/a${n}"`,
      `type=PATH msg=audit(${st}): item=1 name="/b${n}"`,
      `type=PROCTITLE msg=audit(${st}): proctitle=6869`,
      `type=EOE msg=audit(${st}): `,
    );
  }
  // After PATH, a type that is neither prediction, a type sharing PATH's prefix, and lines whose
  // prefix is a predicted type's but not a record's.
  const st = stamp(9);
  lines.push(
    `type=PATH msg=audit(${st}): item=0 name="/c"`,
    `type=PATHX msg=audit(${st}): x=1`,
    `type=PATH msg=audit(${st}): item=1 name="/d"`,
    `type=PATH msg=audiX(${st}): item=2`,
    `type=PATH msg=audit(${st}): item=3 name="/e"`,
    `type=PROCTITLEmsg=audit(${st}): proctitle=6869`,
    `type=PATH msg=audit(${st}): item=4 name="/f"`,
    `type=CWD msg=audit(${st}): cwd="/g"`,
    `type=EOE msg=audit(${st}): `,
  );
  const { events, problems } = decode(lines);
  assert.equal(events.length, 7);
  for (let n = 0; n < 6; n++) {
    assert.deepStrictEqual(events[n]!.fields, {
      cwd: '/srv',
      item: ['0', '1'],
      name: [`/a${n}`, `/b${n}`],
      proctitle: 'hi',
      type: ['CWD', 'PATH', 'PROCTITLE'],
    });
  }
  assert.deepStrictEqual(events[6]!.fields, {
    item: ['0', '1', '3', '4'],
    name: ['/c', '/d', '/e', '/f'],
    x: '1',
    cwd: '/g',
    type: ['PATH', 'PATHX', 'CWD'],
  });
  assert.deepStrictEqual(
    problems.map((p) => [p.line, p.message]),
    [
      [34, 'not an audit record (no msg=audit(...)); skipped: "type=PATH msg=audiX(1700000000.009:509): item=2"'],
      [36, 'not an audit record (no msg=audit(...)); skipped: "type=PROCTITLEmsg=audit(1700000000.009:509): proctitle=6869"'],
    ],
  );
});

test('auditd: EXECVE arguments read by a lean pattern are those of the full scan (quoted, hex, leading zeros, too high)', () => {
  const lines: string[] = [];
  // The same layout many times: the first events are scanned, the later ones matched by patterns.
  for (let n = 0; n < 8; n++) {
    const st = stamp(n);
    lines.push(
      `type=SYSCALL msg=audit(${st}): arch=c000003e syscall=59 success=yes exit=0 items=1 ppid=1 pid=${700 + n} auid=1000 uid=0 comm="x" exe="/bin/x" key="k"`,
      `type=EXECVE msg=audit(${st}): argc=5 a0="x" a01="one" a2=74776F a10000="dropped" a3="three${n}" a4="four"`,
      `type=EOE msg=audit(${st}): `,
    );
  }
  const { events, problems } = decode(lines);
  assert.equal(problems.length, 0);
  assert.equal(events.length, 16);
  for (let n = 0; n < 8; n++) {
    const proc = events[2 * n + 1]!;
    assert.deepStrictEqual(proc.logsource, { product: 'linux', category: 'process_creation' });
    assert.equal(proc.fields.CommandLine, `x one two three${n} four`);
    const f = events[2 * n]!.fields;
    assert.deepStrictEqual([f.a0, f.a1, f.a2, f.a3, f.a4, f.a10000, f.a01], ['x', 'one', 'two', `three${n}`, 'four', 'dropped', undefined]);
  }
});

test('auditd: exe names that share a cache slot (same length and last character) keep their own ParentImage', () => {
  const lines: string[] = [];
  const exes = ['/bin/aa', '/bin/ba', '/bin/ca'];
  for (let n = 0; n < 9; n++) {
    const st = stamp(n);
    lines.push(
      `type=SYSCALL msg=audit(${st}): arch=c000003e syscall=59 success=yes exit=0 items=1 ppid=${n === 0 ? 1 : 900 + n - 1} pid=${900 + n} auid=1000 uid=0 comm="c" exe="${exes[n % 3]}" key="k"`,
      `type=EXECVE msg=audit(${st}): argc=1 a0="c${n}"`,
      `type=EOE msg=audit(${st}): `,
    );
  }
  const { events } = decode(lines);
  const procs = events.filter((e) => e.logsource.category === 'process_creation');
  assert.deepStrictEqual(
    procs.map((e) => [e.fields.Image, e.fields.ParentImage, e.fields.ParentCommandLine]),
    [
      ['/bin/aa', undefined, undefined],
      ['/bin/ba', '/bin/aa', 'c0'],
      ['/bin/ca', '/bin/ba', 'c1'],
      ['/bin/aa', '/bin/ca', 'c2'],
      ['/bin/ba', '/bin/aa', 'c3'],
      ['/bin/ca', '/bin/ba', 'c4'],
      ['/bin/aa', '/bin/ca', 'c5'],
      ['/bin/ba', '/bin/aa', 'c6'],
      ['/bin/ca', '/bin/ba', 'c7'],
    ],
  );
});

test('auditd: the process tables keep one shared copy per exe name, through the recent-name cache and after it', () => {
  const procs = new NodeProcesses(100, 400, 10);
  // Copies of one name (as slices of different lines would be) and a name colliding in the cache.
  const a1 = 'x/usr/bin/python3'.slice(1);
  const a2 = 'y/usr/bin/python3'.slice(1);
  const b = '/usr/sbin/python3';
  procs.remember(undefined, 1, a1, 'c1');
  procs.remember(undefined, 2, b, 'c2');
  procs.remember(undefined, 3, a2, 'c3');
  const t = procs.of(undefined);
  assert.equal(t.exeOf(1), '/usr/bin/python3');
  assert.equal(t.exeOf(2), '/usr/sbin/python3');
  assert.equal(t.exeOf(3), '/usr/bin/python3');
  assert.equal(t.cmdOf(3), 'c3');
  assert.equal(procs.processCount, 3);
});

test('auditd: stamps read in one pass are those of the full parse; malformed ones are still reported', () => {
  const stamps = [
    '1700000000.5:1',
    '1700000000:2',
    '1700000000.123456789:3',
    '1700000000.1234567890:4',
    '0.100:5',
    '1700000000.:6',
    '1700000000.100:',
    '1700000000.100:7x',
    '1234567890123456.1:8',
    '170000000a.1:9',
    '1700000000.100:123456789012345',
    '1700000000.100:1234567890123456',
    '123456789012345.999:10',
    '1700000000.100.5:11',
    '1700000000:12:13',
    '',
    '1700000000.042:14',
  ];
  const lines = stamps.map((s, i) => `type=USER_CMD msg=audit(${s}): pid=${i} msg='cmd=6C73'`);
  lines.push('type=USER_CMD msg=audit(1700000000.100:15 pid=1');
  const { events, problems } = decode(lines);
  assert.deepStrictEqual(
    events.map((e) => [e.origin.record, e.timestamp, e.fields.pid]),
    [
      [1, 1700000000500, '0'],
      [2, 1700000000000, '1'],
      [3, 1700000000123, '2'],
      [11, 1700000000100, '10'],
      [13, 123456789012345980, '12'],
      [17, 1700000000042, '16'],
    ],
  );
  assert.deepStrictEqual(
    problems.map((p) => p.line),
    [4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 16, 18],
  );
  for (const p of problems) assert.ok(p.message.startsWith('not an audit record (bad msg=audit(time:serial)); skipped: '), p.message);
});
