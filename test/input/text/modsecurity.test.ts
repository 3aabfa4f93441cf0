import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modsecurityDecoder } from '../../../src/input/text/modsecurity.js';
import { MODSEC_NATIVE, MODSEC_JSON } from './fixtures.js';
import { decode, expecter, line, lines } from './run-decoder.js';

/** Fixed clock and zone so year inference and local times are deterministic. */
const OPTS = { now: Date.UTC(2024, 5, 1), timezone: 'UTC' };
const ev = expecter('modsecurity');

test('decodes MODSEC_NATIVE', () => {
  const r = decode(modsecurityDecoder, MODSEC_NATIVE, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      {
        TransactionId: 'ZZ1aBcDeFgH',
        ClientIp: '203.0.113.9',
        ClientPort: 50123,
        ServerIp: '10.0.0.5',
        ServerPort: 80,
        RequestLine: 'POST /upload.php HTTP/1.1',
        Method: 'POST',
        Uri: '/upload.php',
        Protocol: 'HTTP/1.1',
        Host: 'www.example.com',
        UserAgent: 'python-requests/2.31.0',
        ContentType: 'multipart/form-data; boundary=xyz',
        Status: 403,
        Intercepted: true,
        EngineMode: 'ENABLED',
        RuleId: ['933110'],
        RuleMessage: ['PHP Injection Attack: PHP Script File Upload Found'],
        Tag: ['application-multi', 'attack-injection-php'],
        Severity: ['CRITICAL'],
        MatchedData: ['Matched Data: x.php found within FILES:file: x.php'],
        Message: [
          'Access denied with code 403 (phase 2). Matched phrase "<?php" at FILES:file. [file "/etc/modsecurity/crs/REQUEST-933-APPLICATION-ATTACK-PHP.conf"] [line "180"] [id "933110"] [msg "PHP Injection Attack: PHP Script File Upload Found"] [data "Matched Data: x.php found within FILES:file: x.php"] [severity "CRITICAL"] [ver "OWASP_CRS/3.3.4"] [tag "application-multi"] [tag "attack-injection-php"]',
        ],
      },
      { product: 'modsecurity', category: 'waf' },
      1,
      lines(MODSEC_NATIVE, 1, 18),
      1704881472123,
    ),
  ]);
});

test('decodes MODSEC_JSON', () => {
  const r = decode(modsecurityDecoder, MODSEC_JSON, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      {
        ClientIp: '203.0.113.9',
        ClientPort: 50124,
        ServerIp: '10.0.0.5',
        ServerPort: 443,
        TransactionId: '170488147212.345',
        Method: 'POST',
        Uri: '/wp-content/uploads/cmd.php',
        Protocol: 'HTTP/1.1',
        RequestLine: 'POST /wp-content/uploads/cmd.php HTTP/1.1',
        Host: 'www.example.com',
        UserAgent: 'curl/8.4.0',
        Status: 403,
        RuleId: ['933110'],
        RuleMessage: ['PHP Injection Attack: PHP Script File Upload Found'],
        Tag: ['application-multi', 'attack-injection-php'],
        Severity: ['CRITICAL'],
        MatchedData: ['cmd.php'],
        Message: ['PHP Injection Attack: PHP Script File Upload Found'],
      },
      { product: 'modsecurity', category: 'waf' },
      1,
      line(MODSEC_JSON, 1),
      1704881472000,
    ),
    ev(
      {
        ClientIp: '203.0.113.10',
        ClientPort: 50200,
        ServerIp: '10.0.0.5',
        ServerPort: 80,
        TransactionId: 'ZZ2',
        RequestLine: 'GET /shell.aspx?cmd=whoami HTTP/1.1',
        Method: 'GET',
        Uri: '/shell.aspx?cmd=whoami',
        Protocol: 'HTTP/1.1',
        Host: 'www.example.com',
        Status: 200,
        Intercepted: false,
        EngineMode: 'DETECTION_ONLY',
        RuleId: ['932160'],
        RuleMessage: ['Remote Command Execution: Unix Shell Code Found'],
        Tag: ['attack-rce'],
        Severity: ['CRITICAL'],
        Message: [
          'Warning. Matched phrase "whoami" at ARGS:cmd. [file "x.conf"] [id "932160"] [msg "Remote Command Execution: Unix Shell Code Found"] [severity "CRITICAL"] [tag "attack-rce"]',
        ],
      },
      { product: 'modsecurity', category: 'waf' },
      2,
      line(MODSEC_JSON, 2),
      1704881473000,
    ),
  ]);
});

test('ModSecurity: truncated transactions are emitted and reported; stray sections are problems', () => {
  const text = [
    '--aa-A--',
    '[10/Jan/2024:10:11:12 +0000] T1 1.2.3.4 1 5.6.7.8 80',
    '--aa-B--',
    'GET /x HTTP/1.1',
    '--bb-A--',
    '[10/Jan/2024:10:11:13 +0000] T2 1.2.3.4 2 5.6.7.8 80',
    '--cc-F--',
    'stray',
    '--dd-A--',
    '[10/Jan/2024:10:11:14 +0000] T3 1.2.3.4 3 5.6.7.8 80',
  ].join('\n');
  const r = decode(modsecurityDecoder, text, 'modsec_audit.log');
  assert.deepStrictEqual(
    r.events.map((e) => [e.origin.record, e.fields.TransactionId, e.fields.Uri ?? null]),
    [
      [1, 'T1', '/x'],
      [5, 'T2', null],
      [9, 'T3', null],
    ],
  );
  assert.deepStrictEqual(
    r.problems.map((p) => [p.line, p.message.replace(/;.*/, '')]),
    [
      [1, 'ModSecurity transaction aa has no closing Z section'],
      [7, 'ModSecurity section F of transaction cc without its A section'],
      [5, 'ModSecurity transaction bb has no closing Z section'],
      [8, 'line outside a ModSecurity transaction'],
      [9, 'ModSecurity transaction dd has no closing Z section (end of input)'],
    ],
  );
});

test('ModSecurity sniff: native boundaries and {"transaction": ...} JSON', () => {
  assert.equal(modsecurityDecoder.sniff(MODSEC_NATIVE.split('\n')), 0.95);
  assert.equal(modsecurityDecoder.sniff(MODSEC_JSON.split('\n')), 0.95);
  assert.equal(modsecurityDecoder.sniff(['{"transactionId":1}']), 0);
});
