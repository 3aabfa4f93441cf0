import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mssqlDecoder } from '../../../src/input/text/mssql.js';
import { MSSQL } from './fixtures.js';
import { decode, expecter, line, lines } from './run-decoder.js';

/** Fixed clock and zone so year inference and local times are deterministic. */
const OPTS = { now: Date.UTC(2024, 5, 1), timezone: 'UTC' };
const ev = expecter('mssql-errorlog');

test('decodes MSSQL', () => {
  const r = decode(mssqlDecoder, MSSQL, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      { Process: 'Server', Message: 'Microsoft SQL Server 2019 (RTM) - 15.0.2000.5 (X64)\n\tSep 24 2019 13:48:23' },
      { product: 'mssql', service: 'errorlog' },
      1,
      lines(MSSQL, 1, 2),
      1704881472340,
    ),
    ev(
      {
        Process: 'spid55',
        Message: "Configuration option 'show advanced options' changed from 0 to 1. Run the RECONFIGURE statement to install.",
        Option: 'show advanced options',
        OldValue: 0,
        NewValue: 1,
      },
      { product: 'mssql', service: 'errorlog' },
      3,
      line(MSSQL, 3),
      1704881472400,
    ),
    ev(
      {
        Process: 'spid55',
        Message: "Configuration option 'xp_cmdshell' changed from 0 to 1. Run the RECONFIGURE statement to install.",
        Option: 'xp_cmdshell',
        OldValue: 0,
        NewValue: 1,
      },
      { product: 'mssql', service: 'errorlog' },
      4,
      line(MSSQL, 4),
      1704881473500,
    ),
    ev(
      {
        Process: 'Logon',
        Message: "Login failed for user 'sa'. Reason: Password did not match that for the login provided. [CLIENT: 198.51.100.7]",
        Outcome: 'failed',
        User: 'sa',
        ClientIp: '198.51.100.7',
      },
      { product: 'mssql', service: 'errorlog' },
      5,
      line(MSSQL, 5),
      1704881474000,
    ),
  ]);
});

test('ERRORLOG: UTF-16LE text decoded as bytes (NULs, BOM) is repaired', () => {
  const utf16AsUtf8 = Buffer.from('\ufeff' + MSSQL.split('\n')[3], 'utf16le').toString('latin1');
  const r = decode(mssqlDecoder, utf16AsUtf8, 'ERRORLOG');
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(
    r.events.map((e) => [e.fields.Option, e.fields.NewValue, e.raw]),
    [['xp_cmdshell', 1, MSSQL.split('\n')[3]]],
  );
  assert.ok(mssqlDecoder.sniff([utf16AsUtf8]) >= 0.7);
});

test('ERRORLOG: a continuation line before any record is a problem; sniff', () => {
  const r = decode(mssqlDecoder, "orphan text\n2024-01-10 10:11:12.34 spid7s      Starting up database 'master'.", 'ERRORLOG');
  assert.deepStrictEqual(
    r.events.map((e) => e.fields.Process),
    ['spid7s'],
  );
  assert.deepStrictEqual(
    r.problems.map((p) => [p.line, p.message.replace(/;.*/, '')]),
    [[1, 'not an ERRORLOG line']],
  );
  assert.equal(mssqlDecoder.sniff(MSSQL.split('\n')), 0.9);
  assert.equal(mssqlDecoder.sniff(['2024-01-10 10:11:12 10.0.0.1 GET / 200']), 0);
});
