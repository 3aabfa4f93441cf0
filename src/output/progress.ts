/**
 * A one-line progress indicator on stderr for long runs; silent when stderr is not a
 * terminal (pipes, CI) so logs stay clean.
 */
import { formatCount } from './text-table.js';

export class Progress {
  private last = 0;
  private shown = false;
  private readonly started = performance.now();
  constructor(
    private readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  static forStderr(disabled = false): Progress {
    return new Progress(!disabled && process.stderr.isTTY === true);
  }

  update(done: number, total: number, events: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const width = 24;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(frac * width);
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? Math.round(events / secs) : 0;
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    this.stream.write(`\r${bar} ${done}/${total} inputs  ${formatCount(events)} events  ${formatCount(rate)}/s  ${secs.toFixed(1)} s\u001b[K`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.stream.write('\r\u001b[K');
    this.shown = false;
  }
}
