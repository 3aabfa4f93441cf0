/**
 * `warden scan PATH...`: finds web shells and backdoored plugins in folders, files and
 * archives (.war/.jar/.zip/.jpi/.hpi), with evidence for every finding.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { Option, type Command } from 'commander';
import { UsageError, WardenError, formatProblem } from '../api/errors.js';
import type { Finding } from '../api/scan.js';

interface ScanFlags {
  format: 'table' | 'jsonl' | 'sarif';
  output?: string;
  yara?: string;
  maxSize: string;
  minVerdict: 'suspicious' | 'malicious';
  failOnFindings?: boolean;
  workers?: string;
  timeout: string;
  color?: boolean;
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} needs a positive whole number, got "${v}"`);
  return n;
}

export function register(program: Command): void {
  const cmd = program
    .command('scan')
    .description('find web shells and backdoored server plugins in files, folders and archives, and say why')
    .argument('<paths...>', 'files or folders to scan (archives are opened)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'jsonl', 'sarif']).default('table'))
    .option('-o, --output <file>', 'write findings to this file instead of stdout')
    .option('--yara <rules>', 'also run these YARA rules (needs the optional package @litko/yara-x-linux-x64-gnu)')
    .option('--max-size <bytes>', 'skip files larger than this (archives: entries are capped instead)', String(8 * 1024 * 1024))
    .addOption(new Option('--min-verdict <verdict>', 'report findings at or above this verdict').choices(['suspicious', 'malicious']).default('suspicious'))
    .option('--fail-on-findings', 'exit with code 3 when anything is found (default: findings alone exit 0)')
    .option('--workers <n>', 'worker threads (default: one per core; 0 = scan in the main thread)')
    .option('--timeout <ms>', 'time budget per file; a file over it is reported as a problem', '5000')
    .option('--no-color', 'plain table output');
  cmd.addHelpText(
    'after',
    `
Exit codes: 0 scan completed (findings or not), 1 some files could not be scanned (problems
are printed to stderr: unreadable file, bad archive, time cap hit), 2 bad usage,
3 findings were reported and --fail-on-findings was given (and no problems happened).

Examples:
  warden scan /var/www/html
  warden scan /opt/tomcat/webapps --format sarif -o webshells.sarif
  warden scan plugins/ --min-verdict malicious --format jsonl`,
  );
  cmd.action(async (paths: string[], flags: ScanFlags) => {
    // Loaded here, not at the top: `warden --help` and other commands never load the scanner.
    const { findingToJsonLine, formatFinding, formatSummary, scan, toSarif } = await import('../api/scan.js');
    const maxFileBytes = positiveInt(flags.maxSize, '--max-size');
    const maxMillisPerFile = positiveInt(flags.timeout, '--timeout');
    const workers = flags.workers === undefined ? undefined : flags.workers === '0' ? 0 : positiveInt(flags.workers, '--workers');
    let out: NodeJS.WritableStream = process.stdout;
    let file: WriteStream | undefined;
    if (flags.output) {
      file = createWriteStream(flags.output);
      await new Promise<void>((resolve, reject) => {
        file!.once('open', () => resolve());
        file!.once('error', (e) => reject(new UsageError(`cannot write ${flags.output}: ${e.message}`)));
      });
      out = file;
    }
    const color = flags.color !== false && !file && process.stdout.isTTY === true;
    const streaming = flags.format !== 'sarif';
    const emit = (f: Finding): void => {
      if (flags.format === 'jsonl') out.write(findingToJsonLine(f) + '\n');
      else if (flags.format === 'table') out.write(formatFinding(f, { color }) + '\n\n');
    };
    let report: Awaited<ReturnType<typeof scan>>;
    try {
      report = await scan(paths, {
        limits: { maxFileBytes, maxMillisPerFile },
        workers,
        yaraRules: flags.yara,
        minVerdict: flags.minVerdict,
        onFinding: streaming ? emit : undefined,
        onProblem: (p) => process.stderr.write(`warden scan: ${formatProblem(p)}\n`),
      });
    } catch (e) {
      if (e instanceof WardenError) throw new UsageError(e.message);
      throw e;
    }
    if (flags.format === 'sarif') out.write(JSON.stringify(toSarif(report.findings, report.stats, '0.1.0'), null, 2) + '\n');
    if (flags.format === 'table') out.write(formatSummary(report.stats, report.problems.length) + '\n');
    else process.stderr.write(formatSummary(report.stats, report.problems.length) + '\n');
    if (file) await new Promise<void>((r) => file!.end(r));
    process.exitCode = report.problems.length > 0 ? 1 : flags.failOnFindings && report.findings.length > 0 ? 3 : 0;
  });
}
