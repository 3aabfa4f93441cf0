/**
 * Runs hunt jobs on worker threads. The workers start first (loading their modules while
 * this thread loads the rules); then each gets the compiled rule program once, as bytes
 * in one shared buffer, links it, and takes the next job when it finishes one. Batches
 * arrive as they are found and are acknowledged once the main thread has handled them
 * (the worker pauses when too many are unacknowledged).
 */
import { Worker } from 'node:worker_threads';
import type { JobBatch, JobStats } from './job.js';
import type { HuntJob } from './plan.js';
import type { FromWorker, ToWorker, WireDetection, WorkerInit } from './wire.js';

export interface PoolHandlers {
  /** A batch of a job; `ack` tells the worker it has been handled. */
  batch(jobId: number, b: Omit<JobBatch, 'detections'> & { detections: WireDetection[] }, ack: () => void): void;
  done(jobId: number, stats: JobStats, moreProblems: number): void;
}

/** `program()` is called once, after the workers are started: it loads the rules in this thread. */
export function runOnWorkers(jobs: readonly HuntJob[], threads: number, init: WorkerInit, program: () => Uint8Array, handlers: PoolHandlers): Promise<void> {
  const queue = [...jobs];
  const url = new URL('./worker.js', import.meta.url);
  return new Promise((resolve, reject) => {
    let alive = 0;
    let failed = false;
    const workers: Worker[] = [];
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      for (const w of workers) void w.terminate();
      reject(e);
    };
    const n = Math.max(1, Math.min(threads, jobs.length));
    for (let i = 0; i < n; i++) {
      // A larger young generation: matching allocates many short-lived strings, and the
      // default semi-space makes the scavenger run constantly (measured: -10% CPU, -25% RSS).
      const w = new Worker(url, { workerData: init satisfies WorkerInit, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
      workers.push(w);
      alive++;
      const send = (m: ToWorker): void => w.postMessage(m);
      const next = (): void => {
        const job = queue.shift();
        send(job ? { type: 'job', job } : { type: 'exit' });
      };
      w.on('message', (msg: FromWorker) => {
        switch (msg.type) {
          case 'ready':
            next();
            break;
          case 'batch':
            handlers.batch(msg.jobId, { detections: msg.detections, problems: msg.problems, events: msg.events, latest: msg.latest }, () => send({ type: 'ack' }));
            break;
          case 'done':
            handlers.done(msg.jobId, msg.stats, msg.moreProblems);
            next();
            break;
          case 'failed':
            fail(new Error(`worker failed${msg.jobId !== undefined ? ` on job ${msg.jobId}` : ''}: ${msg.error}`));
            break;
        }
      });
      w.on('error', (e) => fail(e));
      w.on('exit', () => {
        alive--;
        if (alive === 0 && !failed) resolve();
      });
    }
    let bytes: Uint8Array;
    try {
      bytes = program();
    } catch (e) {
      fail(e);
      return;
    }
    // One copy in shared memory, read by every worker.
    const shared = new SharedArrayBuffer(bytes.byteLength);
    new Uint8Array(shared).set(bytes);
    for (const w of workers) w.postMessage({ type: 'rules', program: shared } satisfies ToWorker);
  });
}
