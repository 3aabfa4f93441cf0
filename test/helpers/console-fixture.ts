/**
 * Recorded API responses for the console's tests, made by Warden itself: the hunt over the
 * bundled examples (detections and the incident, in the shapes the service stores), the
 * scanner's finding for the demo's web shell, the coverage of the built-in pack, and source
 * health as the service reports it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHunt } from '../../src/hunt/collect.js';
import { ProblemList } from '../../src/errors.js';
import { toRecord } from '../../src/output/record.js';
import { reportIncident, reportRule } from '../../src/web/report.js';
import { scan } from '../../src/scan/scanner.js';
import { buildCoverage } from '../../src/coverage/matrix.js';
import { coverageJson } from '../../src/coverage/render.js';
import { builtinRulesDir } from '../../src/engine/builtin.js';
import { prepareRules } from '../../src/engine/rules-setup.js';
import type { ApiDetection, ApiIncident, Recorded } from './console-server.js';
import { repoRoot } from './shared.js';

/** A one-line ASP.NET command shell (written for these tests) as the demo drops it. */
const SHELL = `<%@ Page Language="C#" %><% var p = new System.Diagnostics.Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.Arguments = "/c " + Request["cmd"]; p.StartInfo.UseShellExecute = false; p.StartInfo.RedirectStandardOutput = true; p.Start(); Response.Write(p.StandardOutput.ReadToEnd()); %>\n`;

export const TOKEN = 'wdn_test_console_token';

export async function recordedExamples(): Promise<Recorded> {
  const root = repoRoot();
  const problems = new ProblemList();
  const result = await runHunt(
    {
      inputs: [join(root, 'examples/logs')],
      rules: { rulePaths: [join(root, 'examples/rules')], builtin: true },
      threads: 1,
      incidents: { windowMs: 3_600_000 },
    },
    problems,
  );
  const detections = result.detections.map((d) => toRecord(d) as unknown as ApiDetection).reverse();
  // what the live API adds to one detection: the fields that made its rule match
  const ruleSet = prepareRules({ rulePaths: [join(root, 'examples/rules')], builtin: true }, new ProblemList()).ruleSet;
  const matched: Record<string, string[]> = {};
  for (const d of result.detections) {
    const m = d.kind === 'rule' ? ruleSet.explain(d.rule.id, { fields: d.event, logsource: d.logsource, origin: d.origin }) : undefined;
    if (m) matched[d.id] = m;
  }
  const incidents = result.incidents.map((i) => ({ ...reportIncident(i.incident, i.members), triage: 'new', note: '' }) as unknown as ApiIncident);
  const rules = new Map<string, unknown>();
  for (const d of result.detections) rules.set(d.rule.id, reportRule(d.rule));
  const dir = mkdtempSync(join(tmpdir(), 'warden-console-scan-'));
  const findings: unknown[] = [];
  try {
    const shell = join(dir, 'aspnet_client', 'system_web');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(shell, { recursive: true });
    writeFileSync(join(shell, 'errorEE.aspx'), SHELL);
    const report = await scan([dir], { workers: 0 });
    for (const f of report.findings) findings.push({ ...f, path: f.path.slice(dir.length).replaceAll('\\', '/'), host: 'WEB01', time: '2026-03-02T09:15:41.000Z' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // as the live service answers: the matrix plus the data sources received (process creation a
  // minute ago, web logs two hours ago: covered on paper only now)
  const coverage = {
    ...(coverageJson(buildCoverage({ paths: [builtinRulesDir()], builtinDir: builtinRulesDir() }, new ProblemList())) as object),
    receiving: { process_creation: new Date(Date.now() - 60_000).toISOString(), network_content: new Date(Date.now() - 2 * 3_600_000).toISOString() },
  };
  const sources = [
    {
      name: 'iis',
      kind: 'tail',
      lastEventAt: Date.UTC(2026, 2, 2, 9, 17, 40),
      lastEventTime: Date.UTC(2026, 2, 2, 9, 16, 5),
      lag: 0,
      lagUnit: 'bytes',
      events: 9,
      errors: 0,
      eventsPerSecond: 0.4,
      state: 'running',
    },
    {
      name: 'sysmon',
      kind: 'tail',
      lastEventAt: Date.UTC(2026, 2, 2, 9, 17, 40),
      lag: 1200,
      lagUnit: 'bytes',
      events: 4,
      errors: 1,
      eventsPerSecond: 0.2,
      lastError: 'line 9: not JSON',
      state: 'running',
    },
    { name: 'webroot', kind: 'webroot', events: 1, errors: 0, eventsPerSecond: 0, state: 'failed', lastError: 'EACCES: /srv/www' },
  ];
  return { token: TOKEN, rules: [...rules.values()], detections, matched, incidents, findings, sources, coverage };
}
