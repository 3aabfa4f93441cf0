/** Loading Sigma rules: the built-in pack, the user's rules, placeholders, filters, selection. */
export { builtinRulesDir } from '../engine/builtin.js';
export { prepareRules, rulePathsOf } from '../engine/rules-setup.js';
export type { PreparedRules, RuleOptions } from '../engine/rules-setup.js';
export { loadRuleCollection, selectionFilter } from '../sigma/collection.js';
export type { RuleCollection, RuleSelection } from '../sigma/collection.js';
export { parseCorrelations, resolveCorrelations } from '../sigma/correlations.js';
export type { ResolvedCorrelation } from '../sigma/correlations.js';
export { loadPlaceholders } from '../sigma/placeholders.js';
export type { Placeholders } from '../sigma/placeholders.js';
export { compileRuleSet, resolveLogSource } from '../engine/ruleset.js';
export type { RuleSet } from '../engine/ruleset.js';
export { lintRules } from '../sigma/lint.js';
export type { LintFailure, LintResult } from '../sigma/lint.js';
export { formatProblem, WardenError } from '../errors.js';
