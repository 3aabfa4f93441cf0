/**
 * One correlation rule's streaming state: the reorder buffer of its matches, the open groups
 * and their windows, and the marks that expire them. See correlate.ts for the semantics.
 */
import type { Detection } from '../event/detection.js';
import type { EventOrigin, FieldValue, Fields } from '../event/event.js';
import { hostKey } from '../event/host.js';
import { correlationId, originKey } from '../event/identity.js';
import type { ProblemSink } from '../errors.js';
import type { ResolvedCorrelation } from '../sigma/correlations.js';
import { ItemHeap } from './correlate-heap.js';
import { ChainDP, type ChainState, type CorrItem, Evaluator, type GroupState, ItemQueue } from './correlate-window.js';

/** Exact field name first, then a case-insensitive match (Sigma field names are not case-sensitive in practice). */
function getField(fields: Fields, name: string): FieldValue | undefined {
  // Own fields only: an event without `toString` must not group by Object.prototype.toString.
  if (Object.hasOwn(fields, name)) return fields[name];
  const lower = name.toLowerCase();
  for (const k in fields) if (Object.hasOwn(fields, k) && k.toLowerCase() === lower) return fields[k];
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
  *entries(): IterableIterator<[GroupState, number]> {
    for (let i = this.head; i < this.g.length; i++) yield [this.g[i]!, this.t[i]!];
  }
}

/** A group as plain JSON. */
export interface GroupSnapshot {
  key: string;
  groupValues: Fields;
  items: CorrItem[];
  start: number;
  lastTs: number;
  distinct: [string, number][] | null;
  sum: number;
  perRule: number[] | null;
  chains: ChainState | null;
}

/** A correlator as plain JSON. */
export interface CorrelatorSnapshot {
  id: string;
  heap: CorrItem[];
  arrivals: number;
  groups: GroupSnapshot[];
  /** Live marks only, in order: [group key, time]. */
  marks: [string, number][];
  lastKey: string | null;
  evicted: number;
  procSeq: number;
  procKey: string | null;
}

export class Correlator {
  readonly ev: Evaluator;
  readonly T: number;
  allowance = 0;
  emit = true;
  readonly consumers: { c: Correlator; ref: number }[] = [];
  private readonly heap = new ItemHeap();
  readonly groups = new Map<string, GroupState>();
  /** Trigger mode: one mark per processed item (its group's last use). Window mode: one per window opened. */
  private marks = new Marks();
  /** Event key of the last accepted base item: one event matched by several rules counts once. */
  private lastKey: string | null = null;
  /** Processing-order event counter and the event it was last bumped for. */
  private procSeq = 0;
  private procKey: string | null = null;
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
  makeItem(
    fields: Fields,
    ref: number,
    ts: number,
    origin: EventOrigin,
    evidence: EventOrigin[] | null,
    host: string | undefined,
    chained: boolean,
    id: string,
    ekey: string,
  ): CorrItem | null {
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
    return { ts, seq: 0, ekey, id, ref, key, groupValues, value, origin, evidence, host, chained, arrival: 0 };
  }

  accept(it: CorrItem): void {
    const t = this.corr.rule.type;
    if (!it.chained && t !== 'temporal' && t !== 'temporal_ordered') {
      // One event matched by several referenced rules is still one event.
      if (it.ekey === this.lastKey) return;
      this.lastKey = it.ekey;
    }
    this.heap.push(it);
  }

  /** Time of the oldest buffered item, if any. */
  oldest(): number | undefined {
    return this.heap.peek()?.ts;
  }

  /** Processes the oldest buffered item now (the buffer budget is exhausted). */
  processOldest(out: Detection[]): void {
    const top = this.heap.pop();
    if (top) this.process(top, out);
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
    if (it.ekey !== this.procKey) {
      this.procSeq++;
      this.procKey = it.ekey;
    }
    it.seq = this.procSeq;
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
          message: `correlation '${r.info.title}': more than ${this.maxGroups} groups open at once; dropping the oldest group state, so matches that span it can be missed (raise --max-groups or shorten the timespan)`,
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
    const members: string[] = [];
    const memberSeen = new Set<string>();
    for (const it of g.items) {
      if (!memberSeen.has(it.id)) {
        memberSeen.add(it.id);
        members.push(it.id);
      }
      for (const o of it.evidence ?? [it.origin]) {
        const k = originKey(o);
        if (seen.has(k)) continue;
        seen.add(k);
        evidence.push(o);
      }
    }
    const fields: Fields = { ...agg, ...g.groupValues };
    const info = this.corr.rule.info;
    const det: Detection = {
      id: correlationId(info.id, members),
      kind: 'correlation',
      rule: info,
      timestamp: last.ts,
      origin: last.origin,
      logsource: {},
      event: fields,
      members,
      evidence,
    };
    if (last.host !== undefined) {
      det.host = last.host;
      det.hostKey = hostKey(last.host);
    }
    if (this.emit) out.push(det);
    for (const { c, ref } of this.consumers) {
      const item = c.makeItem(fields, ref, last.ts, last.origin, evidence, last.host, true, det.id, last.ekey);
      if (item) c.accept(item);
    }
  }

  snapshot(): CorrelatorSnapshot {
    const groups: GroupSnapshot[] = [];
    for (const g of this.groups.values()) {
      groups.push({
        key: g.key,
        groupValues: g.groupValues,
        items: [...g.items],
        start: g.start,
        lastTs: g.lastTs,
        distinct: g.distinct ? [...g.distinct] : null,
        sum: g.sum,
        perRule: g.perRule ? [...g.perRule] : null,
        chains: g.chains ? g.chains.snapshot() : null,
      });
    }
    const marks: [string, number][] = [];
    for (const [g, t] of this.marks.entries()) if (this.live(g, t) && this.groups.get(g.key) === g) marks.push([g.key, t]);
    return {
      id: this.corr.rule.info.id,
      heap: [...this.heap.items()],
      arrivals: this.heap.arrivalCount,
      groups,
      marks,
      lastKey: this.lastKey,
      evicted: this.evicted,
      procSeq: this.procSeq,
      procKey: this.procKey,
    };
  }

  restore(s: CorrelatorSnapshot): void {
    this.heap.load(
      s.heap.map((it) => ({ ...it })),
      s.arrivals,
    );
    this.groups.clear();
    for (const gs of s.groups) {
      const g = this.ev.newGroup(gs.key, gs.groupValues, gs.start);
      g.lastTs = gs.lastTs;
      g.items = new ItemQueue();
      for (const it of gs.items) g.items.push({ ...it });
      g.distinct = gs.distinct ? new Map(gs.distinct) : null;
      g.sum = gs.sum;
      g.perRule = gs.perRule ? [...gs.perRule] : null;
      g.chains = gs.chains ? ChainDP.restore(this.ev.n, gs.chains) : null;
      this.groups.set(g.key, g);
    }
    this.marks = new Marks();
    for (const [key, t] of s.marks) {
      const g = this.groups.get(key);
      if (g) this.marks.push(g, t);
    }
    this.lastKey = s.lastKey;
    this.evicted = s.evicted;
    this.procSeq = s.procSeq;
    this.procKey = s.procKey;
  }
}

/** The fields a correlation groups on: the detection's event, plus `host` as its key when the format has none. */
export function correlationFields(d: Pick<Detection, 'event' | 'host'>): Fields {
  return d.host !== undefined && d.event.host === undefined ? { ...d.event, host: hostKey(d.host) } : d.event;
}
