/**
 * A whole scan: walk the paths, scan every file (worker pool, or in-process for small
 * jobs and tests), collect findings, problems and statistics.
 */
import { availableParallelism } from 'node:os';
import type { Problem } from '../errors.js';
import { runPool } from './pool.js';
import type { FileOutcome, ScanContext } from './scan-bytes.js';
import { DEFAULT_LIMITS, verdictRank, type Finding, type ScanLimits, type Verdict } from './types.js';
import { walk } from './walk.js';
import { loadYara } from './yara.js';

export interface ScanOptions {
  limits?: Partial<ScanLimits>;
  /** Worker threads; 0 scans in this thread. Default: one per core. */
  workers?: number;
  yaraRules?: string;
  minVerdict?: Exclude<Verdict, 'clean'>;
  /** Called for every finding as soon as it is known (streaming output). */
  onFinding?: (f: Finding) => void;
  onProblem?: (p: Problem) => void;
  /** Follow symlinks that lead out of the scanned roots (never into /proc, /sys or /dev). */
  followSymlinks?: boolean;
}

export interface ScanStats {
  files: number;
  analyzed: number;
  archiveEntries: number;
  skipped: number;
  skippedReasons: Record<string, number>;
  bytes: number;
  elapsedMs: number;
  byVerdict: { malicious: number; suspicious: number };
}

export interface ScanReport {
  findings: Finding[];
  problems: Problem[];
  stats: ScanStats;
}

export async function scan(paths: string[], opts: ScanOptions = {}): Promise<ScanReport> {
  const limits: ScanLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const started = Date.now();
  const findings: Finding[] = [];
  const problems: Problem[] = [];
  const stats: ScanStats = { files: 0, analyzed: 0, archiveEntries: 0, skipped: 0, skippedReasons: {}, bytes: 0, elapsedMs: 0, byVerdict: { malicious: 0, suspicious: 0 } };
  const min = verdictRank(opts.minVerdict ?? 'suspicious');
  const problem = (p: Problem): void => {
    problems.push(p);
    opts.onProblem?.(p);
  };
  const outcome = (o: FileOutcome): void => {
    if (o.entry) stats.archiveEntries++;
    else {
      stats.files++;
      stats.bytes += o.bytes;
    }
    if (o.analyzed) stats.analyzed++;
    else if (o.skipped) {
      stats.skipped++;
      stats.skippedReasons[o.skipped] = (stats.skippedReasons[o.skipped] ?? 0) + 1;
    }
    for (const p of o.problems) problem(p);
    const f = o.finding;
    if (f && verdictRank(f.verdict) >= min) {
      findings.push(f);
      if (f.verdict === 'malicious') stats.byVerdict.malicious++;
      else if (f.verdict === 'suspicious') stats.byVerdict.suspicious++;
      opts.onFinding?.(f);
    }
  };
  const workers = opts.workers ?? availableParallelism();
  const skip = (_path: string, reason: string): void => {
    stats.skipped++;
    stats.skippedReasons[reason] = (stats.skippedReasons[reason] ?? 0) + 1;
  };
  const files = walk(paths, problem, { followSymlinks: opts.followSymlinks, onSkip: skip });
  if (workers <= 0) {
    // loaded only here: with workers, the analyzers run in the worker threads, and loading them
    // in this thread too cost it ~60 ms of CPU (compiling every analyzer module) for nothing
    const { scanFile } = await import('./scan-file.js');
    const ctx: ScanContext = { limits };
    if (opts.yaraRules) ctx.extra = (await loadYara(opts.yaraRules)).match;
    for await (const f of files) for (const o of await scanFile(f.path, ctx)) outcome(o);
  } else {
    if (opts.yaraRules) await loadYara(opts.yaraRules); // fail fast with a clear message before spawning workers
    await runPool(files, { workers, init: { limits, yaraRules: opts.yaraRules }, onOutcome: outcome, onProblem: problem });
  }
  findings.sort((a, b) => verdictRank(b.verdict) - verdictRank(a.verdict) || b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  stats.elapsedMs = Date.now() - started;
  return { findings, problems, stats };
}
