/**
 * `warden rules lint PATH...`: loads Sigma rules, filters and correlations the way
 * `warden hunt` does and reports every document that breaks the spec, with file:line.
 * `--format json` prints exactly `{"loaded": N, "failed": [{"file", "line", "error"}]}`.
 * Exit code 1 when anything failed to load.
 */
import { Option, type Command } from 'commander';
import { ProblemList, WardenError, formatProblem } from '../errors.js';
import { loadRuleCollection } from '../sigma/collection.js';
import { loadPlaceholders } from '../sigma/placeholders.js';
import { parseCorrelations } from '../sigma/correlations.js';

interface LintFlags {
  format: 'text' | 'json';
  placeholders?: string;
}

interface LintFailure {
  file: string;
  line: number | null;
  error: string;
}

export interface LintResult {
  loaded: number;
  rules: number;
  filters: number;
  correlations: number;
  failed: LintFailure[];
}

export function lintRules(paths: string[], placeholders?: Record<string, string[]>): LintResult {
  const problems = new ProblemList();
  const col = loadRuleCollection(paths, { placeholders }, problems);
  const corrProblems = new ProblemList();
  const correlations = parseCorrelations(col.correlationDocs, corrProblems);
  const failed: LintFailure[] = col.failures.map((f) => ({ file: f.file, line: f.line ?? null, error: f.error }));
  for (const p of corrProblems.problems) failed.push({ file: p.file, line: p.line ?? null, error: p.message });
  return {
    loaded: col.rules.length + col.filters.length + correlations.length,
    rules: col.rules.length,
    filters: col.filters.length,
    correlations: correlations.length,
    failed,
  };
}

export function register(program: Command): void {
  const rules = program.command('rules').description('work with Sigma rules');
  rules
    .command('lint')
    .description('validate Sigma rules, filters and correlations against the specification')
    .argument('<paths...>', 'rule files or folders (.yml/.yaml, searched recursively)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--placeholders <file>', 'YAML map of placeholder name to values, for rules using |expand')
    .action((paths: string[], flags: LintFlags) => {
      let placeholders: Record<string, string[]> | undefined;
      if (flags.placeholders) {
        try {
          placeholders = loadPlaceholders(flags.placeholders);
        } catch (e) {
          if (e instanceof WardenError) {
            process.stderr.write(`warden: ${formatProblem(e.toProblem(flags.placeholders))}\n`);
            process.exitCode = 2;
            return;
          }
          throw e;
        }
      }
      const result = lintRules(paths, placeholders);
      if (flags.format === 'json') {
        process.stdout.write(JSON.stringify({ loaded: result.loaded, failed: result.failed }) + '\n');
      } else {
        for (const f of result.failed) process.stdout.write(`${f.file}${f.line !== null ? `:${f.line}` : ''}: ${f.error}\n`);
        process.stdout.write(`${result.loaded} loaded (${result.rules} rules, ${result.filters} filters, ${result.correlations} correlations), ${result.failed.length} failed\n`);
      }
      process.exitCode = result.failed.length > 0 ? 1 : 0;
    });
}
