/** `warden coverage`: the ATT&CK T1505 matrix of the loaded rules (table, JSON, Navigator layer). */
import { existsSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { addRuleOptions, ruleOptionsFrom, type RuleFlags } from './options.js';
import { StderrProblems } from './problems.js';
import { UsageError } from '../api/errors.js';

interface CoverageFlags extends RuleFlags {
  format: 'table' | 'json' | 'navigator';
  output?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('coverage')
    .description('show which T1505 sub-techniques and data sources the loaded rules cover')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'navigator']).default('table'))
    .option('-o, --output <file>', 'write to this file instead of stdout');
  addRuleOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Rows are T1505.001-.006 plus CI/CD and collaboration-server plugins; columns are ATT&CK data
sources derived from each rule's logsource (see rules/README.md). "0!" marks a data source the
pack is expected to cover but no loaded rule does.

Examples:
  warden coverage
  warden coverage -r ~/my-rules --format json
  warden coverage --format navigator -o warden-layer.json`,
  );
  cmd.action(async (flags: CoverageFlags) => {
    const { builtinRulesDir, loadPlaceholders, rulePathsOf, WardenError } = await import('../api/rules.js');
    const { buildCoverage, coverageJson, navigatorLayer, renderCoverageTable } = await import('../api/coverage.js');
    const { errorMessage } = await import('../api/errors.js');
    type Placeholders = Awaited<ReturnType<typeof loadPlaceholders>>;
    const opts = ruleOptionsFrom(flags);
    const paths = rulePathsOf(opts);
    if (paths.length === 0) throw new UsageError('no rules to measure: --no-builtin needs at least one --rules path');
    const problems = new StderrProblems();
    const builtinDir = opts.builtin && existsSync(builtinRulesDir()) ? builtinRulesDir() : undefined;
    let placeholders: Placeholders | undefined;
    if (opts.placeholdersFile) {
      try {
        placeholders = loadPlaceholders(opts.placeholdersFile);
      } catch (e) {
        problems.report(e instanceof WardenError ? e.toProblem(opts.placeholdersFile) : { kind: 'config', file: opts.placeholdersFile, message: errorMessage(e) });
      }
    }
    const matrix = buildCoverage({ paths, builtinDir, select: opts.select, placeholders }, problems);
    let text: string;
    if (flags.format === 'json') text = JSON.stringify(coverageJson(matrix), null, 2) + '\n';
    else if (flags.format === 'navigator') text = JSON.stringify(navigatorLayer(matrix), null, 2) + '\n';
    else
      text = renderCoverageTable(
        matrix,
        flags.output ? undefined : process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : Number(process.env.COLUMNS) || undefined,
      );
    if (flags.output) {
      try {
        writeFileSync(flags.output, text);
      } catch (e) {
        throw new UsageError(`cannot write ${flags.output}: ${errorMessage(e)}`);
      }
    } else process.stdout.write(text);
    process.exitCode = problems.count > 0 ? 1 : 0;
  });
}
