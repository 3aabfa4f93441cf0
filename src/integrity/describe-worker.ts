/** Worker thread: describes the files it is sent, one batch per message, answered packed. */
import { parentPort } from 'node:worker_threads';
import { describeRawSync, type FileFacts, loadSignatureCheck, type PlainFile, packFacts, type SignatureCheck } from './describe.js';
import type { SignatureKind } from './types.js';

export interface DescribeBatch {
  id: number;
  paths: string[];
  sigs: SignatureKind[];
}

let check: SignatureCheck | undefined;

parentPort?.on('message', async (batch: DescribeBatch) => {
  // the signature parsers are loaded by the first batch that has a PE or JAR in it
  if (!check && batch.sigs.some((s) => s !== 'none')) check = await loadSignatureCheck();
  const results: (FileFacts | PlainFile)[] = new Array(batch.paths.length);
  for (let i = 0; i < batch.paths.length; i++) results[i] = describeRawSync(batch.paths[i]!, batch.sigs[i]!, check);
  const packed = packFacts(batch.id, results);
  parentPort!.postMessage(packed, [packed.num.buffer as ArrayBuffer]);
});
