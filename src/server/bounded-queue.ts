/**
 * A queue whose producers wait while it is full: full at `cap` items or at `capWeight` total
 * weight (events), whichever comes first, so the events held between the sources and the
 * pipeline are bounded however large each source's batches are. An empty queue always takes
 * one item, so a batch heavier than the whole budget still passes.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private load = 0;
  private takers: ((v: T | undefined) => void)[] = [];
  private spaces: (() => void)[] = [];
  private closed = false;
  constructor(
    private readonly cap: number,
    private readonly capWeight: number,
    private readonly weigh: (v: T) => number,
  ) {}
  get size(): number {
    return this.items.length;
  }
  get full(): boolean {
    return this.items.length > 0 && (this.items.length >= this.cap || this.load >= this.capWeight);
  }
  async put(v: T): Promise<void> {
    while (this.full && !this.closed) await new Promise<void>((r) => this.spaces.push(r));
    const t = this.takers.shift();
    if (t) t(v);
    else {
      this.items.push(v);
      this.load += this.weigh(v);
    }
  }
  take(): Promise<T | undefined> {
    const v = this.items.shift();
    if (v !== undefined) {
      this.removed(v);
      return Promise.resolve(v);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((r) => this.takers.push(r));
  }
  /** Everything already waiting, without blocking. */
  drain(max: number): T[] {
    const out = this.items.splice(0, max);
    for (const v of out) this.removed(v);
    return out;
  }
  /** Room was made: every waiting producer checks again (one heavy item may free room for several). */
  private removed(v: T): void {
    this.load -= this.weigh(v);
    if (this.spaces.length) for (const s of this.spaces.splice(0)) s();
  }
  close(): void {
    this.closed = true;
    for (const t of this.takers.splice(0)) t(undefined);
    for (const s of this.spaces.splice(0)) s();
  }
}
