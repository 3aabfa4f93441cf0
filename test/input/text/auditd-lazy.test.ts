/**
 * auditd events build their fields when first read, and read only the process pairs of a group
 * with a SYSCALL record as it arrives (see auditd-fields.ts). Whenever the fields are read, and
 * whichever way the decoder read the group, the events must be those of reading everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditdDecoder } from '../../../src/input/text/auditd.js';
import type { Event } from '../../../src/event/event.js';
import { plainEvent } from '../../../src/event/lazy-event.js';

/** Decodes lines; `read` says when each event's fields are read: as it comes, or after the whole input, last event first. */
function decodeAll(lines: string[], read: 'at-emit' | 'at-end'): { events: Event[]; raw: Event[] } {
  const raw: Event[] = [];
  const events: Event[] = [];
  const state = auditdDecoder.open({ file: 'a.log', problems: { report: () => undefined } });
  const emit = (e: Event): void => {
    raw.push(e);
    if (read === 'at-emit') events.push(plainEvent(e));
  };
  lines.forEach((l, i) => {
    state.line(l, i + 1, emit);
  });
  state.end(emit);
  if (read === 'at-end') {
    const late = new Array<Event>(raw.length);
    for (let i = raw.length - 1; i >= 0; i--) late[i] = plainEvent(raw[i]!);
    events.push(...late);
  }
  return { events, raw };
}

function execGroup(n: number, extra: string[] = []): string[] {
  const st = `1700000000.${String(n % 1000).padStart(3, '0')}:${1000 + n}`;
  return [
    `type=SYSCALL msg=audit(${st}): arch=c000003e syscall=59 success=yes exit=0 items=2 ppid=${n === 0 ? 1 : 4000 + n - 1} pid=${4000 + n} auid=1000 uid=33 comm="sh" exe="/bin/sh" key="x"`,
    `type=EXECVE msg=audit(${st}): argc=3 a0="sh" a1="-c" a2="echo ${n}"`,
    `type=CWD msg=audit(${st}): cwd="/srv"`,
    `type=PATH msg=audit(${st}): item=0 name="/bin/sh" inode=5 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL`,
    ...extra.map((x) => x.replace('STAMP', st)),
    `type=EOE msg=audit(${st}): `,
  ];
}

test('auditd: fields read after the whole file, last event first, are those read as each event comes', () => {
  const lines: string[] = [];
  for (let n = 0; n < 40; n++) lines.push(...execGroup(n));
  lines.push(`type=USER_CMD msg=audit(1700000001.000:9): pid=7 uid=0 msg='cwd="/root" cmd=6C73 terminal=pts/0 res=success'`);
  const now = decodeAll(lines, 'at-emit');
  const late = decodeAll(lines, 'at-end');
  assert.equal(now.events.length, 81);
  assert.deepStrictEqual(late.events, now.events);
  const first = now.events[0]!;
  assert.deepStrictEqual(first.fields.type, ['SYSCALL', 'EXECVE', 'CWD', 'PATH']);
  assert.equal(first.fields.SYSCALL, 'execve');
  assert.equal(first.fields.a2, 'echo 0');
  assert.deepStrictEqual(now.events[3]!.fields, {
    Image: '/bin/sh',
    CommandLine: 'sh -c echo 1',
    ProcessId: 4001,
    ParentProcessId: 4000,
    ParentImage: '/bin/sh',
    ParentCommandLine: 'sh -c echo 0',
    User: '33',
    CurrentDirectory: '/srv',
    LogonId: 1000,
  });
  assert.deepStrictEqual(JSON.parse(JSON.stringify(late.raw[0])), JSON.parse(JSON.stringify(first)));
});

test('auditd: the process pairs read as records arrive are the first of the group, after records in known layouts', () => {
  // 30 plain groups teach the decoder each type's layout; then groups whose later records bend
  // the rules the lean patterns rely on: an ENRICHED tail inside a value of a known layout, a
  // second success or argc, a UID after the SYSCALL record, a pid before it.
  const lines: string[] = [];
  for (let n = 0; n < 30; n++) lines.push(...execGroup(n));
  const bent = [
    execGroup(30).map((l) => l.replace('pid=4030 ', 'pid=4030\u001dUID="web" ')),
    execGroup(31, ['type=PATH msg=audit(STAMP): item=1 name="/x" inode=6 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL success=no']),
    execGroup(32).map((l) => l.replace('success=yes', 'success=no')),
    execGroup(33, ['type=PATH msg=audit(STAMP): item=1 name="/x" success=yes argc=1 UID="alice" cwd="/late"']).map((l) => l.replace('success=yes exit', 'success=no exit')),
    [
      `type=PATH msg=audit(1700000000.134:1034): item=0 name="/p" pid=77 exe="/first" inode=1`,
      ...execGroup(34)
        .slice(0, -1)
        .map((l) => l.replace(':1034)', ':1034)')),
      'type=EOE msg=audit(1700000000.034:1034): ',
    ].map((l) => l.replace('1700000000.134:1034', '1700000000.034:1034')),
  ];
  for (const g of bent) lines.push(...g);
  const now = decodeAll(lines, 'at-emit');
  const late = decodeAll(lines, 'at-end');
  assert.deepStrictEqual(late.events, now.events);
  const procs = now.events.filter((e) => e.logsource.category === 'process_creation').slice(30);
  assert.deepStrictEqual(
    procs.map((e) => [e.fields.ProcessId, e.fields.User, e.fields.CommandLine, e.fields.CurrentDirectory, e.fields.Image]),
    [
      // pid=4030 ends at the tail separator; the tail's UID names the user
      [4030, 'web', 'sh -c echo 30', '/srv', '/bin/sh'],
      // a second success makes it a list, never "no"
      [4031, '33', 'sh -c echo 31', '/srv', '/bin/sh'],
      // (4032 failed: no event)
      // success no, then yes: a list; argc twice: the arguments seen; the first cwd; UID later still names the user
      [4033, 'alice', 'sh -c echo 33', '/srv', '/bin/sh'],
      // the PATH record's pid and exe come first
      [77, '33', 'sh -c echo 34', '/srv', '/first'],
    ],
  );
});

test('auditd: a consumer that reads every event gets them built as groups complete, one that reads none gets them unbuilt', () => {
  const lines: string[] = [];
  for (let n = 0; n < 600; n++) lines.push(...execGroup(n));
  const read = decodeAll(lines, 'at-emit');
  const unread = decodeAll(lines, 'at-end');
  assert.deepStrictEqual(unread.events, read.events);
  const auditd = (r: { raw: Event[] }): Event[] => r.raw.filter((e) => e.logsource.service === 'auditd');
  // Past the first probe (256 groups) the reading consumer's events are plain objects.
  assert.equal(Object.getPrototypeOf(auditd(read)[300]), Object.prototype);
  assert.ok(auditd(unread).every((e) => Object.getPrototypeOf(e) !== Object.prototype));
});

test('auditd: a process event read after its parent pid was reused names the parent it had at its completion', () => {
  const exec = (serial: number, ppid: number, pid: number, exe: string, args: string[]): string[] => {
    const st = `1700000100.${String(serial).padStart(3, '0')}:${serial}`;
    const argv = args.map((a, i) => `a${i}="${a}"`).join(' ');
    return [
      `type=SYSCALL msg=audit(${st}): arch=c000003e syscall=59 success=yes exit=0 ppid=${ppid} pid=${pid} auid=unset uid=0 comm="x" exe="${exe}"`,
      `type=EXECVE msg=audit(${st}): argc=${args.length} ${argv}`,
      `type=EOE msg=audit(${st}): `,
    ];
  };
  // 500 runs a child 600; then pid 500 is reused by another program, whose child 601 follows.
  const lines = [
    ...exec(1, 1, 500, '/usr/sbin/sshd', ['sshd', '-D']),
    ...exec(2, 500, 600, '/bin/bash', ['bash']),
    ...exec(3, 1, 500, '/usr/bin/cron', ['cron', '-f']),
    ...exec(4, 500, 601, '/bin/sh', ['sh', '-c', 'id']),
  ];
  const procs = (events: Event[]) => events.filter((e) => e.logsource.category === 'process_creation').map((e) => e.fields);
  const late = decodeAll(lines, 'at-end');
  const expected = [
    { Image: '/usr/sbin/sshd', CommandLine: 'sshd -D', ProcessId: 500, ParentProcessId: 1, User: '0' },
    { Image: '/bin/bash', CommandLine: 'bash', ProcessId: 600, ParentProcessId: 500, ParentImage: '/usr/sbin/sshd', ParentCommandLine: 'sshd -D', User: '0' },
    { Image: '/usr/bin/cron', CommandLine: 'cron -f', ProcessId: 500, ParentProcessId: 1, User: '0' },
    { Image: '/bin/sh', CommandLine: 'sh -c id', ProcessId: 601, ParentProcessId: 500, ParentImage: '/usr/bin/cron', ParentCommandLine: 'cron -f', User: '0' },
  ];
  assert.deepStrictEqual(procs(late.events), expected);
  assert.deepStrictEqual(procs(decodeAll(lines, 'at-emit').events), expected);
  // Read one at a time, after the whole input, each process event still names its own parent.
  const fresh = decodeAll(lines, 'at-end').raw.filter((e) => e.logsource.category === 'process_creation');
  assert.equal(fresh[3]!.fields.ParentImage, '/usr/bin/cron');
  assert.equal(fresh[1]!.fields.ParentImage, '/usr/sbin/sshd');
});

test('auditd: a process event unread until after later lines reads its user, cwd and login id from its own records', () => {
  const problems: string[] = [];
  const state = auditdDecoder.open({ file: 'a.log', problems: { report: (p) => problems.push(`${p.line}: ${p.message}`) } });
  const raw: Event[] = [];
  const emit = (e: Event): void => {
    raw.push(e);
  };
  const lines = [
    // The uid comes from a record before the SYSCALL record, the cwd from the CWD record after it,
    // the user name from an ENRICHED tail of the last record; a bad line sits among the records.
    'type=PATH msg=audit(1700000200.001:11): item=0 name="/bin/id" uid=7 inode=9',
    'type=SYSCALL msg=audit(1700000200.001:11): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=900 auid=1000 uid=0 comm="id" exe="/usr/bin/id"',
    'type=EXECVE msg=audit(1700000200.001:11): argc=1 a0="id"',
    'this is not an audit record',
    'type=CWD msg=audit(1700000200.001:11): cwd="/home/a"',
    'type=PROCTITLE msg=audit(1700000200.001:11): proctitle=6964\u001dUID="alice" AUID="alice"',
    'type=EOE msg=audit(1700000200.001:11): ',
    // A later process with other values, decoded before the first event's fields are read.
    'type=SYSCALL msg=audit(1700000200.002:12): arch=c000003e syscall=59 success=yes exit=0 ppid=900 pid=901 auid=unset uid=33 comm="sh" exe="/bin/sh"',
    'type=EXECVE msg=audit(1700000200.002:12): argc=2 a0="sh" a1="-i"',
    'type=CWD msg=audit(1700000200.002:12): cwd="/srv"',
    'type=EOE msg=audit(1700000200.002:12): ',
    'type=SYSCALL msg=audit(1700000200.003:13): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=900 auid=4294967295 uid=5 comm="x" exe="/bin/x"',
    'type=EXECVE msg=audit(1700000200.003:13): argc=1 a0="x"',
    'type=EOE msg=audit(1700000200.003:13): ',
  ];
  for (let i = 0; i < lines.length; i++) state.line(lines[i]!, i + 1, emit);
  state.end(emit);
  // Problems are reported as the lines are decoded, not when the fields are read.
  assert.deepStrictEqual(problems, ['4: not an audit record (no type=); skipped: "this is not an audit record"']);
  const procs = raw.filter((e) => e.logsource.category === 'process_creation');
  assert.equal(procs.length, 3);
  assert.ok(procs.every((e) => Object.getPrototypeOf(e) !== Object.prototype));
  assert.deepStrictEqual(
    [2, 0, 1].map((i) => procs[i]!.fields),
    [
      { Image: '/bin/x', CommandLine: 'x', ProcessId: 900, ParentProcessId: 1, User: '5' },
      { Image: '/usr/bin/id', CommandLine: 'id', ProcessId: 900, ParentProcessId: 1, User: 'alice', CurrentDirectory: '/home/a', LogonId: 1000 },
      {
        Image: '/bin/sh',
        CommandLine: 'sh -i',
        ProcessId: 901,
        ParentProcessId: 900,
        ParentImage: '/usr/bin/id',
        ParentCommandLine: 'id',
        User: '33',
        CurrentDirectory: '/srv',
      },
    ],
  );
  assert.equal(problems.length, 1);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(procs[0])), {
    fields: procs[0]!.fields,
    logsource: { product: 'linux', category: 'process_creation' },
    origin: { file: 'a.log', record: 1, format: 'auditd' },
    raw: lines
      .slice(0, 6)
      .filter((_l, i) => i !== 3)
      .join('\n'),
    timestamp: 1700000200001,
  });
});
