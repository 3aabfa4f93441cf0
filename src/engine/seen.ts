/**
 * Which Windows records have already produced a detection of a rule, so the same record read
 * from two overlapping exports (Security.evtx and an archived copy, a live log and its
 * backup) yields one detection. Record ids of one channel on one host are mostly
 * consecutive, so each (rule, host, channel) keeps a sorted list of id ranges: memory grows
 * with the gaps between matched records, not with their number. A budget on the total number
 * of ranges bounds it even when ids are scattered (one host's records spread over many files,
 * or crafted ids): past it the oldest (lowest) ids of the set that grew are forgotten, so only
 * an overlap with long-past records could then yield a second detection (with the same id).
 */
import type { Detection } from '../event/detection.js';
import { hostKey } from '../event/host.js';

/** Sorted, disjoint, non-adjacent [start, end] ranges of integers. */
export class RangeSet {
  private starts: number[] = [];
  private ends: number[] = [];

  /** Adds n; returns false when it was already present. */
  add(n: number): boolean {
    const s = this.starts;
    const e = this.ends;
    const last = s.length - 1;
    // The common case: ids arrive in increasing order.
    if (last < 0 || n > e[last]! + 1) {
      s.push(n);
      e.push(n);
      return true;
    }
    if (n === e[last]! + 1) {
      e[last] = n;
      return true;
    }
    // Binary search for the last range starting at or before n.
    let lo = 0;
    let hi = last;
    let i = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! <= n) {
        i = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (i >= 0 && n <= e[i]!) return false;
    const joinsPrev = i >= 0 && e[i]! + 1 === n;
    const joinsNext = i + 1 < s.length && s[i + 1]! - 1 === n;
    if (joinsPrev && joinsNext) {
      e[i] = e[i + 1]!;
      s.splice(i + 1, 1);
      e.splice(i + 1, 1);
    } else if (joinsPrev) e[i] = n;
    else if (joinsNext) s[i + 1] = n;
    else {
      s.splice(i + 1, 0, n);
      e.splice(i + 1, 0, n);
    }
    return true;
  }

  get ranges(): number {
    return this.starts.length;
  }

  /** Forgets the n lowest ranges (the oldest records). */
  dropLowest(n: number): void {
    this.starts.splice(0, n);
    this.ends.splice(0, n);
  }

  toJSON(): [number, number][] {
    return this.starts.map((st, i) => [st, this.ends[i]!]);
  }

  static from(ranges: readonly [number, number][]): RangeSet {
    const r = new RangeSet();
    for (const [a, b] of ranges) {
      r.starts.push(a);
      r.ends.push(b);
    }
    return r;
  }
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

/** Default budget: a few MB of range bounds. */
export const DEFAULT_MAX_SEEN_RANGES = 250_000;

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
    if (!set) this.sets.set(k.key, (set = new RangeSet()));
    const before = set.ranges;
    if (!set.add(k.rid)) {
      this.duplicates++;
      return false;
    }
    this.total += set.ranges - before;
    if (this.total > this.maxRanges) this.shrink(k.key, set);
    return true;
  }

  get ranges(): number {
    return this.total;
  }

  private shrink(key: string, grown: RangeSet): void {
    if (this.forgotten === 0)
      this.onBudget?.(
        `de-duplication of Windows records: more than ${this.maxRanges} record-id ranges held; the oldest are forgotten (an overlap with those records could now give a second detection, with the same id)`,
      );
    // Halving the set that grew keeps the cost amortized O(1) per record; a budget spread over
    // many small sets gives up whole sets, oldest first.
    if (grown.ranges >= 64) {
      const n = grown.ranges >> 1;
      grown.dropLowest(n);
      this.total -= n;
      this.forgotten += n;
      return;
    }
    for (const [k, s] of this.sets) {
      if (this.total <= this.maxRanges) break;
      if (k === key) continue;
      this.total -= s.ranges;
      this.forgotten += s.ranges;
      this.sets.delete(k);
    }
  }

  toJSON(): { sets: [string, [number, number][]][]; duplicates: number } {
    return { sets: [...this.sets].map(([k, s]) => [k, s.toJSON()]), duplicates: this.duplicates };
  }

  static from(state: { sets: [string, [number, number][]][]; duplicates: number }, maxRanges = DEFAULT_MAX_SEEN_RANGES, onBudget?: (message: string) => void): SeenRecords {
    const s = new SeenRecords(maxRanges, onBudget);
    for (const [k, r] of state.sets) {
      s.sets.set(k, RangeSet.from(r));
      s.total += r.length;
    }
    s.duplicates = state.duplicates;
    return s;
  }
}
