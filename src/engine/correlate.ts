/**
 * Streaming evaluation of Sigma correlation rules.
 *
 * The pipeline calls `push(detection)` for every base-rule detection and `flush()` at the end of
 * input; both return the correlation detections that became due. Semantics (tested in
 * test/engine/correlate*.test.ts):
 *
 * - Time is EVENT time. A window of timespan T holds matches whose times differ by at most T
 *   (inclusive: exactly T apart still counts, T + 1 ms does not).
 * - Matches may arrive out of order by up to `outOfOrderToleranceMs` (default 60 s): they wait
 *   in a reorder buffer and are processed in event-time order. A match older than the newest
 *   event seen minus the tolerance is late: it is left out of correlations and reported once
 *   (plus a count at flush). Use `Infinity` for batch hunts over several files: everything is
 *   buffered and processed in order at `flush()`.
 * - Events without a timestamp take the newest time seen so far.
 * - Group key = the group-by values (after aliases). A match lacking any group-by field (or
 *   with null) takes no part, like a `by` clause in SQL/SPL drops rows with null keys.
 *   "5" and 5 are the same value. No group-by: the whole stream is one group.
 * - "Trigger" conditions (only gt/gte on event_count, value_count, value_sum, temporal types
 *   without `not`) use a sliding window ending at each match and fire as soon as they hold.
 *   Other conditions (upper bounds, eq/neq, value_avg/percentile/median, `not`) are checked
 *   once on the window opened by the group's first match, when it closes (T after its start).
 *   Such windows do not slide: a `not c` only looks inside the window the first match opened,
 *   so a c in the previous window, less than T before, does not veto the next one.
 * - Re-firing: after a group fires, its window is emptied; the next firing needs matches that
 *   come after it. So a trigger rule "gte 3" over 7 quick matches fires at the 3rd and 6th.
 * - The same event matched by two referenced rules counts once for event_count/value_*
 *   (temporal types count rules, so there it counts for each rule).
 * - Processing order is event time, then the event's origin (file, record), then its identity:
 *   a property of the events, not of their arrival, so any interleaving within the tolerance
 *   gives the same result.
 * - temporal_ordered: every step must come from a strictly later event than the step before
 *   (in processing order).
 * - Chains: a correlation's detections feed the correlations that reference it, with the
 *   inner detection's time, its `event` fields (group-by values + aggregate) and its evidence.
 * - Output: a Detection of kind 'correlation' with the correlation's RuleInfo, the time, host
 *   and origin of the match that completed it, `members` = the ids of the detections in the
 *   window (its id is a hash of the correlation and them), `event` = aggregate (count, value_count, sum,
 *   avg, percentile + percentile_rank, median; temporal: count of rules + `rules` list) plus
 *   the group-by values (which win on a name clash), and `evidence` = every event in the
 *   group's window when it fired (chained: the inner evidence), de-duplicated, in window order.
 * - Correlations referenced by another correlation without `generate: true` feed it but do not
 *   report on their own; `suppressedRuleIds` lists the base rules the caller should silence.
 * - State expires with the window; at most `maxGroups` groups per correlation are open; past
 *   that the least recently used group is dropped and a warning problem is reported. Memory is
 *   proportional to the matches inside open windows (they are the evidence).
 * - `tick(t)` advances event time without a match, so a quiet stream still closes windows.
 * - `snapshot()` / `restore()`: the whole state as plain JSON, so a restarted service or a worker
 *   taking over a partition continues an open sequence exactly where it stood.
 */
import type { Detection, RuleInfo } from '../event/detection.js';
import type { Event } from '../event/event.js';
import { detectionId, eventKey } from '../event/identity.js';
import type { ProblemSink } from '../errors.js';
import type { ResolvedCorrelation } from '../sigma/correlations.js';
import { Correlator, type CorrelatorSnapshot, correlationFields } from './correlate-correlator.js';

export interface CorrelationOptions {
  /** How far (ms) a match may arrive behind the newest event and still count. Default 60 000. */
  outOfOrderToleranceMs?: number;
  /** Open groups per correlation before the oldest is dropped. Default 1 000 000. */
  maxGroups?: number;
  /**
   * Matches waiting in the reorder buffers before the oldest are processed anyway (a memory
   * budget for huge inputs with a large tolerance). Past it, order is kept among what is
   * buffered and anything older than what was processed counts as late. Default 1 000 000.
   */
  maxBuffered?: number;
  /** Warnings (group cap reached, late events). */
  problems?: ProblemSink;
}

export const DEFAULT_OUT_OF_ORDER_TOLERANCE_MS = 60_000;
export const DEFAULT_MAX_GROUPS = 1_000_000;
export const DEFAULT_MAX_BUFFERED = 1_000_000;

function iso(ts: number): string | undefined {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export interface CorrelationStats {
  /** Open groups over all correlations. */
  groups: number;
  /** Matches waiting in reorder buffers. */
  buffered: number;
  /** Matches left out because they arrived later than the tolerance allows. */
  late: number;
  /** Group states dropped because of maxGroups. */
  evicted: number;
  /** Matches processed before their time because the reorder buffers were full (maxBuffered). */
  shed: number;
}

/** The engine's state as plain JSON. */
export interface CorrelationSnapshot {
  version: 1;
  now: number | null;
  floor?: number | null;
  shed?: number;
  late: number;
  lastLateKey: string | null;
  firstLate: { file: string; record: number } | null;
  correlators: CorrelatorSnapshot[];
}

/** What the engine needs of a base detection. */
export type CorrelationInput = Pick<Detection, 'id' | 'timestamp' | 'host' | 'origin' | 'event'> & { rule: Pick<RuleInfo, 'id'> };

export class CorrelationEngine {
  /** Base rules referenced by some correlation. */
  readonly referencedRuleIds: ReadonlySet<string>;
  /**
   * Base rules whose own detections the caller should drop: referenced only by correlations
   * without `generate: true` (spec default). One `generate: true` reference keeps them.
   */
  readonly suppressedRuleIds: ReadonlySet<string>;
  private readonly correlators: Correlator[] = [];
  private readonly subs = new Map<string, { c: Correlator; ref: number }[]>();
  private readonly tolerance: number;
  private readonly maxBuffered: number;
  /** Matches forced out of the reorder buffers by the budget reached this time: older ones are late. */
  private floor = Number.NEGATIVE_INFINITY;
  private shed = 0;
  private readonly problems: ProblemSink | undefined;
  private now = Number.NEGATIVE_INFINITY;
  private lastLateKey: string | null = null;
  private late = 0;
  private firstLate: { file: string; record: number } | null = null;

  constructor(correlations: readonly ResolvedCorrelation[], opts: CorrelationOptions = {}) {
    this.tolerance = Math.max(0, opts.outOfOrderToleranceMs ?? DEFAULT_OUT_OF_ORDER_TOLERANCE_MS);
    this.maxBuffered = Math.max(1, opts.maxBuffered ?? DEFAULT_MAX_BUFFERED);
    this.problems = opts.problems;
    const maxGroups = Math.max(1, opts.maxGroups ?? DEFAULT_MAX_GROUPS);
    const byId = new Map<string, Correlator>();
    for (const rc of correlations) byId.set(rc.rule.info.id, new Correlator(rc, maxGroups, this.problems));

    // Dependency order, so an inner correlation's firings reach the outer one in the same step.
    const done = new Set<Correlator>();
    const visit = (c: Correlator, depth: number): void => {
      if (done.has(c) || depth > byId.size) return;
      for (const r of c.corr.refs) {
        const p = r.kind === 'correlation' ? byId.get(r.id) : undefined;
        if (p) visit(p, depth + 1);
      }
      done.add(c);
      this.correlators.push(c);
    };
    for (const c of byId.values()) visit(c, 0);

    const referenced = new Set<string>();
    const generated = new Set<string>();
    for (const c of this.correlators) {
      c.corr.refs.forEach((r, ref) => {
        referenced.add(r.id);
        if (c.corr.rule.generate) generated.add(r.id);
        if (r.kind === 'rule') {
          const l = this.subs.get(r.id);
          if (l) l.push({ c, ref });
          else this.subs.set(r.id, [{ c, ref }]);
        } else {
          const p = byId.get(r.id);
          if (p) p.consumers.push({ c, ref });
          else
            this.problems?.report({
              kind: 'rule',
              file: c.corr.rule.file,
              line: c.corr.rule.line,
              message: `correlation '${c.corr.rule.info.title}': referenced correlation ${r.id} was not loaded; that step never matches`,
            });
        }
      });
    }
    for (const c of this.correlators) {
      // A window-mode inner correlation reports up to T after its window opened; outer
      // correlations wait that much longer so chained firings are never "late".
      let a = this.tolerance;
      for (const r of c.corr.refs) {
        const p = r.kind === 'correlation' ? byId.get(r.id) : undefined;
        if (p) a = Math.max(a, p.allowance + (p.ev.mode === 'window' ? p.T : 0));
      }
      c.allowance = a;
      if (referenced.has(c.corr.rule.info.id) && !generated.has(c.corr.rule.info.id)) c.emit = false;
    }
    this.referencedRuleIds = new Set([...this.subs.keys()]);
    this.suppressedRuleIds = new Set([...this.subs.keys()].filter((id) => !generated.has(id)));
  }

  /**
   * How much longer than the tolerance a correlation can take to report a detection about
   * an event: chained correlations wait for their inner ones, and window-mode correlations
   * judge a window only when it closes, up to its timespan after its first match.
   */
  get extraDelayMs(): number {
    if (!Number.isFinite(this.tolerance)) return 0;
    let d = 0;
    for (const c of this.correlators) if (c.emit) d = Math.max(d, c.allowance - this.tolerance + (c.ev.mode === 'window' ? c.T : 0));
    return d;
  }

  /** Feeds one base-rule detection; returns correlation detections that became due. */
  push(d: CorrelationInput): Detection[] {
    const subs = this.subs.get(d.rule.id);
    if (!subs) return [];
    const ekey = eventKey({ fields: d.event, host: d.host, origin: d.origin });
    let ts = d.timestamp;
    if (ts === undefined || !Number.isFinite(ts)) ts = Number.isFinite(this.now) ? this.now : 0;
    if (ts < this.now - this.tolerance || ts < this.floor) {
      if (this.lastLateKey !== ekey) {
        this.lastLateKey = ekey;
        this.late++;
        if (this.late === 1) {
          this.firstLate = { file: d.origin.file, record: d.origin.record };
          this.problems?.report({
            kind: 'input',
            file: d.origin.file,
            record: d.origin.record,
            message: `correlation: event at ${iso(ts) ?? ts} arrived after events up to ${iso(this.now) ?? this.now}, more than the out-of-order tolerance (${this.tolerance} ms); it is left out of correlations (raise the tolerance, or use Infinity for batch input)`,
          });
        }
      }
      return [];
    }
    const fields = correlationFields(d);
    for (const { c, ref } of subs) {
      const it = c.makeItem(fields, ref, ts, d.origin, null, d.host, false, d.id, ekey);
      if (it) c.accept(it);
    }
    if (ts > this.now) this.now = ts;
    const out = this.advance();
    this.budget(out);
    return out;
  }

  /** Past the buffer budget, the oldest buffered matches are processed now (in order among themselves). */
  private budget(out: Detection[]): void {
    let total = 0;
    for (const c of this.correlators) total += c.buffered;
    if (total <= this.maxBuffered) return;
    const target = Math.floor(this.maxBuffered * 0.9);
    if (this.shed === 0) {
      this.problems?.report({
        kind: 'rule',
        file: '(correlations)',
        message: `correlation: more than ${this.maxBuffered} matches wait for event-time order; the oldest are processed now, and a match older than those arriving later is left out (late). Inputs in time order lose nothing; raise --max-buffered or lower the tolerance`,
      });
    }
    while (total > target) {
      let oldest: (typeof this.correlators)[number] | undefined;
      let ts = Number.POSITIVE_INFINITY;
      for (const c of this.correlators) {
        const t = c.oldest();
        if (t !== undefined && t < ts) {
          ts = t;
          oldest = c;
        }
      }
      if (!oldest) break;
      oldest.processOldest(out);
      if (ts > this.floor) this.floor = ts;
      this.shed++;
      total--;
    }
  }

  /**
   * Feeds a match given as the rule id and the event (tests, benches, callers without
   * detections): the detection's id is derived from the rule and the event as everywhere.
   */
  pushEvent(ruleId: string, ev: Event): Detection[] {
    const d: CorrelationInput = { id: detectionId(ruleId, eventKey(ev)), rule: { id: ruleId }, origin: ev.origin, event: ev.fields };
    if (ev.timestamp !== undefined) d.timestamp = ev.timestamp;
    if (ev.host !== undefined) d.host = ev.host;
    return this.push(d);
  }

  /**
   * Moves event time forward without a match (e.g. the time of any event read, or the wall
   * clock when a stream is idle), so windows that ended are judged without waiting for the
   * next match. Times in the past are ignored.
   */
  tick(timestampMs: number): Detection[] {
    if (!Number.isFinite(timestampMs) || timestampMs <= this.now) return [];
    this.now = timestampMs;
    return this.advance();
  }

  private advance(): Detection[] {
    const out: Detection[] = [];
    for (const c of this.correlators) c.advance(this.now - c.allowance, out);
    return out;
  }

  /** End of input: processes everything buffered and judges every open window. */
  flush(): Detection[] {
    const out: Detection[] = [];
    for (const c of this.correlators) c.advance(Number.POSITIVE_INFINITY, out);
    if (this.late > 1 && this.firstLate) {
      this.problems?.report({
        kind: 'input',
        file: this.firstLate.file,
        record: this.firstLate.record,
        message: `correlation: ${this.late} events in all arrived too late for the out-of-order tolerance (${this.tolerance} ms) and were left out of correlations`,
      });
    }
    for (const c of this.correlators) {
      if (c.evicted > 1) {
        const r = c.corr.rule;
        this.problems?.report({ kind: 'rule', file: r.file, line: r.line, message: `correlation '${r.info.title}': ${c.evicted} group states were dropped in all (maxGroups)` });
      }
    }
    return out;
  }

  stats(): CorrelationStats {
    let groups = 0;
    let buffered = 0;
    let evicted = 0;
    for (const c of this.correlators) {
      groups += c.groups.size;
      buffered += c.buffered;
      evicted += c.evicted;
    }
    return { groups, buffered, late: this.late, evicted, shed: this.shed };
  }

  snapshot(): CorrelationSnapshot {
    return {
      version: 1,
      now: Number.isFinite(this.now) ? this.now : null,
      floor: Number.isFinite(this.floor) ? this.floor : null,
      shed: this.shed,
      late: this.late,
      lastLateKey: this.lastLateKey,
      firstLate: this.firstLate,
      correlators: this.correlators.map((c) => c.snapshot()),
    };
  }

  /** Loads a snapshot taken from an engine built from the same correlations. */
  restore(s: CorrelationSnapshot): void {
    if (s.version !== 1) throw new Error(`correlation state version ${String(s.version)} is not supported`);
    this.now = s.now ?? Number.NEGATIVE_INFINITY;
    this.floor = s.floor ?? Number.NEGATIVE_INFINITY;
    this.shed = s.shed ?? 0;
    this.late = s.late;
    this.lastLateKey = s.lastLateKey;
    this.firstLate = s.firstLate;
    const byId = new Map(s.correlators.map((c) => [c.id, c]));
    for (const c of this.correlators) {
      const cs = byId.get(c.corr.rule.info.id);
      if (cs) c.restore(cs);
    }
  }
}
