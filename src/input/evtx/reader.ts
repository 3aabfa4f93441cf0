/**
 * Streaming EVTX reader: file header, then chunk by chunk (a few chunks per read, one
 * reused buffer), so memory stays flat however big the file is. Every 64 KiB block after
 * the file header is examined, so chunks the header does not count (dirty logs, stale
 * headers) are still recovered. Chunk ranges let callers split one file across workers.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Problem, ProblemSink } from '../../errors.js';
import { crc32 } from './crc32.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE, hasChunkMagic, isEmptyBlock, parseChunk } from './chunk.js';
import { recordToJson, type JsonObject } from './render-json.js';
import { recordToXml } from './render-xml.js';
import type { XElement } from './tree.js';

export interface EvtxReadOptions {
  problems: ProblemSink;
  /** Name used in problems (defaults to the path). */
  file?: string;
  /** First chunk (0-based) to read; file header problems are only reported when this is 0. */
  firstChunk?: number;
  /** Number of chunks to read (default: all to the end of the file). */
  chunkCount?: number;
}

interface RecordBase {
  recordId: number;
  chunkIndex: number;
  /** Byte offset of the record in the file. */
  offset: number;
  /** Record header time, epoch ms (UTC). */
  timestamp: number;
}

export interface EvtxTreeRecord extends RecordBase {
  tree: XElement;
}

export interface EvtxRecord extends RecordBase {
  /** The record as evtx_dump's JSON object ({"Event": {...}}). */
  event: JsonObject;
}

export interface EvtxXmlRecord extends RecordBase {
  xml: string;
}

/** Chunks to read per file read. */
const BATCH = 16;

/** Number of 64 KiB chunk slots in the file (a trailing partial chunk counts). */
export async function countChunks(path: string): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    return size <= FILE_HEADER_SIZE ? 0 : Math.ceil((size - FILE_HEADER_SIZE) / CHUNK_SIZE);
  } finally {
    await fh.close();
  }
}

async function readFully(fh: FileHandle, buf: Buffer, length: number, position: number): Promise<number> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/** File header flag: the log is written without CRC32s (Windows sets it on some logs). */
const FLAG_NO_CRC32 = 0x4;

interface FileHeader {
  chunkCount: number;
  checkCrc: boolean;
}

function checkFileHeader(head: Buffer, got: number, report: (p: Omit<Problem, 'kind' | 'file'>) => void): FileHeader | undefined {
  if (got < 128) {
    report({ message: `file too short for an EVTX header (${got} bytes)` });
    return undefined;
  }
  const magicOk = head.toString('latin1', 0, 8) === 'ElfFile\0';
  const checkCrc = !magicOk || (head.readUInt32LE(120) & FLAG_NO_CRC32) === 0;
  if (!magicOk) report({ message: 'bad file header magic (expected "ElfFile"); scanning for chunks anyway' });
  else if (checkCrc && crc32(head, 0, 120) !== head.readUInt32LE(124)) report({ message: 'file header CRC32 mismatch' });
  return { chunkCount: head.readUInt16LE(42), checkCrc };
}

export interface EvtxChunkRecords {
  chunkIndex: number;
  records: EvtxTreeRecord[];
}

/** The records of the file chunk by chunk (one await per chunk rather than per record). */
export async function* readEvtxChunks(path: string, options: EvtxReadOptions): AsyncGenerator<EvtxChunkRecords> {
  const file = options.file ?? path;
  const report = (p: Omit<Problem, 'kind' | 'file'>): void => options.problems.report({ kind: 'input', file, ...p });
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    report({ message: `cannot open: ${e instanceof Error ? e.message : String(e)}` });
    return;
  }
  try {
    const size = (await fh.stat()).size;
    const first = Math.max(0, options.firstChunk ?? 0);
    // every range reads the header (for its chunk count), only the first reports on it
    const head = Buffer.alloc(FILE_HEADER_SIZE);
    const got = await readFully(fh, head, FILE_HEADER_SIZE, 0);
    const header = checkFileHeader(head, got, first === 0 ? report : () => undefined);
    if (header === undefined || size < FILE_HEADER_SIZE) return;
    const total = size <= FILE_HEADER_SIZE ? 0 : Math.ceil((size - FILE_HEADER_SIZE) / CHUNK_SIZE);
    const last = options.chunkCount === undefined ? total : Math.min(total, first + Math.max(0, options.chunkCount));
    const buf = Buffer.allocUnsafe(BATCH * CHUNK_SIZE);
    for (let batchStart = first; batchStart < last; batchStart += BATCH) {
      const n = Math.min(BATCH, last - batchStart);
      const pos = FILE_HEADER_SIZE + batchStart * CHUNK_SIZE;
      const got = await readFully(fh, buf, n * CHUNK_SIZE, pos);
      for (let i = 0; i < n; i++) {
        const chunkIndex = batchStart + i;
        const base = i * CHUNK_SIZE;
        const avail = Math.min(CHUNK_SIZE, got - base);
        if (avail <= 0) break;
        if (!hasChunkMagic(buf, base, avail)) {
          // unused slots and slack beyond the counted chunks are normal; damage inside is not
          if (isEmptyBlock(buf, base, avail)) continue;
          if (chunkIndex >= header.chunkCount) continue;
        }
        const parsed = parseChunk(buf, base, avail, header.checkCrc, (message, record) => report({ chunk: chunkIndex, record, message }));
        if (parsed.length === 0) continue;
        const records: EvtxTreeRecord[] = new Array<EvtxTreeRecord>(parsed.length);
        for (let k = 0; k < parsed.length; k++) {
          const r = parsed[k]!;
          records[k] = { recordId: r.recordId, chunkIndex, offset: pos + base + r.chunkOffset, timestamp: r.timestamp, tree: r.tree };
        }
        yield { chunkIndex, records };
      }
    }
  } catch (e) {
    report({ message: `read error: ${e instanceof Error ? e.message : String(e)}` });
  } finally {
    await fh.close();
  }
}

export async function* readEvtxTrees(path: string, options: EvtxReadOptions): AsyncGenerator<EvtxTreeRecord> {
  for await (const c of readEvtxChunks(path, options)) yield* c.records;
}

/** Every record as the evtx_dump-shaped JSON object. */
export async function* readEvtx(path: string, options: EvtxReadOptions): AsyncGenerator<EvtxRecord> {
  for await (const c of readEvtxChunks(path, options)) {
    for (const r of c.records) {
      yield { recordId: r.recordId, chunkIndex: r.chunkIndex, offset: r.offset, timestamp: r.timestamp, event: recordToJson(r.tree) };
    }
  }
}

/** Every record rendered as XML. */
export async function* readEvtxXml(path: string, options: EvtxReadOptions): AsyncGenerator<EvtxXmlRecord> {
  for await (const c of readEvtxChunks(path, options)) {
    for (const r of c.records) {
      yield { recordId: r.recordId, chunkIndex: r.chunkIndex, offset: r.offset, timestamp: r.timestamp, xml: recordToXml(r.tree) };
    }
  }
}
