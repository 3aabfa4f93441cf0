/**
 * SigmaHQ regression data: for every case under ../shared/sigma/regression_data
 * (info.yml naming a rule id and match_count, next to an evtx_dump-shaped .json),
 * the named rule must fire at least match_count times on the sample when all SigmaHQ
 * rules are loaded. Also checks, on the same events, that the rule index returns exactly
 * what evaluating every rule would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ProblemList } from '../../src/errors.js';
import { loadRuleCollection } from '../../src/sigma/collection.js';
import { compileRuleSet } from '../../src/engine/ruleset.js';
import { readEvents } from '../../src/input/read.js';
import { FieldView } from '../../src/event/fields.js';
import { logSourceMatches } from '../../src/event/logsource.js';
import type { Event } from '../../src/event/event.js';

const here = dirname(fileURLToPath(import.meta.url));
// dist/test/regression -> repository root -> ../shared
const sigma = resolve(here, '..', '..', '..', '..', 'shared', 'sigma');
const skip = existsSync(join(sigma, 'regression_data')) ? false : `SigmaHQ data not found at ${sigma} (../shared is absent)`;

function infoFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n === 'info.yml') out.push(p);
    }
  };
  walk(dir);
  return out;
}

interface Case {
  info: string;
  ruleId: string;
  title: string;
  need: number;
  json: string[];
}

test('SigmaHQ regression data: each named rule fires on its sample', { skip }, async () => {
  const problems = new ProblemList();
  const col = loadRuleCollection([join(sigma, 'rules'), join(sigma, 'rules-emerging-threats'), join(sigma, 'rules-threat-hunting')], {}, problems);
  const rs = compileRuleSet(col.rules);
  const byId = new Map(col.rules.map((r) => [r.info.id, r]));

  const cases: Case[] = [];
  const notApplicable: string[] = [];
  for (const info of infoFiles(join(sigma, 'regression_data'))) {
    const y = parse(readFileSync(info, 'utf8')) as {
      rule_metadata?: { id: string; title: string }[];
      regression_tests_info?: { match_count?: number; type?: string }[];
    };
    const meta = y.rule_metadata?.[0];
    const json = readdirSync(dirname(info))
      .filter((n) => n.endsWith('.json'))
      .map((n) => join(dirname(info), n));
    const rel = relative(sigma, info);
    if (!meta || !y.regression_tests_info?.length || json.length === 0) {
      notApplicable.push(`${rel}: no regression_tests_info or no .json sample`);
      continue;
    }
    cases.push({ info: rel, ruleId: meta.id, title: meta.title, need: y.regression_tests_info[0]!.match_count ?? 1, json });
  }

  const failures: string[] = [];
  let pass = 0;
  let events = 0;
  let indexChecked = 0;
  const view = new FieldView();
  for (const c of cases) {
    const rule = byId.get(c.ruleId);
    if (!rule) {
      failures.push(`${c.info}: rule ${c.ruleId} (${c.title}) is not loaded`);
      continue;
    }
    const readProblems = new ProblemList();
    const evs: Event[] = [];
    for await (const e of readEvents(c.json, {}, readProblems)) evs.push(e);
    events += evs.length;
    let got = 0;
    for (const e of evs) {
      const matched = rs.match(e);
      if (matched.some((m) => m.info.id === c.ruleId)) got++;
      // The index must agree with evaluating every rule of the event's logsource.
      const ls = rs.resolveLogSource(e);
      const want = rs.rules.filter((r) => logSourceMatches(r.logsource, ls) && r.test(view.reset(e.fields))).map((r) => r.info.id + r.info.title);
      assert.deepEqual(
        matched.map((r) => r.info.id + r.info.title),
        want,
        `${c.info} record ${e.origin.record}`,
      );
      indexChecked++;
    }
    if (got >= c.need) pass++;
    else {
      const ls = evs[0] ? rs.resolveLogSource(evs[0]) : undefined;
      failures.push(
        `${c.info}: '${c.title}' fired ${got}/${c.need} on ${evs.length} events` +
          ` (rule logsource ${JSON.stringify(rule.logsource)}, event logsource ${ls ? JSON.stringify({ services: ls.services, categories: ls.categories, eventId: ls.eventId }) : '-'})` +
          (readProblems.count ? `; input problems: ${readProblems.problems.map((p) => p.message).join('; ')}` : ''),
      );
    }
  }
  const total = cases.length;
  process.stdout.write(
    `SigmaHQ regression: ${pass}/${total} cases pass (${events} events; ${indexChecked} checked against full evaluation); ${notApplicable.length} not applicable\n`,
  );
  for (const n of notApplicable) process.stdout.write(`  not applicable: ${n}\n`);
  for (const f of failures) process.stdout.write(`  FAIL ${f}\n`);
  assert.ok(total >= 200, `only ${total} regression cases found`);
  assert.ok(pass / total >= 0.99, `${pass}/${total} pass, need 99%:\n${failures.join('\n')}`);
});
