/**
 * The compiled-rule cache and the worker threads' copy of the rules never change a
 * detection: on Warden's pack with every fixture, and on all SigmaHQ rules with the
 * SigmaHQ regression samples, each event matches exactly the same rules whether the rules
 * were compiled fresh, compiled and stored, loaded from the cache, or rebuilt from the
 * program's bytes as a worker thread does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize } from 'node:v8';
import { ProblemList } from '../../src/errors.js';
import type { Event } from '../../src/event/event.js';
import type { RuleProgram } from '../../src/engine/compiled.js';
import { compileRuleSet, RuleSet } from '../../src/engine/ruleset.js';
import { prepareRules } from '../../src/engine/rules-setup.js';
import { readEvents } from '../../src/input/read.js';
import { loadRuleCollection } from '../../src/sigma/collection.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const sigma = resolve(repo, '..', 'shared', 'sigma');

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (keep(n)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

async function eventsOf(files: string[]): Promise<Event[]> {
  const evs: Event[] = [];
  for await (const e of readEvents(files, {}, new ProblemList())) evs.push(e);
  return evs;
}

function matches(rs: RuleSet, evs: Event[]): string[] {
  return evs.map((e) =>
    rs
      .match(e)
      .map((r) => `${r.info.id}|${r.info.title}|${r.info.level}|${r.filters.join(';')}`)
      .join(','),
  );
}

async function compare(rulePaths: string[], evs: Event[]): Promise<number> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'warden-cached-program-'));
  try {
    const fresh = compileRuleSet(loadRuleCollection(rulePaths, {}, new ProblemList()).rules);
    const opts = { rulePaths, builtin: false, cache: true, cacheDir };
    const cold = prepareRules(opts, new ProblemList());
    const warm = prepareRules(opts, new ProblemList());
    assert.equal(cold.cached, false);
    assert.equal(warm.cached, true);
    const worker = new RuleSet(deserialize(warm.programBytes()) as RuleProgram);
    const want = matches(fresh, evs);
    assert.deepEqual(matches(cold.ruleSet, evs), want, 'compiled and stored');
    assert.deepEqual(matches(warm.ruleSet, evs), want, 'from the cache');
    assert.deepEqual(matches(worker, evs), want, 'from the program bytes');
    assert.deepEqual(
      warm.rules.map((r) => r.id),
      fresh.rules.map((r) => r.info.id),
    );
    return want.filter((w) => w !== '').length;
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

test("Warden's pack over every fixture: cached and fresh rules detect the same", async () => {
  const fixtures = filesUnder(join(repo, 'test', 'rules', 'fixtures'), () => true);
  const evs = await eventsOf(fixtures);
  const matched = await compare([join(repo, 'rules')], evs);
  assert.ok(matched > 20, `only ${matched} fixture events matched`);
});

const skip = existsSync(join(sigma, 'regression_data')) ? false : `SigmaHQ data not found at ${sigma} (../shared is absent)`;

test('SigmaHQ rules over the regression samples: cached and fresh rules detect the same', { skip }, async () => {
  const evs = await eventsOf(filesUnder(join(sigma, 'regression_data'), (n) => n.endsWith('.json')));
  const matched = await compare([join(sigma, 'rules'), join(sigma, 'rules-emerging-threats'), join(sigma, 'rules-threat-hunting')], evs);
  assert.ok(matched >= 200, `only ${matched} regression events matched`);
});
