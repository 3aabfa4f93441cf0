/**
 * `warden scan PATH...`: finds web shells and backdoored plugins in folders, files and
 * archives (.war/.jar/.zip/.jpi/.hpi), with evidence for every finding.
 */
import { realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { Option, type Command } from 'commander';
import { OutputError, UsageError, WardenError, formatProblem, printable } from '../api/errors.js';
import { TextOutput } from '../api/output.js';
import { checkInputs } from './options.js';
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
  followSymlinks?: boolean;
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} needs a positive whole number, got "${v}"`);
  return n;
}

/**
 * An existing file inside a scanned folder is evidence (it may be the shell itself): the
 * report must not replace it. A new file there is fine (`warden scan . -o report.txt`).
 */
function refuseEvidence(output: string, roots: string[]): void {
  let real: string;
  try {
    real = realpathSync(output);
  } catch {
    return; // does not exist yet
  }
  for (const r of roots) {
    let root: string;
    try {
      root = realpathSync(r);
    } catch {
      continue;
    }
    if (real === root || real.startsWith(root.endsWith(sep) ? root : root + sep))
      throw new UsageError(`refusing to write ${output}: it is also an input (a file in the scanned ${r}); writing it would destroy the evidence`);
  }
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
    .option('--follow-symlinks', 'follow symlinks that lead out of the scanned folders (never into /proc, /sys or /dev)')
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
    await checkInputs(paths);
    // Loaded here, not at the top: `warden --help` and other commands never load the scanner.
    const { findingToJsonLine, formatFinding, formatSummary, scan, toSarif } = await import('../api/scan.js');
    const maxFileBytes = positiveInt(flags.maxSize, '--max-size');
    const maxMillisPerFile = positiveInt(flags.timeout, '--timeout');
    const workers = flags.workers === undefined ? undefined : flags.workers === '0' ? 0 : positiveInt(flags.workers, '--workers');
    // checked before the scan starts: an unwritable output, a link or one of the scanned files is bad usage
    if (flags.output !== undefined) refuseEvidence(flags.output, paths);
    const out = await TextOutput.open(flags.output, { inputs: paths });
    const color = flags.color !== false && out.isTTY;
    const streaming = flags.format !== 'sarif';
    // findings are written as they come; a write error is kept and raised after the scan
    let writing: Promise<void> = Promise.resolve();
    const emit = (f: Finding): void => {
      const text = flags.format === 'jsonl' ? findingToJsonLine(f) + '\n' : formatFinding(f, { color }) + '\n\n';
      writing = writing.then(() => out.write(text));
    };
    let report: Awaited<ReturnType<typeof scan>>;
    try {
      report = await scan(paths, {
        limits: { maxFileBytes, maxMillisPerFile },
        workers,
        yaraRules: flags.yara,
        minVerdict: flags.minVerdict,
        followSymlinks: flags.followSymlinks === true,
        onFinding: streaming ? emit : undefined,
        onProblem: (p) => process.stderr.write(`warden scan: ${printable(formatProblem(p))}\n`),
      });
      await writing;
      if (flags.format === 'sarif') await out.write(JSON.stringify(toSarif(report.findings, report.stats, '0.1.0'), null, 2) + '\n');
      if (flags.format === 'table') await out.write(formatSummary(report.stats, report.problems.length) + '\n');
      else process.stderr.write(formatSummary(report.stats, report.problems.length) + '\n');
      await out.close();
    } catch (e) {
      await out.abort();
      if (e instanceof WardenError && !(e instanceof OutputError)) throw new UsageError(e.message);
      throw e;
    }
    process.exitCode = report.problems.length > 0 ? 1 : flags.failOnFindings && report.findings.length > 0 ? 3 : 0;
  });
}
