/**
 * Reads one file from disk within the caps and scans it. Shared by the worker threads and
 * the in-process path (tests, tiny scans). Reads are synchronous on purpose: each worker
 * thread does one file at a time, and four async fs round-trips per small file cost more
 * than the analysis of it.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ARCHIVE_EXTS, extensionOf } from './language.js';
import { scanBytes, type FileOutcome, type ScanContext } from './scan-bytes.js';

/** Archives may be larger than scripts: their entries are capped one by one. */
export function maxReadBytes(path: string, ctx: ScanContext): number {
  return ARCHIVE_EXTS.has(extensionOf(path)) ? Math.max(ctx.limits.maxFileBytes, ctx.limits.maxArchiveInflatedBytes) : ctx.limits.maxFileBytes;
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

export async function scanFile(path: string, ctx: ScanContext): Promise<FileOutcome[]> {
  let fd: number;
  try {
    // non-blocking: a FIFO put where the walk saw a file would block the open until a writer came
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
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
    if (size > cap) return [{ path, bytes: size, analyzed: false, skipped: `larger than ${cap} bytes`, problems: [] }];
    // never read past what stat promised, even if the file grows meanwhile
    buf = Buffer.allocUnsafe(size);
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
