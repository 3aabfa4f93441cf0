/**
 * One hunting job, wherever it runs (this thread or a worker thread): read the job's file
 * (or piece of it) as an event source and match every event, handing over the detections
 * batch by batch so they stream out while the file is still being read.
 */
import type { Problem, ProblemSink } from '../errors.js';
import type { Detection } from '../event/detection.js';
import { matchEvents } from '../engine/match.js';
import type { RuleSet } from '../engine/ruleset.js';
import { FileSource, type FileSourceOptions } from '../input/sources/file.js';
import type { HuntJob } from './plan.js';
import { inWindow, type TimeWindow } from '../event/time-window.js';

export type { TimeWindow };

export interface JobBatch {
  detections: Detection[];
  problems: Problem[];
  events: number;
  /** Latest event time in the batch (the pipeline's clock). */
  latest?: number;
  /** Events read but left out by the time window. */
  outside?: number;
}

export interface JobStats {
  events: number;
  /** Lines (text) or records (binary) read: a split file's later pieces number their lines from here. */
  records: number;
  format?: string;
}

/** Per job, problems beyond this many are counted, not kept (a file of bad lines stays cheap). */
export const MAX_PROBLEMS_PER_JOB = 100;

export type ReadSettings = Pick<FileSourceOptions, 'inputFormat' | 'timezone' | 'host'> & { window?: TimeWindow };

export async function runJob(job: HuntJob, ruleSet: RuleSet, read: ReadSettings, onBatch: (b: JobBatch) => Promise<void> | void): Promise<JobStats & { moreProblems: number }> {
  let problems: Problem[] = [];
  let kept = 0;
  let more = 0;
  const sink: ProblemSink = {
    report(p) {
      if (kept < MAX_PROBLEMS_PER_JOB) {
        problems.push(p);
        kept++;
      } else more++;
    },
  };
  const { window, ...settings } = read;
  const src = new FileSource(job.file, {
    ...settings,
    inputFormat: job.format ?? read.inputFormat,
    range: job.range,
    part: job.filePart,
    quietUnknown: !job.explicit,
  });
  for await (const b of src.batches(sink)) {
    const detections: Detection[] = [];
    let latest = Number.NEGATIVE_INFINITY;
    let outside = 0;
    for (const ev of b.events) {
      if (window && !inWindow(ev.timestamp, window)) {
        outside++;
        continue;
      }
      matchEvents(ruleSet, ev, detections, b.freshFields);
      if (ev.timestamp !== undefined && ev.timestamp > latest) latest = ev.timestamp;
    }
    const out: JobBatch = { detections, problems, events: b.events.length };
    if (outside) out.outside = outside;
    if (Number.isFinite(latest)) out.latest = latest;
    problems = [];
    await onBatch(out);
  }
  if (problems.length) await onBatch({ detections: [], problems, events: 0 });
  const st = src.stats();
  return { events: st.events, records: st.records, format: st.format, moreProblems: more };
}
