/**
 * A binary min-heap under a given order: the reorder buffers of correlations and of incident
 * grouping both keep their items here.
 */
export class MinHeap<T> {
  private h: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.h.length;
  }

  peek(): T | undefined {
    return this.h[0];
  }

  /** The items in heap order (for snapshots). */
  items(): readonly T[] {
    return this.h;
  }

  /** Restores items that are already in heap order (from `items()`). */
  load(items: T[]): void {
    this.h = items;
  }

  push(it: T): void {
    const h = this.h;
    const less = this.less;
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

  pop(): T | undefined {
    const h = this.h;
    if (h.length === 0) return undefined;
    const less = this.less;
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
