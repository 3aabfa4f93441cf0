/**
 * Per-group state of one correlation: the items (rule matches) inside the group's window,
 * kept in event-time order, and the aggregate the correlation type needs. The evaluator knows
 * how to add/remove an item and whether the window's contents satisfy the condition.
 */
import type { EventOrigin, FieldValue, Fields } from '../event/event.js';
import type { ResolvedCorrelation } from '../sigma/correlations.js';
import { evalExpr, isMonotone, testBounds, type Bound, type RuleExpr } from '../sigma/correlation-condition.js';

/** One rule match (or chained correlation firing) as a correlation sees it. */
export interface CorrItem {
  /** Event time, epoch ms. */
  ts: number;
  /**
   * Per-event sequence number in processing order (assigned when the item leaves the reorder
   * buffer): the items of one event share it, so "a strictly later event" is a larger seq.
   */
  seq: number;
  /** Identity of the event (identity.ts): ties on `ts` are ordered by origin, then by it. */
  ekey: string;
  /** Id of the detection this item stands for (a base detection, or an inner correlation's). */
  id: string;
  /** Index of the matched rule in the correlation's `rules`. */
  ref: number;
  key: string;
  /** Group-by values, kept only until the item has been placed in its group. */
  groupValues: FieldValue[] | null;
  /** value_count: the distinct-value key; value_sum/avg/percentile/median: the number. */
  value: string | number | null;
  origin: EventOrigin;
  /** Chained items: every base event behind the inner correlation's firing. */
  evidence: EventOrigin[] | null;
  host: string | undefined;
  chained: boolean;
  /** Arrival number at the correlation, the last tie-breaker of the reorder buffer. */
  arrival: number;
}

/** A double-ended queue over an array; old items leave at the head. */
export class ItemQueue {
  private arr: CorrItem[] = [];
  private head = 0;
  get length(): number {
    return this.arr.length - this.head;
  }
  push(it: CorrItem): void {
    this.arr.push(it);
  }
  first(): CorrItem | undefined {
    return this.arr[this.head];
  }
  last(): CorrItem | undefined {
    return this.arr[this.arr.length - 1];
  }
  shift(): CorrItem | undefined {
    if (this.head >= this.arr.length) return undefined;
    const it = this.arr[this.head]!;
    this.head++;
    // Compact now and then so evicted items can be collected.
    if (this.head > 64 && this.head * 2 > this.arr.length) {
      this.arr = this.arr.slice(this.head);
      this.head = 0;
    }
    return it;
  }
  *[Symbol.iterator](): IterableIterator<CorrItem> {
    for (let i = this.head; i < this.arr.length; i++) yield this.arr[i]!;
  }
}

export interface GroupState {
  key: string;
  groupValues: Fields;
  items: ItemQueue;
  /** Window start (window mode) / newest item time (trigger mode). */
  start: number;
  lastTs: number;
  /** value_count: value -> how many items in the window carry it. */
  distinct: Map<string, number> | null;
  sum: number;
  /** temporal types: items per rule in the window. */
  perRule: number[] | null;
  /** temporal_ordered, trigger mode, threshold condition: incremental chain state. */
  chains: ChainDP | null;
  /** Set once the group left the map (fired, expired, closed or evicted). */
  closed: boolean;
}

/**
 * Incremental longest-ordered-chain state, so a noisy step rule does not make every match
 * re-scan the window. For each rule j and chain length L it keeps the LATEST start time of a
 * chain of L steps (in rules: order, from strictly successive events) ending with rule j; a
 * chain still fits the sliding window when its start does. Updates from one event are held
 * apart until the next event arrives, so one event never forms two steps.
 */
/** ChainDP as plain JSON (-Infinity as null). */
export interface ChainState {
  start: (number | null)[];
  chain: (number[] | null)[];
  pStart: (number | null)[];
  pChain: (number[] | null)[];
  pTouched: number[];
  pSeq: number;
}

export class ChainDP {
  private readonly start: Float64Array;
  private readonly chain: (number[] | null)[];
  private readonly pStart: Float64Array;
  private readonly pChain: (number[] | null)[];
  private pTouched: number[] = [];
  private pSeq = -1;
  constructor(private readonly n: number) {
    this.start = new Float64Array(n * n).fill(-Infinity);
    this.pStart = new Float64Array(n * n).fill(-Infinity);
    this.chain = new Array<number[] | null>(n * n).fill(null);
    this.pChain = new Array<number[] | null>(n * n).fill(null);
  }
  private commit(): void {
    for (const i of this.pTouched) {
      if (this.pStart[i]! > this.start[i]!) {
        this.start[i] = this.pStart[i]!;
        this.chain[i] = this.pChain[i]!;
      }
      this.pStart[i] = -Infinity;
      this.pChain[i] = null;
    }
    this.pTouched = [];
  }
  private update(idx: number, start: number, chain: number[]): void {
    if (start > this.pStart[idx]!) {
      if (this.pStart[idx] === -Infinity) this.pTouched.push(idx);
      this.pStart[idx] = start;
      this.pChain[idx] = chain;
    }
  }
  add(it: CorrItem): void {
    if (it.seq !== this.pSeq) {
      this.commit();
      this.pSeq = it.seq;
    }
    const n = this.n;
    const j = it.ref;
    this.update(j * n, it.ts, [j]);
    for (let L = 2; L <= j + 1; L++) {
      let best = -Infinity;
      let bestChain: number[] | null = null;
      for (let i = 0; i < j; i++) {
        const s = this.start[i * n + L - 2]!;
        if (s > best) {
          best = s;
          bestChain = this.chain[i * n + L - 2]!;
        }
      }
      if (bestChain) this.update(j * n + L - 1, best, [...bestChain, j]);
    }
  }
  snapshot(): ChainState {
    const enc = (a: Float64Array): (number | null)[] => Array.from(a, (x) => (Number.isFinite(x) ? x : null));
    return { start: enc(this.start), chain: [...this.chain], pStart: enc(this.pStart), pChain: [...this.pChain], pTouched: [...this.pTouched], pSeq: this.pSeq };
  }

  static restore(n: number, st: ChainState): ChainDP {
    const c = new ChainDP(n);
    const dec = (to: Float64Array, from: (number | null)[]): void => {
      for (let i = 0; i < to.length; i++) to[i] = from[i] ?? Number.NEGATIVE_INFINITY;
    };
    dec(c.start, st.start);
    dec(c.pStart, st.pStart);
    for (let i = 0; i < c.chain.length; i++) {
      c.chain[i] = st.chain[i] ?? null;
      c.pChain[i] = st.pChain[i] ?? null;
    }
    c.pTouched = [...st.pTouched];
    c.pSeq = st.pSeq;
    return c;
  }

  /** Longest chain (as rule indexes) whose first step is at or after minStart. */
  longest(minStart: number): number[] {
    const n = this.n;
    for (let L = n; L >= 1; L--) {
      for (let j = L - 1; j < n; j++) {
        const idx = j * n + L - 1;
        if (this.pStart[idx]! >= minStart && this.pStart[idx]! >= this.start[idx]!) return this.pChain[idx]!;
        if (this.start[idx]! >= minStart) return this.chain[idx]!;
      }
    }
    return [];
  }
}

/**
 * How a correlation decides. "Trigger" conditions only get truer as matches are added (lower
 * bounds on counts and sums, temporal conditions without `not`): they are checked on a sliding
 * window after every match and fire as soon as they hold. Everything else (upper bounds, eq/neq,
 * averages, percentiles, `not`) needs the complete window: it is checked once when the window,
 * opened by the group's first match, closes.
 */
export type Mode = 'trigger' | 'window';

export class Evaluator {
  readonly mode: Mode;
  readonly n: number;
  private readonly bounds: Bound[] | null;
  private readonly expr: RuleExpr | null;
  private readonly refNames: string[];
  /** temporal_ordered + monotone expression: minimal rule sets (bit masks) that satisfy it. */
  private readonly minimalMasks: number[] = [];

  constructor(readonly corr: ResolvedCorrelation) {
    const r = corr.rule;
    this.n = corr.refs.length;
    this.refNames = r.rules;
    this.bounds = r.condition.kind === 'threshold' ? r.condition.bounds : null;
    this.expr = r.condition.kind === 'expression' ? r.condition.expr : null;
    const lowerOnly = this.bounds?.every((b) => b.op === 'gt' || b.op === 'gte');
    const growing = r.type === 'event_count' || r.type === 'value_count' || r.type === 'value_sum' || r.type === 'temporal' || r.type === 'temporal_ordered';
    this.mode = growing && (this.expr ? isMonotone(this.expr) : lowerOnly) ? 'trigger' : 'window';
    if (this.expr && r.type === 'temporal_ordered' && this.mode === 'trigger') {
      const ok: number[] = [];
      for (let m = 1; m < 1 << this.n; m++) if (this.exprTrue(m, m)) ok.push(m);
      this.minimalMasks = ok.filter((m) => !ok.some((o) => o !== m && (o & m) === o));
    }
  }

  newGroup(key: string, groupValues: Fields, ts: number): GroupState {
    const t = this.corr.rule.type;
    return {
      key,
      groupValues,
      items: new ItemQueue(),
      start: ts,
      lastTs: ts,
      distinct: t === 'value_count' ? new Map() : null,
      sum: 0,
      perRule: t === 'temporal' || t === 'temporal_ordered' ? new Array<number>(this.n).fill(0) : null,
      chains: t === 'temporal_ordered' && this.mode === 'trigger' && !this.expr ? new ChainDP(this.n) : null,
      closed: false,
    };
  }

  add(g: GroupState, it: CorrItem): void {
    g.items.push(it);
    g.lastTs = it.ts;
    if (g.distinct) g.distinct.set(it.value as string, (g.distinct.get(it.value as string) ?? 0) + 1);
    else if (typeof it.value === 'number') g.sum += it.value;
    if (g.perRule) g.perRule[it.ref]!++;
    if (g.chains) g.chains.add(it);
  }

  /** Drops items older than `minTs` (sliding windows). */
  evictBefore(g: GroupState, minTs: number): void {
    for (let it = g.items.first(); it && it.ts < minTs; it = g.items.first()) {
      g.items.shift();
      if (g.distinct) {
        const c = (g.distinct.get(it.value as string) ?? 1) - 1;
        if (c === 0) g.distinct.delete(it.value as string);
        else g.distinct.set(it.value as string, c);
      } else if (typeof it.value === 'number') g.sum -= it.value;
      if (g.perRule) g.perRule[it.ref]!--;
    }
    // Repeated add/subtract drifts; an empty window has a sum of exactly zero.
    if (g.items.length === 0) g.sum = 0;
  }

  /** The aggregate fields the detection reports, or null when the condition does not hold. */
  evaluate(g: GroupState): Fields | null {
    const r = this.corr.rule;
    const count = g.items.length;
    if (count === 0) return null;
    switch (r.type) {
      case 'event_count':
        return this.bounds && testBounds(this.bounds, count) ? { count } : null;
      case 'value_count': {
        const v = g.distinct!.size;
        return this.bounds && testBounds(this.bounds, v) ? { value_count: v, count } : null;
      }
      case 'value_sum':
        return this.bounds && testBounds(this.bounds, g.sum) ? { sum: g.sum, count } : null;
      case 'value_avg': {
        const avg = g.sum / count;
        return this.bounds && testBounds(this.bounds, avg) ? { avg, count } : null;
      }
      case 'value_percentile':
      case 'value_median': {
        const values: number[] = [];
        for (const it of g.items) values.push(it.value as number);
        const p = percentile(values, r.percentile ?? 50);
        if (!this.bounds || !testBounds(this.bounds, p)) return null;
        return r.type === 'value_median' ? { median: p, count } : { percentile: p, percentile_rank: r.percentile ?? 50, count };
      }
      case 'temporal':
        return this.temporal(g);
      case 'temporal_ordered':
        return this.ordered(g);
    }
  }

  private presentMask(g: GroupState): number {
    let m = 0;
    for (let i = 0; i < this.n; i++) if (g.perRule![i]! > 0) m |= 1 << i;
    return m;
  }

  private names(mask: number): string[] {
    return this.refNames.filter((_, i) => (mask & (1 << i)) !== 0);
  }

  private exprTrue(chosen: number, seen: number): boolean {
    const idx = (ref: string): number => this.refNames.indexOf(ref);
    return evalExpr(
      this.expr!,
      (ref) => (chosen & (1 << idx(ref))) !== 0,
      (ref) => (seen & (1 << idx(ref))) !== 0,
    );
  }

  private temporal(g: GroupState): Fields | null {
    const present = this.presentMask(g);
    const distinct = popcount(present);
    const ok = this.expr ? this.exprTrue(present, present) : testBounds(this.bounds!, distinct);
    return ok ? { count: distinct, rules: this.names(present) } : null;
  }

  private ordered(g: GroupState): Fields | null {
    if (!this.expr) {
      const chain = g.chains ? g.chains.longest(g.lastTs - this.corr.rule.timespanMs) : longestChain(g.items, this.n);
      return testBounds(this.bounds!, chain.length) ? { count: chain.length, rules: chain.map((i) => this.refNames[i]!) } : null;
    }
    const present = this.presentMask(g);
    const candidates: number[] = [];
    if (this.mode === 'trigger') candidates.push(...this.minimalMasks.filter((m) => (m & present) === m));
    // With `not`, try every subset of what was seen: atoms under `not` look at all of it.
    else for (let m = present; m > 0; m = (m - 1) & present) if (this.exprTrue(m, present)) candidates.push(m);
    for (const m of candidates) {
      if (orderable(g.items, m, this.n)) return { count: popcount(m), rules: this.names(m) };
    }
    return null;
  }
}

function popcount(m: number): number {
  let c = 0;
  for (; m; m &= m - 1) c++;
  return c;
}

/**
 * Linear interpolation between the closest ranks (the common "type 7" definition, as NumPy
 * and most SIEMs compute it); the median is the 50th percentile.
 */
export function percentile(values: number[], p: number): number {
  const a = values.slice().sort((x, y) => x - y);
  if (a.length === 1) return a[0]!;
  const rank = (p / 100) * (a.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return a[lo]! + (a[hi]! - a[lo]!) * (rank - lo);
}

/** Items of one event share `seq`; a step must come from a strictly later event. */
function orderable(items: ItemQueue, mask: number, n: number): boolean {
  const need: number[] = [];
  for (let i = 0; i < n; i++) if (mask & (1 << i)) need.push(i);
  let pos = 0;
  let lastSeq = -1;
  for (const it of items) {
    if (pos === need.length) break;
    if (it.ref === need[pos] && it.seq > lastSeq) {
      lastSeq = it.seq;
      pos++;
    }
  }
  return pos === need.length;
}

/** Longest sequence of rules in `rules:` order matched by strictly successive events. */
function longestChain(items: ItemQueue, n: number): number[] {
  // best[j]: longest chain ending with rule j so far (as the list of rule indexes).
  const best: number[][] = Array.from({ length: n }, () => []);
  let batch: CorrItem[] = [];
  const flushBatch = (): void => {
    const updates: [number, number[]][] = [];
    for (const it of batch) {
      let prev: number[] = [];
      for (let i = 0; i < it.ref; i++) if (best[i]!.length > prev.length) prev = best[i]!;
      if (prev.length + 1 > best[it.ref]!.length) updates.push([it.ref, [...prev, it.ref]]);
    }
    for (const [j, chain] of updates) if (chain.length > best[j]!.length) best[j] = chain;
    batch = [];
  };
  for (const it of items) {
    if (batch.length && batch[0]!.seq !== it.seq) flushBatch();
    batch.push(it);
  }
  flushBatch();
  let out: number[] = [];
  for (const c of best) if (c.length > out.length) out = c;
  return out;
}
