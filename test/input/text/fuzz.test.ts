/**
 * Mutation fuzzing: every text decoder gets thousands of seeded mutations of its fixtures
 * (truncations, garbage bytes, NULs, swapped/duplicated lines, megabyte lines) and must
 * neither throw nor emit malformed events; bad lines surface as problems with file:line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LineDecoder } from '../../../src/input/decoder.js';
import type { Event } from '../../../src/event/event.js';
import type { Problem } from '../../../src/errors.js';
import { w3cDecoder } from '../../../src/input/text/w3c.js';
import { accessDecoder } from '../../../src/input/text/access.js';
import { auditdDecoder } from '../../../src/input/text/auditd.js';
import { syslogDecoder } from '../../../src/input/text/syslog.js';
import { teamcityDecoder } from '../../../src/input/text/teamcity.js';
import { jenkinsDecoder } from '../../../src/input/text/jenkins.js';
import { zeekDecoder } from '../../../src/input/text/zeek.js';
import { mssqlDecoder } from '../../../src/input/text/mssql.js';
import { modsecurityDecoder } from '../../../src/input/text/modsecurity.js';
import { sysmonLinuxDecoder } from '../../../src/input/text/sysmon-linux.js';
import { mysqlDecoder } from '../../../src/input/text/mysql.js';
import { postgresqlDecoder } from '../../../src/input/text/postgresql.js';
import { suricataDecoder } from '../../../src/input/text/suricata.js';
import * as fx from './fixtures.js';
import { prng } from '../../helpers/prng.js';

const ITERATIONS = Number(process.env.WARDEN_FUZZ_ITERATIONS ?? 3000);

const NASTY = ['\u0000', '"', '\\', '\\x', '[', ']', "'", '=', ' ', '\t', '\u001d', '\ufffd', '\ud800', '😀', '%', '{', '}', ':', '-', '#', '<', '>', '\r'];

function mutate(lines: string[], rnd: () => number): string[] {
  const out = lines.slice();
  const ops = 1 + Math.floor(rnd() * 4);
  const pick = (): number => Math.floor(rnd() * out.length);
  for (let k = 0; k < ops && out.length > 0; k++) {
    const i = pick();
    const l = out[i]!;
    const pos = Math.floor(rnd() * (l.length + 1));
    switch (Math.floor(rnd() * 9)) {
      case 0:
        out[i] = l.slice(0, pos);
        break;
      case 1:
        out[i] = l.slice(0, pos) + l.slice(pos + 1 + Math.floor(rnd() * 20));
        break;
      case 2:
        out[i] = l.slice(0, pos) + NASTY[Math.floor(rnd() * NASTY.length)] + l.slice(pos);
        break;
      case 3: {
        let junk = '';
        for (let j = 0; j < 1 + rnd() * 30; j++) junk += String.fromCharCode(Math.floor(rnd() * 0x3000));
        out[i] = l.slice(0, pos) + junk + l.slice(pos);
        break;
      }
      case 4:
        out.splice(i, 0, l);
        break;
      case 5: {
        const j = pick();
        [out[i], out[j]] = [out[j]!, out[i]!];
        break;
      }
      case 6:
        out.splice(i, 1);
        break;
      case 7:
        out[i] = l.replace(/\d/g, (d) => (rnd() < 0.3 ? String(9 - Number(d)) : d));
        break;
      default:
        out[i] = l.slice(0, pos) + l.slice(pos).replace(/[a-z]/, 'Z');
    }
  }
  return out;
}

function check(decoder: LineDecoder, lines: string[], file: string): { events: number; problems: number } {
  const events: Event[] = [];
  const problems: Problem[] = [];
  const state = decoder.open({ file, problems: { report: (p) => problems.push(p) }, now: Date.UTC(2024, 5, 1) } as Parameters<LineDecoder['open']>[0]);
  const emit = (e: Event): void => {
    events.push(e);
  };
  lines.forEach((l, i) => {
    state.line(l, i + 1, emit);
  });
  state.end(emit);
  for (const e of events) {
    assert.equal(e.origin.file, file);
    assert.equal(e.origin.format, decoder.format);
    assert.ok(e.origin.record >= 1 && e.origin.record <= lines.length, `record ${e.origin.record} out of range`);
    assert.equal(typeof e.raw, 'string');
    assert.equal(typeof e.fields, 'object');
    if (e.timestamp !== undefined) assert.ok(Number.isFinite(e.timestamp));
  }
  for (const p of problems) {
    assert.equal(p.file, file);
    assert.ok(p.line === undefined || (p.line >= 1 && p.line <= lines.length), `problem line ${p.line} out of range`);
  }
  return { events: events.length, problems: problems.length };
}

const CASES: Array<[LineDecoder, string[]]> = [
  [w3cDecoder, [fx.W3C]],
  [accessDecoder, [fx.ACCESS]],
  [auditdDecoder, [fx.AUDITD, fx.AUDITD_ENRICHED]],
  [syslogDecoder, [fx.SYSLOG, fx.ESXI, fx.SYSMON_LINUX]],
  [teamcityDecoder, [fx.TEAMCITY_ACTIVITIES, fx.TEAMCITY_REST, fx.TEAMCITY_SERVER]],
  [jenkinsDecoder, [fx.JENKINS]],
  [zeekDecoder, [fx.ZEEK_HTTP_TSV, fx.ZEEK_CONN_JSON]],
  [mssqlDecoder, [fx.MSSQL]],
  [modsecurityDecoder, [fx.MODSEC_NATIVE, fx.MODSEC_JSON]],
  [sysmonLinuxDecoder, [fx.SYSMON_LINUX]],
  [mysqlDecoder, [fx.MYSQL_GENERAL, fx.MYSQL_ERROR]],
  [postgresqlDecoder, [fx.POSTGRESQL, fx.POSTGRESQL_CSV]],
  [suricataDecoder, [fx.SURICATA_EVE]],
];

const MEGA = 'A'.repeat(1 << 20);

for (const [decoder, texts] of CASES) {
  test(`fuzz: ${decoder.format} survives ${ITERATIONS} mutations per fixture`, () => {
    const rnd = prng(0x5eed + decoder.format.length * 7919);
    let problems = 0;
    for (const text of texts) {
      const base = text.split('\n');
      for (let n = 0; n < ITERATIONS; n++) problems += check(decoder, mutate(base, rnd), 'fuzz.log').problems;
      // Megabyte-long lines: garbage and a real line with a megabyte appended.
      const big = [MEGA, base[base.length - 1] + MEGA, '\u0000'.repeat(1 << 16), ...base];
      check(decoder, big, 'fuzz.log');
    }
    assert.ok(problems > 0, 'mutations should produce some problems');
  });

  test(`fuzz: ${decoder.format} reports a megabyte of garbage as a problem with its line`, () => {
    const problems: Problem[] = [];
    const state = decoder.open({ file: 'big.log', problems: { report: (p) => problems.push(p) } });
    state.line(MEGA, 1, () => assert.fail('garbage must not become an event'));
    state.end(() => assert.fail('garbage must not become an event'));
    assert.ok(problems.length >= 1);
    assert.equal(problems[0]!.line, 1);
  });
}

test('fuzz: hostile repetitive lines stay linear-time in every decoder', () => {
  const patterns = ['[a "', "authenticated as '", '\\x', '\\"', "k='", '[vob.', 'a=', '#', '[CLIENT: ', ' was by "', '<a>', '&#', 'a@b', '""', '\t'];
  const started = Date.now();
  for (const [decoder, texts] of CASES) {
    for (const text of texts) {
      const base = text.split('\n');
      for (const pat of patterns) {
        const tail = pat.repeat(Math.ceil(100_000 / pat.length));
        check(
          decoder,
          base.map((l) => l + tail),
          'hostile.log',
        );
      }
    }
  }
  assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
});
