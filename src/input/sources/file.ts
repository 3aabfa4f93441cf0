/**
 * One file (or stdin, "-") as an `EventSource`: gzip undone, the format sniffed from the
 * decompressed head unless forced, text split into lines and decoded, binary formats (EVTX)
 * handed to their decoder. A binary format that arrives as a stream it cannot seek in
 * (stdin, a .gz) is spilled to a private temporary file first.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ProblemSink } from '../../errors.js';
import { errorMessage, UsageError } from '../../errors.js';
import type { Event } from '../../event/event.js';
import type { EventSource, SourceBatch, SourceStats } from '../../event/source.js';
import { gunzip, isGzip, peek } from '../bytes.js';
import type { Decoder, FileDecoder, FilePart, LineDecoder } from '../decoder.js';
import { checkFormat, decoderFor, SNIFF_BYTES } from '../detect.js';
import type { InputFormat } from '../registry.js';
import { LineEvents } from '../lines.js';
import { detectEncoding, type Encoding, TextDecoderStream } from '../text-decode.js';

/** A byte range of one file, for splitting a big line-oriented file across workers. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface FileSourceOptions {
  /** Force a decoder instead of sniffing (`--input-format`). */
  inputFormat?: string;
  /** Zone for formats that log local time without an offset. */
  timezone?: string;
  /** Host for events whose log names none (`--host`). */
  host?: string;
  /** Longest line accepted; longer lines are reported and skipped. */
  maxLineChars?: number;
  /** Read only this byte range (plain UTF-8 text; `inputFormat` must name the decoder). */
  range?: ByteRange;
  /** Read only this piece of a binary file (from its decoder's `split`). */
  part?: FilePart;
  /**
   * Found by walking a folder: a file nothing recognizes is skipped (and counted) instead of
   * being a problem; `onSkip` hears about it.
   */
  quietUnknown?: boolean;
  onSkip?: (path: string, reason: string) => void;
  /** Events per batch for binary formats (text formats batch per read chunk). */
  batchSize?: number;
}

const READ_CHUNK = 1 << 20;

async function startsWithGzip(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'r');
    try {
      const b = Buffer.alloc(2);
      const { bytesRead } = await fh.read(b, 0, 2, 0);
      return isGzip(b.subarray(0, bytesRead));
    } finally {
      await fh.close();
    }
  } catch {
    // Unreadable: the decoder reports it where it fails.
    return false;
  }
}

function openRaw(path: string, range?: ByteRange): AsyncIterable<Buffer> {
  if (path === '-') return process.stdin as AsyncIterable<Buffer>;
  return createReadStream(path, {
    highWaterMark: READ_CHUNK,
    start: range?.start,
    // inclusive end; ranges from splitAtLines end right after a newline
    end: range ? range.end - 1 : undefined,
  }) as AsyncIterable<Buffer>;
}

export class FileSource implements EventSource {
  private readonly counters: SourceStats = { events: 0, records: 0 };

  constructor(
    readonly name: string,
    private readonly opts: FileSourceOptions = {},
  ) {}

  stats(): SourceStats {
    return this.counters;
  }

  async *batches(problems: ProblemSink): AsyncGenerator<SourceBatch> {
    const path = this.name;
    const forced = checkFormat(this.opts.inputFormat);
    if (forced?.kind === 'file' && path !== '-' && !(await startsWithGzip(path))) {
      // A binary format on disk, known in advance: the decoder reads the file itself.
      this.counters.format = forced.format;
      try {
        yield* this.fileBatches(await forced.load(), undefined, async () => {}, false, problems);
      } catch (e) {
        problems.report({ kind: 'input', file: path, message: `read failed: ${errorMessage(e)}` });
      }
      return;
    }
    let head: Buffer;
    let stream: AsyncIterable<Buffer>;
    let close: () => Promise<void>;
    let gz: ReturnType<typeof gunzip> | undefined;
    try {
      ({ head, stream, close } = await peek(openRaw(path, this.opts.range), SNIFF_BYTES));
      if (!this.opts.range && isGzip(head)) {
        gz = gunzip(stream);
        const raw = close;
        const p = await peek(gz.stream, SNIFF_BYTES);
        ({ head, stream } = p);
        close = async () => {
          await p.close();
          await raw();
        };
      }
    } catch (e) {
      problems.report({ kind: 'input', file: path, message: `cannot read: ${errorMessage(e)}` });
      return;
    }
    let format: InputFormat | undefined = forced ?? decoderFor(head);
    if (!format && path === '-') format = checkFormat('json');
    if (!format) {
      const reason = 'unrecognized format (use --input-format to force one)';
      if (this.opts.quietUnknown) this.opts.onSkip?.(path, reason);
      else problems.report({ kind: 'input', file: path, message: reason });
      await close();
      return;
    }
    this.counters.format = format.format;
    try {
      const decoder: Decoder = await format.load();
      if (decoder.kind === 'file') yield* this.fileBatches(decoder, stream, close, gz !== undefined || path === '-', problems);
      else yield* this.lineBatches(decoder, head, stream, problems);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      problems.report({ kind: 'input', file: path, line: this.counters.records || undefined, message: `read failed: ${errorMessage(e)}` });
    } finally {
      await close();
    }
    if (gz?.truncated()) problems.report({ kind: 'input', file: path, message: 'gzip data ends before its trailer (truncated file): the events before the cut were read' });
  }

  private async *lineBatches(decoder: LineDecoder, head: Buffer, stream: AsyncIterable<Buffer>, problems: ProblemSink): AsyncGenerator<SourceBatch> {
    const path = this.name;
    const range = this.opts.range;
    let encoding: Encoding = 'utf8';
    let bom = 0;
    if (!range || range.start === 0) ({ encoding, bom } = detectEncoding(head));
    const text = new TextDecoderStream(encoding);
    const lines = new LineEvents(decoder, { file: path, problems, timezone: this.opts.timezone, host: this.opts.host, maxLineChars: this.opts.maxLineChars });
    const done = (): SourceBatch | undefined => {
      const events = lines.take();
      this.counters.records = lines.lines;
      if (events.length === 0) return undefined;
      this.counters.events += events.length;
      return decoder.freshFields ? { events, freshFields: true } : { events };
    };
    let skip = bom;
    for await (const raw of stream) {
      let chunk = raw;
      if (skip > 0) {
        const cut = Math.min(skip, chunk.length);
        chunk = chunk.subarray(cut);
        skip -= cut;
      }
      lines.write(text.write(chunk));
      const b = done();
      if (b) yield b;
    }
    const tail = text.end();
    if (tail) lines.write(tail);
    lines.end();
    const b = done();
    if (b) yield b;
  }

  private async *fileBatches(
    decoder: FileDecoder,
    stream: AsyncIterable<Buffer> | undefined,
    close: () => Promise<void>,
    mustSpill: boolean,
    problems: ProblemSink,
  ): AsyncGenerator<SourceBatch> {
    const path = this.name;
    let readPath = path;
    let spillDir: string | undefined;
    if (mustSpill && stream) {
      spillDir = await mkdtemp(join(tmpdir(), 'warden-spill-'));
      readPath = join(spillDir, 'input');
      await pipeline(stream, createWriteStream(readPath, { mode: 0o600 }));
    } else await close();
    try {
      const size = this.opts.batchSize ?? 1024;
      let batch: Event[] = [];
      const ctx = { file: path, problems, timezone: this.opts.timezone };
      const host = this.opts.host;
      for await (const ev of decoder.read(readPath, ctx, this.opts.part)) {
        if (host !== undefined && ev.host === undefined) ev.host = host;
        batch.push(ev);
        this.counters.records++;
        if (batch.length >= size) {
          this.counters.events += batch.length;
          yield { events: batch, freshFields: true };
          batch = [];
        }
      }
      if (batch.length) {
        this.counters.events += batch.length;
        yield { events: batch, freshFields: true };
      }
    } finally {
      if (spillDir) await rm(spillDir, { recursive: true, force: true });
    }
  }
}
