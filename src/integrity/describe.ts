/**
 * What the file system says about one component file: sha256, size, times, mode, owner, and
 * its signature. Runs in worker threads during a baseline; a file that vanished or cannot be
 * read is described as missing with the reason, never thrown.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readSync, type Stats } from 'node:fs';
import { checkSignature } from './signature.js';
import type { ScanVerdict, Signature, SignatureKind } from './types.js';

export interface FileFacts {
  sha256: string;
  size: number;
  mtime: number;
  mode: string;
  owner: string;
  signature: Signature;
  scan?: ScanVerdict;
  missing?: boolean;
  /** Why the file could not be read, when it exists but is unreadable. */
  error?: string;
}

/** The content scanner, loaded only by threads that get a script to scan (scan-verdict.ts). */
export type Scanner = (path: string, buf: Buffer) => ScanVerdict;

/** The scanner, imported on first use (its analyzers cost a thread ~75 ms of CPU to load). */
export async function loadScanner(): Promise<Scanner> {
  return (await import('./scan-verdict.js')).scanVerdict;
}

/** The scanner reads at most this much of a file (DEFAULT_LIMITS.maxFileBytes). */
const MAX_SCANNED_BYTES = 8 * 1024 * 1024;

/** Files above this are hashed as a stream and not opened for a signature. */
const MAX_SIGNED_BYTES = 256 * 1024 * 1024;

export function statFacts(st: Stats): Pick<FileFacts, 'size' | 'mtime' | 'mode' | 'owner'> {
  return { size: st.size, mtime: Math.trunc(st.mtimeMs), mode: (st.mode & 0o7777).toString(8), owner: `${st.uid}:${st.gid}` };
}

export const MISSING: FileFacts = { sha256: '', size: 0, mtime: 0, mode: '', owner: '', signature: { status: 'n/a' }, missing: true };

function streamHashSync(fd: number): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    h.update(buf.subarray(0, n));
  }
  return h.digest('hex');
}

/**
 * Synchronous on purpose: it runs on worker threads that do nothing else, where one open,
 * fstat, read and close per file costs a fraction of the thread-pool round trips of fs/promises.
 */
export function describeFileSync(path: string, sig: SignatureKind, scan?: Scanner): FileFacts {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return MISSING;
    // a symbolic link (ELOOP) or a folder is not a component file; anything else is unreadable
    try {
      const st = lstatSync(path);
      if (!st.isFile()) return { ...MISSING, ...statFacts(st), size: 0 };
    } catch {
      return MISSING;
    }
    return { ...MISSING, missing: false, error: (e as Error).message };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ...MISSING, ...statFacts(st), size: 0 };
    const facts = statFacts(st);
    if (sig === 'none' || st.size > MAX_SIGNED_BYTES) {
      let sha256: string;
      let verdict: ScanVerdict | undefined;
      if (st.size <= 4 << 20 || (scan && st.size <= MAX_SCANNED_BYTES)) {
        const buf = Buffer.allocUnsafe(st.size);
        let off = 0;
        while (off < buf.length) {
          const n = readSync(fd, buf, off, buf.length - off, off);
          if (n === 0) break;
          off += n;
        }
        sha256 = createHash('sha256').update(buf.subarray(0, off)).digest('hex');
        if (scan) verdict = scan(path, buf.subarray(0, off));
      } else sha256 = streamHashSync(fd);
      const out: FileFacts = { sha256, ...facts, signature: sig === 'none' ? { status: 'n/a' } : { status: 'unsigned', detail: 'too large to check' } };
      if (scan) out.scan = verdict ?? { verdict: 'clean' };
      return out;
    }
    const buf = readFileSync(fd);
    const out: FileFacts = { sha256: createHash('sha256').update(buf).digest('hex'), ...facts, size: buf.length, signature: checkSignature(buf, sig) };
    if (scan) out.scan = scan(path, buf);
    return out;
  } catch (e) {
    return { ...MISSING, missing: false, error: (e as Error).message };
  } finally {
    closeSync(fd);
  }
}
