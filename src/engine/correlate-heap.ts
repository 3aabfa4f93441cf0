/**
 * Reorder buffer: a binary min-heap of items in processing order (see `less`), so
 * matches that arrive a little out of order are processed in event-time order.
 */
import type { CorrItem } from './correlate-window.js';

/**
 * Processing order: event time, then the event's origin (file, record), then its identity, then
 * arrival. Everything but arrival is a property of the events themselves, so the same events
 * pushed in any interleaving (within the tolerance) are processed in the same order.
 */
function less(a: CorrItem, b: CorrItem): boolean {
  if (a.ts !== b.ts) return a.ts < b.ts;
  const fa = a.origin.file;
  const fb = b.origin.file;
  if (fa !== fb) return fa < fb;
  if (a.origin.record !== b.origin.record) return a.origin.record < b.origin.record;
  if (a.ekey !== b.ekey) return a.ekey < b.ekey;
  return a.arrival < b.arrival;
}

export class ItemHeap {
  private h: CorrItem[] = [];
  private arrivals = 0;
  /** The buffered items (heap order) and the arrival counter, for snapshots. */
  items(): readonly CorrItem[] {
    return this.h;
  }
  get arrivalCount(): number {
    return this.arrivals;
  }
  /** Restores a snapshot's items; they are already in heap order. */
  load(items: CorrItem[], arrivals: number): void {
    this.h = items;
    this.arrivals = arrivals;
  }
  get size(): number {
    return this.h.length;
  }
  peek(): CorrItem | undefined {
    return this.h[0];
  }
  push(it: CorrItem): void {
    const h = this.h;
    it.arrival = this.arrivals++;
    let i = h.length;
    h.push(it);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!less(it, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = it;
  }
  pop(): CorrItem | undefined {
    const h = this.h;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(h[r]!, h[l]!) ? r : l;
        if (!less(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
