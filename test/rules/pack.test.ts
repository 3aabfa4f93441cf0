/**
 * The built-in T1505 pack: every rule loads, every rule is in the fixture manifest, every rule
 * fires on its positive fixtures (exactly as often as the manifest says) and stays silent on
 * its negative fixtures; correlations are run through the whole hunt pipeline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem } from '../../src/errors.js';
import { countRuleMatches, fixturePath, huntPack, loadManifest, loadPack, missingCapability, missingFixtures } from './pack-harness.js';

const pack = loadPack();
const manifest = loadManifest();

test('the pack loads without problems', () => {
  assert.deepEqual(pack.problems.problems.map(formatProblem), []);
  assert.equal(pack.collection.failed, 0);
  assert.ok(pack.collection.rules.length > 0);
});

test('every rule and correlation is in the manifest, and every manifest entry is a rule', () => {
  const ids = new Set([...pack.collection.rules.map((r) => r.info.id), ...pack.correlations.map((c) => c.info.id)]);
  const missing = [...ids].filter((id) => !(id in manifest));
  assert.deepEqual(missing, [], 'rules without fixtures');
  const unknown = Object.keys(manifest).filter((id) => !ids.has(id));
  assert.deepEqual(unknown, [], 'manifest entries for rules that do not exist');
  for (const [id, entry] of Object.entries(manifest)) {
    assert.ok(entry.positive.length > 0 && entry.negative.length > 0, `${id} needs positive and negative fixtures`);
    assert.deepEqual(missingFixtures(entry), [], `${id}: fixture files missing`);
  }
});

for (const rule of pack.collection.rules) {
  const entry = manifest[rule.info.id];
  if (!entry) continue;
  test(`rule ${rule.info.title} (${rule.info.id})`, async (t) => {
    const missing = await missingCapability(entry);
    if (missing) {
      t.skip(missing);
      return;
    }
    const pos = await countRuleMatches(rule, entry.positive, entry.requires);
    assert.deepEqual(pos.problems.problems.map(formatProblem), [], 'positive fixtures must decode cleanly');
    assert.ok(pos.events > 0, 'positive fixtures hold events');
    assert.equal(pos.matches, entry.positiveMatches, `matches on ${entry.positive.join(', ')}`);
    const neg = await countRuleMatches(rule, entry.negative, entry.requires);
    assert.deepEqual(neg.problems.problems.map(formatProblem), [], 'negative fixtures must decode cleanly');
    assert.ok(neg.events > 0, 'negative fixtures hold events');
    assert.equal(neg.matches, 0, `no match on ${entry.negative.join(', ')}`);
  });
}

for (const corr of pack.correlations) {
  const entry = manifest[corr.info.id];
  if (!entry) continue;
  test(`correlation ${corr.info.title} (${corr.info.id})`, async () => {
    const pos = await huntPack(entry.positive.map(fixturePath));
    const fired = pos.detections.filter((d) => d.kind === 'correlation' && d.rule.id === corr.info.id);
    assert.equal(fired.length, entry.positiveMatches, `firings on ${entry.positive.join(', ')}`);
    const neg = await huntPack(entry.negative.map(fixturePath));
    assert.equal(neg.detections.filter((d) => d.rule.id === corr.info.id).length, 0, `no firing on ${entry.negative.join(', ')}`);
  });
}
