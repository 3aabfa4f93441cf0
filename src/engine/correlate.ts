/**
 * Streaming evaluation of Sigma correlation rules.
 *
 * The lead calls `push(ruleId, event)` for every base-rule match and `flush()` at the end of
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
 * - temporal_ordered: every step must come from a strictly later event than the step before
 *   (event time, then arrival order for equal times).
 * - Chains: a correlation's detections feed the correlations that reference it, with the
 *   inner detection's time, its `event` fields (group-by values + aggregate) and its evidence.
 * - Output: a Detection of kind 'correlation' with the correlation's RuleInfo, the time, host
 *   and source of the match that completed it, `event` = aggregate (count, value_count, sum,
 *   avg, percentile + percentile_rank, median; temporal: count of rules + `rules` list) plus
 *   the group-by values (which win on a name clash), and `evidence` = every event in the
 *   group's window when it fired (chained: the inner evidence), de-duplicated, in window order.
 * - Correlations referenced by another correlation without `generate: true` feed it but do not
 *   report on their own; `suppressedRuleIds` lists the base rules the caller should silence.
 * - State expires with the window; at most `maxGroups` groups per correlation are open; past
 *   that the least recently used group is dropped and a warning problem is reported. Memory is
 *   proportional to the matches inside open windows (they are the evidence).
 * - `tick(t)` advances event time without a match, so a quiet stream still closes windows.
 */
import type { Event, EventOrigin, FieldValue, Fields } from '../event/event.js';
import type { ProblemSink } from '../errors.js';
import type { Detection } from '../event/detection.js';
import type { ResolvedCorrelation } from '../sigma/correlations.js';
import { ItemHeap } from './correlate-heap.js';
import { Evaluator, type CorrItem, type GroupState } from './correlate-window.js';

export interface CorrelationOptions {
  /** How far (ms) a match may arrive behind the newest event and still count. Default 60 000. */
  outOfOrderToleranceMs?: number;
  /** Open groups per correlation before the oldest is dropped. Default 1 000 000. */
  maxGroups?: number;
  /** Warnings (group cap reached, late events). */
  problems?: ProblemSink;
}

export const DEFAULT_OUT_OF_ORDER_TOLERANCE_MS = 60_000;
export const DEFAULT_MAX_GROUPS = 1_000_000;

/** Exact field name first, then a case-insensitive match (Sigma field names are not case-sensitive in practice). */
function getField(fields: Fields, name: string): FieldValue | undefined {
  const v = fields[name];
  if (v !== undefined) return v;
  const lower = name.toLowerCase();
  for (const k in fields) if (k.toLowerCase() === lower) return fields[k];
  return undefined;
}

function keyPart(v: FieldValue): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return JSON.stringify(v);
  return String(v);
}

function toNumber(v: FieldValue | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function iso(ts: number): string | undefined {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function originKey(o: EventOrigin): string {
  return `${o.file}\u0000${o.record}\u0000${o.offset ?? ''}`;
}

/**
 * FIFO of (group, time) marks in processing order, so the oldest marks are at the front.
 * Expiry and eviction pop from it instead of iterating the group map in insertion order:
 * V8 leaves holes at the front of a Map whose oldest entries are deleted, and walking them
 * on every event turns quadratic.
 */
class Marks {
  private g: GroupState[] = [];
  private t: number[] = [];
  private head = 0;
  push(g: GroupState, t: number): void {
    this.g.push(g);
    this.t.push(t);
  }
  get size(): number {
    return this.g.length - this.head;
  }
  peekGroup(): GroupState | undefined {
    return this.g[this.head];
  }
  peekTime(): number {
    return this.t[this.head]!;
  }
  shift(): void {
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.g.length) {
      this.g = this.g.slice(this.head);
      this.t = this.t.slice(this.head);
      this.head = 0;
    }
  }
}

class Correlator {
  readonly ev: Evaluator;
  readonly T: number;
  allowance = 0;
  emit = true;
  readonly consumers: { c: Correlator; ref: number }[] = [];
  private readonly heap = new ItemHeap();
  readonly groups = new Map<string, GroupState>();
  /** Trigger mode: one mark per processed item (its group's last use). Window mode: one per window opened. */
  private readonly marks = new Marks();
  private lastSeq = -1;
  evicted = 0;

  constructor(
    readonly corr: ResolvedCorrelation,
    private readonly maxGroups: number,
    private readonly problems: ProblemSink | undefined,
  ) {
    this.ev = new Evaluator(corr);
    this.T = corr.rule.timespanMs;
  }

  get buffered(): number {
    return this.heap.size;
  }

  /** Builds this correlation's view of a match, or null when it lacks a group-by/value field. */
  makeItem(fields: Fields, ref: number, ts: number, seq: number, origin: EventOrigin, evidence: EventOrigin[] | null, host: string | undefined, chained: boolean): CorrItem | null {
    const r = this.corr.refs[ref]!;
    const groupValues: FieldValue[] = [];
    let key = '';
    for (let i = 0; i < r.groupFields.length; i++) {
      const v = getField(fields, r.groupFields[i]!);
      if (v === undefined || v === null) return null;
      groupValues.push(v);
      key = i === 0 ? keyPart(v) : `${key}\u001f${keyPart(v)}`;
    }
    let value: string | number | null = null;
    const type = this.corr.rule.type;
    if (type === 'value_count') {
      const parts: string[] = [];
      for (const f of r.valueFields) {
        const v = getField(fields, f);
        if (v === undefined || v === null) return null;
        parts.push(keyPart(v));
      }
      value = parts.join('\u001f');
    } else if (r.valueFields.length > 0) {
      value = toNumber(getField(fields, r.valueFields[0]!));
      if (value === null) return null;
    }
    return { ts, seq, ref, key, groupValues, value, origin, evidence, host, chained, arrival: 0 };
  }

  accept(it: CorrItem): void {
    const t = this.corr.rule.type;
    if (!it.chained && t !== 'temporal' && t !== 'temporal_ordered') {
      // One event matched by several referenced rules is still one event.
      if (it.seq === this.lastSeq) return;
      this.lastSeq = it.seq;
    }
    this.heap.push(it);
  }

  /** Processes every buffered item up to `horizon`, then closes/expires what `horizon` passed. */
  advance(horizon: number, out: Detection[]): void {
    for (let top = this.heap.peek(); top && top.ts <= horizon; top = this.heap.peek()) {
      this.heap.pop();
      this.process(top, out);
    }
    this.sweep(horizon, out);
  }

  private process(it: CorrItem, out: Detection[]): void {
    this.sweep(it.ts, out);
    let g = this.groups.get(it.key);
    if (this.ev.mode === 'trigger') {
      if (g) this.ev.evictBefore(g, it.ts - this.T);
      else g = this.open(it);
      this.ev.add(g, it);
      this.marks.push(g, it.ts);
      const agg = this.ev.evaluate(g);
      if (agg) {
        this.drop(g);
        this.fire(g, agg, out);
      }
    } else {
      if (!g) g = this.open(it);
      this.ev.add(g, it);
    }
    it.groupValues = null;
  }

  private open(it: CorrItem): GroupState {
    if (this.groups.size >= this.maxGroups) {
      this.evictOldest();
      this.evicted++;
      if (this.evicted === 1) {
        const r = this.corr.rule;
        this.problems?.report({
          kind: 'rule',
          file: r.file,
          line: r.line,
          message: `correlation '${r.info.title}': more than ${this.maxGroups} groups open at once; dropping the oldest group state, so matches that span it can be missed (raise maxGroups or shorten the timespan)`,
        });
      }
    }
    const values: Fields = {};
    const names = this.corr.rule.groupBy;
    for (let i = 0; i < names.length; i++) values[names[i]!] = it.groupValues![i]!;
    const g = this.ev.newGroup(it.key, values, it.ts);
    this.groups.set(it.key, g);
    if (this.ev.mode === 'window') this.marks.push(g, it.ts);
    return g;
  }

  private drop(g: GroupState): void {
    this.groups.delete(g.key);
    g.closed = true;
  }

  /** Is this mark the current state of its group (not replaced, closed or touched since)? */
  private live(g: GroupState, t: number): boolean {
    return !g.closed && (this.ev.mode === 'window' || g.lastTs === t);
  }

  /** Drops the least recently used group (trigger mode) or the oldest window (window mode). */
  private evictOldest(): void {
    while (this.marks.size > 0) {
      const g = this.marks.peekGroup()!;
      const t = this.marks.peekTime();
      this.marks.shift();
      if (this.live(g, t)) {
        this.drop(g);
        return;
      }
    }
  }

  /** Time `x` has been reached: expire sliding groups, close and judge windows that ended. */
  private sweep(x: number, out: Detection[]): void {
    const trigger = this.ev.mode === 'trigger';
    while (this.marks.size > 0) {
      const g = this.marks.peekGroup()!;
      const t = this.marks.peekTime();
      // Trigger mode: a group whose last match is older than x - T can never count again.
      // Window mode: a window that started before x - T has ended.
      if (!(t + this.T < x)) break;
      this.marks.shift();
      if (!this.live(g, t)) continue;
      this.drop(g);
      if (!trigger) {
        const agg = this.ev.evaluate(g);
        if (agg) this.fire(g, agg, out);
      }
    }
  }

  private fire(g: GroupState, agg: Fields, out: Detection[]): void {
    const last = g.items.last()!;
    const seen = new Set<string>();
    const evidence: EventOrigin[] = [];
    for (const it of g.items) {
      for (const o of it.evidence ?? [it.origin]) {
        const k = originKey(o);
        if (seen.has(k)) continue;
        seen.add(k);
        evidence.push(o);
      }
    }
    const fields: Fields = { ...agg, ...g.groupValues };
    const det: Detection = {
      kind: 'correlation',
      rule: this.corr.rule.info,
      source: { file: last.origin.file, record: last.origin.record, format: last.origin.format },
      event: fields,
      evidence,
    };
    const timestamp = iso(last.ts);
    if (timestamp !== undefined) det.timestamp = timestamp;
    if (last.host !== undefined) det.host = last.host;
    if (this.emit) out.push(det);
    for (const { c, ref } of this.consumers) {
      const item = c.makeItem(fields, ref, last.ts, last.seq, last.origin, evidence, last.host, true);
      if (item) c.accept(item);
    }
  }
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
}

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
  private readonly problems: ProblemSink | undefined;
  private now = -Infinity;
  private seq = 0;
  private lastEvent: Event | null = null;
  private lastLateSeq = -1;
  private late = 0;
  private firstLate: { file: string; record: number } | null = null;

  constructor(correlations: readonly ResolvedCorrelation[], opts: CorrelationOptions = {}) {
    this.tolerance = Math.max(0, opts.outOfOrderToleranceMs ?? DEFAULT_OUT_OF_ORDER_TOLERANCE_MS);
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

  /** Feeds one base-rule match; returns correlation detections that became due. */
  push(ruleId: string, event: Event): Detection[] {
    const subs = this.subs.get(ruleId);
    if (!subs) return [];
    if (event !== this.lastEvent) {
      this.seq++;
      this.lastEvent = event;
    }
    let ts = event.timestamp;
    if (ts === undefined || !Number.isFinite(ts)) ts = Number.isFinite(this.now) ? this.now : 0;
    if (ts < this.now - this.tolerance) {
      if (this.lastLateSeq !== this.seq) {
        this.lastLateSeq = this.seq;
        this.late++;
        if (this.late === 1) {
          this.firstLate = { file: event.origin.file, record: event.origin.record };
          this.problems?.report({
            kind: 'input',
            file: event.origin.file,
            record: event.origin.record,
            message: `correlation: event at ${iso(ts) ?? ts} arrived after events up to ${iso(this.now) ?? this.now}, more than the out-of-order tolerance (${this.tolerance} ms); it is left out of correlations (raise the tolerance, or use Infinity for batch input)`,
          });
        }
      }
      return [];
    }
    for (const { c, ref } of subs) {
      const it = c.makeItem(event.fields, ref, ts, this.seq, event.origin, null, event.host, false);
      if (it) c.accept(it);
    }
    if (ts > this.now) this.now = ts;
    return this.advance();
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
    for (const c of this.correlators) c.advance(Infinity, out);
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
    return { groups, buffered, late: this.late, evicted };
  }
}
