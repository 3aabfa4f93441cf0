/**
 * Reading inputs named on a command line: folders walked, each file a `FileSource`, its
 * format detected by content. Also the planner's helpers: a file's format without reading it
 * all, whether it can be cut into byte ranges, and where to cut.
 */
import { open } from 'node:fs/promises';
import type { ProblemSink } from '../errors.js';
import { errorMessage } from '../errors.js';
import type { Event } from '../event/event.js';
import { gunzip, isGzip, peek } from './bytes.js';
import type { Decoder } from './decoder.js';
import { checkFormat, decoderFor, fileDecoderFor, headLines, SNIFF_BYTES } from './detect.js';
import type { InputFormat } from './registry.js';
import { FileSource, type FileSourceOptions } from './sources/file.js';
import { detectEncoding } from './text-decode.js';
import { walkInputs } from './walk.js';

export { knownFormats } from './detect.js';
export type { ByteRange } from './sources/file.js';

export type ReadOptions = Pick<FileSourceOptions, 'inputFormat' | 'timezone' | 'host' | 'maxLineChars' | 'onSkip'>;

/** Every event of every input, in order. Problems go to `problems`; never throws for bad data. */
export async function* readEvents(paths: string[], opts: ReadOptions, problems: ProblemSink): AsyncGenerator<Event> {
  for await (const batch of readEventBatches(paths, opts, problems)) yield* batch;
}

/** Same as readEvents, in batches (one per read chunk) to keep per-event overhead low. */
export async function* readEventBatches(paths: string[], opts: ReadOptions, problems: ProblemSink): AsyncGenerator<Event[]> {
  checkFormat(opts.inputFormat);
  for await (const file of walkInputs(paths, problems)) {
    const src = new FileSource(file.path, { ...opts, quietUnknown: !file.explicit });
    for await (const b of src.batches(problems)) yield b.events;
  }
}

/** The first bytes of a file: a few KB tell binary formats and gzip; text formats need more lines. */
async function headOf(path: string, size = SNIFF_BYTES): Promise<{ head: Buffer; gzip: boolean }> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(size);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return { head: buf.subarray(0, bytesRead), gzip: isGzip(buf.subarray(0, bytesRead)) };
  } finally {
    await fh.close();
  }
}

/**
 * The decoder for a file, from its (decompressed) head. Undefined (after reporting an
 * unreadable file) when nothing recognizes it.
 */
export async function detectFormat(path: string, opts: Pick<ReadOptions, 'inputFormat'>, problems: ProblemSink): Promise<Decoder | undefined> {
  const format = await sniffFormat(path, opts, problems);
  return format?.load();
}

async function sniffFormat(path: string, opts: Pick<ReadOptions, 'inputFormat'>, problems: ProblemSink): Promise<InputFormat | undefined> {
  const forced = checkFormat(opts.inputFormat);
  if (forced) return forced;
  if (path === '-') return undefined;
  try {
    const small = await headOf(path, 4096);
    if (!small.gzip) {
      const binary = fileDecoderFor(small.head);
      if (binary) return binary;
    }
    const { head, gzip } = small.head.length < 4096 ? small : await headOf(path);
    if (!gzip) return decoderFor(head);
    const fh = await open(path, 'r');
    try {
      const gz = gunzip(fh.createReadStream() as AsyncIterable<Buffer>);
      const p = await peek(gz.stream, SNIFF_BYTES);
      await p.close();
      return decoderFor(p.head);
    } finally {
      await fh.close();
    }
  } catch (e) {
    problems.report({ kind: 'input', file: path, message: `cannot read: ${errorMessage(e)}` });
    return undefined;
  }
}

export interface SplitInfo {
  /** Byte ranges can be read on their own: plain (uncompressed) UTF-8 text. */
  plainText: boolean;
  /** The first non-empty lines, for the decoder to say whether its records stand alone. */
  lines: string[];
}

export async function splitInfo(path: string): Promise<SplitInfo> {
  const { head, gzip } = await headOf(path);
  const plainText = !gzip && detectEncoding(head).encoding === 'utf8';
  return { plainText, lines: plainText ? headLines(head) : [] };
}

/**
 * Split a plain (uncompressed) file into `parts` byte ranges that each start at a line
 * start, so each range can be read independently (worker threads).
 */
export async function splitAtLines(path: string, size: number, parts: number): Promise<{ start: number; end: number }[]> {
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
  const ranges: { start: number; end: number }[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) ranges.push({ start: bounds[i]!, end: bounds[i + 1]! });
  return ranges;
}
