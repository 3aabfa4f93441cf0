/**
 * What an ingest body may be, checked before anything is journaled: a compressed body is
 * inflated only up to the decompressed cap (a gzip bomb stops there), lines and events are
 * bounded in count, size, fields and nesting, and the whole batch is refused on the first
 * bad line, naming it — a batch is accepted entirely or not at all.
 */
import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

export interface IngestLimits {
  /** Largest body, compressed and decompressed (bytes). */
  maxBodyBytes: number;
  maxLines: number;
  maxLineBytes: number;
  /** Most leaf values in one JSON event. */
  maxFields: number;
  /** Deepest nesting of one JSON event. Default 32. */
  maxDepth?: number;
}

/** A refused body: the HTTP status and why. */
export class IngestRefused extends Error {
  constructor(
    readonly statusCode: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'IngestRefused';
  }
}

/** The body as bytes, inflated per Content-Encoding up to the cap. */
export async function decodeBody(raw: Buffer, encoding: string | undefined, limits: IngestLimits): Promise<Buffer> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return raw;
  if (enc !== 'gzip' && enc !== 'x-gzip' && enc !== 'deflate') throw new IngestRefused(415, `Content-Encoding "${enc}" is not supported (use gzip, deflate or none)`);
  try {
    const opts = { maxOutputLength: limits.maxBodyBytes };
    return enc === 'deflate' ? await inflateAsync(raw, opts) : await gunzipAsync(raw, opts);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw new IngestRefused(413, `the ${enc} body inflates past the limit of ${limits.maxBodyBytes} bytes`);
    throw new IngestRefused(400, `the ${enc} body cannot be inflated: ${(e as Error).message}`);
  }
}

/** Counts leaf values and measures depth without recursion; stops as soon as a limit is passed. */
function measure(v: unknown, maxFields: number, maxDepth: number): 'ok' | 'fields' | 'depth' {
  const stack: [unknown, number][] = [[v, 0]];
  let fields = 0;
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x !== null && typeof x === 'object') {
      if (d >= maxDepth) return 'depth';
      const vals = Array.isArray(x) ? x : Object.values(x as Record<string, unknown>);
      if (vals.length === 0) fields++;
      for (const c of vals) stack.push([c, d + 1]);
    } else fields++;
    if (fields > maxFields) return 'fields';
  }
  return 'ok';
}

/**
 * The body's lines, checked. `json` lines must each be one JSON object within the field and
 * depth limits; other formats are raw lines for that decoder. Empty lines are skipped.
 */
export function splitLines(body: Buffer, json: boolean, limits: IngestLimits): string[] {
  const text = body.toString('utf8');
  const out: string[] = [];
  const maxDepth = limits.maxDepth ?? 32;
  let start = 0;
  let n = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    n++;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    if (out.length >= limits.maxLines) throw new IngestRefused(413, `more than ${limits.maxLines} lines in one request; send smaller batches`);
    if (Buffer.byteLength(line) > limits.maxLineBytes) throw new IngestRefused(413, `line ${n}: longer than ${limits.maxLineBytes} bytes`);
    if (json) {
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (e) {
        throw new IngestRefused(400, `line ${n}: invalid JSON (${(e as Error).message})`);
      }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new IngestRefused(400, `line ${n}: an event must be a JSON object`);
      const m = measure(v, limits.maxFields, maxDepth);
      if (m === 'fields') throw new IngestRefused(400, `line ${n}: more than ${limits.maxFields} fields in one event`);
      if (m === 'depth') throw new IngestRefused(400, `line ${n}: nested deeper than ${maxDepth} levels`);
    }
    out.push(line);
  }
  return out;
}
