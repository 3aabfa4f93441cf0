/**
 * Lines that sit at the edges of the access decoder's shortcuts (in-place `ip - - [` head,
 * remembered stamp, `HTTP/1.1`, three-digit status, `"-"` referer) decode as written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessDecoder } from '../../../src/input/text/access.js';
import { decode } from './run-decoder.js';

const T = Date.UTC(2024, 0, 10, 10, 11, 12);

test('access log: shortcut edges', () => {
  const cases: Array<[string, Record<string, string | number> | string, number?]> = [
    [
      '1.2.3.4 - - [10/Jan/2024:10:11:12 +0000] "GET /a?b=1 HTTP/1.1" 200 5 "-" "ua"',
      { 'c-ip': '1.2.3.4', 'cs-method': 'GET', 'cs-version': 'HTTP/1.1', 'cs-uri-stem': '/a', 'cs-uri-query': 'b=1', 'sc-status': 200, 'sc-bytes': 5, 'cs-user-agent': 'ua' },
      T,
    ],
    // The same stamp again, now followed by a second `]`: the first one still ends it.
    ['1.2.3.4 - - [10/Jan/2024:10:11:12 +0000]] "GET / HTTP/1.1" 200 5', 'no quoted request line after the timestamp'],
    [
      '1.2.3.4 - - [10/Jan/2024:10:11:12 +0000] "GET / HTTP/1.10" 200 5',
      { 'c-ip': '1.2.3.4', 'cs-method': 'GET', 'cs-version': 'HTTP/1.10', 'cs-uri-stem': '/', 'sc-status': 200, 'sc-bytes': 5 },
      T,
    ],
    [
      '1.2.3.4 - - [10/Jan/2024:10:11:12 +0000] "GET /x HTTP/1.1 HTTP/1.1" 2000 5',
      { 'c-ip': '1.2.3.4', 'cs-method': 'GET', 'cs-version': 'HTTP/1.1', 'cs-uri-stem': '/x HTTP/1.1', 'sc-status': 2000, 'sc-bytes': 5 },
      T,
    ],
    [
      '1.2.3.4 - - [10/Jan/2024:10:11:12 +0000] "GET / HTTP/1.1" 20 5 "-"',
      { 'c-ip': '1.2.3.4', 'cs-method': 'GET', 'cs-version': 'HTTP/1.1', 'cs-uri-stem': '/', 'sc-status': 20, 'sc-bytes': 5 },
      T,
    ],
    [
      '1.2.3.4 - - [10/Jan/2024:10:11:12 +0000] "GET / HTTP/1.1" 200 5 "-x" "-"',
      { 'c-ip': '1.2.3.4', 'cs-method': 'GET', 'cs-version': 'HTTP/1.1', 'cs-uri-stem': '/', 'sc-status': 200, 'sc-bytes': 5, 'cs-referer': '-x' },
      T,
    ],
    [
      '1.2.3.4 - - [10/Jan/2024:10:11:12 +0000] "GET / HTTP/1.1" 200 5 "-" "a\\"b"',
      { 'c-ip': '1.2.3.4', 'cs-method': 'GET', 'cs-version': 'HTTP/1.1', 'cs-uri-stem': '/', 'sc-status': 200, 'sc-bytes': 5, 'cs-user-agent': 'a"b' },
      T,
    ],
    [
      '[::1] - - [10/Jan/2024:10:11:13 +0000] "GET / HTTP/1.1" 200 5',
      { 'c-ip': '[::1]', 'cs-method': 'GET', 'cs-version': 'HTTP/1.1', 'cs-uri-stem': '/', 'sc-status': 200, 'sc-bytes': 5 },
      T + 1000,
    ],
    [
      '1.2.3.4 - bob [10/Jan/2024:10:11:13 +0000] "GET / HTTP/1.1" 200 5',
      { 'c-ip': '1.2.3.4', 'cs-username': 'bob', 'cs-method': 'GET', 'cs-version': 'HTTP/1.1', 'cs-uri-stem': '/', 'sc-status': 200, 'sc-bytes': 5 },
      T + 1000,
    ],
  ];
  const r = decode(accessDecoder, cases.map(([l]) => l).join('\n'), 'access.log');
  const got = cases.map((_, i) => {
    const e = r.events.find((x) => x.origin.record === i + 1);
    if (e) return [e.fields, e.timestamp];
    return [r.problems.find((p) => p.line === i + 1)?.message.replace(/^not an access-log line \((.*)\);.*$/, '$1')];
  });
  assert.deepStrictEqual(
    got,
    cases.map(([, want, ts]) => (typeof want === 'string' ? [want] : [want, ts])),
  );
  for (const e of r.events) assert.deepStrictEqual(Object.keys(e.fields), Object.keys(cases[e.origin.record - 1]![1]));
});
