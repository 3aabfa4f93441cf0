/**
 * CPU time per thread of this process or another (Linux: /proc/<pid>/task/<tid>/stat), sampled while a
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
  /** CPU-s of the main thread (since `start`). */
  main: number;
  /** CPU-s of every other thread (workers, and V8's and libuv's helpers), largest first. */
  others: number[];
}

export class ThreadCpu {
  private readonly seen = new Map<number, number>();
  /** Main threads seen (a process's first thread has its pid as thread id). */
  private readonly mains = new Set<number>();
  /** Ticks of the threads that were already running at the start. */
  private readonly base = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly ticks = clockTicks();

  /**
   * `pid`: another process to follow instead of this one; with `children`, that process's
   * children instead (a program run through a shell). Undefined where /proc is not there to read.
   */
  static start(intervalMs = 100, pid = process.pid, children = false): ThreadCpu | undefined {
    try {
      readdirSync('/proc/self/task');
    } catch {
      return undefined;
    }
    const t = new ThreadCpu(pid, children);
    t.sample();
    // what the threads already running had used is not this measurement's
    for (const [tid, ticks] of t.seen) t.base.set(tid, ticks);
    t.timer = setInterval(() => t.sample(), intervalMs);
    t.timer.unref();
    return t;
  }

  private constructor(
    private readonly pid: number,
    private readonly children: boolean,
  ) {}

  private sample(): void {
    let pids = [this.pid];
    if (this.children) {
      try {
        pids = readFileSync(`/proc/${this.pid}/task/${this.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        return;
      }
    }
    for (const pid of pids) this.sampleProcess(pid);
  }

  private sampleProcess(pid: number): void {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      try {
        const s = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        // Fields after the parenthesized name: state is field 3, utime 14, stime 15.
        const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(rest[11]) + Number(rest[12]);
        if (Number.isFinite(ticks)) this.seen.set(Number(tid), ticks);
        if (tid === String(pid)) this.mains.add(Number(tid));
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
    for (const [tid, all] of this.seen) {
      const ticks = all - (this.base.get(tid) ?? 0);
      if (this.mains.has(tid)) main += ticks / this.ticks;
      else if (ticks > 0) others.push(ticks / this.ticks);
    }
    others.sort((a, b) => b - a);
    return { main, others };
  }
}
