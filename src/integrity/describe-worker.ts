/** Worker thread: describes the files it is sent, one batch per message. */
import { parentPort } from 'node:worker_threads';
import { describeFileSync } from './describe.js';
import type { SignatureKind } from './types.js';

parentPort?.on('message', (batch: { id: number; jobs: { path: string; sig: SignatureKind; scan?: boolean }[] }) => {
  const results = [];
  for (const j of batch.jobs) results.push(describeFileSync(j.path, j.sig, j.scan));
  parentPort!.postMessage({ id: batch.id, results });
});
