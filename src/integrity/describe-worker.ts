/** Worker thread: describes the files it is sent, one batch per message. */
import { parentPort } from 'node:worker_threads';
import { describeFile } from './describe.js';
import type { SignatureKind } from './types.js';

parentPort?.on('message', async (batch: { id: number; jobs: { path: string; sig: SignatureKind }[] }) => {
  const results = [];
  for (const j of batch.jobs) results.push(await describeFile(j.path, j.sig));
  parentPort!.postMessage({ id: batch.id, results });
});
