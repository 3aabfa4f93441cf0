/**
 * Shared plumbing for the detection-pack tests: where the pack and its fixtures live, the
 * manifest that maps every rule id to its positive and negative fixture files, and helpers
 * that run one rule (or the whole pack, for correlations) over fixture files through the
 * real input readers and engine.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProblemList } from '../../src/errors.js';
import { loadRuleCollection, type RuleCollection } from '../../src/sigma/collection.js';
import { parseCorrelations, type CorrelationRule } from '../../src/sigma/correlations.js';
import { compileRuleSet } from '../../src/engine/ruleset.js';
import { readEvents } from '../../src/input/read.js';
import { runHunt } from '../../src/hunt/collect.js';
import type { SigmaRule } from '../../src/sigma/rule.js';
import type { Detection } from '../../src/event/detection.js';
import type { Event } from '../../src/event/event.js';

/** Compiled tests run from dist/test/rules; sources and fixtures stay in the repo. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const RULES_DIR = join(REPO, 'rules');
export const FIXTURES = join(REPO, 'test', 'rules', 'fixtures');
export const SHARED = resolve(REPO, '..', 'shared');

export interface ManifestEntry {
  /** Rule file, relative to the repo root. */
  file: string;
  kind: 'rule' | 'correlation';
  /** Fixture files (relative to test/rules/fixtures) the rule must fire on, read together. */
  positive: string[];
  /** Exact number of matches (rules) or firings (correlations) expected on the positives. */
  positiveMatches: number;
  /** Fixture files the rule must stay silent on. */
  negative: string[];
  note?: string;
  /**
   * 'scan-findings': the fixtures are `warden scan` findings (JSON Lines of Finding) that enter
   * the engine through src/scan/event.ts `findingToEvent`, not through the log readers.
   */
  requires?: 'scan-findings';
}

export type Manifest = Record<string, ManifestEntry>;

export function loadManifest(): Manifest {
  return JSON.parse(readFileSync(join(REPO, 'test', 'rules', 'manifest.json'), 'utf8')) as Manifest;
}

export interface Pack {
  collection: RuleCollection;
  correlations: CorrelationRule[];
  problems: ProblemList;
}

export function loadPack(): Pack {
  const problems = new ProblemList();
  const collection = loadRuleCollection([RULES_DIR], {}, problems);
  const correlations = parseCorrelations(collection.correlationDocs, problems);
  return { collection, correlations, problems };
}

export function fixturePath(rel: string): string {
  return join(FIXTURES, rel);
}

export function missingFixtures(entry: ManifestEntry): string[] {
  return [...entry.positive, ...entry.negative].filter((f) => !existsSync(fixturePath(f)));
}

/** src/scan/event.ts: (finding, scanning host, time) -> Event with logsource warden/webshell_scan. */
type FindingToEvent = (finding: never, host?: string, timestamp?: number) => Event;

/** The scanner's finding -> event bridge, when that module exists in this build. */
async function loadFindingToEvent(): Promise<FindingToEvent | undefined> {
  const modulePath = '../../src/scan/event.js';
  try {
    // A computed specifier: the module is optional at compile time (the scanner may not have it yet).
    const mod = (await import(modulePath)) as { findingToEvent?: FindingToEvent };
    return typeof mod.findingToEvent === 'function' ? mod.findingToEvent : undefined;
  } catch {
    return undefined;
  }
}

/** Scanner findings (JSON Lines) as engine events. */
async function* findingEvents(files: string[]): AsyncGenerator<Event> {
  const toEvent = await loadFindingToEvent();
  if (!toEvent) throw new Error('src/scan/event.ts findingToEvent is not available');
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.trim() === '') continue;
      const finding = JSON.parse(lines[i]!) as never;
      // A fixed host and time keep the events reproducible; the origin names the fixture line.
      const ev = toEvent(finding, 'scanhost', Date.UTC(2024, 4, 14, 10, 0, 0));
      yield { ...ev, origin: { file, record: i + 1, format: 'webshell_scan' } };
    }
  }
}

/** Matches of one detection rule over the given fixture files (read as one input). */
export async function countRuleMatches(
  rule: SigmaRule,
  files: string[],
  requires?: ManifestEntry['requires'],
): Promise<{ matches: number; events: number; problems: ProblemList }> {
  const problems = new ProblemList();
  const set = compileRuleSet([rule], {});
  let matches = 0;
  let events = 0;
  const source = requires === 'scan-findings' ? findingEvents(files.map(fixturePath)) : readEvents(files.map(fixturePath), {}, problems);
  for await (const ev of source) {
    events++;
    if (set.match(ev).length > 0) matches++;
  }
  return { matches, events, problems };
}

/** Everything the whole pack reports over the given files (correlations included). */
export async function huntPack(inputs: string[], threads = 1): Promise<{ detections: Detection[]; problems: ProblemList }> {
  const problems = new ProblemList();
  const result = await runHunt({ inputs, rules: { rulePaths: [RULES_DIR], builtin: false }, threads }, problems);
  return { detections: result.detections, problems };
}

/** Why a manifest entry cannot run on this build (undefined: it can). */
export async function missingCapability(entry: ManifestEntry): Promise<string | undefined> {
  if (entry.requires !== 'scan-findings') return undefined;
  return (await loadFindingToEvent()) ? undefined : 'src/scan/event.ts (findingToEvent) is not in this build yet';
}
