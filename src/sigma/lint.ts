/**
 * Linting a rule set the way `warden hunt` loads it: every document that breaks the Sigma
 * specification (rules, filters, correlations), with its file and line.
 */
import { ProblemList } from '../errors.js';
import { loadRuleCollection } from './collection.js';
import { parseCorrelations } from './correlations.js';

export interface LintFailure {
  file: string;
  line: number | null;
  error: string;
}

export interface LintResult {
  loaded: number;
  rules: number;
  filters: number;
  correlations: number;
  /** Every error, sorted by file and line (a document can have several). */
  failed: LintFailure[];
  /** Documents that did not load. */
  failedDocuments: number;
}

export function lintRules(paths: string[], placeholders?: Record<string, string[]>): LintResult {
  const problems = new ProblemList();
  const col = loadRuleCollection(paths, { placeholders }, problems);
  const corrProblems = new ProblemList();
  const correlations = parseCorrelations(col.correlationDocs, corrProblems);
  const failed: LintFailure[] = col.failures.map((f) => ({ file: f.file, line: f.line ?? null, error: f.error }));
  for (const p of corrProblems.problems) failed.push({ file: p.file, line: p.line ?? null, error: p.message });
  const files = new Map<string, number>();
  for (const f of failed) if (!files.has(f.file)) files.set(f.file, files.size);
  failed.sort((a, b) => files.get(a.file)! - files.get(b.file)! || (a.line ?? 0) - (b.line ?? 0));
  return {
    loaded: col.rules.length + col.filters.length + correlations.length,
    rules: col.rules.length,
    filters: col.filters.length,
    correlations: correlations.length,
    failed,
    failedDocuments: col.failed + (col.correlationDocs.length - correlations.length),
  };
}
