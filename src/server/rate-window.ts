/**
 * Events per second over the last minute, for a source's health: 60 one-second buckets, so
 * the memory is the same however many batches arrive and whether or not anyone asks (a list
 * of every batch trimmed only when /metrics was read grew without bound on a service nobody
 * polled).
 */
const SECONDS = 60;

export class RateWindow {
  private readonly counts = new Float64Array(SECONDS);
  /** The second (epoch) each bucket holds; -1 for never used. */
  private readonly seconds = new Float64Array(SECONDS).fill(-1);

  /** `n` events arrived at `now` (epoch ms). */
  add(now: number, n: number): void {
    const s = Math.floor(now / 1000);
    const i = ((s % SECONDS) + SECONDS) % SECONDS;
    if (this.seconds[i] !== s) {
      this.seconds[i] = s;
      this.counts[i] = 0;
    }
    this.counts[i]! += n;
  }

  /** Events per second over the minute before `now` (the current second included). */
  perSecond(now: number): number {
    const s = Math.floor(now / 1000);
    let n = 0;
    for (let i = 0; i < SECONDS; i++) {
      const at = this.seconds[i]!;
      if (at > s - SECONDS && at <= s) n += this.counts[i]!;
    }
    return n / SECONDS;
  }

  /** Buckets held: fixed. */
  get size(): number {
    return SECONDS;
  }
}
