/**
 * What the file system says about one component file: sha256, size, times, mode, owner, and
 * its signature. Runs in worker threads during a baseline; a file that vanished or cannot be
 * read is described as missing with the reason, never thrown.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readSync, type Stats } from 'node:fs';
import { scanBytesIsolated } from '../scan/scan-file.js';
import { DEFAULT_LIMITS, verdictRank } from '../scan/types.js';
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

/**
 * The scanner's verdict on a script's bytes: the worst outcome over the file and anything
 * inside it. Analysis is bounded by the scanner's own limits.
 */
export function scanVerdict(path: string, buf: Buffer): ScanVerdict {
  let worst: ScanVerdict = { verdict: 'clean' };
  for (const o of scanBytesIsolated(path, buf, { limits: DEFAULT_LIMITS })) {
    const f = o.finding;
    if (!f || verdictRank(f.verdict) <= verdictRank(worst.verdict) || (f.verdict === worst.verdict && f.score <= (worst.score ?? 0))) continue;
    worst = { verdict: f.verdict, score: f.score };
    if (f.family !== undefined) worst.family = f.family;
  }
  return worst;
}

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
export function describeFileSync(path: string, sig: SignatureKind, scan = false): FileFacts {
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
      if (st.size <= 4 << 20 || (scan && st.size <= DEFAULT_LIMITS.maxFileBytes)) {
        const buf = Buffer.allocUnsafe(st.size);
        let off = 0;
        while (off < buf.length) {
          const n = readSync(fd, buf, off, buf.length - off, off);
          if (n === 0) break;
          off += n;
        }
        sha256 = createHash('sha256').update(buf.subarray(0, off)).digest('hex');
        if (scan) verdict = scanVerdict(path, buf.subarray(0, off));
      } else sha256 = streamHashSync(fd);
      const out: FileFacts = { sha256, ...facts, signature: sig === 'none' ? { status: 'n/a' } : { status: 'unsigned', detail: 'too large to check' } };
      if (scan) out.scan = verdict ?? { verdict: 'clean' };
      return out;
    }
    const buf = readFileSync(fd);
    const out: FileFacts = { sha256: createHash('sha256').update(buf).digest('hex'), ...facts, size: buf.length, signature: checkSignature(buf, sig) };
    if (scan) out.scan = scanVerdict(path, buf);
    return out;
  } catch (e) {
    return { ...MISSING, missing: false, error: (e as Error).message };
  } finally {
    closeSync(fd);
  }
}
