/**
 * What crosses between the hunt's main thread and its worker threads. Detections travel
 * without their rule (the main thread holds every RuleInfo and puts it back), so a rule
 * that fires a million times is not copied a million times.
 */
import type { Problem } from '../errors.js';
import type { Detection, RuleInfo } from '../event/detection.js';
import type { ResolvedCorrelation } from '../sigma/correlations.js';
import type { JobStats, ReadSettings } from './job.js';
import type { HuntJob } from './plan.js';
import type { RuleOptions } from '../engine/rules-setup.js';

export type WireDetection = Omit<Detection, 'rule'> & { ruleId: string };

export function toWire(d: Detection): WireDetection {
  const { rule, ...rest } = d;
  return { ...rest, ruleId: rule.id };
}

export function fromWire(w: WireDetection, rules: ReadonlyMap<string, RuleInfo>): Detection | undefined {
  const rule = rules.get(w.ruleId);
  if (!rule) return undefined;
  const { ruleId: _ruleId, ...rest } = w;
  return { ...rest, rule };
}

export interface WorkerInit {
  rules: RuleOptions;
  read: ReadSettings;
  /** The one worker that speaks for all: it reports rule problems and sends the rule metadata back. */
  reporter: boolean;
}

export interface RulesSummary {
  rules: RuleInfo[];
  correlations: ResolvedCorrelation[];
  loaded: number;
  failed: number;
  selected: number;
  members: number;
  warnings: string[];
  problems: Problem[];
}

export type ToWorker = { type: 'job'; job: HuntJob } | { type: 'ack' } | { type: 'exit' };

export type FromWorker =
  | { type: 'ready'; summary?: RulesSummary }
  | { type: 'batch'; jobId: number; detections: WireDetection[]; problems: Problem[]; events: number; latest?: number; outside?: number }
  | { type: 'done'; jobId: number; stats: JobStats; moreProblems: number }
  | { type: 'failed'; jobId?: number; error: string };
