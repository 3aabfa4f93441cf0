/**
 * Which rules a filter applies to. Its own module (types only besides) so that the compiled
 * form of a rule set, which a warm start reads, does not load the rule compiler.
 */
import type { SigmaFilter } from './filters.js';
import type { SigmaRule } from './rule.js';

/** Every member the filter's logsource sets must equal the rule's. */
export function filterAppliesTo(filter: SigmaFilter, rule: SigmaRule): boolean {
  for (const k of ['product', 'category', 'service'] as const) {
    const want = filter.logsource[k];
    if (want !== undefined && rule.logsource[k] !== want) return false;
  }
  if (filter.rules === 'any') return true;
  for (const r of filter.rules) if (r === rule.info.id || (rule.info.name !== undefined && r === rule.info.name)) return true;
  return false;
}
