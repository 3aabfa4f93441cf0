/**
 * Worker-thread entry: scans the files it is sent. Which file it is on is written to a
 * shared progress cell (batch id, index) that the pool's watchdog reads, so no message is
 * needed per file; outcomes travel with the end of each batch (or every FLUSH_MS on slow
 * batches), which on trees of small scripts saves most of the messaging cost.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { scanFile } from './scan-file.js';
import type { ScanContext } from './scan-bytes.js';
import type { ScanLimits } from './types.js';
import { toWire, type WireOutcome } from './wire.js';
import { loadYara } from './yara.js';

export interface WorkerInit {
  limits: ScanLimits;
  yaraRules?: string;
  /**
   * Tests only: a file whose path ends with this blocks its worker for good, standing in for
   * a runaway regex or inflate, so the pool's watchdog and requeue can be exercised.
   */
  stallOn?: string;
  /**
   * Tests only: the worker throws this at start-up, standing in for a worker that cannot load
   * (a flag it inherits that breaks module loading, a missing or corrupt module).
   */
  failAtStart?: string;
}
export interface WorkerData extends WorkerInit {
  /** Int32Array cells: [batch id, index of the file being scanned]. */
  progress: SharedArrayBuffer;
}
export type ToWorker = { type: 'task'; id: number; paths: string[] };
export type FromWorker =
  /** Outcomes of files from..from+outcomes.length-1 of batch `id`. */
  | { type: 'results'; id: number; from: number; outcomes: WireOutcome[] }
  /** The batch is finished; carries the outcomes not sent yet (one message per batch of small files). */
  | { type: 'done'; id: number; from: number; outcomes: WireOutcome[] }
  | { type: 'fatal'; message: string };

/** Outcomes go out with the batch's end, or earlier when a batch of big files runs this long. */
const FLUSH_MS = 200;

const init = workerData as WorkerData;
const port = parentPort;
if (port && init.failAtStart) throw new Error(init.failAtStart);
if (port) {
  const progress = new Int32Array(init.progress);
  const ctx: ScanContext = { limits: init.limits };
  let ready: Promise<void> = Promise.resolve();
  if (init.yaraRules) {
    ready = loadYara(init.yaraRules).then(
      (y) => {
        ctx.extra = y.match;
      },
      (e: unknown) => port.postMessage({ type: 'fatal', message: (e as Error).message } satisfies FromWorker),
    );
  }
  port.on('message', (msg: ToWorker) => {
    void ready.then(async () => {
      let pending: WireOutcome[] = [];
      let from = 0;
      let lastFlush = Date.now();
      const flush = (): void => {
        if (pending.length > 0) port.postMessage({ type: 'results', id: msg.id, from, outcomes: pending } satisfies FromWorker);
        from += pending.length;
        pending = [];
        lastFlush = Date.now();
      };
      Atomics.store(progress, 0, msg.id);
      for (let i = 0; i < msg.paths.length; i++) {
        Atomics.store(progress, 1, i);
        if (init.stallOn && msg.paths[i]!.endsWith(init.stallOn)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
        pending.push(toWire(await scanFile(msg.paths[i]!, ctx), msg.paths[i]!));
        if (Date.now() - lastFlush >= FLUSH_MS) flush();
      }
      port.postMessage({ type: 'done', id: msg.id, from, outcomes: pending } satisfies FromWorker);
    });
  });
}
