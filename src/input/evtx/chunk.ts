/**
 * One 64 KiB EVTX chunk: header checks (magic, CRC32 of header and of the record area)
 * and the walk over its event records. Damage is reported and worked around: a bad
 * magic or CRC does not stop parsing, a bad record is skipped by scanning for the next
 * record magic, and every loop advances.
 */
import { crc32, crc32Update } from './crc32.js';
import { BinXmlError, ChunkBinXml } from './binxml.js';
import { filetimeToMs } from './values.js';
import type { XElement } from './tree.js';

export const FILE_HEADER_SIZE = 4096;
export const CHUNK_SIZE = 65536;
const CHUNK_HEADER_SIZE = 512;
const RECORD_HEADER_SIZE = 24;
export const CHUNK_MAGIC = Buffer.from('ElfChnk\0', 'latin1');
const RECORD_MAGIC = Buffer.from([0x2a, 0x2a, 0x00, 0x00]);
/** Past this many problems in one chunk, the rest are summarised in one line. */
const MAX_PROBLEMS_PER_CHUNK = 20;

export interface ChunkRecord {
  recordId: number;
  /** Offset of the record within the chunk. */
  chunkOffset: number;
  /** Record header time (FILETIME), epoch ms. */
  timestamp: number;
  tree: XElement;
}

export type ChunkProblem = (message: string, recordId?: number) => void;

function isZero(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

export function hasChunkMagic(buf: Buffer, base: number, size: number): boolean {
  return size >= 8 && buf.compare(CHUNK_MAGIC, 0, 8, base, base + 8) === 0;
}

export function isEmptyBlock(buf: Buffer, base: number, size: number): boolean {
  return isZero(buf, base, base + size);
}

/**
 * Parse the records of the chunk in buf[base, base + size). `size` is below CHUNK_SIZE
 * only for a truncated last chunk; `checkCrc` is false for logs flagged as written
 * without CRC32s.
 */
export function parseChunk(buf: Buffer, base: number, size: number, checkCrc: boolean, report: ChunkProblem): ChunkRecord[] {
  let problems = 0;
  const problem: ChunkProblem = (message, recordId) => {
    problems++;
    if (problems <= MAX_PROBLEMS_PER_CHUNK) report(message, recordId);
    else if (problems === MAX_PROBLEMS_PER_CHUNK + 1) report('more problems in this chunk not shown');
  };
  const records: ChunkRecord[] = [];
  if (size < CHUNK_HEADER_SIZE) {
    problem(`chunk truncated to ${size} bytes`);
    return records;
  }
  if (size < CHUNK_SIZE) problem(`chunk truncated to ${size} of ${CHUNK_SIZE} bytes`);
  const magicOk = hasChunkMagic(buf, base, size);
  if (!magicOk) problem('bad chunk magic (expected "ElfChnk"); scanning it for records anyway');

  let limit = base + size;
  if (magicOk) {
    const headerCrc = checkCrc ? crc32Update(crc32(buf, base, base + 120), buf, base + 128, base + CHUNK_HEADER_SIZE) : 0;
    if (checkCrc && headerCrc !== buf.readUInt32LE(base + 124)) problem('chunk header CRC32 mismatch');
    const freeSpace = buf.readUInt32LE(base + 48);
    if (freeSpace < CHUNK_HEADER_SIZE || freeSpace > CHUNK_SIZE) {
      problem(`invalid free space offset ${freeSpace}; scanning the whole chunk`);
    } else {
      if (checkCrc && freeSpace <= size) {
        const dataCrc = crc32(buf, base + CHUNK_HEADER_SIZE, base + freeSpace);
        if (dataCrc !== buf.readUInt32LE(base + 52)) problem('event records CRC32 mismatch');
      }
      limit = base + Math.min(freeSpace, size);
    }
  }

  const binxml = new ChunkBinXml(buf, base, size);
  const chunkEnd = base + size;
  // resynchronisation never looks past this chunk's records
  const searchable = buf.subarray(0, limit);
  let p = base + CHUNK_HEADER_SIZE;
  // after a bad record has been reported, the resynchronisation that follows is not news
  let resyncReported = false;
  while (p + RECORD_HEADER_SIZE <= limit) {
    if (buf.readUInt32LE(p) !== 0x00002a2a) {
      if (isZero(buf, p, limit)) break;
      const next = searchable.indexOf(RECORD_MAGIC, p + 1);
      if (next < 0 || next + RECORD_HEADER_SIZE > limit) {
        if (!resyncReported) problem(`no event record at chunk offset ${p - base}, and none after it`);
        break;
      }
      if (!resyncReported) problem(`no event record at chunk offset ${p - base}; skipped ${next - p} bytes to the next record`);
      resyncReported = true;
      p = next;
      continue;
    }
    resyncReported = false;
    const recSize = buf.readUInt32LE(p + 4);
    const recordId = Number(buf.readBigUInt64LE(p + 8));
    if (recSize < RECORD_HEADER_SIZE + 4 || p + recSize > chunkEnd) {
      problem(`event record at chunk offset ${p - base} has invalid size ${recSize}`, recordId);
      p += 4; // resynchronise on the next record magic
      resyncReported = true;
      continue;
    }
    if (buf.readUInt32LE(p + recSize - 4) !== recSize) {
      // a torn write (dirty log): what parses is zero-filled template values, not the event
      problem(`event record at chunk offset ${p - base} is torn (size ${recSize} does not match its trailing copy); skipped`, recordId);
      p += 4;
      resyncReported = true;
      continue;
    }
    const timestamp = filetimeToMs(buf.readUInt32LE(p + 16), buf.readUInt32LE(p + 20));
    try {
      const tree = binxml.record(p + RECORD_HEADER_SIZE, p + recSize - 4);
      records.push({ recordId, chunkOffset: p - base, timestamp, tree });
    } catch (e) {
      // BinXmlError for bad structure, RangeError for reads past a buffer or runaway
      // nesting; anything else is a bug, still confined to this one record
      const msg = e instanceof BinXmlError || e instanceof RangeError ? (e as Error).message : `internal error: ${String(e)}`;
      problem(`event record at chunk offset ${p - base}: ${msg}`, recordId);
    }
    p += recSize;
  }
  return records;
}
