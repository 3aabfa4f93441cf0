/**
 * One unit of hunting work: read one file (or one byte range of it), run every event
 * through the rule set, collect the matches. Runs in the main thread or in a worker.
 */
import type { Event } from '../event/event.js';
import type { FilePart } from '../input/decoder.js';
import type { Problem, ProblemSink } from '../errors.js';
import { readFileBatches, type ByteRange, type FileReadStats, type ReadOptions } from '../input/read.js';
import type { Detection, RuleInfo } from '../event/detection.js';
import type { RuleSet } from './ruleset.js';

export interface HuntJob {
  id: number;
  file: string;
  /** Decoder chosen by the planner (sniffed once for split files). */
  format?: string;
  range?: ByteRange;
  /** Index of this range among the file's ranges (line numbers are fixed up by it). */
  part?: number;
  /** A piece of a binary file from its decoder's `split` (EVTX chunk ranges). */
  filePart?: FilePart;
  /** Ready-made events (scanner findings) to match instead of reading `file`. */
  events?: Event[];
}

/** A detection as it crosses threads: the rule by id, resolved again on the main side. */
export type WireDetection = Omit<Detection, 'rule'> & { ruleId: string };

export interface JobResult {
  id: number;
  detections: WireDetection[];
  problems: Problem[];
  stats: FileReadStats;
}

export function eventTime(ev: Event): string | undefined {
  if (ev.timestamp === undefined || !Number.isFinite(ev.timestamp)) return undefined;
  const d = new Date(ev.timestamp);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Formats whose field strings are fresh (JSON.parse, buffer decoding), not slices of a read chunk. */
const FRESH_FIELDS = new Set(['json', 'evtx']);

export function detectionOf(ruleId: string, ev: Event): WireDetection {
  // Text decoders hand out slices of a 1 MB read chunk (raw lines always are); a detection
  // kept until the end of the run must not pin that chunk, so those strings are copied
  // (structuredClone copies string contents).
  const own = FRESH_FIELDS.has(ev.origin.format)
    ? { fields: ev.fields, raw: ev.raw === undefined ? undefined : structuredClone(ev.raw) }
    : structuredClone({ fields: ev.fields, raw: ev.raw });
  const d: WireDetection = {
    kind: 'rule',
    ruleId,
    source: { file: ev.origin.file, record: ev.origin.record, format: ev.origin.format },
    logsource: ev.logsource,
    event: own.fields,
  };
  const ts = eventTime(ev);
  if (ts) d.timestamp = ts;
  if (ev.host !== undefined) d.host = ev.host;
  if (own.raw !== undefined) d.raw = own.raw;
  return d;
}

export function attachRule(d: WireDetection, rules: Map<string, RuleInfo>): Detection | undefined {
  const rule = rules.get(d.ruleId);
  if (!rule) return undefined;
  const { ruleId: _ruleId, ...rest } = d;
  return { ...rest, rule };
}

export async function runJob(
  job: HuntJob,
  ruleSet: RuleSet,
  read: Pick<ReadOptions, 'inputFormat' | 'timezone' | 'host'>,
  onProgress?: (events: number) => void,
): Promise<JobResult> {
  const problems: Problem[] = [];
  const sink: ProblemSink = { report: (p) => problems.push(p) };
  const stats: FileReadStats = { lines: 0, events: 0 };
  const detections: WireDetection[] = [];
  if (job.events) {
    for (const ev of job.events) for (const hit of ruleSet.match(ev)) detections.push(detectionOf(hit.info.id, ev));
    stats.events = job.events.length;
    onProgress?.(job.events.length);
    return { id: job.id, detections, problems, stats };
  }
  for await (const batch of readFileBatches(job.file, { ...read, inputFormat: job.format ?? read.inputFormat }, sink, job.range, stats, job.filePart)) {
    for (const ev of batch) {
      const hits = ruleSet.match(ev);
      for (let i = 0; i < hits.length; i++) detections.push(detectionOf(hits[i]!.info.id, ev));
    }
    onProgress?.(batch.length);
  }
  return { id: job.id, detections, problems, stats };
}
