/**
 * Hunting the SigmaHQ regression .evtx files natively gives the same detections as
 * hunting their evtx_dump .json twins: for each case, its own rule runs over both inputs
 * and the (rule id, EventRecordID) pairs must be equal and non-empty.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { ProblemList, formatProblem } from '../../src/errors.js';
import { runHunt } from '../../src/hunt/collect.js';
import { missing, regressionDir, sharedDir, walkFiles } from './shared.js';

let byId: Map<string, string> | undefined;

/** Rule files by `id:`, for cases whose rule was renamed or moved since the data was made. */
function ruleIndex(): Map<string, string> {
  if (byId) return byId;
  byId = new Map();
  const sigma = join(sharedDir, 'sigma');
  for (const top of readdirSync(sigma).filter((d) => d.startsWith('rules'))) {
    for (const f of walkFiles(join(sigma, top))) {
      if (!f.endsWith('.yml')) continue;
      const m = /^id:\s*([0-9a-f-]{36})/m.exec(readFileSync(f, 'utf8'));
      if (m) byId.set(m[1]!, f);
    }
  }
  return byId;
}

/** regression_data/<tree>/<dirs>/<rule name>/<rule id>.evtx -> sigma/<tree>/<dirs>/<rule name>.yml */
function ruleFileFor(evtx: string): string {
  const byPath = join(sharedDir, 'sigma', relative(regressionDir, dirname(evtx)) + '.yml');
  if (existsSync(byPath)) return byPath;
  const id = evtx.slice(evtx.lastIndexOf(sep) + 1).replace(/\.evtx$/, '');
  return ruleIndex().get(id) ?? byPath;
}

async function hits(input: string, rule: string, problems: ProblemList): Promise<string[]> {
  const res = await runHunt({ inputs: [input], rules: { rulePaths: [rule], builtin: false }, threads: 1 }, problems);
  return res.detections.map((d) => `${d.rule.id} ${String(d.event['EventRecordID'])}`).sort();
}

test('hunting .evtx natively finds what hunting the evtx_dump .json twins finds', { skip: missing(regressionDir), timeout: 300_000 }, async () => {
  let cases = 0;
  let detections = 0;
  const failures: string[] = [];
  for (const evtx of walkFiles(regressionDir)) {
    if (!evtx.endsWith('.evtx')) continue;
    const rule = ruleFileFor(evtx);
    if (!existsSync(rule)) {
      failures.push(`no rule file for ${evtx.split(sep).slice(-3).join('/')}`);
      continue;
    }
    const problems = new ProblemList();
    const fromEvtx = await hits(evtx, rule, problems);
    const fromJson = await hits(evtx.replace(/\.evtx$/, '.json'), rule, problems);
    cases++;
    detections += fromEvtx.length;
    if (problems.count > 0) failures.push(...problems.problems.map(formatProblem));
    try {
      assert.deepEqual(fromEvtx, fromJson);
    } catch {
      failures.push(`${relative(regressionDir, evtx)}: evtx ${JSON.stringify(fromEvtx)} vs json ${JSON.stringify(fromJson)}`);
    }
  }
  console.log(`hunt parity: ${cases} regression cases, ${detections} detections, identical over .evtx and .json`);
  assert.deepEqual(failures, []);
  assert.ok(cases >= 200);
});
