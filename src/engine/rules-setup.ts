/**
 * Turns rule options (paths, built-in pack, placeholders, filters, selection) into a
 * compiled rule set plus resolved correlations. The compiled form is plain data (see
 * compiled.ts): it is cached on disk (compiled-cache.ts) and handed to worker threads,
 * which link it instead of compiling the rules again, so all threads run exactly the
 * same rules.
 */
import { serialize } from 'node:v8';
import { existsSync } from 'node:fs';
import type { Problem, ProblemSink } from '../errors.js';
import { WardenError, errorMessage } from '../errors.js';
import type { RuleInfo } from '../event/detection.js';
import { loadLogSourceMap } from '../event/logsource.js';
import { loadRuleCollection, selectionFilter, unusedSelection, type RuleSelection } from '../sigma/collection.js';
import { loadPlaceholders } from '../sigma/placeholders.js';
import { parseCorrelations, resolveCorrelations, type ResolvedCorrelation } from '../sigma/correlations.js';
import { RuleSet, type CompiledRule } from './ruleset.js';
import { builtinRulesDir } from './builtin.js';
import { compileProgram, type RuleProgram } from './compiled.js';
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
  /** Cache folder instead of the default (see sigma/yaml-cache.ts cacheDir). */
  cacheDir?: string;
  /** Build id the cache is keyed by (default: this build's, see wardenBuildId); tests set it. */
  buildId?: string;
}

/** Rule sets of at least this many files use the compiled-rule cache by default. */
export const CACHE_MIN_FILES = 32;

export interface PreparedRules {
  ruleSet: RuleSet;
  /** The rule set's program, serialized (for worker threads). */
  programBytes(): Uint8Array;
  /** Whether the compiled form came from the cache. */
  cached: boolean;
  /** Detection rules that survived loading and selection (unpacked on first use). */
  readonly rules: RuleInfo[];
  /** The rule with this id (the last of that id), unpacking only that one. */
  info(id: string): RuleInfo | undefined;
  correlations: ResolvedCorrelation[];
  loaded: number;
  failed: number;
  /** Rules and correlations the selection kept: what runs and is shown. */
  selected: number;
  /** Rules the selection left out that run anyway, only to feed a selected correlation (never shown on their own). */
  members: number;
  /** Selection values that select nothing (warnings, not errors). */
  warnings: string[];
}

export function rulePathsOf(opts: RuleOptions): string[] {
  const paths = [...opts.rulePaths];
  if (opts.builtin) {
    const dir = builtinRulesDir();
    if (existsSync(dir)) paths.unshift(dir);
  }
  return paths;
}

/** Forwards problems and keeps them (a cache entry replays them on every warm start). */
class RecordingSink implements ProblemSink {
  readonly problems: Problem[] = [];
  constructor(private readonly to: ProblemSink) {}
  report(p: Problem): void {
    this.problems.push(p);
    this.to.report(p);
  }
}

function prepared(program: ReturnType<typeof compileProgram>, meta: Omit<CachedMeta, 'problems'>, cached: boolean, bytes?: Uint8Array): PreparedRules {
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

export function prepareRules(opts: RuleOptions, problems: ProblemSink): PreparedRules {
  const cache = opts.cache === false ? undefined : CompiledCache.open(opts.cacheDir);
  let texts: Map<string, Buffer> | undefined;
  let store: ((meta: CachedMeta, program: RuleProgram) => Uint8Array) | undefined;
  if (cache) {
    const digests = FileDigests.open(cache.dir);
    const spec: RuleInputSpec = {
      rulePaths: rulePathsOf(opts),
      filterPaths: opts.filterPaths ?? [],
      placeholdersFile: opts.placeholdersFile,
      logsourceMapFile: opts.logsourceMapFile,
      options: { rules: opts.rulePaths, builtin: opts.builtin, filters: opts.filterPaths ?? [], select: opts.select ?? {} },
      buildId: opts.buildId ?? wardenBuildId(),
    };
    const inputs = ruleInputs(spec, digests, false);
    if (opts.cache === true || inputs.files >= CACHE_MIN_FILES) {
      const hit = cache.read(inputs.key);
      if (hit) {
        digests.save();
        for (const p of hit.meta.problems) problems.report(p);
        return prepared(hit.program, hit.meta, true, hit.programBytes);
      }
      // Compiled from exactly the text the key was made of.
      const read = inputs.complete ? inputs : ruleInputs(spec, digests, true);
      digests.save();
      texts = read.texts;
      store = (meta, program) => cache.write(read.key, meta, program);
    }
  }
  const recorder = new RecordingSink(problems);
  // Texts were read within the size limit when hashed; any other file is read (and checked) by the loader.
  const readText = texts ? (f: string): string | undefined => texts.get(f)?.toString('utf8') : undefined;
  const compiled = compileRules(opts, recorder, readText);
  const meta: CachedMeta = {
    correlations: compiled.correlations,
    loaded: compiled.loaded,
    failed: compiled.failed,
    selected: compiled.selected,
    members: compiled.members,
    warnings: compiled.warnings,
    problems: recorder.problems,
  };
  return prepared(compiled.program, meta, false, store?.(meta, compiled.program));
}

/** Loads, selects and compiles (the cold path). */
function compileRules(opts: RuleOptions, problems: ProblemSink, readText?: (file: string) => string | undefined) {
  let placeholders: Record<string, string[]> | undefined;
  if (opts.placeholdersFile) {
    try {
      placeholders = loadPlaceholders(opts.placeholdersFile);
    } catch (e) {
      if (e instanceof WardenError) problems.report(e.toProblem(opts.placeholdersFile));
      else problems.report({ kind: 'config', file: opts.placeholdersFile, message: errorMessage(e) });
    }
  }
  const collection = loadRuleCollection(rulePathsOf(opts), { placeholders, readText }, problems);
  const filters = opts.filterPaths?.length ? loadRuleCollection(opts.filterPaths, { placeholders, readText }, problems).filters : [];
  const keep = selectionFilter(opts.select ?? {});
  const selected = collection.rules.filter((r) => keep(r.info));
  const parsed = parseCorrelations(collection.correlationDocs, problems);
  // Correlations are selected like rules; the rules they reference always run.
  const keptCorrelations = parsed.filter((c) => keep(c.info));
  const correlations = resolveCorrelations(
    keptCorrelations,
    collection.rules.map((r) => r.info),
    problems,
  );
  const needed = new Set<string>();
  for (const c of correlations) for (const ref of c.refs) if (ref.kind === 'rule') needed.add(ref.id);
  const running = [...selected];
  const have = new Set(selected.map((r) => r.info.id));
  for (const r of collection.rules) if (needed.has(r.info.id) && !have.has(r.info.id)) running.push(r);
  const program = compileProgram(running, filters, opts.logsourceMapFile ? loadLogSourceMap(opts.logsourceMapFile) : undefined);
  return {
    program,
    correlations,
    loaded: collection.rules.length + parsed.length,
    failed: collection.failed + (collection.correlationDocs.length - parsed.length),
    selected: selected.length + correlations.length,
    members: running.length - selected.length,
    warnings: unusedSelection(opts.select ?? {}, [...collection.rules.map((r) => r.info), ...parsed.map((c) => c.info)]),
  };
}
