/**
 * Worker-thread entry: scans the files it is sent and posts one message per file, so the
 * pool always knows which file a worker is on (for the time cap).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { scanFile } from './scan-file.js';
import type { ScanContext } from './scan-bytes.js';
import type { ScanLimits } from './types.js';
import { loadYara } from './yara.js';

export interface WorkerInit {
  limits: ScanLimits;
  yaraRules?: string;
}
export type ToWorker = { type: 'task'; id: number; paths: string[] };
export type FromWorker =
  | { type: 'start'; id: number; index: number }
  | { type: 'result'; id: number; index: number; outcomes: import('./scan-bytes.js').FileOutcome[] }
  | { type: 'done'; id: number }
  | { type: 'fatal'; message: string };

const init = workerData as WorkerInit;
const port = parentPort;
if (port) {
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
      // no per-file 'start' message: the pool takes a result for file i as the start of file
      // i + 1 (half the messages; on trees of small scripts the messaging was a visible cost)
      for (let i = 0; i < msg.paths.length; i++) {
        const outcomes = await scanFile(msg.paths[i]!, ctx);
        port.postMessage({ type: 'result', id: msg.id, index: i, outcomes } satisfies FromWorker);
      }
      port.postMessage({ type: 'done', id: msg.id } satisfies FromWorker);
    });
  });
}
