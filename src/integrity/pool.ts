/**
 * Describes many files on worker threads (hashing is CPU-bound: one thread per core beats
 * the main thread by the number of cores). Work goes out in small batches so a thread that
 * draws big files does not hold up the others; results come back in job order.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describeFileSync, type FileFacts, loadScanner } from './describe.js';
import type { SignatureKind } from './types.js';

export interface DescribeJob {
  path: string;
  sig: SignatureKind;
  scan?: boolean;
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export async function describeAll(jobs: readonly DescribeJob[], workers = defaultWorkers()): Promise<FileFacts[]> {
  const out: FileFacts[] = new Array(jobs.length);
  if (workers <= 0 || jobs.length < 64) {
    // a few files: starting threads costs more than it saves
    const scanner = jobs.some((j) => j.scan) ? await loadScanner() : undefined;
    for (let i = 0; i < jobs.length; i++) out[i] = describeFileSync(jobs[i]!.path, jobs[i]!.sig, jobs[i]!.scan ? scanner : undefined);
    return out;
  }
  const batch = 32;
  let next = 0;
  const threads = Array.from({ length: Math.min(workers, Math.ceil(jobs.length / batch)) }, () => new Worker(new URL('./describe-worker.js', import.meta.url)));
  try {
    await Promise.all(
      threads.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let start = 0;
            const send = (): void => {
              if (next >= jobs.length) {
                resolve();
                return;
              }
              start = next;
              next = Math.min(jobs.length, next + batch);
              w.postMessage({ id: start, jobs: jobs.slice(start, next) });
            };
            w.on('message', (m: { id: number; results: FileFacts[] }) => {
              for (let k = 0; k < m.results.length; k++) out[m.id + k] = m.results[k]!;
              send();
            });
            w.on('error', reject);
            w.on('exit', (code) => {
              if (next < jobs.length || code !== 0) reject(new Error(`describe worker exited with code ${code} (file ${jobs[start]?.path ?? '?'})`));
            });
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
  return out;
}
