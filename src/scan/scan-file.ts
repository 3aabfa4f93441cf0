/**
 * Reads one file from disk within the caps and scans it. Shared by the worker threads and
 * the in-process path (tests, tiny scans). Reads are synchronous on purpose: each worker
 * thread does one file at a time, and four async fs round-trips per small file cost more
 * than the analysis of it.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ARCHIVE_EXTS, extensionOf } from './language.js';
import { scanBytes, type FileOutcome, type ScanContext } from './scan-bytes.js';
import { displayPathOf, fsPathOf } from './walk.js';

/** Archives may be larger than scripts: their entries are capped one by one. */
export function maxReadBytes(path: string, ctx: ScanContext): number {
  const ext = extensionOf(path);
  return ARCHIVE_EXTS.has(ext) || /^(?:phar|gz|tgz|tar)$/.test(ext) ? Math.max(ctx.limits.maxFileBytes, ctx.limits.maxArchiveInflatedBytes) : ctx.limits.maxFileBytes;
}

/**
 * A file over the size cap: padding is how a shell hides from size-capped scanners, and the
 * code sits at one end or the other. Its first and last half-cap bytes are scanned (joined by
 * a line break) and the cut is named as a problem.
 */
function scanHeadAndTail(path: string, fd: number, size: number, ctx: ScanContext): FileOutcome[] {
  const half = Math.floor((ctx.limits.maxFileBytes - 1) / 2);
  const head = Buffer.allocUnsafe(half);
  const tail = Buffer.allocUnsafe(half);
  const h = readSync(fd, head, 0, half, 0);
  const t = readSync(fd, tail, 0, half, size - half);
  const buf = Buffer.concat([head.subarray(0, h), Buffer.from('\n'), tail.subarray(0, t)]);
  const outs = scanBytesIsolated(path, buf, ctx);
  const self = outs[0]!;
  self.bytes = size;
  self.problems.unshift({
    kind: 'scan',
    file: path,
    message: `larger than ${ctx.limits.maxFileBytes} bytes (${size}); only its first and last ${half} bytes were scanned`,
  });
  if (self.finding) self.finding.size = size;
  return outs;
}

/**
 * The read buffer of this thread, reused from file to file. A fresh buffer per file cost a
 * malloc, page faults on fresh pages and external-memory GC pressure for every one of
 * thousands of scripts; reuse is safe because a file's bytes are scanned synchronously and
 * no outcome keeps them (findings hold strings and a digest, never the buffer).
 */
let scratch = Buffer.alloc(0);
/** Files up to this size share the read buffer; larger ones (archives) get their own, freed after. */
const SCRATCH_MAX = 8 * 1024 * 1024;

function readBuffer(size: number): Buffer {
  if (size > SCRATCH_MAX) return Buffer.allocUnsafe(size);
  if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.max(size, Math.min(SCRATCH_MAX, scratch.length * 2), 65536));
  return scratch.subarray(0, size);
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

export async function scanFile(walked: string, ctx: ScanContext): Promise<FileOutcome[]> {
  // a name that is not UTF-8 arrives as a token (see walk.ts): opened by its bytes, reported escaped
  const path = displayPathOf(walked);
  let fd: number;
  try {
    // non-blocking: a FIFO put where the walk saw a file would block the open until a writer came
    fd = openSync(fsPathOf(walked), constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return [{ path, bytes: 0, analyzed: false, problems: [{ kind: 'scan', file: path, message: `cannot open: ${errCode(e)}` }] }];
  }
  let buf: Buffer;
  let size: number;
  try {
    const st = fstatSync(fd);
    // the type of what was opened, not of what the walk saw: only regular files are read
    if (!st.isFile()) return [{ path, bytes: 0, analyzed: false, skipped: 'not a regular file', problems: [] }];
    size = st.size;
    const cap = maxReadBytes(path, ctx);
    if (size > cap) return scanHeadAndTail(path, fd, size, ctx);
    // never read past what stat promised, even if the file grows meanwhile
    buf = readBuffer(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    buf = buf.subarray(0, got);
  } catch (e) {
    return [{ path, bytes: 0, analyzed: false, problems: [{ kind: 'scan', file: path, message: `cannot read: ${errCode(e)}` }] }];
  } finally {
    closeSync(fd);
  }
  return scanBytesIsolated(path, buf, ctx);
}

/**
 * `scanBytes` with any error kept to this file: an exception escaping the scanner (a bug, a
 * stack overflow on a hostile file) becomes a problem naming the file, and the scan goes on.
 */
export function scanBytesIsolated(path: string, buf: Buffer, ctx: ScanContext): FileOutcome[] {
  try {
    return scanBytes(path, buf, ctx);
  } catch (e) {
    return [{ path, bytes: buf.length, analyzed: false, problems: [{ kind: 'scan', file: path, message: `scanner failed on this file: ${errCode(e)}` }] }];
  }
}
