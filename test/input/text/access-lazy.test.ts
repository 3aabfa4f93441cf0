/**
 * Access-log events are lazy: the line is checked (and any problem reported) when it is read,
 * the field map is made on first read from the positions the check kept. Fields read long after
 * the line (other lines checked in between, with the decoder's spans reused) and fields read at
 * once must be the same, for every path of the check (escaped request, vhost, stray quotes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from '../../../src/event/event.js';
import { LazyEvent } from '../../../src/event/lazy-event.js';
import { ProblemList } from '../../../src/errors.js';
import { accessDecoder } from '../../../src/input/text/access.js';

const S = '[10/Jan/2024:10:11:12 +0000]';
const T = Date.UTC(2024, 0, 10, 10, 11, 12);

const LINES = [
  `1.2.3.4 - - ${S} "GET /a?b=1 HTTP/1.1" 200 5 "https://r.example/" "ua 1"`,
  // escapes in the request (its unescaped text is kept) and in the user agent
  `1.2.3.4 - - ${S} "GET /\\x41?q=\\"x\\" HTTP/1.0" 404 - "-" "a\\"b"`,
  // vhost with port, user, no version
  `www.example.com:8443 ::1 - bob ${S} "GET /x" 301 0`,
  // stray quotes in the request: the later quote followed by status and bytes ends it
  `5.6.7.8 - - ${S} "GET /x?q="><script> HTTP/1.1" 200 12 "-" "curl"`,
  // the first quote works (no version); a later quote looks like the end but the line then fails
  // (unterminated referer): the first reading stands, its referer running to the last quote
  `5.6.7.8 - - ${S} "GET /a" 200 5 "x HTTP/1.1" 200 5 "`,
  'not an access line',
  `9.9.9.9 - - ${S} "-" - - "" ""`,
  // the usual combined line without a query, with and without a referer (each a literal of its own)
  `1.2.3.4 - - ${S} "POST /p HTTP/1.1" 200 7 "-" "ua 2"`,
  `1.2.3.4 - - ${S} "GET /p? HTTP/2.0" 500 0 "http://r/" "ua 3"`,
];

const WANT: Array<Record<string, string | number>> = [
  {
    'c-ip': '1.2.3.4',
    'cs-method': 'GET',
    'cs-version': 'HTTP/1.1',
    'cs-uri-stem': '/a',
    'cs-uri-query': 'b=1',
    'sc-status': 200,
    'sc-bytes': 5,
    'cs-referer': 'https://r.example/',
    'cs-user-agent': 'ua 1',
  },
  { 'c-ip': '1.2.3.4', 'cs-method': 'GET', 'cs-version': 'HTTP/1.0', 'cs-uri-stem': '/A', 'cs-uri-query': 'q="x"', 'sc-status': 404, 'cs-user-agent': 'a"b' },
  { 'cs-host': 'www.example.com', 's-port': 8443, 'c-ip': '::1', 'cs-username': 'bob', 'cs-method': 'GET', 'cs-uri-stem': '/x', 'sc-status': 301, 'sc-bytes': 0 },
  {
    'c-ip': '5.6.7.8',
    'cs-method': 'GET',
    'cs-version': 'HTTP/1.1',
    'cs-uri-stem': '/x',
    'cs-uri-query': 'q="><script>',
    'sc-status': 200,
    'sc-bytes': 12,
    'cs-user-agent': 'curl',
  },
  { 'c-ip': '5.6.7.8', 'cs-method': 'GET', 'cs-uri-stem': '/a', 'sc-status': 200, 'sc-bytes': 5, 'cs-referer': 'x HTTP/1.1" 200 5 ' },
  { 'c-ip': '9.9.9.9' },
  { 'c-ip': '1.2.3.4', 'cs-method': 'POST', 'cs-version': 'HTTP/1.1', 'cs-uri-stem': '/p', 'sc-status': 200, 'sc-bytes': 7, 'cs-user-agent': 'ua 2' },
  { 'c-ip': '1.2.3.4', 'cs-method': 'GET', 'cs-version': 'HTTP/2.0', 'cs-uri-stem': '/p', 'sc-status': 500, 'sc-bytes': 0, 'cs-referer': 'http://r/', 'cs-user-agent': 'ua 3' },
];

function run(readAtEmit: boolean): { events: Event[]; atEmit: unknown[]; problems: string[] } {
  const problems = new ProblemList();
  const events: Event[] = [];
  const atEmit: unknown[] = [];
  const state = accessDecoder.open({ file: 'a.log', problems });
  LINES.forEach((l, i) => {
    state.line(l, i + 1, (e) => {
      events.push(e);
      if (readAtEmit) atEmit.push(e.fields);
    });
  });
  state.end(() => undefined);
  return { events, atEmit, problems: problems.problems.map((p) => `${p.line}: ${p.message}`) };
}

test('access events: fields read at emit and read after later lines are the same, key order included', () => {
  const late = run(false);
  const now = run(true);
  assert.deepStrictEqual(now.problems, ['6: not an access-log line (no [timestamp]); skipped: "not an access line"']);
  assert.deepStrictEqual(late.problems, now.problems);
  assert.deepStrictEqual(now.atEmit, WANT);
  assert.deepStrictEqual(
    late.events.map((e) => e.fields),
    WANT,
  );
  for (const [i, e] of late.events.entries()) assert.deepStrictEqual(Object.keys(e.fields), Object.keys(WANT[i]!));
  assert.deepStrictEqual(
    late.events.map((e) => e.origin.record),
    [1, 2, 3, 4, 5, 7, 8, 9],
  );
});

test('access events: lazy, built once; JSON and own keys as for the plain event', () => {
  const { events } = run(false);
  const e = events[0]!;
  assert.ok(e instanceof LazyEvent);
  // Nothing of the decoder's state shows: own keys are the plain event's, minus `fields`.
  assert.deepStrictEqual(Object.keys(e), ['logsource', 'origin', 'raw', 'timestamp']);
  assert.equal(e.fields, e.fields);
  assert.equal(
    JSON.stringify(e),
    `{"fields":${JSON.stringify(WANT[0])},"logsource":{"category":"webserver"},"origin":{"file":"a.log","record":1,"format":"access"},"raw":${JSON.stringify(LINES[0])},"timestamp":${T}}`,
  );
});
