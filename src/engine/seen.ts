/**
 * Which Windows records have already produced a detection of a rule, so the same record read
 * from two overlapping exports (Security.evtx and an archived copy, a live log and its
 * backup) yields one detection. Record ids of one channel on one host are mostly
 * consecutive, so each (rule, host, channel) keeps a sorted list of id ranges: memory grows
 * with the gaps between matched records, not with their number.
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

export class SeenRecords {
  private readonly sets = new Map<string, RangeSet>();
  duplicates = 0;

  /** False when this rule already detected this Windows record (the detection is a duplicate). */
  firstTime(d: Detection): boolean {
    if (d.kind !== 'rule') return true;
    const k = recordKey(d);
    if (!k) return true;
    let set = this.sets.get(k.key);
    if (!set) this.sets.set(k.key, (set = new RangeSet()));
    if (set.add(k.rid)) return true;
    this.duplicates++;
    return false;
  }

  toJSON(): { sets: [string, [number, number][]][]; duplicates: number } {
    return { sets: [...this.sets].map(([k, s]) => [k, s.toJSON()]), duplicates: this.duplicates };
  }

  static from(state: { sets: [string, [number, number][]][]; duplicates: number }): SeenRecords {
    const s = new SeenRecords();
    for (const [k, r] of state.sets) s.sets.set(k, RangeSet.from(r));
    s.duplicates = state.duplicates;
    return s;
  }
}
