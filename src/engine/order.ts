/**
 * Puts detections into event-time order for the incident tracker: a min-heap by (time, id)
 * that releases what the watermark has passed. Detections without a time need no order
 * and are released at once.
 */
import type { Detection } from '../event/detection.js';

function less(a: Detection, b: Detection): boolean {
  const ta = a.timestamp!;
  const tb = b.timestamp!;
  if (ta !== tb) return ta < tb;
  return a.id < b.id;
}

export class DetectionOrder {
  private h: Detection[] = [];
  private untimed: Detection[] = [];

  get size(): number {
    return this.h.length + this.untimed.length;
  }

  add(d: Detection): void {
    if (d.timestamp === undefined || !Number.isFinite(d.timestamp)) {
      this.untimed.push(d);
      return;
    }
    const h = this.h;
    let i = h.length;
    h.push(d);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(d, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = d;
  }

  private pop(): Detection {
    const h = this.h;
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

  /** Detections with a time at or before `horizon`, in order, and every untimed one. */
  releaseUpTo(horizon: number): Detection[] {
    const out = this.untimed;
    this.untimed = [];
    while (this.h.length > 0 && this.h[0]!.timestamp! <= horizon) out.push(this.pop());
    return out;
  }

  /** The `n` oldest timed detections (and every untimed one), in order. */
  releaseOldest(n: number): Detection[] {
    const out = this.untimed;
    this.untimed = [];
    for (let i = 0; i < n && this.h.length > 0; i++) out.push(this.pop());
    return out;
  }

  releaseAll(): Detection[] {
    return this.releaseUpTo(Number.POSITIVE_INFINITY);
  }

  toJSON(): Detection[] {
    return [...this.h, ...this.untimed];
  }

  load(ds: readonly Detection[]): void {
    this.h = [];
    this.untimed = [];
    for (const d of ds) this.add(d);
  }
}
