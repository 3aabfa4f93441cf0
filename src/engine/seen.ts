/**
 * Which Windows records have already produced a detection of a rule, so the same record read
 * from two overlapping exports (Security.evtx and an archived copy, a live log and its
 * backup) yields one detection. Record ids of one channel on one host are mostly
 * consecutive, so each (rule, host, channel) keeps a sorted list of id ranges: memory grows
 * with the gaps between matched records, not with their number.
 *
 * Memory is bounded by a budget counted in range slots: every range costs one, every
 * (rule, host, channel) set costs SET_COST more (its key, its map entry, its array header).
 * Ranges live in one Float64Array per set (16 bytes a range, capacity at most twice the
 * ranges held), never in per-record objects, so the heap held is at most about
 * 16 × 2 × budget bytes plus the keys: 250 000 slots are under 8 MB, however long the service
 * runs. Past the budget the oldest (lowest) ids of the set that grew are forgotten, or whole
 * sets, oldest first, when many small sets fill it, so only an overlap with long-past records
 * could then yield a second detection (with the same id).
 *
 * The snapshot (saved every few seconds by `warden serve`) is as compact as the memory: each
 * set's ranges as LEB128 varints of the gaps and lengths, base64 — about 3 bytes a range
 * instead of 20 as JSON pairs, and built without one object per range.
 */
import type { Detection } from '../event/detection.js';
import { hostKey } from '../event/host.js';

/** Sorted, disjoint, non-adjacent [start, end] ranges of integers, in one typed array. */
export class RangeSet {
  /** start0, end0, start1, end1, …; `n` ranges in use. */
  private a: Float64Array;
  private n = 0;

  constructor(capacity = 4) {
    this.a = new Float64Array(Math.max(1, capacity) * 2);
  }

  private start(i: number): number {
    return this.a[2 * i]!;
  }

  private end(i: number): number {
    return this.a[2 * i + 1]!;
  }

  /** Room for one more range (doubling: amortized O(1)). */
  private grow(): void {
    if (this.n * 2 < this.a.length) return;
    const b = new Float64Array(this.a.length * 2);
    b.set(this.a);
    this.a = b;
  }

  /** Adds n; returns false when it was already present. */
  add(x: number): boolean {
    const a = this.a;
    const last = this.n - 1;
    // The common case: ids arrive in increasing order.
    if (last < 0 || x > this.end(last) + 1) {
      this.grow();
      this.a[2 * this.n] = x;
      this.a[2 * this.n + 1] = x;
      this.n++;
      return true;
    }
    if (x === this.end(last) + 1) {
      a[2 * last + 1] = x;
      return true;
    }
    // Binary search for the last range starting at or before x.
    let lo = 0;
    let hi = last;
    let i = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.start(mid) <= x) {
        i = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (i >= 0 && x <= this.end(i)) return false;
    const joinsPrev = i >= 0 && this.end(i) + 1 === x;
    const joinsNext = i + 1 < this.n && this.start(i + 1) - 1 === x;
    if (joinsPrev && joinsNext) {
      a[2 * i + 1] = this.end(i + 1);
      a.copyWithin(2 * (i + 1), 2 * (i + 2), 2 * this.n);
      this.n--;
    } else if (joinsPrev) a[2 * i + 1] = x;
    else if (joinsNext) a[2 * (i + 1)] = x;
    else {
      this.grow();
      const b = this.a;
      b.copyWithin(2 * (i + 2), 2 * (i + 1), 2 * this.n);
      b[2 * (i + 1)] = x;
      b[2 * (i + 1) + 1] = x;
      this.n++;
    }
    return true;
  }

  get ranges(): number {
    return this.n;
  }

  /** Bytes of range storage held (capacity included). */
  get bytes(): number {
    return this.a.byteLength;
  }

  /** Forgets the k lowest ranges (the oldest records); gives memory back when mostly empty. */
  dropLowest(k: number): void {
    k = Math.min(k, this.n);
    this.a.copyWithin(0, 2 * k, 2 * this.n);
    this.n -= k;
    if (this.a.length > 16 && this.n * 8 <= this.a.length) this.a = this.a.slice(0, Math.max(8, this.n * 4));
  }

  toJSON(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.n; i++) out.push([this.start(i), this.end(i)]);
    return out;
  }

  /**
   * Compact form: LEB128 varints of the first start, then per range its length (end − start)
   * and the gap to the next start (next start − end − 2, never negative: ranges are
   * non-adjacent), base64.
   */
  encode(): string {
    const gap = (i: number): number => (i === 0 ? this.start(0) : this.start(i) - this.end(i - 1) - 2);
    // Two passes (sizes, then bytes) so the only allocation is the output.
    let size = 0;
    for (let i = 0; i < this.n; i++) size += varintSize(gap(i)) + varintSize(this.end(i) - this.start(i));
    const out = Buffer.allocUnsafe(size);
    let p = 0;
    const put = (v: number): void => {
      // Numbers up to 2^53: division, not 32-bit shifts.
      while (v >= 128) {
        out[p++] = (v % 128) + 128;
        v = Math.floor(v / 128);
      }
      out[p++] = v;
    };
    for (let i = 0; i < this.n; i++) {
      put(gap(i));
      put(this.end(i) - this.start(i));
    }
    return out.toString('base64');
  }

  /** The set `encode` wrote; undefined when the text is not one (a hand-edited or damaged state). */
  static decode(text: string): RangeSet | undefined {
    const b = Buffer.from(text, 'base64');
    const r = new RangeSet(Math.max(4, b.length >> 1));
    let p = 0;
    const get = (): number | undefined => {
      let v = 0;
      let mul = 1;
      for (;;) {
        if (p >= b.length || mul > 2 ** 49) return undefined;
        const c = b[p++]!;
        v += (c & 127) * mul;
        if (c < 128) return v;
        mul *= 128;
      }
    };
    let prevEnd = Number.NaN;
    while (p < b.length) {
      const g = get();
      const len = get();
      if (g === undefined || len === undefined) return undefined;
      const start = r.n === 0 ? g : prevEnd + 2 + g;
      const end = start + len;
      if (!Number.isSafeInteger(end)) return undefined;
      r.grow();
      r.a[2 * r.n] = start;
      r.a[2 * r.n + 1] = end;
      r.n++;
      prevEnd = end;
    }
    return r;
  }

  static from(ranges: readonly [number, number][]): RangeSet {
    const r = new RangeSet(ranges.length);
    for (const [a, b] of ranges) {
      r.grow();
      r.a[2 * r.n] = a;
      r.a[2 * r.n + 1] = b;
      r.n++;
    }
    return r;
  }
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function recordKey(d: Detection): { key: string; rid: number } | undefined {
  const rid = d.event.EventRecordID;
  const n = typeof rid === 'number' ? rid : typeof rid === 'string' && /^\d{1,15}$/.test(rid.trim()) ? Number(rid) : Number.NaN;
  if (!Number.isSafeInteger(n)) return undefined;
  const channel = d.event.Channel;
  const host = d.host ?? (typeof d.event.Computer === 'string' ? d.event.Computer : undefined);
  if (typeof channel !== 'string' || host === undefined) return undefined;
  return { key: `${d.rule.id}\u0000${hostKey(host)}\u0000${channel.toLowerCase()}`, rid: n };
}

/** Default budget in range slots (16 bytes each, at most twice that with growth room): under 8 MB. */
export const DEFAULT_MAX_SEEN_RANGES = 250_000;

/** Slots one (rule, host, channel) set costs beyond its ranges: its key, map entry and array header. */
export const SET_COST = 16;

/** The saved form: v2 is compact (base64 varints per set); the JSON pairs of v1 are still read. */
export interface SeenState {
  v?: 2;
  sets: [string, string | [number, number][]][];
  duplicates: number;
}

export class SeenRecords {
  private readonly sets = new Map<string, RangeSet>();
  private total = 0;
  duplicates = 0;
  /** Ranges forgotten to stay within the budget. */
  forgotten = 0;

  constructor(
    private readonly maxRanges = DEFAULT_MAX_SEEN_RANGES,
    /** Called once, the first time the budget forgets records. */
    private readonly onBudget?: (message: string) => void,
  ) {}

  /** False when this rule already detected this Windows record (the detection is a duplicate). */
  firstTime(d: Detection): boolean {
    if (d.kind !== 'rule') return true;
    const k = recordKey(d);
    if (!k) return true;
    let set = this.sets.get(k.key);
    if (!set) {
      this.sets.set(k.key, (set = new RangeSet()));
      this.total += SET_COST;
    }
    const before = set.ranges;
    if (!set.add(k.rid)) {
      this.duplicates++;
      return false;
    }
    this.total += set.ranges - before;
    if (this.total > this.maxRanges) this.shrink(k.key, set);
    return true;
  }

  /** Ranges held, all sets together. */
  get ranges(): number {
    let n = 0;
    for (const s of this.sets.values()) n += s.ranges;
    return n;
  }

  /** Budget slots in use (ranges plus SET_COST per set): never above the budget. */
  get used(): number {
    return this.total;
  }

  /** Bytes of range storage and keys held (what the budget bounds). */
  get bytes(): number {
    let n = 0;
    for (const [k, s] of this.sets) n += s.bytes + 2 * k.length;
    return n;
  }

  private shrink(key: string, grown: RangeSet): void {
    if (this.forgotten === 0)
      this.onBudget?.(
        `de-duplication of Windows records: more than ${this.maxRanges} record-id ranges held; the oldest are forgotten (an overlap with those records could now give a second detection, with the same id)`,
      );
    // Dropping a quarter of the set that grew keeps the cost amortized O(1) per record; a
    // budget spread over many small sets gives up whole sets, oldest first.
    if (grown.ranges >= 64) {
      const n = grown.ranges >> 2;
      grown.dropLowest(n);
      this.total -= n;
      this.forgotten += n;
    }
    for (const [k, s] of this.sets) {
      if (this.total <= this.maxRanges) break;
      if (k === key) continue;
      this.total -= s.ranges + SET_COST;
      this.forgotten += s.ranges;
      this.sets.delete(k);
    }
  }

  toJSON(): SeenState {
    return { v: 2, sets: [...this.sets].map(([k, s]) => [k, s.encode()]), duplicates: this.duplicates };
  }

  static from(state: SeenState, maxRanges = DEFAULT_MAX_SEEN_RANGES, onBudget?: (message: string) => void): SeenRecords {
    const s = new SeenRecords(maxRanges, onBudget);
    for (const [k, r] of state.sets) {
      const set = typeof r === 'string' ? RangeSet.decode(r) : RangeSet.from(r);
      if (!set) throw new Error(`saved de-duplication state of ${JSON.stringify(k.replace(/\u0000/g, ' / '))} is damaged`);
      s.sets.set(k, set);
      s.total += set.ranges + SET_COST;
    }
    s.duplicates = state.duplicates;
    // A state saved under a larger budget (or by the older, uncounted form) is brought within
    // this one: the oldest ranges of the oldest sets go first.
    for (const [k, set] of s.sets) {
      const excess = s.total - maxRanges;
      if (excess <= 0) break;
      if (set.ranges > excess) {
        set.dropLowest(excess);
        s.total -= excess;
        s.forgotten += excess;
        break;
      }
      s.sets.delete(k);
      s.total -= set.ranges + SET_COST;
      s.forgotten += set.ranges;
    }
    return s;
  }
}
