/**
 * Rule selection says exactly what it does (issue 14): `--min-level critical` shows nothing
 * below critical — the base rules a critical correlation needs run, but appear only as its
 * members; "Rules: N" counts what runs after the selection; a selection value that selects
 * nothing is a warning; an unknown --status is bad usage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ProblemList } from '../../src/errors.js';
import { loadRuleCollection } from '../../src/sigma/collection.js';
import { parseCorrelations } from '../../src/sigma/correlations.js';
import { repoRoot } from '../helpers/shared.js';

const root = repoRoot();
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

function warden(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Line {
  kind: string;
  id: string;
  rule: { id: string; level: string };
  members?: string[];
}

function lines(text: string): Line[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
}

/** Built-in rules and correlations at critical, counted straight from the pack. */
function criticalInPack(): { rules: number; correlations: number } {
  const problems = new ProblemList();
  const c = loadRuleCollection([join(root, 'rules')], {}, problems);
  const corr = parseCorrelations(c.correlationDocs, problems);
  return { rules: c.rules.filter((r) => r.info.level === 'critical').length, correlations: corr.filter((x) => x.info.level === 'critical').length };
}

test('--min-level critical: only critical detections; the correlation keeps its members', () => {
  const all = lines(warden(['hunt', 'examples/logs', '-f', 'jsonl', '--no-progress']).stdout);
  assert.ok(
    all.some((d) => d.rule.level !== 'critical'),
    'the example logs have detections below critical',
  );
  const r = warden(['hunt', 'examples/logs', '-f', 'jsonl', '--min-level', 'critical', '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  const shown = lines(r.stdout);
  assert.ok(shown.length > 0);
  assert.deepEqual(
    shown.filter((d) => d.rule.level !== 'critical').map((d) => d.rule.id),
    [],
    'nothing below critical is shown',
  );
  const corr = shown.find((d) => d.kind === 'correlation');
  assert.ok(corr?.members && corr.members.length >= 2, 'the correlation fired and names its members');
  const expected = criticalInPack();
  const members = /(\d+) more only as correlation members/.exec(r.stderr);
  assert.ok(members, r.stderr);
  assert.match(r.stderr, new RegExp(`Rules: +${expected.rules + expected.correlations} run \\(of \\d+ loaded\\), ${expected.correlations} correlations among them, `));
});

test('the table at --min-level critical has no row below critical', () => {
  const r = warden(['hunt', 'examples/logs', '--min-level', 'critical', '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT/.test(l));
  assert.ok(rows.length > 0);
  for (const row of rows) assert.match(row, /│ critical │/);
});

test('selection values that select nothing are warnings; the run goes on', () => {
  const json = warden(['hunt', 'examples/logs', '-f', 'jsonl', '--ids', 'no-such-rule', '--no-progress']);
  assert.equal(json.code, 0);
  assert.equal(json.stdout, '');
  assert.match(json.stderr, /^\{"type":"warning","message":"--ids no-such-rule names no loaded rule or correlation \(by id or name\)"\}$/m);
  const r = warden(['hunt', 'examples/logs', '--ids', 'no-such-rule', '--tags', 'attack.t9999*', '--no-progress']);
  assert.equal(r.code, 0);
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warden: warning:'));
  assert.deepEqual(warnings, [
    'warden: warning: --ids no-such-rule names no loaded rule or correlation (by id or name)',
    'warden: warning: --tags attack.t9999* matches no tag of a loaded rule',
    'warden: warning: the rule selection (--min-level, --status, --tags, --ids together) leaves no rule to run',
  ]);
  assert.match(r.stdout, /Rules: +0 run \(of \d+ loaded\)/);
});

test('a selection that keeps rules gives no warning and counts them', () => {
  const r = warden(['hunt', 'examples/logs', '-f', 'jsonl', '--ids', 'warden_web_tomcat_manager_deploy', '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /warning/);
  assert.match(r.stderr, /Rules: +1 run \(of \d+ loaded\)\n/);
});

test('an unknown --status is bad usage, before any work', () => {
  const r = warden(['hunt', 'examples/logs', '--status', 'stable,bogus']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    `warden: unknown --status "bogus" (Sigma statuses: stable, test, experimental, deprecated, unsupported)\n(run 'warden hunt --help' for usage and examples)\n`,
  );
});
