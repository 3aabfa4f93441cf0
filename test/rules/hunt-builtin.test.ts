/**
 * End to end, the way users run it: `runHunt` with only the built-in pack (no --rules) over
 * every positive fixture at once. Each stand-alone rule must report its positives through the
 * full pipeline (not suppressed by a correlation), and every detection must carry the ATT&CK
 * sub-technique of the folder its rule lives in (CI/CD plugin rules: attack.t1505).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, dirname } from 'node:path';
import { ProblemList, formatProblem } from '../../src/errors.js';
import { runHunt } from '../../src/hunt/collect.js';
import { fixturePath, loadManifest, loadPack, missingCapability } from './pack-harness.js';

const SUBTECHNIQUE: Record<string, string> = {
  't1505.001-sql-stored-procedures': 'attack.t1505.001',
  't1505.002-transport-agent': 'attack.t1505.002',
  't1505.003-web-shell': 'attack.t1505.003',
  't1505.004-iis-components': 'attack.t1505.004',
  't1505.005-terminal-services-dll': 'attack.t1505.005',
  't1505.006-vsphere-installation-bundles': 'attack.t1505.006',
  't1505-cicd-plugins': 'attack.t1505',
};

test('the built-in pack reports every positive fixture with the right sub-technique', async () => {
  const manifest = loadManifest();
  const pack = loadPack();
  const levelOf = new Map(pack.collection.rules.map((r) => [r.info.id, r.info.level]));
  const runnable: [string, string[]][] = [];
  for (const [id, entry] of Object.entries(manifest)) {
    if (entry.kind !== 'rule' || levelOf.get(id) === 'informational') continue;
    // Scanner findings reach the engine from `warden scan` (src/scan/event.ts), not from log files.
    if (entry.requires === 'scan-findings') continue;
    if (await missingCapability(entry)) continue;
    runnable.push([id, entry.positive.map(fixturePath)]);
  }
  const inputs = [...new Set(runnable.flatMap(([, files]) => files))];
  const problems = new ProblemList();
  const { detections } = await runHunt({ inputs, rules: { rulePaths: [], builtin: true }, threads: 1 }, problems);
  assert.deepEqual(problems.problems.map(formatProblem), []);

  for (const d of detections) {
    const folder = basename(dirname(d.rule.file ?? ''));
    const tag = SUBTECHNIQUE[folder];
    assert.ok(tag, `${d.rule.title}: rule outside the pack folders (${d.rule.file})`);
    assert.ok(d.rule.tags.includes(tag), `${d.rule.title} lacks ${tag}`);
    assert.ok(d.rule.tags.includes('attack.persistence') && d.rule.tags.includes('attack.t1505'), d.rule.title);
    assert.equal(d.rule.author, 'Warden');
  }
  for (const [id, files] of runnable) {
    // `warden events` fixtures (web-root file events) keep the origin of the watched file, not the fixture's
    const hits = detections.filter((d) => d.rule.id === id && (files.includes(d.origin.file) || d.origin.format === 'webroot'));
    assert.ok(hits.length > 0, `rule ${id} reported nothing on ${files.join(', ')}`);
  }
  assert.ok(
    detections.some((d) => d.kind === 'correlation'),
    'correlations fire across the fixture set',
  );
});
