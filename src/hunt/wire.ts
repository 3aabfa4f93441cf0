/**
 * What crosses between the hunt's main thread and its worker threads. The rules travel
 * once, as the compiled program's bytes in shared memory (workers link them, nobody
 * compiles twice); detections travel without their rule (the main thread holds every
 * RuleInfo and puts it back), so a rule that fires a million times is not copied a
 * million times.
 */
import type { Problem } from '../errors.js';
import type { Detection, RuleInfo } from '../event/detection.js';
import type { JobStats, ReadSettings } from './job.js';
import type { HuntJob } from './plan.js';

export type WireDetection = Omit<Detection, 'rule'> & { ruleId: string };

export function toWire(d: Detection): WireDetection {
  const { rule, ...rest } = d;
  return { ...rest, ruleId: rule.id };
}

export function fromWire(w: WireDetection, rules: { get(id: string): RuleInfo | undefined }): Detection | undefined {
  const rule = rules.get(w.ruleId);
  if (!rule) return undefined;
  const { ruleId: _ruleId, ...rest } = w;
  return { ...rest, rule };
}

export interface WorkerInit {
  read: ReadSettings;
}

export type ToWorker = { type: 'rules'; program: SharedArrayBuffer } | { type: 'job'; job: HuntJob } | { type: 'ack' } | { type: 'exit' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'batch'; jobId: number; detections: WireDetection[]; problems: Problem[]; events: number; latest?: number; outside?: number }
  | { type: 'done'; jobId: number; stats: JobStats; moreProblems: number }
  | { type: 'failed'; jobId?: number; error: string };
