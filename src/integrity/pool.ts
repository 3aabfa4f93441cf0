/**
 * Describes many files on several threads (hashing is CPU-bound: one thread per core beats
 * one thread by the number of cores). `workers` counts the threads that hash, this one
 * included: this thread takes small batches between the others' messages rather than wait,
 * and each worker thread costs about as much CPU to start and feed as hashing a few thousand
 * small files, so `workers: 2` is this thread plus one worker thread.
 *
 * A baseline does not wait for the walk to end: files the collectors list (`hashSoon`) go to
 * the worker threads while this thread walks on. This thread is busy walking and does not read
 * the threads' messages then, so each thread counts the files it finished in shared memory,
 * and is sent more only while it has less than two batches' worth ahead of it: the rest stays
 * queued here and is shared out when `describe` runs, so no thread is left with a long queue
 * while the others wait. Batches start large, so a 20,000-file tree costs a few dozen messages
 * rather than hundreds, and shrink towards the end, so a thread that draws big files does not
 * hold up the others; results come back in job order.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describeFileSync, type FileFacts, loadScanner, loadSignatureCheck, type PackedFacts, packedCount, type Scanner, type SignatureCheck, unpackFacts } from './describe.js';
import type { DescribeBatch, DescribeWorkerData } from './describe-worker.js';
import type { SignatureKind } from './types.js';

export interface DescribeJob {
  path: string;
  sig: SignatureKind;
  /** Also give the file the content scanner's verdict (scripts the collectors found). */
  scan?: boolean;
}

/** What this thread needs to describe these jobs itself: signature parsers, the scanner, each loaded only when needed. */
async function helpersFor(jobs: readonly DescribeJob[]): Promise<{ check?: SignatureCheck; scanner?: Scanner }> {
  return {
    check: jobs.some((j) => j.sig !== 'none') ? await loadSignatureCheck() : undefined,
    scanner: jobs.some((j) => j.scan) ? await loadScanner() : undefined,
  };
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** Below this many files, starting threads costs more than it saves. */
const THREADED_FROM = 64;
const MIN_BATCH = 16;
const MAX_BATCH = 1024;
/** Batches this thread describes itself between messages: small, so the threads' answers wait little. */
const HERE_BATCH = 48;
/** Batches sent while the walk goes on, and how many files a thread may have ahead of it then. */
const EARLY_BATCH = 256;
const EARLY_AHEAD = 2 * EARLY_BATCH;

/** The next batch size: about a quarter of each thread's share of what is left. */
export function batchSize(left: number, threads: number): number {
  return Math.max(MIN_BATCH, Math.min(MAX_BATCH, Math.ceil(left / (threads * 4))));
}

async function describeHere(jobs: readonly DescribeJob[]): Promise<FileFacts[]> {
  const { check, scanner } = await helpersFor(jobs);
  return jobs.map((j) => describeFileSync(j.path, j.sig, check, j.scan ? scanner : undefined));
}

interface Thread {
  w: Worker;
  /** Files sent to it so far (its count of finished ones is `done[index]`). */
  sent: number;
  /** Batches sent and not answered. */
  pending: number;
  /** The first file of the last batch sent, named if the thread dies. */
  last: string;
}

/**
 * Worker threads that describe files. Threads can be started before the file list is known
 * (a baseline starts them before walking the tree, so they boot while it walks, and hash what
 * the walk has found so far); a pool that ends up with few files describes them on this
 * thread.
 */
export class DescribePool {
  private threads: Thread[] = [];
  /** Worker threads besides this one. */
  private readonly extra: number;
  /** Per thread, the files it has finished (written by the thread itself). */
  private readonly done: Int32Array;
  /** Every job given to the pool, those from `hashSoon` first, and its result once known. */
  private jobs: DescribeJob[] = [];
  private out: FileFacts[] = [];
  /** Jobs from `hashSoon`, by path. */
  private readonly early = new Map<string, number>();
  /** The first job not yet handed to a thread. */
  private next = 0;
  /** Results in. */
  private finished = 0;
  /** Whether `describe` has given the whole list (batch sizes can shrink towards its end). */
  private final = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(workers = defaultWorkers()) {
    this.extra = Math.max(0, workers - 1);
    this.done = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, this.extra)));
  }

  /** Starts the threads now rather than at the first `describe`. */
  start(): this {
    this.grow(this.extra);
    return this;
  }

  private grow(count: number): void {
    while (this.threads.length < count) {
      const data: DescribeWorkerData = { done: this.done, index: this.threads.length };
      const t: Thread = { w: new Worker(new URL('./describe-worker.js', import.meta.url), { workerData: data }), sent: 0, pending: 0, last: '' };
      t.w.on('message', (m: PackedFacts) => {
        t.pending--;
        // hand out more before unpacking, so the thread works while this one does
        this.pump();
        unpackFacts(m, this.out);
        this.finished += packedCount(m);
        this.wake?.();
      });
      t.w.on('error', (e: Error) => this.fail(e));
      t.w.on('exit', (code: number) => this.fail(new Error(`describe worker exited with code ${code} (near file ${t.last})`)));
      this.threads.push(t);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake?.();
  }

  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    for (const t of threads) t.w.removeAllListeners('exit');
    await Promise.all(threads.map((t) => t.w.terminate()));
  }

  /**
   * Files that will be described without a signature check or scan: hashed on the worker
   * threads from now on, while this thread does other work. Ignored by a pool without started
   * threads (nothing would hash them before `describe`).
   */
  hashSoon(paths: readonly string[]): void {
    if (this.threads.length === 0 || this.final) return;
    for (const path of paths) {
      if (this.early.has(path)) continue;
      this.early.set(path, this.jobs.length);
      this.jobs.push({ path, sig: 'none' });
    }
    this.pump();
  }

  /** Sends batches to the threads that have little ahead of them. */
  private pump(): void {
    if (this.failure) return;
    for (const [k, t] of this.threads.entries()) {
      for (;;) {
        const left = this.jobs.length - this.next;
        if (left === 0) return;
        let size: number;
        if (this.final) {
          // the whole list is known: two batches in flight, sized by what is left
          if (t.pending >= 2) break;
          size = Math.min(left, batchSize(left, this.threads.length + 1));
        } else {
          // the walk goes on: this thread is not reading messages, so go by the shared count
          const ahead = t.sent - Atomics.load(this.done, k);
          if (ahead >= EARLY_AHEAD || (ahead > 0 && left < EARLY_BATCH)) break;
          size = Math.min(left, EARLY_BATCH);
        }
        this.send(t, this.next, this.next + size);
        this.next += size;
      }
    }
  }

  private send(t: Thread, start: number, end: number): void {
    const batch: DescribeBatch = { id: start, paths: new Array(end - start), sigs: new Array(end - start) };
    for (let i = start; i < end; i++) {
      const j = this.jobs[i]!;
      batch.paths[i - start] = j.path;
      batch.sigs[i - start] = j.sig;
      if (j.scan) (batch.scans ??= []).push(i - start);
    }
    t.last = batch.paths[0]!;
    t.sent += end - start;
    t.pending++;
    t.w.postMessage(batch);
  }

  async describe(jobs: readonly DescribeJob[]): Promise<FileFacts[]> {
    if (this.extra === 0 || (this.jobs.length === 0 && jobs.length < THREADED_FROM)) return describeHere(jobs);
    // a file hashed early is taken as it is when nothing more (signature, scan) is asked of it
    const index = jobs.map((j) => {
      const e = j.sig === 'none' && !j.scan ? this.early.get(j.path) : undefined;
      if (e !== undefined) return e;
      this.jobs.push(j);
      return this.jobs.length - 1;
    });
    this.final = true;
    this.grow(Math.min(this.extra, Math.ceil((this.jobs.length - this.next) / MIN_BATCH)));
    this.pump();
    try {
      // this thread would otherwise sit waiting: it describes small batches too, between messages
      const { check, scanner } = await helpersFor(this.jobs.slice(this.next));
      while (this.next < this.jobs.length && !this.failure) {
        const start = this.next;
        const end = Math.min(this.jobs.length, start + Math.min(HERE_BATCH, batchSize(this.jobs.length - start, this.threads.length + 1)));
        this.next = end;
        for (let i = start; i < end; i++) {
          const j = this.jobs[i]!;
          this.out[i] = describeFileSync(j.path, j.sig, check, j.scan ? scanner : undefined);
        }
        this.finished += end - start;
        await new Promise<void>((r) => setImmediate(r));
      }
      while (this.finished < this.jobs.length && !this.failure) await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
      if (this.failure) throw this.failure;
    } catch (e) {
      // a thread that failed is not reused
      await this.close();
      throw e;
    }
    return index.map((i) => this.out[i]!);
  }
}

export async function describeAll(jobs: readonly DescribeJob[], workers = defaultWorkers()): Promise<FileFacts[]> {
  const pool = new DescribePool(workers);
  try {
    return await pool.describe(jobs);
  } finally {
    await pool.close();
  }
}
