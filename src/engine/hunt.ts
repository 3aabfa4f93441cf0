/**
 * `warden hunt` as a library call: plan the inputs into jobs, run them on worker threads
 * (or in this thread for small inputs), bring the matches back in a stable order, then
 * run correlations and incident grouping over them.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism, hostname } from 'node:os';
import { open, stat } from 'node:fs/promises';
import type { Problem, ProblemSink } from '../errors.js';
import { errorMessage } from '../errors.js';
import { detectFormat, splitAtLines, splittableByLines } from '../input/read.js';
import { walkInputs } from '../input/walk.js';
import type { Detection, RuleInfo } from '../event/detection.js';
import { attachRule, runJob, type HuntJob, type JobResult, type WireDetection } from './hunt-job.js';
import type { FromWorker, ToWorker, WorkerInit } from './hunt-worker.js';
import { prepareRules, type PreparedRules, type RuleOptions } from './rules-setup.js';
import { correlate } from './hunt-correlate.js';
import { scan } from '../scan/scanner.js';
import { findingToEvent } from '../scan/event.js';
import type { Event } from '../event/event.js';

export interface HuntProgress {
  events: number;
  jobsDone: number;
  jobsTotal: number;
}

export interface HuntOptions {
  inputs: string[];
  rules: RuleOptions;
  inputFormat?: string;
  /** Zone for logs that carry local time without an offset. */
  timezone?: string;
  /** Host for events whose log names none (`--host`). */
  host?: string;
  /** Worker threads; 1 runs everything in this thread. Default: available cores. */
  threads?: number;
  /** Inputs smaller than this (bytes, total) run in this thread: each worker compiles every rule, which costs more than it saves on small inputs. */
  inlineBelowBytes?: number;
  /** JSON Lines files at least this big are split into line ranges across workers. */
  splitMinBytes?: number;
  onProgress?: (p: HuntProgress) => void;
  /**
   * Also scan these files/folders for web shells; findings become events
   * (logsource warden/webshell_scan) that rules and correlations see with the logs.
   */
  scan?: ScanInput;
}

export interface ScanInput {
  paths: string[];
  /** Host the scanned files belong to (default: this machine). */
  host?: string;
  yaraRules?: string;
}

/** What the hunt needs to know of its rules once matching is done. */
type RulesMeta = Pick<PreparedRules, 'rules' | 'correlations' | 'loaded' | 'failed'>;

export interface HuntStats {
  /** Scanner findings fed in as events (--scan). */
  scanFindings?: number;
  files: number;
  skippedFiles: number;
  events: number;
  bytes: number;
  elapsedMs: number;
  rulesLoaded: number;
  rulesFailed: number;
  correlations: number;
  formats: Record<string, number>;
  threads: number;
}

export interface HuntResult {
  detections: Detection[];
  stats: HuntStats;
}

/** Files bigger than this are split across workers when their format allows it. */
const SPLIT_MIN_BYTES = 32 * 1024 * 1024;

async function looksLikeJsonLines(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(256 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.toString('utf8', 0, bytesRead);
    const nl = text.indexOf('\n');
    if (nl < 0) return false;
    const first = text.slice(0, nl).trim();
    if (!first.startsWith('{') || !first.endsWith('}')) return false;
    JSON.parse(first);
    return true;
  } catch {
    return false;
  } finally {
    await fh.close();
  }
}

/**
 * Formats whose lines are independent of each other, so a big file can be cut at any
 * line start. W3C (#Fields), auditd (record groups), Zeek (#fields) and the multi-line
 * application logs carry state from line to line and are never split.
 */
const STATELESS_LINE_FORMATS = new Set(['access', 'syslog']);

async function splittable(path: string, format: string): Promise<boolean> {
  if (!(await splittableByLines(path))) return false;
  if (STATELESS_LINE_FORMATS.has(format)) return true;
  return format === 'json' && (await looksLikeJsonLines(path));
}

interface Plan {
  jobs: HuntJob[];
  bytes: number;
  files: number;
  skipped: number;
  formats: Record<string, number>;
  /** Per split file: number of parts, to fix up line numbers afterwards. */
  splits: Map<string, number>;
}

async function planJobs(opts: HuntOptions, threads: number, problems: ProblemSink): Promise<Plan> {
  const plan: Plan = { jobs: [], bytes: 0, files: 0, skipped: 0, formats: {}, splits: new Map() };
  const sized: { job: HuntJob; size: number }[] = [];
  let id = 0;
  for await (const input of walkInputs(opts.inputs, problems)) {
    if (input.path === '-') {
      sized.push({ job: { id: id++, file: '-', format: opts.inputFormat }, size: 0 });
      plan.files++;
      continue;
    }
    let size = 0;
    try {
      size = (await stat(input.path)).size;
    } catch (e) {
      problems.report({ kind: 'input', file: input.path, message: `cannot read: ${errorMessage(e)}` });
      continue;
    }
    const decoder = await detectFormat(input.path, { inputFormat: opts.inputFormat }, problems);
    if (!decoder) {
      if (input.explicit) problems.report({ kind: 'input', file: input.path, message: 'unrecognized format (use --input-format to force one)' });
      else plan.skipped++;
      continue;
    }
    plan.files++;
    plan.bytes += size;
    plan.formats[decoder.format] = (plan.formats[decoder.format] ?? 0) + 1;
    const bigEnough = threads > 1 && size >= (opts.splitMinBytes ?? SPLIT_MIN_BYTES);
    if (bigEnough && decoder.kind === 'file' && decoder.split) {
      const parts = await decoder.split(input.path, threads * 2);
      for (const filePart of parts) sized.push({ job: { id: id++, file: input.path, format: decoder.format, filePart }, size: Math.ceil(size / parts.length) });
    } else if (bigEnough && (await splittable(input.path, decoder.format))) {
      const ranges = await splitAtLines(input.path, size, threads * 2);
      plan.splits.set(input.path, ranges.length);
      ranges.forEach((range, part) => {
        sized.push({ job: { id: id++, file: input.path, format: decoder.format, range, part }, size: range.end - range.start });
      });
    } else {
      sized.push({ job: { id: id++, file: input.path, format: decoder.format }, size });
    }
  }
  // Largest first keeps both cores busy until the end.
  sized.sort((a, b) => b.size - a.size || a.job.id - b.job.id);
  plan.jobs = sized.map((s) => s.job);
  return plan;
}

async function runInline(jobs: HuntJob[], prepared: PreparedRules, opts: HuntOptions, progress: HuntProgress): Promise<JobResult[]> {
  const results: JobResult[] = [];
  for (const job of jobs) {
    results.push(
      await runJob(job, prepared.ruleSet, { inputFormat: opts.inputFormat, timezone: opts.timezone, host: opts.host }, (n) => {
        progress.events += n;
        opts.onProgress?.(progress);
      }),
    );
    progress.jobsDone++;
    opts.onProgress?.(progress);
  }
  return results;
}

/**
 * Every worker compiles the rules itself (functions cannot cross threads); the first one
 * also sends back the rules' metadata and load problems, so the main thread loads nothing.
 */
function runOnWorkers(jobs: HuntJob[], threads: number, opts: HuntOptions, progress: HuntProgress, problems: ProblemSink): Promise<{ results: JobResult[]; meta: RulesMeta }> {
  const queue = [...jobs];
  const results: JobResult[] = [];
  let meta: RulesMeta | undefined;
  const url = new URL('./hunt-worker.js', import.meta.url);
  return new Promise((resolve, reject) => {
    let alive = 0;
    let failed = false;
    const workers: Worker[] = [];
    const finish = (): void => {
      if (alive > 0 || failed) return;
      if (meta) resolve({ results, meta });
      else reject(new Error('worker exited before loading the rules'));
    };
    for (let i = 0; i < Math.min(threads, jobs.length); i++) {
      const init: WorkerInit = { rules: opts.rules, inputFormat: opts.inputFormat, timezone: opts.timezone, host: opts.host, reporter: i === 0 };
      // A larger young generation: matching allocates many short-lived strings, and the
      // default semi-space makes the scavenger run constantly (measured: -10% CPU, -25% RSS).
      const w = new Worker(url, { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
      workers.push(w);
      alive++;
      const next = (): void => {
        const job = queue.shift();
        if (job) w.postMessage({ type: 'job', job } satisfies ToWorker);
        else w.postMessage({ type: 'exit' } satisfies ToWorker);
      };
      w.on('message', (msg: FromWorker) => {
        switch (msg.type) {
          case 'ready':
            if (msg.summary) {
              for (const p of msg.summary.problems) problems.report(p);
              meta = msg.summary;
            }
            next();
            break;
          case 'progress':
            progress.events += msg.events;
            opts.onProgress?.(progress);
            break;
          case 'done':
            results.push(msg.result);
            progress.jobsDone++;
            opts.onProgress?.(progress);
            next();
            break;
          case 'failed':
            failed = true;
            for (const other of workers) void other.terminate();
            reject(new Error(`worker failed${msg.jobId !== undefined ? ` on job ${msg.jobId}` : ''}: ${msg.error}`));
            break;
        }
      });
      w.on('error', (e) => {
        failed = true;
        for (const other of workers) void other.terminate();
        reject(e);
      });
      w.on('exit', () => {
        alive--;
        finish();
      });
    }
  });
}

/** Split files report line numbers relative to their range: make them absolute. */
function fixLineNumbers(results: JobResult[], jobs: Map<number, HuntJob>, splits: Map<string, number>): void {
  const partLines = new Map<string, number[]>();
  for (const r of results) {
    const job = jobs.get(r.id)!;
    if (job.part === undefined) continue;
    let arr = partLines.get(job.file);
    if (!arr) partLines.set(job.file, (arr = new Array<number>(splits.get(job.file)!).fill(0)));
    arr[job.part] = r.stats.lines;
  }
  for (const r of results) {
    const job = jobs.get(r.id)!;
    if (!job.part) continue;
    const lines = partLines.get(job.file)!;
    let offset = 0;
    for (let i = 0; i < job.part; i++) offset += lines[i]!;
    for (const d of r.detections) if (d.source.file === job.file) d.source.record += offset;
    for (const p of r.problems) if (p.file === job.file && p.line !== undefined) p.line += offset;
  }
}

/**
 * Runs the web-shell scanner and turns its findings into events. A finding's time is the
 * file's modification time (for archive entries, the archive's): that is when it appeared,
 * which is what correlations with the logs need.
 */
async function scanEvents(input: ScanInput, problems: ProblemSink): Promise<Event[]> {
  const report = await scan(input.paths, { yaraRules: input.yaraRules, onProblem: (p) => problems.report(p) });
  const events: Event[] = [];
  for (const f of report.findings) {
    const file = f.path.includes('!/') ? f.path.slice(0, f.path.indexOf('!/')) : f.path;
    let mtime = Date.now();
    try {
      mtime = (await stat(file)).mtimeMs;
    } catch {
      // vanished since the scan: keep the scan time
    }
    events.push(findingToEvent(f, input.host ?? hostname(), Math.round(mtime)));
  }
  return events;
}

function compareDetections(a: Detection, b: Detection): number {
  const ta = a.timestamp ?? '';
  const tb = b.timestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.source.file !== b.source.file) return a.source.file < b.source.file ? -1 : 1;
  if (a.source.record !== b.source.record) return a.source.record - b.source.record;
  return a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0;
}

export async function runHunt(opts: HuntOptions, problems: ProblemSink): Promise<HuntResult> {
  const started = performance.now();
  const cores = availableParallelism();
  let threads = Math.max(1, Math.min(opts.threads ?? cores, 64));
  const plan = await planJobs(opts, threads, problems);
  const inlineBelow = opts.inlineBelowBytes ?? 64 * 1024 * 1024;
  if (plan.jobs.length < 2 || plan.bytes < inlineBelow || plan.jobs.some((j) => j.file === '-')) threads = 1;
  let scanFindings: number | undefined;
  if (opts.scan) {
    const events = await scanEvents(opts.scan, problems);
    scanFindings = events.length;
    if (events.length) plan.jobs.push({ id: plan.jobs.length + 1_000_000, file: '<scan>', format: 'webshell_scan', events });
  }
  const progress: HuntProgress = { events: 0, jobsDone: 0, jobsTotal: plan.jobs.length };
  let results: JobResult[];
  let prepared: RulesMeta;
  if (threads > 1) {
    ({ results, meta: prepared } = await runOnWorkers(plan.jobs, threads, opts, progress, problems));
  } else {
    const local = prepareRules(opts.rules, problems);
    prepared = local;
    results = await runInline(plan.jobs, local, opts, progress);
  }

  const jobsById = new Map(plan.jobs.map((j) => [j.id, j]));
  fixLineNumbers(results, jobsById, plan.splits);
  results.sort((a, b) => a.id - b.id);

  const infos = new Map<string, RuleInfo>(prepared.rules.map((r) => [r.id, r]));
  const base: Detection[] = [];
  let events = 0;
  const allProblems: Problem[] = [];
  for (const r of results) {
    events += r.stats.events;
    allProblems.push(...r.problems);
    for (const wd of r.detections as WireDetection[]) {
      const d = attachRule(wd, infos);
      if (d) base.push(d);
    }
  }
  for (const p of allProblems) problems.report(p);
  base.sort(compareDetections);
  const detections = correlate(base, prepared.correlations, problems);
  detections.sort(compareDetections);
  return {
    detections,
    stats: {
      files: plan.files,
      skippedFiles: plan.skipped,
      events,
      bytes: plan.bytes,
      elapsedMs: performance.now() - started,
      rulesLoaded: prepared.loaded,
      rulesFailed: prepared.failed,
      correlations: prepared.correlations.length,
      formats: plan.formats,
      threads,
      scanFindings,
    },
  };
}
