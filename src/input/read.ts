/**
 * The single reader behind every command: expands inputs, opens each file (gzip
 * transparently, UTF-8/UTF-16 by BOM or byte pattern), picks a decoder by content (or
 * `--input-format`), splits lines and feeds them to the decoder. Decoders never touch
 * files; this module never knows what a field means.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { Event } from '../event/event.js';
import type { ProblemSink } from '../errors.js';
import { UsageError, errorMessage } from '../errors.js';
import type { Decoder, FileDecoder, FilePart, LineDecoder, LineDecoderState } from './decoder.js';
import { decoders, decoderByName } from './registry.js';
import { walkInputs } from './walk.js';

export interface ReadOptions {
  /** Force a decoder instead of sniffing (`--input-format`). */
  inputFormat?: string;
  /** Longest line accepted; longer lines are reported and skipped. */
  maxLineChars?: number;
  /** Zone for formats that log local time without an offset (see DecodeContext.timezone). */
  timezone?: string;
  /**
   * Host for events whose log does not name one (access logs, IIS logs without
   * s-computername, application logs): `--host`. Events that name their host keep it.
   */
  host?: string;
  /**
   * Called for files found by walking a folder that no decoder recognizes (a folder of
   * logs often holds notes and archives too: skipped quietly, counted in the summary).
   * Files named explicitly are reported as problems instead.
   */
  onSkip?: (path: string, reason: string) => void;
}

/** A byte range of one file, for splitting a big line-oriented file across workers. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface FileReadStats {
  /** Lines whose first byte lies in the range that was read (all lines for a whole file). */
  lines: number;
  events: number;
  format?: string;
}

const DEFAULT_MAX_LINE = 16 * 1024 * 1024;
const SNIFF_LINES = 20;
const SNIFF_CHARS = 256 * 1024;
const HEAD_BYTES = 4096;

export function knownFormats(): string[] {
  return decoders.map((d) => d.format);
}

function checkFormat(name: string | undefined): Decoder | undefined {
  if (name === undefined) return undefined;
  const d = decoderByName(name);
  if (!d) throw new UsageError(`unknown --input-format ${JSON.stringify(name)}; known: ${knownFormats().join(', ')}`);
  return d;
}

/** Every event of every input, in order. Problems go to `problems`; never throws for bad data. */
export async function* readEvents(paths: string[], opts: ReadOptions, problems: ProblemSink): AsyncGenerator<Event> {
  for await (const batch of readEventBatches(paths, opts, problems)) yield* batch;
}

/** Same as readEvents, in batches (one per read chunk) to keep per-event overhead low. */
export async function* readEventBatches(paths: string[], opts: ReadOptions, problems: ProblemSink): AsyncGenerator<Event[]> {
  checkFormat(opts.inputFormat);
  for await (const file of walkInputs(paths, problems)) {
    yield* readFileBatches(file.path, file.explicit ? opts : { ...opts, quietUnknown: true }, problems);
  }
}

type Encoding = 'utf8' | 'utf16le' | 'utf16be';

interface Head {
  bytes: Buffer;
  gzip: boolean;
}

async function readHead(path: string): Promise<Head> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    const bytes = buf.subarray(0, bytesRead);
    return { bytes, gzip: bytesRead >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b };
  } finally {
    await fh.close();
  }
}

/**
 * Whether byte ranges of this file can be read on their own (`ByteRange`): only plain,
 * uncompressed UTF-8 text; gzip and UTF-16 files are always read whole.
 */
export async function splittableByLines(path: string): Promise<boolean> {
  const head = await readHead(path);
  return !head.gzip && detectEncoding(head.bytes).encoding === 'utf8';
}

function detectEncoding(head: Buffer): { encoding: Encoding; bom: number } {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', bom: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', bom: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', bom: 2 };
  // No BOM: text that is mostly ASCII in UTF-16 has a NUL in every other byte.
  const n = Math.min(head.length, 512) & ~1;
  if (n >= 8) {
    let oddNul = 0;
    let evenNul = 0;
    for (let i = 0; i < n; i += 2) {
      if (head[i] === 0) evenNul++;
      if (head[i + 1] === 0) oddNul++;
    }
    const pairs = n / 2;
    if (oddNul > pairs * 0.7 && evenNul < pairs * 0.1) return { encoding: 'utf16le', bom: 0 };
    if (evenNul > pairs * 0.7 && oddNul < pairs * 0.1) return { encoding: 'utf16be', bom: 0 };
  }
  return { encoding: 'utf8', bom: 0 };
}

/** Decodes a byte stream to text chunks, UTF-16BE by swapping to LE. */
class TextDecoderStream {
  private readonly decoder: StringDecoder;
  private carry: Buffer | null = null;
  constructor(private readonly encoding: Encoding) {
    this.decoder = new StringDecoder(encoding === 'utf8' ? 'utf8' : 'utf16le');
  }
  write(chunk: Buffer): string {
    if (this.encoding !== 'utf16be') return this.decoder.write(chunk);
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    if (buf.length & 1) {
      this.carry = buf.subarray(buf.length - 1);
      buf = buf.subarray(0, buf.length - 1);
    }
    const swapped = Buffer.from(buf);
    swapped.swap16();
    return this.decoder.write(swapped);
  }
  end(): string {
    return this.decoder.end();
  }
}

function pickLineDecoder(lines: string[]): LineDecoder | undefined {
  let best: LineDecoder | undefined;
  let bestScore = 0;
  for (const d of decoders) {
    if (d.kind !== 'line') continue;
    let score = 0;
    try {
      score = d.sniff(lines);
    } catch {
      score = 0;
    }
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

function pickFileDecoder(head: Buffer): FileDecoder | undefined {
  for (const d of decoders) {
    if (d.kind === 'file' && d.sniffBytes(head) >= 0.5) return d;
  }
  return undefined;
}

/**
 * Choose the decoder for a file. Returns undefined (after reporting) when nothing
 * recognizes it.
 */
export async function detectFormat(path: string, opts: ReadOptions, problems: ProblemSink): Promise<Decoder | undefined> {
  const forced = checkFormat(opts.inputFormat);
  if (forced) return forced;
  if (path === '-') return undefined;
  let head: Head;
  try {
    head = await readHead(path);
  } catch (e) {
    problems.report({ kind: 'input', file: path, message: `cannot read: ${errorMessage(e)}` });
    return undefined;
  }
  if (!head.gzip) {
    const fd = pickFileDecoder(head.bytes);
    if (fd) return fd;
  }
  const lines: string[] = [];
  try {
    for await (const line of sniffLines(path, head)) lines.push(line);
  } catch (e) {
    problems.report({ kind: 'input', file: path, message: `cannot read: ${errorMessage(e)}` });
    return undefined;
  }
  return pickLineDecoder(lines);
}

/** The first non-empty lines of a file (decompressed and decoded), for sniffing. */
async function* sniffLines(path: string, head: Head): AsyncGenerator<string> {
  const stream = openStream(path, head.gzip);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const raw of stream as AsyncIterable<Buffer>) {
      chunks.push(raw);
      size += raw.length;
      if (size >= SNIFF_CHARS) break;
    }
  } finally {
    stream.destroy();
  }
  const bytes = Buffer.concat(chunks).subarray(0, SNIFF_CHARS);
  const { encoding, bom } = detectEncoding(bytes);
  const text = new TextDecoderStream(encoding).write(bytes.subarray(bom));
  let n = 0;
  for (const l of text.split('\n')) {
    const t = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (t.trim() === '') continue;
    if (n++ >= SNIFF_LINES) break;
    yield t;
  }
}

function openStream(path: string, gzip: boolean, range?: ByteRange): Readable {
  if (path === '-') return process.stdin;
  const raw = createReadStream(path, {
    highWaterMark: 1 << 20,
    start: range?.start,
    // inclusive end; ranges from splitAtLines end right after a newline
    end: range ? range.end - 1 : undefined,
  });
  if (!gzip) return raw;
  const gun = createGunzip();
  raw.on('error', (e) => gun.destroy(e));
  return raw.pipe(gun);
}

/** Read one file (or one byte range of it) in batches of events. */
export async function* readFileBatches(
  path: string,
  opts: ReadOptions & { quietUnknown?: boolean },
  problems: ProblemSink,
  range?: ByteRange,
  stats?: FileReadStats,
  part?: FilePart,
): AsyncGenerator<Event[]> {
  let decoder: Decoder | undefined;
  try {
    decoder = await detectFormat(path, opts, problems);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    problems.report({ kind: 'input', file: path, message: errorMessage(e) });
    return;
  }
  if (path === '-' && !decoder) decoder = decoderByName('json');
  if (!decoder) {
    const reason = 'unrecognized format (use --input-format to force one)';
    if (opts.quietUnknown) opts.onSkip?.(path, reason);
    else problems.report({ kind: 'input', file: path, message: reason });
    return;
  }
  if (stats) stats.format = decoder.format;
  const ctx = { file: path, problems, timezone: opts.timezone };
  if (decoder.kind === 'file') {
    let batch: Event[] = [];
    try {
      for await (const ev of decoder.read(path, ctx, part)) {
        if (opts.host !== undefined && ev.host === undefined) ev.host = opts.host;
        batch.push(ev);
        if (batch.length >= 1024) {
          if (stats) stats.events += batch.length;
          yield batch;
          batch = [];
        }
      }
    } catch (e) {
      problems.report({ kind: 'input', file: path, message: `read failed: ${errorMessage(e)}` });
    }
    if (stats) stats.events += batch.length;
    if (batch.length) yield batch;
    return;
  }
  yield* readLines(path, decoder, opts, problems, range, stats);
}

async function* readLines(
  path: string,
  decoder: LineDecoder,
  opts: ReadOptions,
  problems: ProblemSink,
  range: ByteRange | undefined,
  stats: FileReadStats | undefined,
): AsyncGenerator<Event[]> {
  const maxLine = opts.maxLineChars ?? DEFAULT_MAX_LINE;
  let gzip = false;
  let encoding: Encoding = 'utf8';
  let bom = 0;
  if (path !== '-') {
    try {
      const head = await readHead(path);
      gzip = head.gzip;
      if (!gzip) ({ encoding, bom } = detectEncoding(head.bytes));
    } catch (e) {
      problems.report({ kind: 'input', file: path, message: `cannot read: ${errorMessage(e)}` });
      return;
    }
  }
  if (range && (gzip || encoding !== 'utf8')) range = undefined; // only plain UTF-8 is split

  const state: LineDecoderState = decoder.open({ file: path, problems, timezone: opts.timezone });
  let batch: Event[] = [];
  const fallbackHost = opts.host;
  const emit =
    fallbackHost === undefined
      ? (e: Event): void => {
          batch.push(e);
        }
      : (e: Event): void => {
          if (e.host === undefined) e.host = fallbackHost;
          batch.push(e);
        };
  let lineNo = 0;
  let pending = '';
  let skippingLong = false;
  let longStart = 0;
  let dec: TextDecoderStream | undefined = gzip ? undefined : new TextDecoderStream(encoding);
  let toSkip = range && range.start > 0 ? 0 : bom;

  const handle = (raw: string): void => {
    lineNo++;
    const line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (line.length === 0) return;
    try {
      state.line(line, lineNo, emit);
    } catch (e) {
      problems.report({ kind: 'input', file: path, line: lineNo, message: `decoder failed: ${errorMessage(e)}` });
    }
  };

  const feed = (text: string): void => {
    let i = 0;
    for (;;) {
      const j = text.indexOf('\n', i);
      if (j < 0) {
        if (skippingLong) return;
        const rest = text.slice(i);
        if (pending.length + rest.length > maxLine) {
          skippingLong = true;
          longStart = lineNo + 1;
          pending = '';
        } else pending += rest;
        return;
      }
      if (skippingLong) {
        skippingLong = false;
        lineNo++;
        problems.report({ kind: 'input', file: path, line: longStart, message: `line longer than ${maxLine} characters skipped` });
      } else if (pending.length) {
        const line = pending + text.slice(i, j);
        pending = '';
        if (line.length > maxLine) {
          lineNo++;
          problems.report({ kind: 'input', file: path, line: lineNo, message: `line longer than ${maxLine} characters skipped` });
        } else handle(line);
      } else if (j - i > maxLine) {
        lineNo++;
        problems.report({ kind: 'input', file: path, line: lineNo, message: `line longer than ${maxLine} characters skipped` });
      } else handle(text.slice(i, j));
      i = j + 1;
    }
  };

  const stream = openStream(path, gzip, range);
  try {
    for await (const raw of stream as AsyncIterable<Buffer>) {
      let chunk = raw;
      if (!dec) {
        // gzip: the encoding is only visible after decompression
        const d = detectEncoding(chunk);
        dec = new TextDecoderStream(d.encoding);
        toSkip = d.bom;
      }
      if (toSkip > 0) {
        const cut = Math.min(toSkip, chunk.length);
        chunk = chunk.subarray(cut);
        toSkip -= cut;
      }
      feed(dec.write(chunk));
      if (batch.length) {
        if (stats) stats.events += batch.length;
        yield batch;
        batch = [];
      }
    }
    const tail = dec ? dec.end() : '';
    if (tail) feed(tail);
    if (skippingLong) {
      lineNo++;
      problems.report({ kind: 'input', file: path, line: longStart, message: `line longer than ${maxLine} characters skipped` });
    } else if (pending.length) {
      const line = pending;
      pending = '';
      handle(line);
    }
  } catch (e) {
    problems.report({ kind: 'input', file: path, line: lineNo || undefined, message: `read failed: ${errorMessage(e)}` });
  } finally {
    if (path !== '-') stream.destroy();
  }
  try {
    state.end(emit);
  } catch (e) {
    problems.report({ kind: 'input', file: path, message: `decoder failed at end of input: ${errorMessage(e)}` });
  }
  if (stats) {
    stats.events += batch.length;
    stats.lines = lineNo;
  }
  if (batch.length) yield batch;
}

/**
 * Split a plain (uncompressed) file into `parts` byte ranges that each start at a line
 * start, so each range can be read independently (worker threads).
 */
export async function splitAtLines(path: string, size: number, parts: number): Promise<ByteRange[]> {
  if (parts <= 1 || size === 0) return [{ start: 0, end: size }];
  const fh = await open(path, 'r');
  const bounds = [0];
  try {
    const probe = Buffer.alloc(64 * 1024);
    for (let k = 1; k < parts; k++) {
      let pos = Math.max(Math.floor((size * k) / parts), bounds[bounds.length - 1]!);
      let found = -1;
      while (pos < size && found < 0) {
        const { bytesRead } = await fh.read(probe, 0, probe.length, pos);
        if (bytesRead <= 0) break;
        const nl = probe.subarray(0, bytesRead).indexOf(10);
        if (nl >= 0) found = pos + nl + 1;
        else pos += bytesRead;
      }
      if (found < 0 || found >= size) break;
      if (found > bounds[bounds.length - 1]!) bounds.push(found);
    }
  } finally {
    await fh.close();
  }
  bounds.push(size);
  const ranges: ByteRange[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) ranges.push({ start: bounds[i]!, end: bounds[i + 1]! });
  return ranges;
}
