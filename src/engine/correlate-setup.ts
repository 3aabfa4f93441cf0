/**
 * One call for `warden hunt`: parse the correlation documents the rule collection found,
 * bind them to the loaded detection rules and build the engine. Bad correlations become
 * problems; null when there is nothing to correlate.
 */
import type { ProblemSink } from '../errors.js';
import type { RuleInfo } from '../event/detection.js';
import { parseCorrelations, resolveCorrelations } from '../sigma/correlations.js';
import { CorrelationEngine, type CorrelationOptions } from './correlate.js';

export function buildCorrelationEngine(
  correlationDocs: readonly { file: string; line?: number; doc: unknown }[],
  detectionRules: readonly RuleInfo[],
  problems: ProblemSink,
  opts: Omit<CorrelationOptions, 'problems'> = {},
): CorrelationEngine | null {
  if (correlationDocs.length === 0) return null;
  const resolved = resolveCorrelations(parseCorrelations(correlationDocs, problems), detectionRules, problems);
  if (resolved.length === 0) return null;
  return new CorrelationEngine(resolved, { ...opts, problems });
}
