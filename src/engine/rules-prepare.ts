/**
 * The light half of rule preparation: options, the prepared-rules shape, and the warm path
 * (key the inputs, read the compiled-rule cache). It loads no YAML reader and no rule
 * compiler, so a warm start never pays for them; `prepareRulesAsync` loads the compiler
 * (rules-setup.ts) only on a cache miss. rules-setup.ts is the synchronous whole.
 */
import { existsSync } from 'node:fs';
import { serialize } from 'node:v8';
import type { Problem, ProblemSink } from '../errors.js';
import type { RuleInfo } from '../event/detection.js';
import type { RuleSelection } from '../sigma/selection.js';
import { RuleSet, type CompiledRule } from './ruleset.js';
import { builtinRulesDir } from './builtin.js';
import type { RuleProgram } from './compiled.js';
import { FileDigests, ruleInputs, type RuleInputSpec } from './rule-inputs.js';
import { CompiledCache, wardenBuildId, type CachedMeta } from './compiled-cache.js';

export interface RuleOptions {
  rulePaths: string[];
  /** Load Warden's own pack from <package>/rules (default true). */
  builtin: boolean;
  placeholdersFile?: string;
  filterPaths?: string[];
  logsourceMapFile?: string;
  select?: RuleSelection;
  /**
   * Use the compiled-rule cache: default only for rule sets of CACHE_MIN_FILES files or
   * more (a few files compile faster than they hash). WARDEN_CACHE_DIR=off disables it.
   */
  cache?: boolean;
  /** Cache folder instead of the default (see sigma/cache-files.ts cacheDir). */
  cacheDir?: string;
  /** Build id the cache is keyed by (default: this build's, see wardenBuildId); tests set it. */
  buildId?: string;
}

/** Rule sets of at least this many files use the compiled-rule cache by default. */
export const CACHE_MIN_FILES = 32;

/**
 * A loaded rule set with what loading found (CachedMeta without the replayed problems):
 * `selected` rules and correlations run and are shown, `members` run only to feed a selected
 * correlation, `warnings` are selection values that select nothing.
 */
export interface PreparedRules extends Omit<CachedMeta, 'problems'> {
  ruleSet: RuleSet;
  /** The rule set's program, serialized (for worker threads). */
  programBytes(): Uint8Array;
  /** Whether the compiled form came from the cache. */
  cached: boolean;
  /** Detection rules that survived loading and selection (unpacked on first use). */
  readonly rules: RuleInfo[];
  /** The rule with this id (the last of that id), unpacking only that one. */
  info(id: string): RuleInfo | undefined;
}

export function rulePathsOf(opts: RuleOptions): string[] {
  const paths = [...opts.rulePaths];
  if (opts.builtin) {
    const dir = builtinRulesDir();
    if (existsSync(dir)) paths.unshift(dir);
  }
  return paths;
}

export function preparedFrom(program: RuleProgram, meta: Omit<CachedMeta, 'problems'>, cached: boolean, bytes?: Uint8Array): PreparedRules {
  const ruleSet = new RuleSet(program);
  let b = bytes;
  let infos: RuleInfo[] | undefined;
  let byId: Map<string, CompiledRule> | undefined;
  return {
    ruleSet,
    get rules() {
      infos ??= ruleSet.rules.map((r) => r.info);
      return infos;
    },
    info(id) {
      byId ??= new Map(ruleSet.rules.map((r) => [r.id, r]));
      return byId.get(id)?.info;
    },
    correlations: meta.correlations,
    loaded: meta.loaded,
    failed: meta.failed,
    selected: meta.selected,
    members: meta.members,
    warnings: meta.warnings,
    cached,
    programBytes: () => (b ??= serialize(program)),
  };
}

/** What compiling needs after a cache miss: the texts the key was made of, and where to store the result. */
export interface CacheMiss {
  /** Contents of the rule and filter files, exactly as hashed (undefined: no cache, read from disk). */
  texts?: Map<string, Buffer>;
  store?: (meta: CachedMeta, program: RuleProgram) => Uint8Array;
}

/** The cached rule set for these options, or what compiling it needs. Reports a hit's recorded problems. */
export function lookupRules(opts: RuleOptions, problems: ProblemSink): { hit: PreparedRules } | { miss: CacheMiss } {
  const cache = opts.cache === false ? undefined : CompiledCache.open(opts.cacheDir);
  if (!cache) return { miss: {} };
  const digests = FileDigests.open(cache.dir);
  const spec: RuleInputSpec = {
    rulePaths: rulePathsOf(opts),
    filterPaths: opts.filterPaths ?? [],
    placeholdersFile: opts.placeholdersFile,
    logsourceMapFile: opts.logsourceMapFile,
    options: { rules: opts.rulePaths, builtin: opts.builtin, filters: opts.filterPaths ?? [], select: opts.select ?? {} },
    buildId: opts.buildId ?? wardenBuildId(digests),
  };
  const inputs = ruleInputs(spec, digests, false);
  if (opts.cache !== true && inputs.files < CACHE_MIN_FILES) return { miss: {} };
  const hit = cache.read(inputs.key);
  if (hit) {
    digests.save();
    for (const p of hit.meta.problems) problems.report(p);
    return { hit: preparedFrom(hit.program, hit.meta, true, hit.programBytes) };
  }
  // Compiled from exactly the text the key was made of.
  const read = inputs.complete ? inputs : ruleInputs(spec, digests, true);
  digests.save();
  return { miss: { texts: read.texts, store: (meta, program) => cache.write(read.key, meta, program) } };
}

/** prepareRules (rules-setup.ts) that loads the rule compiler only when the cache cannot answer. */
export async function prepareRulesAsync(opts: RuleOptions, problems: ProblemSink): Promise<PreparedRules> {
  const found = lookupRules(opts, problems);
  if ('hit' in found) return found.hit;
  const { prepareMissed } = await import('./rules-setup.js');
  return prepareMissed(opts, problems, found.miss);
}

/** Forwards problems and keeps them (a cache entry replays them on every warm start). */
export class RecordingSink implements ProblemSink {
  readonly problems: Problem[] = [];
  constructor(private readonly to: ProblemSink) {}
  report(p: Problem): void {
    this.problems.push(p);
    this.to.report(p);
  }
}
