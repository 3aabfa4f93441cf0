/** Worker thread: describes the files it is sent, one batch per message. */
import { parentPort } from 'node:worker_threads';
import { describeFileSync, loadScanner, type Scanner } from './describe.js';
import type { SignatureKind } from './types.js';

let scanner: Scanner | undefined;

parentPort?.on('message', async (batch: { id: number; jobs: { path: string; sig: SignatureKind; scan?: boolean }[] }) => {
  if (scanner === undefined && batch.jobs.some((j) => j.scan)) scanner = await loadScanner();
  const results = [];
  for (const j of batch.jobs) results.push(describeFileSync(j.path, j.sig, j.scan ? scanner : undefined));
  parentPort!.postMessage({ id: batch.id, results });
});
