/**
 * Reorder buffer: a binary min-heap of items in processing order (see `less`), so
 * matches that arrive a little out of order are processed in event-time order.
 */
import type { CorrItem } from './correlate-window.js';
import { MinHeap } from './min-heap.js';

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
  private readonly heap = new MinHeap<CorrItem>(less);
  private arrivals = 0;
  /** The buffered items (heap order) and the arrival counter, for snapshots. */
  items(): readonly CorrItem[] {
    return this.heap.items();
  }
  get arrivalCount(): number {
    return this.arrivals;
  }
  /** Restores a snapshot's items; they are already in heap order. */
  load(items: CorrItem[], arrivals: number): void {
    this.heap.load(items);
    this.arrivals = arrivals;
  }
  get size(): number {
    return this.heap.size;
  }
  peek(): CorrItem | undefined {
    return this.heap.peek();
  }
  push(it: CorrItem): void {
    it.arrival = this.arrivals++;
    this.heap.push(it);
  }
  pop(): CorrItem | undefined {
    return this.heap.pop();
  }
}
