/**
 * Rules about uploads and deployments over HTTP fire only when the server accepted the request:
 * a Tomcat manager deploy answered 404 deployed nothing (issue 14). Every positive access-log
 * line of these rules, replayed with the status turned into 401/403/404, must match nothing,
 * and the unchanged lines must still match (so the test cannot pass by the rule being broken).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileRuleSet } from '../../src/engine/ruleset.js';
import { readEvents } from '../../src/input/read.js';
import { ProblemList } from '../../src/errors.js';
import { fixturePath, loadManifest, loadPack } from './pack-harness.js';

/** The pack's upload/deployment-over-HTTP rules, by name. */
const UPLOAD_RULES = [
  'warden_web_tomcat_manager_deploy',
  'warden_web_atlassian_upm_plugin',
  'warden_web_jenkins_plugin_upload_script',
  'warden_web_teamcity_plugin_upload',
  'warden_web_teamcity_plugin_load',
  'warden_web_put_script_upload',
];

const pack = loadPack();
const manifest = loadManifest();

function filesOf(rel: string): string[] {
  const p = fixturePath(rel);
  return statSync(p).isDirectory() ? readdirSync(p).map((f) => join(p, f)) : [p];
}

async function matches(ruleId: string, lines: string[]): Promise<number> {
  const rule = pack.collection.rules.find((r) => r.info.id === ruleId)!;
  const dir = mkdtempSync(join(tmpdir(), 'warden-upload-'));
  const file = join(dir, 'access.log');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const set = compileRuleSet([rule], {});
  const problems = new ProblemList();
  let n = 0;
  for await (const ev of readEvents([file], { inputFormat: 'access' }, problems)) if (set.match(ev).length > 0) n++;
  assert.deepEqual(problems.problems, []);
  return n;
}

for (const name of UPLOAD_RULES) {
  test(`${name} ignores uploads and deployments the server refused`, async () => {
    const rule = pack.collection.rules.find((r) => r.info.name === name);
    assert.ok(rule, `${name} is in the pack`);
    const entry = manifest[rule.info.id]!;
    const lines = entry.positive
      .flatMap(filesOf)
      .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
      .filter((l) => /" \d{3} /.test(l));
    assert.ok(lines.length > 0, 'the positives are access-log lines');
    assert.equal(await matches(rule.info.id, lines), lines.length, 'every positive line matches as it is');
    for (const status of ['401', '403', '404']) {
      const refused = lines.map((l) => l.replace(/" \d{3} /, `" ${status} `));
      assert.equal(await matches(rule.info.id, refused), 0, `answered ${status}`);
    }
  });
}
