/**
 * Describes many files on several threads (hashing is CPU-bound: one thread per core beats
 * one thread by the number of cores). `workers` counts the threads that hash, this one
 * included: this thread takes small batches between the others' messages rather than wait,
 * and each worker thread costs about as much CPU to start and feed as hashing a few thousand
 * small files, so `workers: 2` is this thread plus one worker thread. Batches start large, so a 20,000-file tree costs
 * a few dozen messages rather than hundreds, and shrink towards the end, so a thread that
 * draws big files does not hold up the others; results come back in job order.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describeFileSync, type FileFacts, loadScanner, loadSignatureCheck, type PackedFacts, type Scanner, type SignatureCheck, unpackFacts } from './describe.js';
import type { DescribeBatch } from './describe-worker.js';
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

/** The next batch size: about a quarter of each thread's share of what is left. */
export function batchSize(left: number, threads: number): number {
  return Math.max(MIN_BATCH, Math.min(MAX_BATCH, Math.ceil(left / (threads * 4))));
}

async function describeHere(jobs: readonly DescribeJob[]): Promise<FileFacts[]> {
  const { check, scanner } = await helpersFor(jobs);
  return jobs.map((j) => describeFileSync(j.path, j.sig, check, j.scan ? scanner : undefined));
}

/**
 * Worker threads that describe files. Threads can be started before the file list is known
 * (a baseline starts them before walking the tree, so they boot while it walks); a pool that
 * ends up with few files describes them on this thread and stops its threads.
 */
export class DescribePool {
  private threads: Worker[] = [];
  /** Worker threads besides this one. */
  private readonly extra: number;
  constructor(workers = defaultWorkers()) {
    this.extra = Math.max(0, workers - 1);
  }

  /** Starts the threads now rather than at the first `describe`. */
  start(): this {
    while (this.threads.length < this.extra) this.threads.push(new Worker(new URL('./describe-worker.js', import.meta.url)));
    return this;
  }

  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((w) => w.terminate()));
  }

  async describe(jobs: readonly DescribeJob[]): Promise<FileFacts[]> {
    if (this.extra === 0 || jobs.length < THREADED_FROM) return describeHere(jobs);
    const count = Math.min(this.extra, Math.ceil(jobs.length / MIN_BATCH));
    while (this.threads.length < count) this.threads.push(new Worker(new URL('./describe-worker.js', import.meta.url)));
    const out: FileFacts[] = new Array(jobs.length);
    let next = 0;
    const take = (most: number): [number, number] => {
      const start = next;
      next = Math.min(jobs.length, next + Math.min(most, batchSize(jobs.length - next, count + 1)));
      return [start, next];
    };
    const run = (w: Worker): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        let pending = 0;
        let last = '';
        const send = (): void => {
          if (next >= jobs.length) return;
          const [start, end] = take(MAX_BATCH);
          const batch: DescribeBatch = { id: start, paths: new Array(end - start), sigs: new Array(end - start) };
          for (let i = start; i < end; i++) {
            batch.paths[i - start] = jobs[i]!.path;
            batch.sigs[i - start] = jobs[i]!.sig;
            if (jobs[i]!.scan) (batch.scans ??= []).push(i - start);
          }
          last = batch.paths[0]!;
          pending++;
          w.postMessage(batch);
        };
        const done = (): void => {
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
        };
        const onMessage = (m: PackedFacts): void => {
          pending--;
          // ask for more before unpacking, so the thread works while this one does
          send();
          unpackFacts(m, out);
          if (pending === 0) {
            done();
            resolve();
          }
        };
        const onError = (e: Error): void => {
          done();
          reject(e);
        };
        const onExit = (code: number): void => {
          done();
          reject(new Error(`describe worker exited with code ${code} (near file ${last})`));
        };
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
        // two batches in flight, so a thread has the next one while this thread is busy
        send();
        send();
        if (pending === 0) {
          done();
          resolve();
        }
      });
    // this thread would otherwise sit waiting: it describes small batches too, between messages
    const here = async (): Promise<void> => {
      const { check, scanner } = await helpersFor(jobs);
      while (next < jobs.length) {
        const [start, end] = take(HERE_BATCH);
        for (let i = start; i < end; i++) out[i] = describeFileSync(jobs[i]!.path, jobs[i]!.sig, check, jobs[i]!.scan ? scanner : undefined);
        await new Promise<void>((r) => setImmediate(r));
      }
    };
    try {
      await Promise.all([...this.threads.slice(0, count).map(run), here()]);
    } catch (e) {
      // a thread that failed is not reused
      await this.close();
      throw e;
    }
    return out;
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
