import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessDecoder } from '../../../src/input/text/access.js';
import { ACCESS } from './fixtures.js';
import { decode, expecter, line } from './run-decoder.js';

/** Fixed clock and zone so year inference and local times are deterministic. */
const OPTS = { now: Date.UTC(2024, 5, 1), timezone: 'UTC' };
const ev = expecter('access');

test('decodes ACCESS', () => {
  const r = decode(accessDecoder, ACCESS, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      {
        'c-ip': '203.0.113.9',
        'cs-method': 'GET',
        'cs-version': 'HTTP/1.1',
        'cs-uri-stem': '/shell.php',
        'cs-uri-query': 'cmd=whoami',
        'sc-status': 200,
        'sc-bytes': 512,
        'cs-user-agent': 'curl/8.4.0',
      },
      { category: 'webserver' },
      1,
      line(ACCESS, 1),
      1704881472000,
    ),
    ev(
      {
        'cs-host': 'www.example.com',
        's-port': 443,
        'c-ip': '2001:db8::1',
        'cs-username': 'bob',
        'cs-method': 'POST',
        'cs-version': 'HTTP/1.1',
        'cs-uri-stem': '/upload.jsp',
        'sc-status': 201,
        'cs-referer': 'https://www.example.com/form',
        'cs-user-agent': 'Mozilla/5.0 (X11; Linux x86_64)',
      },
      { category: 'webserver' },
      2,
      line(ACCESS, 2),
      1704880800000,
    ),
    ev(
      { 'c-ip': '198.51.100.4', 'cs-method': 'GET', 'cs-version': 'HTTP/1.0', 'cs-uri-stem': '/a"b', 'cs-uri-query': 'q="x"', 'sc-status': 404, 'sc-bytes': 209 },
      { category: 'webserver' },
      3,
      line(ACCESS, 3),
      1704899474000,
    ),
    ev({ 'c-ip': '192.0.2.1', 'cs-request': '\u0016\u0003\u0001\u0000¥\u0001', 'sc-status': 400, 'sc-bytes': 226 }, { category: 'webserver' }, 4, line(ACCESS, 4), 1704881475000),
    ev({ 'c-ip': '192.0.2.2', 'sc-status': 408 }, { category: 'webserver' }, 5, line(ACCESS, 5), 1704881476000),
    ev(
      {
        'c-ip': '10.1.1.1',
        'cs-method': 'GET',
        'cs-version': 'HTTP/1.1',
        'cs-uri-stem': '/reGeorg/tunnel.jsp',
        'cs-uri-query': 'cmd=connect&target=10.0.0.1&port=22',
        'sc-status': 200,
        'sc-bytes': 0,
      },
      { category: 'webserver' },
      6,
      line(ACCESS, 6),
      1704881477000,
    ),
  ]);
});

test('access log: malformed lines are problems with file:line and skipped', () => {
  const text = [
    'not an access log line at all',
    '203.0.113.9 - - [10/Jan/2024:10:11:12 +0000] "GET / HTTP/1.1" 200',
    '203.0.113.9 - - [10/Foo/2024:10:11:12 +0000] "GET / HTTP/1.1" 200 1',
    '203.0.113.9 - - [10/Jan/2024:10:11:12 +0000] "GET / HTTP/1.1 200 1',
    '203.0.113.9 - - [10/Jan/2024:10:11:12 +0000] "GET / HTTP/1.1" abc 1',
    '203.0.113.9 - - [10/Jan/2024:10:11:12 +0000 "GET / HTTP/1.1" 200 1',
  ].join('\n');
  const r = decode(accessDecoder, text, 'access.log');
  assert.deepStrictEqual(
    r.events.map((e) => [e.origin.record, e.fields['sc-status'], e.fields['sc-bytes']]),
    [[2, 200, undefined]],
  );
  assert.deepStrictEqual(
    r.problems.map((p) => [p.line, p.message.replace(/;.*/, '')]),
    [
      [1, 'not an access-log line (no [timestamp])'],
      [3, 'not an access-log line (bad timestamp "10/Foo/2024:10:11:12 +0000")'],
      [4, 'not an access-log line (unterminated request line)'],
      [5, 'not an access-log line (bad status "abc")'],
      [6, 'not an access-log line (unterminated [timestamp])'],
    ],
  );
});

test('access log sniff: claims NCSA lines only', () => {
  assert.ok(accessDecoder.sniff(ACCESS.split('\n')) >= 0.89);
  assert.equal(accessDecoder.sniff(['{"a":1}']), 0);
  assert.equal(accessDecoder.sniff(['Jan 10 10:11:12 web01 sshd[1]: x']), 0);
});

test('access log: remembered stamps, hours and zones never leak into the next line', () => {
  // Each line differs from the previous one in one part of the stamp only.
  const stamps: Array<[string, number]> = [
    ['10/Jan/2024:10:11:12 +0000', Date.UTC(2024, 0, 10, 10, 11, 12)],
    ['10/Jan/2024:10:11:12 +0100', Date.UTC(2024, 0, 10, 9, 11, 12)],
    ['10/Jan/2024:10:11:13 +0100', Date.UTC(2024, 0, 10, 9, 11, 13)],
    ['10/Jan/2024:10:11:13.250 +0100', Date.UTC(2024, 0, 10, 9, 11, 13, 250)],
    ['10/Jan/2024:11:11:13 +0100', Date.UTC(2024, 0, 10, 10, 11, 13)],
    ['10/Feb/2024:11:11:13 +0100', Date.UTC(2024, 1, 10, 10, 11, 13)],
    ['10/Feb/2024:11:61:13 +0100', NaN],
    ['10/Feb/2024:11:11:13 -0530', Date.UTC(2024, 1, 10, 16, 41, 13)],
    ['10/Feb/2024:11:11:13', Date.UTC(2024, 1, 10, 11, 11, 13)],
    ['10/Feb/2024:11:11:13 +0000', Date.UTC(2024, 1, 10, 11, 11, 13)],
  ];
  const text = stamps.map(([s]) => `192.0.2.1 - - [${s}] "GET / HTTP/1.1" 200 1`).join('\n');
  const r = decode(accessDecoder, text, 'access.log');
  assert.deepStrictEqual(
    r.events.map((e) => e.timestamp),
    stamps.filter(([, t]) => !Number.isNaN(t)).map(([, t]) => t),
  );
  assert.deepStrictEqual(
    r.problems.map((p) => p.line),
    [7],
  );
});

test('access log: Tomcat request lines with unescaped quotes decode; the request ends at the quote before <status> <bytes>', () => {
  const head = '198.51.100.7 - - [10/Jan/2024:10:11:12 +0000] ';
  const T = Date.UTC(2024, 0, 10, 10, 11, 12);
  const base = { 'c-ip': '198.51.100.7', 'cs-method': 'GET', 'cs-version': 'HTTP/1.1', 'cs-uri-stem': '/x' };
  // [request target after "/x?", what follows the request, expected query, expected extra fields]
  const cases: Array<[string, string, string, Record<string, string | number>]> = [
    [
      'postdata="><script>alert(1)</script>',
      '200 1234 "-" "Mozilla/5.0"',
      'postdata="><script>alert(1)</script>',
      { 'sc-status': 200, 'sc-bytes': 1234, 'cs-user-agent': 'Mozilla/5.0' },
    ],
    ['a=" 200 ', '404 12 "-" "curl"', 'a=" 200 ', { 'sc-status': 404, 'sc-bytes': 12, 'cs-user-agent': 'curl' }],
    ['a=" 200 5 "b', '200 512 "-" "ua"', 'a=" 200 5 "b', { 'sc-status': 200, 'sc-bytes': 512, 'cs-user-agent': 'ua' }],
    ['q="a b" c=""', '301 -', 'q="a b" c=""', { 'sc-status': 301 }],
    ['q=\\"esc\\" raw="x"', '200 5', 'q="esc" raw="x"', { 'sc-status': 200, 'sc-bytes': 5 }],
    ['p=C:\\Windows\\"x"\\', '500 0 "-" "-"', 'p=C:\\Windows"x"\\', { 'sc-status': 500, 'sc-bytes': 0 }],
    ['ü="é"&ж="中文"', '200 5 "https://e.example/"', 'ü="é"&ж="中文"', { 'sc-status': 200, 'sc-bytes': 5, 'cs-referer': 'https://e.example/' }],
    ['c="\u0001\u001b[2J\u007f"', '403 9 "-" "-"', 'c="\u0001\u001b[2J\u007f"', { 'sc-status': 403, 'sc-bytes': 9 }],
    ['x="', '200 1 "-" "a" "b"', 'x="', { 'sc-status': 200, 'sc-bytes': 1, 'cs-user-agent': 'a' }],
  ];
  const text = cases.map(([target, tail]) => `${head}"GET /x?${target} HTTP/1.1" ${tail}`).join('\n');
  const r = decode(accessDecoder, text, 'localhost_access_log.txt');
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(
    r.events.map((e) => [e.origin.record, e.timestamp, e.fields]),
    cases.map(([, , query, extra], i) => [i + 1, T, { ...base, 'cs-uri-query': query, ...extra }]),
  );
});

test('access log: quotes in the referer and user agent of servers that do not escape them stay in their fields', () => {
  const head = '198.51.100.7 - - [10/Jan/2024:10:11:12 +0000] "GET /cgi-bin/status HTTP/1.1" 200 5 ';
  const cases: Array<[string, Record<string, string>]> = [
    ['"-" "() { :;}; /bin/bash -c "id""', { 'cs-user-agent': '() { :;}; /bin/bash -c "id"' }],
    ['"http://a/?q="x"" "ua"', { 'cs-referer': 'http://a/?q="x"', 'cs-user-agent': 'ua' }],
    ['"r" "x" 200 1 "y"', { 'cs-referer': 'r', 'cs-user-agent': 'x" 200 1 "y' }],
  ];
  const r = decode(accessDecoder, cases.map(([tail]) => head + tail).join('\n'), 'localhost_access_log.txt');
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(
    r.events.map((e) => e.fields),
    cases.map(([, extra]) => ({
      'c-ip': '198.51.100.7',
      'cs-method': 'GET',
      'cs-version': 'HTTP/1.1',
      'cs-uri-stem': '/cgi-bin/status',
      'sc-status': 200,
      'sc-bytes': 5,
      ...extra,
    })),
  );
});

test('access log: a forged `HTTP/1.1" 200 1 "` in a header never moves the end of the request', () => {
  // The status a rule may require (here 404, a failed attempt) must stay the server's.
  const line = '198.51.100.7 - - [10/Jan/2024:10:11:12 +0000] "POST /shell.jsp HTTP/1.1" 404 5 "-" "x HTTP/1.1" 200 1 "y"';
  const r = decode(accessDecoder, line, 'localhost_access_log.txt');
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events[0]!.fields, {
    'c-ip': '198.51.100.7',
    'cs-method': 'POST',
    'cs-version': 'HTTP/1.1',
    'cs-uri-stem': '/shell.jsp',
    'sc-status': 404,
    'sc-bytes': 5,
    'cs-user-agent': 'x HTTP/1.1" 200 1 "y',
  });
});
