/**
 * Which decoder reads a stream: forced by name (`--input-format`), or sniffed from the
 * stream's first bytes (binary formats by magic) and first non-empty lines (text formats,
 * highest confidence wins; ties go to the earlier decoder in the registry).
 */
import { UsageError } from '../errors.js';
import { type FileFormat, formatByName, formats, type InputFormat, type LineFormat } from './registry.js';
import { detectEncoding, TextDecoderStream } from './text-decode.js';

export const SNIFF_BYTES = 256 * 1024;
const SNIFF_LINES = 20;

export function knownFormats(): string[] {
  return formats.map((d) => d.format);
}

/** The format named by `--input-format`; a name nobody knows is bad usage. */
export function checkFormat(name: string | undefined): InputFormat | undefined {
  if (name === undefined) return undefined;
  const d = formatByName(name);
  if (!d) throw new UsageError(`unknown --input-format ${JSON.stringify(name)}; known: ${knownFormats().join(', ')}`);
  return d;
}

export function fileDecoderFor(head: Buffer): FileFormat | undefined {
  for (const d of formats) if (d.kind === 'file' && d.sniffBytes(head) >= 0.5) return d;
  return undefined;
}

/** The first non-empty lines of (decompressed) bytes. */
export function headLines(head: Buffer): string[] {
  const { encoding, bom } = detectEncoding(head);
  const text = new TextDecoderStream(encoding).write(head.subarray(bom));
  const out: string[] = [];
  for (const l of text.split(/\r\n|\n|\r/)) {
    if (l.trim() === '') continue;
    if (out.length >= SNIFF_LINES) break;
    out.push(l);
  }
  return out;
}

export function lineDecoderFor(lines: string[]): LineFormat | undefined {
  let best: LineFormat | undefined;
  let bestScore = 0;
  for (const d of formats) {
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

/** The format of a stream whose (decompressed) first bytes are `head` (its decoder: `load()`). */
export function decoderFor(head: Buffer): InputFormat | undefined {
  return fileDecoderFor(head) ?? lineDecoderFor(headLines(head));
}
