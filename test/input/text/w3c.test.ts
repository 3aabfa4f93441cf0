import { test } from 'node:test';
import assert from 'node:assert/strict';
import { w3cDecoder } from '../../../src/input/text/w3c.js';
import { W3C } from './fixtures.js';
import { decode, expecter, line } from './run-decoder.js';
import type { Event } from '../../../src/event/event.js';
import { plainEvent } from '../../../src/event/lazy-event.js';

/** Fixed clock and zone so year inference and local times are deterministic. */
const OPTS = { now: Date.UTC(2024, 5, 1), timezone: 'UTC' };
const ev = expecter('w3c');

test('decodes W3C', () => {
  const r = decode(w3cDecoder, W3C, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      {
        date: '2024-01-10',
        time: '10:11:12',
        's-ip': '10.0.0.5',
        'cs-method': 'GET',
        'cs-uri-stem': '/uploads/help.aspx',
        'cs-uri-query': 'cmd=whoami',
        's-port': 443,
        'c-ip': '203.0.113.7',
        'cs-user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
        'sc-status': 200,
        'sc-substatus': 0,
        'sc-win32-status': 0,
        'time-taken': 15,
      },
      { category: 'webserver' },
      5,
      line(W3C, 5),
      1704881472000,
    ),
    ev(
      {
        date: '2024-01-10',
        time: '10:11:13',
        's-ip': '10.0.0.5',
        'cs-method': 'POST',
        'cs-uri-stem': '/owa/auth/x.js',
        's-port': 443,
        'cs-username': 'CORP\\alice',
        'c-ip': '2001:db8::7',
        'cs-user-agent': 'python-requests/2.31.0',
        'cs-referer': 'https://mail.example.com/owa/',
        'sc-status': 302,
        'sc-substatus': 0,
        'sc-win32-status': 0,
        'time-taken': 46,
      },
      { category: 'webserver' },
      6,
      line(W3C, 6),
      1704881473000,
    ),
    ev(
      { date: '2024-01-10', time: '10:12:00.250', 'cs-method': 'GET', 'cs-uri-stem': '/index.htm', 'sc-status': 404, 'cs-host': 'www.example.com', 's-computername': 'WEB01' },
      { category: 'webserver' },
      8,
      line(W3C, 8),
      1704881520250,
      'WEB01',
    ),
  ]);
});

test('W3C: time-only records take the #Date directive; bad records are problems with file:line', () => {
  const text = [
    'GET /before-fields 200',
    '#Date: 2024-02-01 00:00:00',
    '#Fields: time cs-method cs-uri-stem sc-status',
    '23:59:59 GET /a 200',
    '23:59:59 GET /a',
    '23:59:59 GET /a 200 extra',
    'xx:yy:zz GET /b 200',
    '\u0000\u0001binary',
  ].join('\n');
  const r = decode(w3cDecoder, text, 'u_ex240201.log');
  assert.deepStrictEqual(
    r.events.map((e) => [e.origin.record, e.timestamp, e.fields['cs-uri-stem']]),
    [[4, Date.UTC(2024, 1, 1, 23, 59, 59), '/a']],
  );
  assert.deepStrictEqual(
    r.problems.map((p) => [p.file, p.line, p.message.split(';')[0]]),
    [
      ['u_ex240201.log', 1, 'W3C record before any #Fields directive'],
      ['u_ex240201.log', 5, 'W3C record has 3 values for 4 #Fields'],
      ['u_ex240201.log', 6, 'W3C record has more values than the 4 #Fields'],
      ['u_ex240201.log', 7, 'W3C record has a bad date/time "2024-02-01 xx:yy:zz"'],
      ['u_ex240201.log', 8, 'W3C record has 1 values for 4 #Fields'],
    ],
  );
});

test('W3C sniff: directives claim the file, other text does not', () => {
  assert.equal(w3cDecoder.sniff(W3C.split('\n').slice(0, 5)), 1);
  assert.equal(w3cDecoder.sniff(['#Fields: date time cs-method', '2024-01-01 00:00:00 GET']), 0.95);
  assert.equal(w3cDecoder.sniff(['2024-01-01 00:00:00 GET /x 200']), 0);
  assert.equal(w3cDecoder.sniff(['# a comment', 'hello']), 0);
});

test('W3C: fields read after the rest of the file (new #Fields, a cleared + cache) are those read at once', () => {
  const text = [
    W3C,
    '#Fields: date time cs(User-Agent) cs-uri-stem sc-status',
    ...Array.from({ length: 600 }, (_, i) => `2024-01-11 00:00:01 agent+${i} /p${i} ${200 + (i % 3)}`),
    '#Fields: cs-uri-stem time',
    '/late 10:00:00',
  ].join('\n');
  const atOnce = decode(w3cDecoder, text, 'sample.log', OPTS);
  const held: Event[] = [];
  const state = w3cDecoder.open({ file: 'sample.log', problems: { report: () => undefined }, ...OPTS });
  const keep = (e: Event): void => {
    held.push(e);
  };
  text.split('\n').forEach((l, i) => {
    state.line(l, i + 1, keep);
  });
  state.end(() => undefined);
  assert.equal(held.length, 604);
  assert.deepStrictEqual(held.map(plainEvent), atOnce.events);
  assert.deepStrictEqual(atOnce.events[3]!.fields, { date: '2024-01-11', time: '00:00:01', 'cs-user-agent': 'agent 0', 'cs-uri-stem': '/p0', 'sc-status': 200 });
  assert.deepStrictEqual(atOnce.events[603]!.fields, { 'cs-uri-stem': '/late', time: '10:00:00' });
});

test('W3C: #Fields that alternate, are respelled or repeat as written each apply to the records after them', () => {
  const a = '#Fields: date time cs-uri-stem';
  const b = '#Fields: date time sc-status s-computername';
  const text = [
    a,
    '2024-01-10 10:00:00 /a',
    b,
    '2024-01-10 10:00:01 200 WEB01',
    a,
    '2024-01-10 10:00:02 /c',
    '# FIELDS :  time  cs-uri-stem ',
    '10:00:03 /d',
    b,
    '2024-01-10 10:00:04 - -',
    '#Fields:',
    '2024-01-10 10:00:05 404 WEB02',
    '#Date: 2024-01-12 x',
    '#Fields: time cs-uri-stem',
    '10:00:06 /e',
    a.replace('cs-uri-stem', 'cs-uri-stem x'),
    '2024-01-10 10:00:07 /f',
  ].join('\n');
  const r = decode(w3cDecoder, text, 'f.log', OPTS);
  assert.deepStrictEqual(
    r.events.map((e) => [e.origin.record, e.fields, e.timestamp, e.host]),
    [
      [2, { date: '2024-01-10', time: '10:00:00', 'cs-uri-stem': '/a' }, Date.UTC(2024, 0, 10, 10, 0, 0), undefined],
      [4, { date: '2024-01-10', time: '10:00:01', 'sc-status': 200, 's-computername': 'WEB01' }, Date.UTC(2024, 0, 10, 10, 0, 1), 'WEB01'],
      [6, { date: '2024-01-10', time: '10:00:02', 'cs-uri-stem': '/c' }, Date.UTC(2024, 0, 10, 10, 0, 2), undefined],
      // A time-only record before any #Date: no timestamp.
      [8, { time: '10:00:03', 'cs-uri-stem': '/d' }, undefined, undefined],
      [10, { date: '2024-01-10', time: '10:00:04' }, Date.UTC(2024, 0, 10, 10, 0, 4), undefined],
      // An empty #Fields leaves the layout as it was.
      [12, { date: '2024-01-10', time: '10:00:05', 'sc-status': 404, 's-computername': 'WEB02' }, Date.UTC(2024, 0, 10, 10, 0, 5), 'WEB02'],
      [15, { time: '10:00:06', 'cs-uri-stem': '/e' }, Date.UTC(2024, 0, 12, 10, 0, 6), undefined],
    ],
  );
  assert.deepStrictEqual(
    r.problems.map((p) => [p.line, p.message.split(';')[0]]),
    [
      [11, 'empty #Fields directive'],
      [17, 'W3C record has 3 values for 4 #Fields'],
    ],
  );
});

test('W3C: short records of a layout with a huge #Fields cost their own length, not the layout width', () => {
  const cpuPerRecord = (columns: number): number => {
    const names = Array.from({ length: columns }, (_, i) => `x-${i}`).join(' ');
    const state = w3cDecoder.open({ file: 'wide.log', problems: { report: () => undefined } });
    state.line(`#Fields: ${names}`, 1, () => undefined);
    const c0 = process.cpuUsage();
    for (let i = 0; i < 2000; i++) state.line(`a b ${i}`, i + 2, () => undefined);
    const c = process.cpuUsage(c0);
    return c.user + c.system;
  };
  cpuPerRecord(4);
  const narrow = Math.max(cpuPerRecord(4), 1000);
  const wide = cpuPerRecord(200_000);
  assert.ok(wide < narrow * 10, `2,000 short records: ${wide} us with 200,000 columns, ${narrow} us with 4`);
  // And a full record of a wide layout still decodes.
  const r = decode(
    w3cDecoder,
    ['#Fields: time', `#Fields: ${Array.from({ length: 100 }, (_, i) => `x-${i}`).join(' ')}`, Array.from({ length: 100 }, (_, i) => `v${i}`).join(' ')].join('\n'),
  );
  assert.deepStrictEqual(r.problems, []);
  assert.equal(Object.keys(r.events[0]!.fields).length, 100);
  assert.equal(r.events[0]!.fields['x-99'], 'v99');
});
