/**
 * `warden rules lint PATH...`: loads Sigma rules, filters and correlations the way
 * `warden hunt` does and reports every document that breaks the spec, with file:line.
 * `--format json` prints exactly `{"loaded": N, "failed": [{"file", "line", "error"}]}`.
 * Exit code 1 when anything failed to load.
 */
import { Option, type Command } from 'commander';

interface LintFlags {
  format: 'text' | 'json';
  placeholders?: string;
}

export function register(program: Command): void {
  const rules = program.command('rules').description('work with Sigma rules');
  rules
    .command('lint')
    .description('validate Sigma rules, filters and correlations against the specification')
    .argument('<paths...>', 'rule files or folders (.yml/.yaml, searched recursively)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--placeholders <file>', 'YAML map of placeholder name to values, for rules using |expand')
    .action(async (paths: string[], flags: LintFlags) => {
      const { loadPlaceholders, lintRules, WardenError, formatProblem } = await import('../api/rules.js');
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
        process.stdout.write(
          `${result.loaded} loaded (${result.rules} rules, ${result.filters} filters, ${result.correlations} correlations), ${result.failedDocuments} failed${result.failed.length > result.failedDocuments ? ` (${result.failed.length} errors)` : ''}\n`,
        );
      }
      process.exitCode = result.failed.length > 0 ? 1 : 0;
    });
}
