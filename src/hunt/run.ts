/**
 * `warden hunt` as a driver of the streaming pipeline: the inputs become sources (files,
 * pieces of big files, stdin, the scanner's findings), their events are matched in this
 * thread or on worker threads, and everything matched flows through one `Pipeline` (de-
 * duplication, correlation, incidents) into the sinks as it is found. Results come out in
 * job order — the plan's order — whatever order the threads finish in, so the same inputs
 * always give the same output; memory is bounded by the pipeline's state and a few batches
 * per thread, not by the number of detections.
 */
import { availableParallelism } from 'node:os';
import type { Problem, ProblemSink } from '../errors.js';
import type { Detection, IncidentUpdate, RuleInfo } from '../event/detection.js';
import type { Event } from '../event/event.js';
import { detectionId, eventKey } from '../event/identity.js';
import type { DetectionSink } from '../event/sink.js';
import { matchEvents } from '../engine/match.js';
import { Pipeline, type PipelineOutput } from '../engine/pipeline.js';
import type { IncidentOptions } from '../engine/incidents.js';
import { type PreparedRules, prepareRulesAsync, type RuleOptions } from '../engine/rules-prepare.js';
import type { RuleSet } from '../engine/ruleset.js';
import { checkFormat } from '../input/detect.js';
import type { ScanSourceOptions } from '../scan/source.js';
import type { ResolvedCorrelation } from '../sigma/correlations.js';
import { selectionFilter } from '../sigma/selection.js';
import { type JobBatch, type JobStats, MAX_PROBLEMS_PER_JOB, type ReadSettings, runJob, type TimeWindow } from './job.js';
import { type HuntJob, planJobs, type SkippedFile } from './plan.js';
import { runOnWorkers } from './pool.js';
import { fromWire, type WireDetection } from './wire.js';

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
  /** Only events in this time window (`--from`/`--to`). */
  window?: TimeWindow;
  /** Worker threads; 1 runs everything in this thread. Default: available cores. */
  threads?: number;
  /** Inputs smaller than this (bytes, total) run in this thread: starting workers costs more than they save on small inputs. */
  inlineBelowBytes?: number;
  /** Text files at least this big are split into line ranges across workers. */
  splitMinBytes?: number;
  /** Also scan these files/folders for web shells; findings become events the rules see with the logs. */
  scan?: ScanSourceOptions;
  /** Group detections into incidents. */
  incidents?: IncidentOptions | boolean;
  /**
   * How far events may be out of event-time order for correlations and incidents. Default
   * Infinity: a hunt over files cannot know their order, so it correlates exactly, holding
   * the matches of correlated rules (and, with incidents, every detection) until the end.
   */
  outOfOrderToleranceMs?: number;
  /** Open groups per correlation before the oldest is dropped (memory budget). Default 200 000. */
  maxGroups?: number;
  /** Matches and detections waiting for event-time order before the oldest are processed anyway (memory budget). Default 500 000. */
  maxBuffered?: number;
  /** Name on each rule detection the event fields its rule matched on (`matched`; the HTML report shows them). */
  explain?: boolean;
  onProgress?: (p: HuntProgress) => void;
}

export interface HuntStats {
  files: number;
  /** Files found by walking folders that nothing recognizes, with the reason. */
  skipped: SkippedFile[];
  events: number;
  bytes: number;
  elapsedMs: number;
  rulesLoaded: number;
  rulesFailed: number;
  /** Rules and correlations left by the selection (--min-level, --status, --tags, --ids): what runs and is shown. */
  rulesSelected: number;
  /** Rules outside the selection that run only to feed a selected correlation; their own detections are not shown. */
  memberRules: number;
  /** Selection values that selected nothing. */
  warnings: string[];
  correlations: number;
  formats: Record<string, number>;
  threads: number;
  /** Scanner findings fed in as events (--scan). */
  scanFindings?: number;
  /** Detections dropped because the same Windows record was read twice (overlapping exports). */
  duplicates: number;
  /** Detections that went to the sinks. */
  detections: number;
  /** Events left out by the time window. */
  outsideWindow: number;
}

/** Files bigger than this are split across workers when their format allows it. */
const SPLIT_MIN_BYTES = 32 * 1024 * 1024;

interface RulesMeta {
  infos: { get(id: string): RuleInfo | undefined };
  loaded: number;
  failed: number;
  selected: number;
  members: number;
  warnings: string[];
  correlations: ResolvedCorrelation[];
}

function metaOf(s: PreparedRules): RulesMeta {
  // Rule metadata is unpacked only for rules that fire.
  return {
    infos: { get: (id) => s.info(id) },
    correlations: s.correlations,
    loaded: s.loaded,
    failed: s.failed,
    selected: s.selected,
    members: s.members,
    warnings: s.warnings,
  };
}

/** A split file's later pieces number their lines from 1: make them absolute. */
function shiftLines(ds: Detection[], problems: Problem[], file: string, offset: number): void {
  if (offset === 0) return;
  for (const d of ds) {
    if (d.origin.file !== file) continue;
    d.origin = { ...d.origin, record: d.origin.record + offset };
    d.id = detectionId(d.rule.id, eventKey({ fields: d.event, host: d.host, origin: d.origin }));
  }
  for (const p of problems) if (p.file === file && p.line !== undefined) p.line += offset;
}

export async function hunt(opts: HuntOptions, sinks: readonly DetectionSink[], problems: ProblemSink): Promise<HuntStats> {
  const started = performance.now();
  checkFormat(opts.inputFormat);
  let threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), 64));
  const plan = await planJobs({ inputs: opts.inputs, inputFormat: opts.inputFormat, threads, splitMinBytes: opts.splitMinBytes ?? SPLIT_MIN_BYTES }, problems);
  const inlineBelow = opts.inlineBelowBytes ?? 64 * 1024 * 1024;
  if (plan.jobs.length < 2 || plan.bytes < inlineBelow || plan.jobs.some((j) => j.file === '-')) threads = 1;
  const read: ReadSettings = { inputFormat: opts.inputFormat, timezone: opts.timezone, host: opts.host, window: opts.window };
  const progress: HuntProgress = { events: 0, jobsDone: 0, jobsTotal: plan.jobs.length + (opts.scan ? 1 : 0) };
  const stats: HuntStats = {
    files: plan.files,
    skipped: plan.skipped,
    events: 0,
    bytes: plan.bytes,
    elapsedMs: 0,
    rulesLoaded: 0,
    rulesFailed: 0,
    rulesSelected: 0,
    memberRules: 0,
    warnings: [],
    correlations: 0,
    formats: plan.formats,
    threads,
    duplicates: 0,
    detections: 0,
    outsideWindow: 0,
  };

  let pipeline: Pipeline | undefined;
  let meta: RulesMeta | undefined;
  let ruleSet: RuleSet | undefined;
  const start = (m: RulesMeta, rs?: RuleSet): void => {
    meta = m;
    ruleSet = rs;
    stats.rulesLoaded = m.loaded;
    stats.rulesFailed = m.failed;
    stats.rulesSelected = m.selected;
    stats.memberRules = m.members;
    stats.warnings = m.warnings;
    stats.correlations = m.correlations.length;
    // Rules that run only for a correlation are shown as its members, not as detections of their own.
    const selected = selectionFilter(opts.rules.select ?? {});
    pipeline = new Pipeline(
      { ruleSet: rs, correlations: m.correlations, shown: m.members > 0 ? (r) => selected(r) : undefined },
      {
        outOfOrderToleranceMs: opts.outOfOrderToleranceMs ?? Number.POSITIVE_INFINITY,
        maxGroups: opts.maxGroups ?? 200_000,
        maxBuffered: opts.maxBuffered ?? 500_000,
        incidents: opts.incidents,
        problems,
      },
    );
  };

  const deliver = async (out: PipelineOutput): Promise<void> => {
    stats.detections += out.detections.length;
    if (opts.explain && ruleSet) for (const d of out.detections) explainDetection(ruleSet, d);
    for (const s of sinks) {
      if (out.detections.length) await s.detections(out.detections);
      if (out.incidents.length && s.incidents) await s.incidents(out.incidents as IncidentUpdate[]);
    }
  };

  // Pieces of one file number their lines from the end of the piece before.
  const linesBefore = new Map<string, number>();
  const handle = async (job: HuntJob, b: JobBatch): Promise<void> => {
    const offset = job.part ? (linesBefore.get(job.file) ?? 0) : 0;
    shiftLines(b.detections, b.problems, job.file, offset);
    for (const p of b.problems) problems.report(p);
    progress.events += b.events;
    stats.events += b.events;
    stats.outsideWindow += b.outside ?? 0;
    const out = pipeline!.pushDetections(b.detections);
    if (b.latest !== undefined) {
      const t = pipeline!.tick(b.latest);
      out.detections.push(...t.detections);
      out.incidents.push(...t.incidents);
    }
    await deliver(out);
    opts.onProgress?.(progress);
  };
  const finish = (job: HuntJob, st: JobStats, more: number): void => {
    if (job.parts !== undefined) linesBefore.set(job.file, (linesBefore.get(job.file) ?? 0) + st.records);
    if (more > 0)
      problems.report({ kind: 'input', file: job.file, message: `${more} more problems in this file are not shown (the first ${MAX_PROBLEMS_PER_JOB} are)`, more: more - 1 });
    progress.jobsDone++;
    opts.onProgress?.(progress);
  };

  if (threads > 1) {
    // Rules load while the workers start (pool.ts), synchronously: the compiler is loaded first.
    const { prepareRules } = await import('../engine/rules-setup.js');
    const program = (): Uint8Array => {
      const local = prepareRules(opts.rules, problems);
      start(metaOf(local), local.ruleSet);
      return local.programBytes();
    };
    await runOnWorkersInOrder(plan.jobs, threads, { read }, program, {
      handle: (job, b) => {
        const infos = meta!.infos;
        const ds: Detection[] = [];
        for (const w of b.detections as WireDetection[]) {
          const d = fromWire(w, infos);
          if (d) ds.push(d);
        }
        return handle(job, { ...b, detections: ds });
      },
      finish,
    });
  } else {
    const local = await prepareRulesAsync(opts.rules, problems);
    start(metaOf(local), local.ruleSet);
    for (const job of plan.jobs) {
      const st = await runJob(job, local.ruleSet, read, (b) => handle(job, b));
      finish(job, st, st.moreProblems);
    }
  }
  if (!pipeline) {
    // No input job ran (nothing to read): the rules still load, so their problems are reported.
    const local = await prepareRulesAsync(opts.rules, problems);
    start(metaOf(local), local.ruleSet);
  }

  if (opts.scan) {
    // The scanner is loaded only by hunts that scan.
    const { ScanSource } = await import('../scan/source.js');
    const src = new ScanSource(opts.scan);
    if (!ruleSet) ruleSet = (await prepareRulesAsync(opts.rules, { report: () => undefined })).ruleSet;
    for await (const b of src.batches(problems)) {
      const ds: Detection[] = [];
      for (const ev of b.events as Event[]) matchEvents(ruleSet, ev, ds);
      await handle({ id: -1, file: '<scan>', explicit: true, size: 0 }, { detections: ds, problems: [], events: b.events.length });
    }
    stats.scanFindings = src.findings;
    progress.jobsDone++;
  }

  await deliver(pipeline!.flush());
  stats.duplicates = pipeline!.stats().duplicates;
  stats.elapsedMs = performance.now() - started;
  return stats;
}

/** Rule detections only: a correlation's event is its group-by values, which no rule matched. */
function explainDetection(rs: RuleSet, d: Detection): void {
  if (d.kind !== 'rule' || d.matched) return;
  const m = rs.explain(d.rule.id, { fields: d.event, logsource: d.logsource, origin: d.origin });
  if (m?.length) d.matched = m;
}

interface OrderedHandlers {
  handle(job: HuntJob, b: Omit<JobBatch, 'detections'> & { detections: WireDetection[] }): Promise<void>;
  finish(job: HuntJob, st: JobStats, more: number): void;
}

/**
 * What may be held for later jobs before their workers must wait: a batch counts 1, each of
 * its detections and problems 10 (at most 10,000 held detections, or 100,000 empty batches).
 */
const HELD_BUDGET = 100_000;

/**
 * Worker results in plan order: a job's batches are handled as they come while it is the
 * oldest unfinished job; a later job's wait until every job before it is done — held and
 * acknowledged within HELD_BUDGET, so its worker keeps going, and unacknowledged beyond it,
 * so its worker pauses.
 */
async function runOnWorkersInOrder(jobs: readonly HuntJob[], threads: number, init: { read: ReadSettings }, program: () => Uint8Array, h: OrderedHandlers): Promise<void> {
  type Batch = Omit<JobBatch, 'detections'> & { detections: WireDetection[] };
  type Item = { kind: 'batch'; b: Batch; ack: () => void; early?: boolean } | { kind: 'done'; st: JobStats; more: number };
  const weight = (b: Batch): number => 1 + 10 * (b.detections.length + b.problems.length);
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const queued = new Map<number, Item[]>();
  let next = 0;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  /** Detections (and problems) held for later jobs whose batches were acknowledged early. */
  let held = 0;
  const drain = async (): Promise<void> => {
    for (;;) {
      const items = queued.get(next);
      if (!items || items.length === 0) return;
      const it = items.shift()!;
      const job = byId.get(next)!;
      if (it.kind === 'batch') {
        await h.handle(job, it.b);
        if (it.early) held -= weight(it.b);
        else it.ack();
      } else {
        h.finish(job, it.st, it.more);
        queued.delete(next);
        next++;
      }
    }
  };
  const push = (jobId: number, item: Item): void => {
    let q = queued.get(jobId);
    if (!q) queued.set(jobId, (q = []));
    // A later job's batch is acknowledged at once while what is held stays small (most
    // batches hold no detection at all), so its worker keeps reading instead of waiting
    // for every job before it; past the budget it waits, which bounds memory.
    if (item.kind === 'batch' && jobId !== next && held + weight(item.b) <= HELD_BUDGET) {
      held += weight(item.b);
      item.early = true;
      item.ack();
    }
    q.push(item);
    chain = chain.then(drain).catch((e: unknown) => {
      failure ??= e;
    });
  };
  await runOnWorkers(jobs, threads, init, program, {
    batch: (jobId, b, ack) => push(jobId, { kind: 'batch', b, ack }),
    done: (jobId, st, more) => push(jobId, { kind: 'done', st, more }),
  });
  await chain;
  if (failure) throw failure;
}
