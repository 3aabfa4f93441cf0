/**
 * Reorder buffer: a binary min-heap of items by (event time, event sequence, arrival), so
 * matches that arrive a little out of order are processed in event-time order.
 */
import type { CorrItem } from './correlate-window.js';

function less(a: CorrItem, b: CorrItem): boolean {
  if (a.ts !== b.ts) return a.ts < b.ts;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return a.arrival < b.arrival;
}

export class ItemHeap {
  private readonly h: CorrItem[] = [];
  private arrivals = 0;
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
