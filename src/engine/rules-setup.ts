/**
 * Turns rule options (paths, built-in pack, placeholders, filters, selection) into a
 * compiled rule set plus resolved correlations. The main thread and every worker thread
 * call this with the same options, so all of them run exactly the same rules.
 */
import type { ProblemSink } from '../errors.js';
import { WardenError, errorMessage } from '../errors.js';
import type { RuleInfo } from '../event/detection.js';
import { loadRuleCollection, selectionFilter, unusedSelection, type RuleSelection } from '../sigma/collection.js';
import { loadPlaceholders } from '../sigma/placeholders.js';
import { parseCorrelations, resolveCorrelations, type ResolvedCorrelation } from '../sigma/correlations.js';
import { compileRuleSet, type RuleSet } from './ruleset.js';
import { builtinRulesDir } from './builtin.js';
import { existsSync } from 'node:fs';

export interface RuleOptions {
  rulePaths: string[];
  /** Load Warden's own pack from <package>/rules (default true). */
  builtin: boolean;
  placeholdersFile?: string;
  filterPaths?: string[];
  logsourceMapFile?: string;
  select?: RuleSelection;
}

export interface PreparedRules {
  ruleSet: RuleSet;
  /** Detection rules that survived loading and selection. */
  rules: RuleInfo[];
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

export function prepareRules(opts: RuleOptions, problems: ProblemSink): PreparedRules {
  let placeholders: Record<string, string[]> | undefined;
  if (opts.placeholdersFile) {
    try {
      placeholders = loadPlaceholders(opts.placeholdersFile);
    } catch (e) {
      if (e instanceof WardenError) problems.report(e.toProblem(opts.placeholdersFile));
      else problems.report({ kind: 'config', file: opts.placeholdersFile, message: errorMessage(e) });
    }
  }
  const collection = loadRuleCollection(rulePathsOf(opts), { placeholders }, problems);
  const filters = opts.filterPaths?.length ? loadRuleCollection(opts.filterPaths, { placeholders }, problems).filters : [];
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
  const ruleSet = compileRuleSet(running, { filters, logsourceMapFile: opts.logsourceMapFile });
  return {
    ruleSet,
    rules: running.map((r) => r.info),
    correlations,
    loaded: collection.rules.length + parsed.length,
    failed: collection.failed + (collection.correlationDocs.length - parsed.length),
    selected: selected.length + correlations.length,
    members: running.length - selected.length,
    warnings: unusedSelection(opts.select ?? {}, [...collection.rules.map((r) => r.info), ...parsed.map((c) => c.info)]),
  };
}
