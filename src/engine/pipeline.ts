/**
 * The one streaming pipeline every driver uses (`warden hunt`, the live service, a cluster
 * worker): events in, detections and incident updates out, state that can be snapshotted.
 *
 *   push(events)        rule matching → de-duplication → correlation → incidents
 *   pushDetections(ds)  the same from base detections matched elsewhere (worker threads)
 *   tick(t)             event time has reached t: close correlation windows and incidents
 *   flush()             end of input: judge every open window, close every incident
 *   snapshot()/restore  the whole state as plain JSON
 *
 * Base detections are final the moment they are found and go out at once. Correlations and
 * incidents need event-time order: matches may arrive out of order by up to the tolerance
 * (Infinity for batch hunts, where the inputs' order says nothing about time) and are
 * processed in (time, origin) order, so any interleaving within the tolerance gives the
 * same correlations and incidents. Memory is bounded by that state — the matches inside open
 * correlation windows and the detections within the tolerance when incidents are grouped —
 * never by the number of detections that went out.
 */
import type { Detection, IncidentUpdate, RuleInfo } from '../event/detection.js';
import type { Event } from '../event/event.js';
import type { ProblemSink } from '../errors.js';
import type { ResolvedCorrelation } from '../sigma/correlations.js';
import { CorrelationEngine, type CorrelationSnapshot, DEFAULT_MAX_BUFFERED, DEFAULT_OUT_OF_ORDER_TOLERANCE_MS } from './correlate.js';
import { matchEvents } from './match.js';
import { IncidentTracker, type IncidentOptions } from './incidents.js';
import type { IncidentTrackerState } from './incident-state.js';
import { DetectionOrder } from './order.js';
import type { RuleSet } from './ruleset.js';
import { SeenRecords } from './seen.js';

export interface PipelineRules {
  /** Compiled rules for `push(events)`; drivers that only call pushDetections may leave it out. */
  ruleSet?: RuleSet;
  correlations: readonly ResolvedCorrelation[];
  /**
   * Which rules' own detections go out. Rules the user did not select but a correlation needs
   * run and feed the correlation without being shown. Default: all.
   */
  shown?: (rule: RuleInfo) => boolean;
}

export interface PipelineOptions {
  /** How far (ms) events may arrive out of event-time order. Default 60 s; Infinity for batch input. */
  outOfOrderToleranceMs?: number;
  /** Open groups per correlation before the oldest is dropped (memory budget). */
  maxGroups?: number;
  /**
   * Matches (correlations) and detections (incidents) waiting for event-time order before the
   * oldest are processed anyway (memory budget). Default 1 000 000 each.
   */
  maxBuffered?: number;
  /** Record-id ranges kept to de-duplicate overlapping Windows exports (memory budget). */
  maxSeenRanges?: number;
  /** Group detections into incidents (default: no). */
  incidents?: IncidentOptions | boolean;
  /** Warnings: late events, evicted groups. */
  problems?: ProblemSink;
}

export interface PipelineOutput {
  detections: Detection[];
  incidents: IncidentUpdate[];
}

export interface PipelineStats {
  /** Base detections dropped because the same Windows record had already been detected. */
  duplicates: number;
  /** Record-id ranges forgotten by the de-duplication budget (maxSeenRanges). */
  forgottenRecords: number;
  correlationGroups: number;
  lateEvents: number;
  evictedGroups: number;
  openIncidents: number;
  /** Detections waiting for event-time order (incident grouping). */
  ordering: number;
}

export interface PipelineSnapshot {
  version: 1;
  now: number | null;
  correlation: CorrelationSnapshot;
  incidents: IncidentTrackerState | null;
  ordering: Detection[];
  seen: ReturnType<SeenRecords['toJSON']>;
}

function empty(): PipelineOutput {
  return { detections: [], incidents: [] };
}

export class Pipeline {
  private readonly correlation: CorrelationEngine;
  private tracker: IncidentTracker | null;
  private readonly order: DetectionOrder | null;
  private seen: SeenRecords;
  private readonly tolerance: number;
  private readonly maxBuffered: number;
  private readonly problems: ProblemSink | undefined;
  private forced = 0;
  private now = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly rules: PipelineRules,
    opts: PipelineOptions = {},
  ) {
    this.tolerance = Math.max(0, opts.outOfOrderToleranceMs ?? DEFAULT_OUT_OF_ORDER_TOLERANCE_MS);
    this.maxBuffered = Math.max(1, opts.maxBuffered ?? DEFAULT_MAX_BUFFERED);
    this.problems = opts.problems;
    // Forgetting long-past record ids can at worst let an overlap through with the same
    // detection id, so it is counted in the stats rather than reported as a problem.
    this.seen = new SeenRecords(opts.maxSeenRanges);
    this.correlation = new CorrelationEngine(rules.correlations, {
      outOfOrderToleranceMs: this.tolerance,
      maxGroups: opts.maxGroups,
      maxBuffered: this.maxBuffered,
      problems: opts.problems,
    });
    const inc = opts.incidents;
    this.tracker = inc ? new IncidentTracker({ problems: opts.problems, ...(typeof inc === 'object' ? inc : {}) }) : null;
    this.order = this.tracker ? new DetectionOrder() : null;
  }

  /** Matches events against the rules and runs what matched through the rest of the pipeline. */
  push(events: readonly Event[]): PipelineOutput {
    const ruleSet = this.rules.ruleSet;
    if (!ruleSet) throw new Error('this pipeline has no rule set to match events with (use pushDetections)');
    const base: Detection[] = [];
    let latest = Number.NEGATIVE_INFINITY;
    for (const ev of events) {
      matchEvents(ruleSet, ev, base);
      if (ev.timestamp !== undefined && ev.timestamp > latest) latest = ev.timestamp;
    }
    const out = this.pushDetections(base);
    if (Number.isFinite(latest)) this.merge(out, this.tick(latest));
    return out;
  }

  /** Base (rule) detections found elsewhere, e.g. by worker threads. */
  pushDetections(base: readonly Detection[]): PipelineOutput {
    const out = empty();
    const shown = this.rules.shown;
    for (const d of base) {
      if (!this.seen.firstTime(d)) continue;
      if (d.timestamp !== undefined && d.timestamp > this.now) this.now = d.timestamp;
      const fired = this.correlation.referencedRuleIds.has(d.rule.id) ? this.correlation.push(d) : [];
      if (!this.correlation.suppressedRuleIds.has(d.rule.id) && (!shown || shown(d.rule))) this.emit(d, out);
      for (const c of fired) this.emit(c, out);
    }
    this.release(out);
    return out;
  }

  /** Event time has reached `t` (ms): windows and incidents that ended are judged now. */
  tick(t: number): PipelineOutput {
    const out = empty();
    if (!Number.isFinite(t)) return out;
    if (t > this.now) this.now = t;
    for (const c of this.correlation.tick(t)) this.emit(c, out);
    this.release(out);
    return out;
  }

  /** End of input. */
  flush(): PipelineOutput {
    const out = empty();
    for (const c of this.correlation.flush()) this.emit(c, out);
    if (this.order && this.tracker) {
      for (const d of this.order.releaseAll()) out.incidents.push(...this.tracker.add(d));
      out.incidents.push(...this.tracker.flush());
    }
    return out;
  }

  stats(): PipelineStats {
    const c = this.correlation.stats();
    return {
      duplicates: this.seen.duplicates,
      forgottenRecords: this.seen.forgotten,
      correlationGroups: c.groups,
      lateEvents: c.late,
      evictedGroups: c.evicted,
      openIncidents: this.tracker?.openCount ?? 0,
      ordering: this.order?.size ?? 0,
    };
  }

  snapshot(): PipelineSnapshot {
    return {
      version: 1,
      now: Number.isFinite(this.now) ? this.now : null,
      correlation: this.correlation.snapshot(),
      incidents: this.tracker ? this.tracker.snapshot() : null,
      ordering: this.order ? this.order.toJSON() : [],
      seen: this.seen.toJSON(),
    };
  }

  /** A pipeline over the same rules and options that continues where `state` stood. */
  static restore(rules: PipelineRules, state: PipelineSnapshot, opts: PipelineOptions = {}): Pipeline {
    if (state.version !== 1) throw new Error(`pipeline state version ${String(state.version)} is not supported`);
    const p = new Pipeline(rules, opts);
    p.now = state.now ?? Number.NEGATIVE_INFINITY;
    p.correlation.restore(state.correlation);
    p.seen = SeenRecords.from(state.seen, opts.maxSeenRanges);
    if (p.tracker && state.incidents)
      p.tracker = IncidentTracker.restore(state.incidents, { problems: opts.problems, ...(typeof opts.incidents === 'object' ? opts.incidents : {}) });
    if (p.order) p.order.load(state.ordering);
    return p;
  }

  private emit(d: Detection, out: PipelineOutput): void {
    out.detections.push(d);
    if (!this.order || !this.tracker) return;
    this.order.add(d);
    if (this.order.size > this.maxBuffered) {
      // Memory budget: the oldest detections go to the incident tracker now.
      if (this.forced === 0)
        this.problems?.report({
          kind: 'rule',
          file: '(incidents)',
          message: `incidents: more than ${this.maxBuffered} detections wait for event-time order; the oldest are grouped now (inputs in time order lose nothing; raise --max-buffered)`,
        });
      const released = this.order.releaseOldest(Math.ceil(this.maxBuffered * 0.1));
      this.forced += released.length;
      for (const r of released) out.incidents.push(...this.tracker.add(r));
      const last = released[released.length - 1]?.timestamp;
      if (last !== undefined) out.incidents.push(...this.tracker.advance(last));
    }
  }

  /**
   * Hands the detections whose time is settled to the incident tracker, in order. Settled
   * means older than the tolerance, and older than the longest a correlation can take to
   * report a detection about its past (window-mode correlations judge a window when it
   * closes), so correlation detections never reach the tracker out of order.
   */
  private release(out: PipelineOutput): void {
    if (!this.order || !this.tracker) return;
    const horizon = this.now - this.tolerance - this.correlation.extraDelayMs;
    for (const d of this.order.releaseUpTo(horizon)) out.incidents.push(...this.tracker.add(d));
    if (Number.isFinite(horizon)) out.incidents.push(...this.tracker.advance(horizon));
  }

  private merge(into: PipelineOutput, from: PipelineOutput): void {
    for (const d of from.detections) into.detections.push(d);
    for (const u of from.incidents) into.incidents.push(u);
  }
}
