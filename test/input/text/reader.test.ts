/**
 * The text decoders behind the shared reader: one folder mixing formats, gzip, CRLF line
 * ends and a UTF-16LE ERRORLOG are each detected and decoded completely.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readEvents } from '../../../src/input/read.js';
import { ProblemList } from '../../../src/errors.js';
import * as fx from './fixtures.js';

test('a folder of mixed text logs is sniffed per file and decoded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-text-'));
  try {
    writeFileSync(join(dir, 'access.log.gz'), gzipSync(fx.ACCESS + '\n'));
    writeFileSync(join(dir, 'u_ex240110.log'), fx.W3C.replaceAll('\n', '\r\n') + '\r\n');
    writeFileSync(join(dir, 'audit.log'), fx.AUDITD + '\n');
    writeFileSync(join(dir, 'ERRORLOG'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(fx.MSSQL.replaceAll('\n', '\r\n') + '\r\n', 'utf16le')]));
    writeFileSync(join(dir, 'http.log'), fx.ZEEK_HTTP_TSV + '\n');
    writeFileSync(join(dir, 'conn.json'), fx.ZEEK_CONN_JSON + '\n');
    writeFileSync(join(dir, 'modsec_audit.log'), fx.MODSEC_NATIVE);
    writeFileSync(join(dir, 'modsec.json'), fx.MODSEC_JSON + '\n');
    writeFileSync(join(dir, 'shell.log'), fx.ESXI + '\n');
    writeFileSync(join(dir, 'teamcity-activities.log'), fx.TEAMCITY_ACTIVITIES + '\n');
    writeFileSync(join(dir, 'jenkins.log'), fx.JENKINS + '\n');
    const problems = new ProblemList();
    const counts = new Map<string, number>();
    for await (const e of readEvents([dir], {}, problems)) {
      const key = `${e.origin.file.slice(dir.length + 1)}:${e.origin.format}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    assert.deepStrictEqual(problems.problems, []);
    assert.deepStrictEqual(Object.fromEntries([...counts].sort()), {
      'ERRORLOG:mssql-errorlog': 4,
      'access.log.gz:access': 6,
      'audit.log:auditd': 7,
      'conn.json:zeek': 2,
      'http.log:zeek': 1,
      'jenkins.log:jenkins': 4,
      'modsec.json:modsecurity': 2,
      'modsec_audit.log:modsecurity': 1,
      'shell.log:syslog': 8,
      'teamcity-activities.log:teamcity': 4,
      'u_ex240110.log:w3c': 3,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
