/**
 * The EVTX `FileDecoder`: streams each record of a Windows XML event log through the
 * Windows event normalizer (the same one the evtx_dump-JSON input uses, since the reader
 * renders records in that shape).
 */
import type { DecodeContext, FileDecoder, FilePart } from '../decoder.js';
import type { Event } from '../../event/event.js';
import { winEventToEvent } from '../winevent.js';

/**
 * The reader (binary XML, chunks, templates, CRC) is loaded when an EVTX file is read, not
 * when the registry is: a hunt over JSON or text logs never pays for its ten modules.
 */
const reader = (): Promise<typeof import('./reader.js')> => import('./reader.js');

const MAGIC = Buffer.from('ElfFile\0', 'latin1');

/** A slice of a file's chunks (see `countChunks`), for splitting one big log across workers. */
export interface ChunkRange {
  firstChunk: number;
  chunkCount: number;
}

/**
 * Normalized events of a log, or of one chunk range of it. An event's `record` is its
 * EventRecordID (what Event Viewer and every export show); the record header's own number,
 * which differs in exported or filtered logs, is kept as `ordinal` when it differs.
 */
export async function* readEvtxEvents(path: string, ctx: DecodeContext, range?: ChunkRange): AsyncGenerator<Event> {
  const { readEvtx } = await reader();
  for await (const r of readEvtx(path, { problems: ctx.problems, file: ctx.file, ...range })) {
    const ev = winEventToEvent(r.event, { file: ctx.file, record: r.recordId, offset: r.offset, format: 'evtx' });
    const rid = ev.fields.EventRecordID;
    const id = typeof rid === 'number' ? rid : typeof rid === 'string' && /^\d{1,15}$/.test(rid) ? Number(rid) : Number.NaN;
    if (Number.isSafeInteger(id) && id !== r.recordId) ev.origin = { ...ev.origin, record: id, ordinal: r.recordId };
    yield ev;
  }
}

export const evtxDecoder: FileDecoder = {
  kind: 'file',
  format: 'evtx',
  description: 'Windows XML event log (.evtx), read natively; damaged files are recovered record by record',
  sniffBytes(head: Buffer): number {
    return head.length >= 8 && head.compare(MAGIC, 0, 8, 0, 8) === 0 ? 1 : 0;
  },
  read(path: string, ctx: DecodeContext, part?: FilePart): AsyncIterable<Event> {
    const range = part && typeof part.firstChunk === 'number' && typeof part.chunkCount === 'number' ? { firstChunk: part.firstChunk, chunkCount: part.chunkCount } : undefined;
    return readEvtxEvents(path, ctx, range);
  },
  async split(path: string, parts: number): Promise<FilePart[]> {
    const chunks = await (await reader()).countChunks(path);
    const n = Math.max(1, Math.min(parts, chunks));
    const out: FilePart[] = [];
    for (let i = 0; i < n; i++) {
      const first = Math.floor((chunks * i) / n);
      const next = Math.floor((chunks * (i + 1)) / n);
      if (next > first) out.push({ firstChunk: first, chunkCount: next - first });
    }
    return out;
  },
};
