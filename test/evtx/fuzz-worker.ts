/**
 * Worker side of the EVTX fuzz test (fuzz.test.ts): mutates sample files in memory with a
 * seeded PRNG, writes each copy to a temp dir, reads it fully (JSON object, JSON text and XML rendering)
 * and reports progress, so the parent can detect hangs and the worker's heap limit
 * catches unbounded allocation. Does nothing when not started as a worker.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProblemList } from '../../src/errors.js';
import { readEvtxChunks } from '../../src/input/evtx/reader.js';
import { recordToJson } from '../../src/input/evtx/render-json.js';
import { recordToXml } from '../../src/input/evtx/render-xml.js';
import { prng } from '../helpers/prng.js';

export interface FuzzJob {
  samples: string[];
  tmpDir: string;
  seed: number;
  iterations: number;
  /** Stop early once this many ms have passed. */
  budgetMs: number;
}

export type FuzzMessage =
  | { type: 'start'; i: number; file: string; mutation: string }
  | { type: 'end'; i: number; records: number; problems: number }
  | { type: 'done'; iterations: number; records: number; problems: number };

const HEADER = 4096;
const CHUNK = 65536;

export function mutate(src: Buffer, rnd: () => number): { data: Buffer; mutation: string } {
  const int = (n: number): number => Math.floor(rnd() * n);
  const data = Buffer.from(src);
  const chunks = Math.floor((data.length - HEADER) / CHUNK);
  const kinds = ['bitflips', 'overwrite', 'truncate', 'swap-chunks', 'dup-chunk', 'record-magic', 'header-fields', 'zero-range'];
  const kind = kinds[int(kinds.length)]!;
  switch (kind) {
    case 'bitflips': {
      const n = 1 + int(64);
      for (let i = 0; i < n; i++) {
        const p = int(data.length);
        data[p] = data[p]! ^ (1 << int(8));
      }
      return { data, mutation: `${n} bit flips` };
    }
    case 'overwrite': {
      const p = int(data.length);
      const len = 1 + int(512);
      for (let i = p; i < Math.min(data.length, p + len); i++) data[i] = int(256);
      return { data, mutation: `random bytes at ${p}+${len}` };
    }
    case 'zero-range': {
      const p = int(data.length);
      const len = 1 + int(4096);
      data.fill(rnd() < 0.5 ? 0 : 0xff, p, Math.min(data.length, p + len));
      return { data, mutation: `fill at ${p}+${len}` };
    }
    case 'truncate': {
      const len = int(data.length);
      return { data: data.subarray(0, len), mutation: `truncated to ${len}` };
    }
    case 'swap-chunks': {
      if (chunks < 2) return { data: data.subarray(0, data.length - 1 - int(100)), mutation: 'truncated tail' };
      const a = int(chunks);
      const b = int(chunks);
      const ca = Buffer.from(data.subarray(HEADER + a * CHUNK, HEADER + (a + 1) * CHUNK));
      data.copy(data, HEADER + a * CHUNK, HEADER + b * CHUNK, HEADER + (b + 1) * CHUNK);
      ca.copy(data, HEADER + b * CHUNK);
      return { data, mutation: `swapped chunks ${a} and ${b}` };
    }
    case 'dup-chunk': {
      if (chunks < 1) return { data, mutation: 'none' };
      const a = int(chunks);
      const extra = Buffer.from(data.subarray(HEADER + a * CHUNK, HEADER + (a + 1) * CHUNK));
      return { data: Buffer.concat([data, extra]), mutation: `chunk ${a} duplicated at the end` };
    }
    case 'record-magic': {
      const n = 1 + int(16);
      for (let i = 0; i < n; i++) {
        const p = int(Math.max(1, data.length - 8));
        data.writeUInt32LE(0x00002a2a, p);
        data.writeUInt32LE(int(2) ? int(65536) : 28 + int(2048), p + 4);
      }
      return { data, mutation: `${n} fake record headers` };
    }
    default: {
      // chunk header fields: free space offset, last record offset, template/string tables
      if (chunks < 1) return { data, mutation: 'none' };
      const c = HEADER + int(chunks) * CHUNK;
      const field = [40, 44, 48, 52, 128 + 4 * int(64), 384 + 4 * int(32)][int(6)]!;
      data.writeUInt32LE(int(2) ? int(65536 + 1024) : 0xffffffff, c + field);
      return { data, mutation: `chunk at ${c} field +${field} rewritten` };
    }
  }
}

async function run(job: FuzzJob): Promise<void> {
  const port = parentPort!;
  const rnd = prng(job.seed);
  const sources = job.samples.map((p) => {
    const b = readFileSync(p);
    // header + up to 3 chunks keeps each case fast
    return b.subarray(0, Math.min(b.length, HEADER + 3 * CHUNK));
  });
  const started = Date.now();
  let records = 0;
  let problems = 0;
  let i = 0;
  for (; i < job.iterations && Date.now() - started < job.budgetMs; i++) {
    const src = sources[Math.floor(rnd() * sources.length)]!;
    const { data, mutation } = mutate(src, rnd);
    const file = join(job.tmpDir, `case-${i % 4}.evtx`);
    writeFileSync(file, data);
    port.postMessage({ type: 'start', i, file, mutation } satisfies FuzzMessage);
    const list = new ProblemList();
    let n = 0;
    for await (const chunk of readEvtxChunks(file, { problems: list })) {
      for (const r of chunk.records) {
        JSON.parse(JSON.stringify(recordToJson(r.tree)));
        recordToXml(r.tree);
        n++;
      }
    }
    records += n;
    problems += list.count;
    port.postMessage({ type: 'end', i, records: n, problems: list.count } satisfies FuzzMessage);
  }
  port.postMessage({ type: 'done', iterations: i, records, problems } satisfies FuzzMessage);
}

if (!isMainThread && parentPort && (workerData as { fuzz?: FuzzJob } | undefined)?.fuzz) {
  await run((workerData as { fuzz: FuzzJob }).fuzz);
}
