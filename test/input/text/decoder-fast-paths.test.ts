/**
 * Inputs at the edges of the syslog and W3C shortcuts (level words and Originator keys
 * compared in place, header values converted once per distinct text) and of the event
 * literals every text decoder builds: each decodes exactly as written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syslogDecoder } from '../../../src/input/text/syslog.js';
import { w3cDecoder } from '../../../src/input/text/w3c.js';
import { makeEvent } from '../../../src/input/text/common.js';
import { decode } from './run-decoder.js';

const HOSTD = { product: 'esxi', service: 'hostd' };

test('syslog: hostd 6.x level words and Originator keys', () => {
  const text = [
    // Runs of spaces, a word without '=', one starting with '=', a value holding '=', a key given twice.
    '2019-01-10T10:11:14.100Z verbose hostd[1] [Originator@6876  sub=A  =x noeq user=u=v opID=op1 user=last] m1',
    '2019-01-10T10:11:14.100Z panic hostd[2] [Originator@6876 user=root] m2',
    // Not a level word (same length as "info"), nor upper case: the word is a host.
    '2019-01-10T10:11:14.100Z infx hostd[3] [Originator@6876 user=root] m3',
    '2019-01-10T10:11:14.100Z INFO hostd[4]: [Originator@6876 sub=B] m4',
    '2019-01-10T10:11:14.100Z warning hostd[5]: m5',
    // A level word needs a pid after it; without one it is a host.
    '2019-01-10T10:11:14.100Z error hostd: m6',
    '2019-01-10T10:11:14.100Z In(166) Hostd[7]: [Originator@6876 user=] m7',
    // Keys that only look like the three kept ones.
    '2019-01-10T10:11:14.100Z In(166) Hostd[8]: [Originator@6876 usr=a su=b opid=c users=d] m8',
  ].join('\n');
  const r = decode(syslogDecoder, text);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(
    r.events.map((e) => [e.logsource, e.fields]),
    [
      [HOSTD, { Application: 'hostd', ProcessId: 1, Level: 'verbose', Component: 'A', User: 'last', OperationId: 'op1', Message: 'm1' }],
      [HOSTD, { Application: 'hostd', ProcessId: 2, Level: 'panic', User: 'root', Message: 'm2' }],
      [
        { product: 'linux', service: 'syslog' },
        { Host: 'infx', Message: 'hostd[3] [Originator@6876 user=root] m3' },
      ],
      [HOSTD, { Application: 'hostd', ProcessId: 4, Host: 'INFO', Component: 'B', Message: 'm4' }],
      [HOSTD, { Application: 'hostd', ProcessId: 5, Level: 'warning', Message: 'm5' }],
      [HOSTD, { Application: 'hostd', Host: 'error', Message: 'm6' }],
      [HOSTD, { Application: 'Hostd', ProcessId: 7, Level: 'info', User: '', Message: 'm7' }],
      [HOSTD, { Application: 'Hostd', ProcessId: 8, Level: 'info', Message: 'm8' }],
    ],
  );
  // Key order is part of the output (`warden events`): Component was found before User.
  assert.deepEqual(Object.keys(r.events[0]!.fields), ['Application', 'ProcessId', 'Level', 'Component', 'User', 'OperationId', 'Message']);
});

test('syslog: an Originator block of many words without "=" decodes (linear scan)', () => {
  const words = Array.from({ length: 20000 }, (_, i) => `w${i}`).join(' ');
  const r = decode(syslogDecoder, `2024-01-10T10:11:13.001Z In(166) Hostd[1]: [Originator@6876 ${words} user=z] done`);
  assert.equal(r.events.length, 1);
  assert.equal(r.events[0]!.fields.User, 'z');
  assert.equal(r.events[0]!.fields.Message, 'done');
});

test('W3C: header values with + for spaces, repeated, distinct past the cache bound, and very long', () => {
  const head = '#Fields: date time cs(User-Agent) cs(Referer) cs-uri-stem';
  const rows = [
    '2024-01-10 10:00:00 Mozilla/5.0+(X11) http://a/?q=a+b /a',
    '2024-01-10 10:00:01 Mozilla/5.0+(X11) - /b',
    '2024-01-10 10:00:02 curl/8 http://a/?q=a+b /c',
    '2024-01-10 10:00:03 Mozilla/5.0+(X11) +++ /d',
  ];
  const r = decode(w3cDecoder, [head, ...rows].join('\n'));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(
    r.events.map((e) => [e.timestamp, e.fields]),
    [
      [Date.UTC(2024, 0, 10, 10, 0, 0), { date: '2024-01-10', time: '10:00:00', 'cs-user-agent': 'Mozilla/5.0 (X11)', 'cs-referer': 'http://a/?q=a b', 'cs-uri-stem': '/a' }],
      [Date.UTC(2024, 0, 10, 10, 0, 1), { date: '2024-01-10', time: '10:00:01', 'cs-user-agent': 'Mozilla/5.0 (X11)', 'cs-uri-stem': '/b' }],
      [Date.UTC(2024, 0, 10, 10, 0, 2), { date: '2024-01-10', time: '10:00:02', 'cs-user-agent': 'curl/8', 'cs-referer': 'http://a/?q=a b', 'cs-uri-stem': '/c' }],
      [Date.UTC(2024, 0, 10, 10, 0, 3), { date: '2024-01-10', time: '10:00:03', 'cs-user-agent': 'Mozilla/5.0 (X11)', 'cs-referer': '   ', 'cs-uri-stem': '/d' }],
    ],
  );

  // 1,500 distinct agents (past the bound, so the cache is cleared on the way), then the first ones again.
  const many: string[] = [head];
  for (let i = 0; i < 1500; i++) many.push(`2024-01-10 10:00:00 agent+${i}+x - /p`);
  for (let i = 0; i < 3; i++) many.push(`2024-01-10 10:00:00 agent+${i}+x - /p`);
  const long = `${'a+'.repeat(1000)}end`;
  many.push(`2024-01-10 10:00:00 ${long} - /p`, `2024-01-10 10:00:00 ${long} - /p`);
  const r2 = decode(w3cDecoder, many.join('\n'));
  assert.equal(r2.events.length, 1505);
  const agents = r2.events.map((e) => e.fields['cs-user-agent']);
  assert.equal(agents[0], 'agent 0 x');
  assert.equal(agents[1499], 'agent 1499 x');
  assert.deepEqual(agents.slice(1500, 1503), ['agent 0 x', 'agent 1 x', 'agent 2 x']);
  assert.equal(agents[1503], `${'a '.repeat(1000)}end`);
  assert.equal(agents[1504], `${'a '.repeat(1000)}end`);
});

test('text events: the same keys in the same order with and without host and time', () => {
  const ls = { category: 'webserver' };
  const json = (host: string | undefined, ts: number | undefined): string => JSON.stringify(makeEvent({ a: 1 }, ls, 'access', 'f.log', 3, 'raw', ts, host));
  assert.equal(json('h', 5), '{"fields":{"a":1},"logsource":{"category":"webserver"},"origin":{"file":"f.log","record":3,"format":"access"},"raw":"raw","host":"h","timestamp":5}');
  assert.equal(json(undefined, 5), '{"fields":{"a":1},"logsource":{"category":"webserver"},"origin":{"file":"f.log","record":3,"format":"access"},"raw":"raw","timestamp":5}');
  assert.equal(json('h', undefined), '{"fields":{"a":1},"logsource":{"category":"webserver"},"origin":{"file":"f.log","record":3,"format":"access"},"raw":"raw","host":"h"}');
  // An empty host and a time that is not finite are left out.
  assert.equal(json('', Number.NaN), '{"fields":{"a":1},"logsource":{"category":"webserver"},"origin":{"file":"f.log","record":3,"format":"access"},"raw":"raw"}');
  assert.deepEqual(Object.keys(makeEvent({}, ls, 'x', 'f', 1, 'r', 1, 'h')), ['fields', 'logsource', 'origin', 'raw', 'host', 'timestamp']);
});
