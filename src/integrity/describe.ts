/**
 * What the file system says about one component file: sha256, size, times, mode, owner, and
 * its signature. Runs in worker threads during a baseline; a file that vanished or cannot be
 * read is described as missing with the reason, never thrown.
 *
 * This module is kept free of the signature parsers (pkijs, the JAR reader): loading them
 * costs a worker thread more CPU than hashing a thousand small files, and most component
 * files (webapp files, configs) have no signature to check. Callers that meet a PE or JAR
 * load the check with `loadSignatureCheck` and pass it in.
 */
import * as crypto from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readSync, type Stats } from 'node:fs';
import type { Item, ScanVerdict, Signature, SignatureKind } from './types.js';

/** What describing a file finds: the file facts an inventory Item carries, and why it could not be read. */
export type FileFacts = Pick<Item, 'sha256' | 'size' | 'mtime' | 'mode' | 'owner' | 'signature' | 'scan' | 'missing'> & {
  /** Why the file could not be read, when it exists but is unreadable. */
  error?: string;
};

export type SignatureCheck = (buf: Buffer, kind: SignatureKind) => Signature;

/** The signature parsers, loaded on first need. */
export async function loadSignatureCheck(): Promise<SignatureCheck> {
  return (await import('./signature.js')).checkSignature;
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
/** Files up to this are read with one read into a reused buffer and hashed in one call. */
const ONE_READ_BYTES = 4 << 20;
const STREAM_CHUNK = 1 << 20;

export function statFacts(st: Stats): Pick<FileFacts, 'size' | 'mtime' | 'mode' | 'owner'> {
  return { size: st.size, mtime: Math.trunc(st.mtimeMs), mode: (st.mode & 0o7777).toString(8), owner: `${st.uid}:${st.gid}` };
}

export const MISSING: FileFacts = { sha256: '', size: 0, mtime: 0, mode: '', owner: '', signature: { status: 'n/a' }, missing: true };

// crypto.hash (Node >= 20.12) hashes a buffer without a Hash object per file
const oneShot: (data: Buffer) => string =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'hex') : (data) => crypto.createHash('sha256').update(data).digest('hex');

/** One buffer per thread, grown to the largest file read in one go (at most ONE_READ_BYTES). */
let scratch = Buffer.allocUnsafe(64 * 1024);

function scratchOf(size: number): Buffer {
  if (scratch.length < size) {
    let n = scratch.length;
    while (n < size) n *= 2;
    scratch = Buffer.allocUnsafe(Math.min(n, ONE_READ_BYTES));
  }
  return scratch;
}

/** Reads up to `size` bytes from the start of fd into the scratch buffer; returns how many were read. */
function readInto(fd: number, buf: Buffer, size: number): number {
  let off = 0;
  while (off < size) {
    const n = readSync(fd, buf, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return off;
}

function streamHashSync(fd: number): string {
  const h = crypto.createHash('sha256');
  const buf = scratchOf(STREAM_CHUNK);
  let pos = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, STREAM_CHUNK, pos);
    if (n === 0) break;
    h.update(buf.subarray(0, n));
    pos += n;
  }
  return h.digest('hex');
}

const NA: Signature = { status: 'n/a' };

/** A readable regular file without a signature to report: its hash and what fstat said. */
export interface PlainFile {
  sha256: string;
  st: Stats;
}

export function isPlain(d: FileFacts | PlainFile): d is PlainFile {
  return (d as PlainFile).st !== undefined;
}

export function plainFacts(p: PlainFile): FileFacts {
  return { sha256: p.sha256, ...statFacts(p.st), signature: NA };
}

/**
 * Facts of a file, or for the common case (no signature, no scan) the raw hash and stat, which
 * worker threads ship packed. With `scan`, a script is also given the content scanner's verdict.
 */
export function describeRawSync(path: string, sig: SignatureKind, check?: SignatureCheck, scan?: Scanner): FileFacts | PlainFile {
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
    if (scan && st.size <= MAX_SCANNED_BYTES) {
      // the scanner keeps slices of what it reads: a buffer of its own
      const buf = readFileSync(fd);
      const signature = sig === 'none' ? NA : check ? check(buf, sig) : { status: 'unsigned' as const, detail: 'not checked' };
      return { sha256: oneShot(buf), ...statFacts(st), size: buf.length, signature, scan: scan(path, buf) };
    }
    if (sig === 'none' || st.size > MAX_SIGNED_BYTES || !check) {
      let sha256: string;
      if (st.size <= ONE_READ_BYTES) {
        const buf = scratchOf(st.size);
        sha256 = oneShot(buf.subarray(0, readInto(fd, buf, st.size)));
      } else sha256 = streamHashSync(fd);
      // a script past the scanner's size limit: the scanner would not read it either
      const notScanned: Pick<FileFacts, 'scan'> = scan ? { scan: { verdict: 'clean' } } : {};
      if (sig === 'none' && !scan) return { sha256, st };
      if (sig === 'none') return { sha256, ...statFacts(st), signature: NA, ...notScanned };
      return { sha256, ...statFacts(st), signature: { status: 'unsigned', detail: check ? 'too large to check' : 'not checked' }, ...notScanned };
    }
    // the parsers keep slices of what they read, so a signed file gets a buffer of its own
    const buf = readFileSync(fd);
    return { sha256: oneShot(buf), ...statFacts(st), size: buf.length, signature: check(buf, sig) };
  } catch (e) {
    return { ...MISSING, missing: false, error: (e as Error).message };
  } finally {
    closeSync(fd);
  }
}

/**
 * Synchronous on purpose: it runs on worker threads that do nothing else, where one open,
 * fstat, read and close per file costs a fraction of the thread-pool round trips of fs/promises.
 * `check` is needed only for `pe` and `jar` files; without it they are hashed and their
 * signature reported as not checked.
 */
export function describeFileSync(path: string, sig: SignatureKind, check?: SignatureCheck, scan?: Scanner): FileFacts {
  const d = describeRawSync(path, sig, check, scan);
  return isPlain(d) ? plainFacts(d) : d;
}

/**
 * A batch of results as worker threads send them: plain files as one string of hex digests
 * and one array of numbers (structured-cloning 20,000 small objects costs more CPU than
 * hashing them), the rest as facts.
 */
export interface PackedFacts {
  id: number;
  /** 64 hex characters per result, in order (zeros for results in `other`). */
  sha: string;
  /** size, mtime (ms), mode bits, uid, gid per result. */
  num: Float64Array;
  other: [number, FileFacts][];
}

const NO_SHA = '0'.repeat(64);
const FIELDS = 5;

export function packFacts(id: number, results: readonly (FileFacts | PlainFile)[]): PackedFacts {
  const shas: string[] = new Array(results.length);
  const num = new Float64Array(results.length * FIELDS);
  const other: [number, FileFacts][] = [];
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    if (isPlain(r)) {
      shas[i] = r.sha256;
      const o = i * FIELDS;
      num[o] = r.st.size;
      num[o + 1] = Math.trunc(r.st.mtimeMs);
      num[o + 2] = r.st.mode & 0o7777;
      num[o + 3] = r.st.uid;
      num[o + 4] = r.st.gid;
    } else {
      shas[i] = NO_SHA;
      other.push([i, r]);
    }
  }
  return { id, sha: shas.join(''), num, other };
}

/** How many results a packed batch holds. */
export function packedCount(p: PackedFacts): number {
  return p.num.length / FIELDS;
}

/** Writes a packed batch's facts into `out` from index `id`. */
export function unpackFacts(p: PackedFacts, out: FileFacts[]): void {
  const n = p.num.length / FIELDS;
  for (let i = 0; i < n; i++) {
    const o = i * FIELDS;
    out[p.id + i] = {
      sha256: p.sha.slice(i * 64, i * 64 + 64),
      size: p.num[o]!,
      mtime: p.num[o + 1]!,
      mode: p.num[o + 2]!.toString(8),
      owner: `${p.num[o + 3]}:${p.num[o + 4]}`,
      signature: NA,
    };
  }
  for (const [i, f] of p.other) out[p.id + i] = f;
}
