import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syslogDecoder } from '../../../src/input/text/syslog.js';
import { SYSLOG, ESXI } from './fixtures.js';
import { decode, expecter, line } from './run-decoder.js';
import type { Event } from '../../../src/event/event.js';
import { plainEvent } from '../../../src/event/lazy-event.js';
import { parseSyslog, syslogPid } from '../../../src/input/text/syslog-line.js';
import { UTC_ZONE } from '../../../src/input/text/common.js';

/** Fixed clock and zone so year inference and local times are deterministic. */
const OPTS = { now: Date.UTC(2024, 5, 1), timezone: 'UTC' };
const ev = expecter('syslog');

test('decodes SYSLOG', () => {
  const r = decode(syslogDecoder, SYSLOG, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      { Facility: 4, Severity: 2, Application: 'su', ProcessId: 230, Host: 'mymachine', Message: "'su root' failed for lonvick on /dev/pts/8" },
      { product: 'linux', service: 'syslog' },
      1,
      line(SYSLOG, 1),
      1704492855000,
      'mymachine',
    ),
    ev(
      { Application: 'sshd', ProcessId: 4242, Host: 'web01', Message: 'Accepted publickey for deploy from 198.51.100.7 port 50000 ssh2' },
      { product: 'linux', service: 'syslog' },
      2,
      line(SYSLOG, 2),
      1704881472000,
      'web01',
    ),
    ev(
      {
        Facility: 20,
        Severity: 5,
        Application: 'evntslog',
        Host: 'mymachine.example.com',
        MessageId: 'ID47',
        StructuredData: '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]',
        'exampleSDID@32473.iut': '3',
        'exampleSDID@32473.eventSource': 'Application',
        'exampleSDID@32473.eventID': '1011',
        Message: 'An application event log entry...',
      },
      { product: 'linux', service: 'syslog' },
      3,
      line(SYSLOG, 3),
      1704924855003,
      'mymachine.example.com',
    ),
    ev({ Facility: 1, Severity: 5, Host: 'web01', Message: 'plain message' }, { product: 'linux', service: 'syslog' }, 4, line(SYSLOG, 4), 1704877872000, 'web01'),
    ev(
      { Application: 'CRON', ProcessId: 1234, Host: 'web01', Message: '(root) CMD (run-parts /etc/cron.hourly)' },
      { product: 'linux', service: 'syslog' },
      5,
      line(SYSLOG, 5),
      1704881472345,
      'web01',
    ),
  ]);
});

test('decodes ESXI', () => {
  const r = decode(syslogDecoder, ESXI, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      {
        Application: 'shell',
        ProcessId: 12345,
        Level: 'info',
        User: 'root',
        CommandLine: 'esxcli software vib install -v /tmp/x.vib --no-sig-check',
        Message: 'esxcli software vib install -v /tmp/x.vib --no-sig-check',
      },
      { product: 'esxi', service: 'shell' },
      1,
      line(ESXI, 1),
      1704881472345,
    ),
    ev(
      {
        Application: 'shell',
        ProcessId: 1234,
        User: 'root',
        CommandLine: 'esxcli software acceptance set --level=CommunitySupported',
        Message: 'esxcli software acceptance set --level=CommunitySupported',
      },
      { product: 'esxi', service: 'shell' },
      2,
      line(ESXI, 2),
      1547115072000,
    ),
    ev(
      {
        Application: 'Hostd',
        ProcessId: 2099970,
        Level: 'info',
        Component: 'Vimsvc.TaskManager',
        OperationId: 'esxcli-57-2a3b',
        User: 'root',
        Message: 'Task Created : haTask-ha-host-vim.host.ImageConfigManager.installDate-123',
      },
      { product: 'esxi', service: 'hostd' },
      3,
      line(ESXI, 3),
      1704881473001,
    ),
    ev(
      { Application: 'hostd', ProcessId: 12345, Level: 'info', Component: 'Vimsvc.ha-eventmgr', Message: 'Event 123 : User root@198.51.100.7 logged in as python-requests' },
      { product: 'esxi', service: 'hostd' },
      4,
      line(ESXI, 4),
      1547115074100,
    ),
    ev(
      { Application: 'esxupdate', ProcessId: 2099978, Logger: 'esxupdate', Level: 'info', Message: 'Attempting to install an image profile with validation disabled.' },
      { product: 'esxi', service: 'esxupdate' },
      5,
      line(ESXI, 5),
      1704881475000,
    ),
    ev(
      {
        Application: 'vobd',
        ProcessId: 2097654,
        Level: 'info',
        EventType: 'esx.audit.esximage.install.novalidation',
        Message: '[UserLevelCorrelator] 1234567us: [esx.audit.esximage.install.novalidation] Attempting to install an image profile with validation disabled.',
      },
      { product: 'esxi', service: 'vobd' },
      6,
      line(ESXI, 6),
      1704881476500,
    ),
    ev(
      {
        Application: 'vobd',
        EventType: 'vob.user.esximage.install.novalidation',
        Message: '[UserLevelCorrelator] 123us: [vob.user.esximage.install.novalidation] Signature verification was bypassed',
      },
      { product: 'esxi', service: 'vobd' },
      7,
      line(ESXI, 7),
      1547115077000,
    ),
    ev(
      {
        Facility: 20,
        Severity: 6,
        Application: 'shell',
        ProcessId: 1234,
        Host: 'esxi01.lab',
        User: 'admin',
        CommandLine: '/bin/sh /tmp/backdoor.sh',
        Message: '/bin/sh /tmp/backdoor.sh',
      },
      { product: 'esxi', service: 'shell' },
      8,
      line(ESXI, 8),
      1704881478000,
      'esxi01.lab',
    ),
  ]);
});

test('syslog: BSD stamps use --timezone and the year of "now"; unknown lines are problems', () => {
  const text = ['Dec 31 23:00:00 host app: late', 'Jan  1 01:00:00 host app: early', 'no syslog here'].join('\n');
  const r = decode(syslogDecoder, text, 'messages', { now: Date.UTC(2024, 0, 1, 12), timezone: '+02:00' });
  assert.deepStrictEqual(
    r.events.map((e) => e.timestamp),
    [Date.UTC(2023, 11, 31, 21), Date.UTC(2023, 11, 31, 23)],
  );
  assert.deepStrictEqual(
    r.problems.map((p) => [p.file, p.line, p.message.replace(/;.*/, '')]),
    [['messages', 3, 'not a syslog line']],
  );
});

test('syslog sniff: syslog and ESXi lines, not other timestamped formats', () => {
  assert.ok(syslogDecoder.sniff(SYSLOG.split('\n')) > 0.8);
  assert.ok(syslogDecoder.sniff(ESXI.split('\n')) >= 0.9);
  assert.equal(syslogDecoder.sniff(['2024-01-10 10:11:12.34 spid55      Configuration option']), 0);
  assert.equal(syslogDecoder.sniff(['[2024-03-04 20:18:47,126]   INFO - x - y']), 0);
  assert.equal(syslogDecoder.sniff(['2024-01-10 10:11:12.345+0000 [id=42]\tINFO\tx: y']), 0);
  assert.equal(syslogDecoder.sniff(['type=SYSCALL msg=audit(1.0:1): a=b']), 0);
});

test('syslog: fields read after the rest of the file are those read at once; each line shape keeps its logsource', () => {
  const text = `${SYSLOG}\n${ESXI}\n2024-01-10T10:11:12.345Z Wa(180) vpxa[123]: hello\nJan 10 10:11:12 web01 VMKernel: upper-case daemon`;
  const atOnce = decode(syslogDecoder, text, 'sample.log', OPTS);
  const held: Event[] = [];
  const state = syslogDecoder.open({ file: 'sample.log', problems: { report: () => undefined }, ...OPTS });
  const keep = (e: Event): void => {
    held.push(e);
  };
  text.split('\n').forEach((l, i) => {
    state.line(l, i + 1, keep);
  });
  state.end(keep);
  assert.deepStrictEqual(held.map(plainEvent), atOnce.events);
  assert.deepStrictEqual(
    atOnce.events.map((e) => e.logsource.service),
    ['syslog', 'syslog', 'syslog', 'syslog', 'syslog', 'shell', 'shell', 'hostd', 'hostd', 'esxupdate', 'vobd', 'vobd', 'shell', 'syslog', 'syslog'],
  );
  assert.deepStrictEqual(
    atOnce.events.slice(-2).map((e) => [e.logsource.product, e.fields.Application]),
    [
      ['esxi', 'vpxa'],
      ['esxi', 'VMKernel'],
    ],
  );
});

test('syslog: a line cut in its ISO stamp is a problem, and the lines after it keep their times (IANA zone too)', () => {
  for (const timezone of ['UTC', 'Europe/Berlin']) {
    const text = ['<13>1 2024-01-10T10:11:1 h a p m - cut', '2024-01-10T10:11:1', '<13>1 2024-01-10T10:11:12Z h a p m - after', '2024-01-10T10:11:12+01:00 h t: x'].join('\n');
    const r = decode(syslogDecoder, text, 'cut.log', { ...OPTS, timezone });
    assert.deepStrictEqual(
      r.events.map((e) => [e.origin.record, e.timestamp, e.fields.Message]),
      [
        [3, Date.UTC(2024, 0, 10, 10, 11, 12), 'after'],
        [4, Date.UTC(2024, 0, 10, 9, 11, 12), 'x'],
      ],
    );
    assert.deepStrictEqual(
      r.problems.map((p) => p.line),
      [1, 2],
    );
  }
});

test('parseSyslog: the pid is kept as where it is in the line, and syslogPid slices it', () => {
  const now = OPTS.now;
  const bsd = parseSyslog('Jan 10 10:11:12 web01 sshd[4242]: hi', UTC_ZONE, now)!;
  assert.deepStrictEqual([bsd.pidStart, bsd.pidEnd, syslogPid(bsd), bsd.app, bsd.host, bsd.msg], [27, 31, '4242', 'sshd', 'web01', 'hi']);
  const nilPid = parseSyslog('<13>1 2024-01-10T10:11:12Z h a - m - x', UTC_ZONE, now)!;
  assert.deepStrictEqual([nilPid.pidStart, syslogPid(nilPid), nilPid.app, nilPid.msgId, nilPid.msg], [-1, undefined, 'a', 'm', 'x']);
  const pid = parseSyslog('<13>1 2024-01-10T10:11:12Z h a 7a m - x', UTC_ZONE, now)!;
  assert.equal(syslogPid(pid), '7a');
  const untagged = parseSyslog('Jan 10 10:11:12 web01 kernel message', UTC_ZONE, now)!;
  assert.deepStrictEqual([untagged.pidStart, syslogPid(untagged), untagged.host, untagged.msg], [-1, undefined, 'web01', 'kernel message']);
  const r = decode(
    syslogDecoder,
    ['Jan 10 10:11:12 web01 sshd[4242]: hi', '<13>1 2024-01-10T10:11:12Z h a 7a m - x', '<13>1 2024-01-10T10:11:12Z h a - m - x'].join('\n'),
    'pid.log',
    OPTS,
  );
  assert.deepStrictEqual(
    r.events.map((e) => e.fields.ProcessId),
    [4242, '7a', undefined],
  );
});

test('syslog: daemon names that share a slot of the recent-daemon table keep their own logsources', () => {
  // hostd and haxtd (same length, same first and last letter) share a slot; HOSTD is hostd.
  const text = ['hostd', 'haxtd', 'hostd', 'HOSTD', 'haxtd', 'haxtd', 'hostd'].map((d, i) => `Jan 10 10:11:12 esx01 ${d}[${i}]: m`).join('\n');
  const r = decode(syslogDecoder, text, 'slots.log', OPTS);
  assert.deepStrictEqual(
    r.events.map((e) => `${e.logsource.product}/${e.logsource.service} ${e.fields.Application}`),
    ['esxi/hostd hostd', 'linux/syslog haxtd', 'esxi/hostd hostd', 'esxi/hostd HOSTD', 'linux/syslog haxtd', 'linux/syslog haxtd', 'esxi/hostd hostd'],
  );
});
