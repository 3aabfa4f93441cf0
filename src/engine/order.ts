/**
 * Puts detections into event-time order for the incident tracker: a min-heap by (time, id)
 * that releases what the watermark has passed. Detections without a time need no order
 * and are released at once.
 */
import type { Detection } from '../event/detection.js';
import { MinHeap } from './min-heap.js';

function less(a: Detection, b: Detection): boolean {
  const ta = a.timestamp!;
  const tb = b.timestamp!;
  if (ta !== tb) return ta < tb;
  return a.id < b.id;
}

export class DetectionOrder {
  private h = new MinHeap<Detection>(less);
  private untimed: Detection[] = [];

  get size(): number {
    return this.h.size + this.untimed.length;
  }

  add(d: Detection): void {
    if (d.timestamp === undefined || !Number.isFinite(d.timestamp)) {
      this.untimed.push(d);
      return;
    }
    this.h.push(d);
  }

  /** Detections with a time at or before `horizon`, in order, and every untimed one. */
  releaseUpTo(horizon: number): Detection[] {
    const out = this.untimed;
    this.untimed = [];
    while (this.h.size > 0 && this.h.peek()!.timestamp! <= horizon) out.push(this.h.pop()!);
    return out;
  }

  /** The `n` oldest timed detections (and every untimed one), in order. */
  releaseOldest(n: number): Detection[] {
    const out = this.untimed;
    this.untimed = [];
    for (let i = 0; i < n && this.h.size > 0; i++) out.push(this.h.pop()!);
    return out;
  }

  releaseAll(): Detection[] {
    return this.releaseUpTo(Number.POSITIVE_INFINITY);
  }

  toJSON(): Detection[] {
    return [...this.h.items(), ...this.untimed];
  }

  load(ds: readonly Detection[]): void {
    this.h = new MinHeap<Detection>(less);
    this.untimed = [];
    for (const d of ds) this.add(d);
  }
}
