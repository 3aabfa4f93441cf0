import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formats, type LineFormat } from '../../../src/input/registry.js';
import * as fx from './fixtures.js';

/** The format auto-detection picks for a fixture: highest sniff, ties to the earlier decoder. */
function detect(text: string): string | undefined {
  const lines = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, 20);
  let best: LineFormat | undefined;
  let score = 0;
  for (const d of formats) {
    if (d.kind !== 'line') continue;
    const s = d.sniff(lines);
    if (s > score) {
      score = s;
      best = d;
    }
  }
  return best?.format;
}

const EXPECTED: Array<[keyof typeof fx, string]> = [
  ['W3C', 'w3c'],
  ['ACCESS', 'access'],
  ['AUDITD', 'auditd'],
  ['AUDITD_ENRICHED', 'auditd'],
  ['SYSLOG', 'syslog'],
  ['ESXI', 'syslog'],
  ['TEAMCITY_ACTIVITIES', 'teamcity'],
  ['TEAMCITY_REST', 'teamcity'],
  ['TEAMCITY_SERVER', 'teamcity'],
  ['JENKINS', 'jenkins'],
  ['ZEEK_HTTP_TSV', 'zeek'],
  ['ZEEK_CONN_JSON', 'zeek'],
  ['MSSQL', 'mssql-errorlog'],
  ['MODSEC_NATIVE', 'modsecurity'],
  ['MODSEC_JSON', 'modsecurity'],
  ['SYSMON_LINUX', 'sysmon-linux'],
  ['MYSQL_GENERAL', 'mysql'],
  ['MYSQL_ERROR', 'mysql'],
  ['POSTGRESQL', 'postgresql'],
  ['POSTGRESQL_CSV', 'postgresql'],
  ['SURICATA_EVE', 'suricata'],
];

for (const [name, format] of EXPECTED) {
  test(`auto-detection picks ${format} for ${name}`, () => {
    assert.equal(detect(fx[name]), format);
  });
}

test("text decoders never claim each other's fixtures above the right one", () => {
  for (const [name, format] of EXPECTED) {
    const lines = fx[name]
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(0, 20);
    for (const d of formats) {
      if (d.kind !== 'line' || d.format === format || d.format === 'json') continue;
      assert.equal(d.sniff(lines), 0, `${d.format} claims ${name}`);
    }
  }
});
