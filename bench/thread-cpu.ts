/**
 * CPU time per thread of this process (Linux: /proc/self/task/<tid>/stat), sampled while a
 * run goes on, since a worker thread's entry disappears when it exits. On a machine shared
 * with other work, wall time says little about how threads scale; each thread's own CPU time
 * does: with a free core per thread, a run takes about as long as its busiest thread.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

function clockTicks(): number {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
}

export interface ThreadTimes {
  /** CPU-s of the main thread. */
  main: number;
  /** CPU-s of every other thread (workers, and V8's and libuv's helpers), largest first. */
  others: number[];
}

export class ThreadCpu {
  private readonly seen = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly ticks = clockTicks();

  /** Undefined where /proc is not there to read. */
  static start(intervalMs = 100): ThreadCpu | undefined {
    try {
      readdirSync('/proc/self/task');
    } catch {
      return undefined;
    }
    const t = new ThreadCpu();
    t.sample();
    t.timer = setInterval(() => t.sample(), intervalMs);
    t.timer.unref();
    return t;
  }

  private sample(): void {
    let tids: string[];
    try {
      tids = readdirSync('/proc/self/task');
    } catch {
      return;
    }
    for (const tid of tids) {
      try {
        const s = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        // Fields after the parenthesized name: state is field 3, utime 14, stime 15.
        const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(rest[11]) + Number(rest[12]);
        if (Number.isFinite(ticks)) this.seen.set(Number(tid), ticks);
      } catch {
        // the thread exited between the listing and the read
      }
    }
  }

  stop(): ThreadTimes {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    let main = 0;
    const others: number[] = [];
    for (const [tid, ticks] of this.seen) {
      if (tid === process.pid) main = ticks / this.ticks;
      else if (ticks > 0) others.push(ticks / this.ticks);
    }
    others.sort((a, b) => b - a);
    return { main, others };
  }
}
