/**
 * Turns rule options (paths, built-in pack, placeholders, filters, selection) into a
 * compiled rule set plus resolved correlations. The compiled form is plain data (see
 * compiled.ts): it is cached on disk (compiled-cache.ts) and handed to worker threads,
 * which link it instead of compiling the rules again, so all threads run exactly the
 * same rules.
 */
import type { ProblemSink } from '../errors.js';
import { WardenError, errorMessage } from '../errors.js';
import { loadLogSourceMap } from '../event/logsource.js';
import { loadRuleCollection, selectionFilter, unusedSelection } from '../sigma/collection.js';
import { loadPlaceholders } from '../sigma/placeholders.js';
import { parseCorrelations, resolveCorrelations } from '../sigma/correlations.js';
import { compileProgram } from './compiled.js';
import type { CachedMeta } from './compiled-cache.js';
import { type CacheMiss, lookupRules, type PreparedRules, preparedFrom, RecordingSink, type RuleOptions, rulePathsOf } from './rules-prepare.js';

export { CACHE_MIN_FILES, type PreparedRules, prepareRulesAsync, type RuleOptions, rulePathsOf } from './rules-prepare.js';

export function prepareRules(opts: RuleOptions, problems: ProblemSink): PreparedRules {
  const found = lookupRules(opts, problems);
  return 'hit' in found ? found.hit : prepareMissed(opts, problems, found.miss);
}

/** Compiles the rule set the cache did not have (and stores it when the cache is in use). */
export function prepareMissed(opts: RuleOptions, problems: ProblemSink, miss: CacheMiss): PreparedRules {
  const recorder = new RecordingSink(problems);
  const texts = miss.texts;
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
  return preparedFrom(compiled.program, meta, false, miss.store?.(meta, compiled.program));
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
