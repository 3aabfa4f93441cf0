import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zeekDecoder } from '../../../src/input/text/zeek.js';
import { ZEEK_HTTP_TSV, ZEEK_CONN_JSON } from './fixtures.js';
import { decode, expecter, line } from './run-decoder.js';

/** Fixed clock and zone so year inference and local times are deterministic. */
const OPTS = { now: Date.UTC(2024, 5, 1), timezone: 'UTC' };
const ev = expecter('zeek');

test('decodes ZEEK_HTTP_TSV', () => {
  const r = decode(zeekDecoder, ZEEK_HTTP_TSV, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      {
        ts: 1704881472.123456,
        uid: 'CHhAvVGS1DHFjwGM9',
        'id.orig_h': '203.0.113.9',
        'id.orig_p': 50000,
        'id.resp_h': '10.0.0.5',
        'id.resp_p': 80,
        trans_depth: 1,
        method: 'PUT',
        host: 'files.example.com',
        uri: '/dav/x.exe',
        user_agent: 'Microsoft-WebDAV-MiniRedir/10.0.19045',
        request_body_len: 4096,
        status_code: 201,
        tags: [],
        resp_mime_types: ['application/x-dosexec', 'text/plain'],
      },
      { product: 'zeek', service: 'http' },
      9,
      line(ZEEK_HTTP_TSV, 9),
      1704881472123,
    ),
  ]);
});

test('decodes ZEEK_CONN_JSON', () => {
  const r = decode(zeekDecoder, ZEEK_CONN_JSON, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      {
        ts: 1704881472.5,
        uid: 'C1',
        'id.orig_h': '10.0.0.5',
        'id.orig_p': 51000,
        'id.resp_h': '198.51.100.7',
        'id.resp_p': 4444,
        proto: 'tcp',
        duration: 12.5,
        orig_bytes: 100,
        conn_state: 'SF',
        history: 'ShADadFf',
      },
      { product: 'zeek', service: 'conn' },
      1,
      line(ZEEK_CONN_JSON, 1),
      1704881472500,
    ),
    ev(
      {
        ts: '2024-01-10T10:11:13.000000Z',
        uid: 'C2',
        'id.orig_h': '10.0.0.6',
        'id.orig_p': 51001,
        'id.resp_h': '10.0.0.5',
        'id.resp_p': 80,
        method: 'POST',
        uri: '/upload.php',
        status_code: 200,
        tags: [],
      },
      { product: 'zeek', service: 'http' },
      2,
      line(ZEEK_CONN_JSON, 2),
      1704881473000,
    ),
  ]);
});

test('Zeek: records must match #fields; JSON must be an object', () => {
  const text = ['1.0\tx', '#separator \\x09', '#fields\tts\tuid', '#types\ttime\tstring', '1.5\tC1', '1.5\tC1\textra', '{"ts":1', '[1,2]'].join('\n');
  const r = decode(zeekDecoder, text, 'http.log');
  assert.deepStrictEqual(
    r.events.map((e) => [e.origin.record, e.timestamp, e.fields.uid]),
    [[5, 1500, 'C1']],
  );
  assert.deepStrictEqual(
    r.problems.map((p) => [p.line, p.message.replace(/[;(].*/, '').trim()]),
    [
      [1, 'Zeek TSV record before any #fields header'],
      [6, 'Zeek record has 3 values for 2 #fields'],
      [7, 'bad JSON'],
      [8, 'Zeek record has 1 values for 2 #fields'],
    ],
  );
});

test('Zeek sniff: TSV headers and Zeek JSON keys (above the generic JSON decoder)', () => {
  assert.equal(zeekDecoder.sniff(ZEEK_HTTP_TSV.split('\n')), 1);
  assert.equal(zeekDecoder.sniff(ZEEK_CONN_JSON.split('\n')), 0.95);
  assert.equal(zeekDecoder.sniff(['{"EventID":1,"Image":"x"}']), 0);
});
