/** Worker thread: describes the files it is sent, one batch per message, answered packed. */
import { parentPort, workerData } from 'node:worker_threads';
import { describeRawSync, type FileFacts, loadScanner, loadSignatureCheck, type PlainFile, packFacts, type Scanner, type SignatureCheck } from './describe.js';
import type { SignatureKind } from './types.js';

export interface DescribeBatch {
  id: number;
  paths: string[];
  sigs: SignatureKind[];
  /** Indexes (in this batch) of the scripts that also get the content scanner's verdict. */
  scans?: number[];
}

export interface DescribeWorkerData {
  /** Files finished, one counter per thread, read by a parent too busy to read messages. */
  done: Int32Array;
  index: number;
}

const { done, index } = workerData as DescribeWorkerData;
let check: SignatureCheck | undefined;
let scanner: Scanner | undefined;

parentPort?.on('message', async (batch: DescribeBatch) => {
  // the signature parsers and the scanner are loaded by the first batch that needs them
  if (!check && batch.sigs.some((s) => s !== 'none')) check = await loadSignatureCheck();
  if (!scanner && batch.scans?.length) scanner = await loadScanner();
  const scans = new Set(batch.scans ?? []);
  const results: (FileFacts | PlainFile)[] = new Array(batch.paths.length);
  for (let i = 0; i < batch.paths.length; i++) {
    results[i] = describeRawSync(batch.paths[i]!, batch.sigs[i]!, check, scans.has(i) ? scanner : undefined);
    Atomics.add(done, index, 1);
  }
  const packed = packFacts(batch.id, results);
  parentPort!.postMessage(packed, [packed.num.buffer as ArrayBuffer]);
});
