/**
 * A bounded ZIP reader (the central directory is the truth; local headers only locate
 * data). Written for untrusted archives: entry count, per-entry and total inflated bytes
 * are capped, sizes are checked against the file, and every failure is a typed error
 * rather than a crash. Supports stored and deflated entries, and ZIP64 sizes/offsets.
 */
import { inflateRawSync } from 'node:zlib';

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  encrypted: boolean;
  isDirectory: boolean;
}

export interface ZipLimits {
  maxEntries: number;
  /** Budget shared by all entries (and by nested archives when the caller passes it on). */
  inflatedBudget: { remaining: number };
  maxEntryBytes: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CEN = 0x02014b50;
const LOC = 0x04034b50;

export function isZip(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && (buf[2] === 3 || buf[2] === 5) && (buf[3] === 4 || buf[3] === 6);
}

/**
 * Where a ZIP's end-of-central-directory record sits (searched back over the longest comment),
 * or -1. Java, PHP's phar and unzip all find archives this way, so bytes before the archive (a
 * shell-script prefix, an image) do not hide it.
 */
export function findEocd(buf: Buffer): number {
  const minStart = Math.max(0, buf.length - 22 - 65535);
  for (let i = buf.length - 22; i >= minStart; i--) if (buf.readUInt32LE(i) === EOCD) return i;
  return -1;
}

/** A ZIP by its content: a local header first, or an end record whose central directory is where it says. */
export function hasZipDirectory(buf: Buffer): boolean {
  if (isZip(buf)) return true;
  if (buf.length < 22) return false;
  const eocd = findEocd(buf);
  if (eocd < 0) return false;
  const cdSize = buf.readUInt32LE(eocd + 12);
  const start = eocd - cdSize;
  return start >= 0 && (cdSize === 0 || buf.readUInt32LE(start) === CEN);
}

/** A listing cut at the entry cap: the entries kept and how many the archive declares. */
export interface ZipListing extends Array<ZipEntry> {
  declared?: number;
}

export function readCentralDirectory(buf: Buffer, maxEntries: number): ZipListing {
  const eocd = buf.length >= 22 ? findEocd(buf) : -1;
  if (eocd === -1) throw new ZipError('no end-of-central-directory record (not a zip, or truncated)');
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if ((count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) && eocd >= 20 && buf.readUInt32LE(eocd - 20) === EOCD64_LOCATOR) {
    const off64 = Number(buf.readBigUInt64LE(eocd - 20 + 8));
    if (off64 + 56 > buf.length || buf.readUInt32LE(off64) !== EOCD64) throw new ZipError('bad ZIP64 end-of-central-directory record');
    count = Number(buf.readBigUInt64LE(off64 + 32));
    cdSize = Number(buf.readBigUInt64LE(off64 + 40));
    cdOffset = Number(buf.readBigUInt64LE(off64 + 48));
  }
  // bytes before the archive shift every offset it records: the directory ends where the end
  // record starts, so the shift is what lies between where it is and where it says it is
  let shift = 0;
  if (cdOffset + cdSize < eocd && eocd - cdSize >= 0 && buf.readUInt32LE(eocd - cdSize) === CEN) shift = eocd - cdSize - cdOffset;
  cdOffset += shift;
  if (cdOffset + cdSize > buf.length) throw new ZipError('central directory lies outside the file (truncated archive)');
  const entries: ZipListing = [];
  // past the cap the rest is counted, not read: the caller reports it as not scanned
  if (count > maxEntries) entries.declared = count;
  let p = cdOffset;
  for (let i = 0; i < Math.min(count, maxEntries); i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CEN) throw new ZipError(`bad central directory entry #${i + 1}`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    let compressedSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let localOffset = buf.readUInt32LE(p + 42);
    if (p + 46 + nameLen + extraLen > buf.length) throw new ZipError(`central directory entry #${i + 1} runs past the end`);
    const name = buf.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    // ZIP64 extra field: present values replace the 0xffffffff placeholders in order
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = buf.readUInt16LE(e);
      const len = buf.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff && q + 8 <= e + 4 + len) {
          size = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
        if (compressedSize === 0xffffffff && q + 8 <= e + 4 + len) {
          compressedSize = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
        if (localOffset === 0xffffffff && q + 8 <= e + 4 + len) localOffset = Number(buf.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    entries.push({ name, method, compressedSize, size, localOffset: localOffset + shift, encrypted: (flags & 1) !== 0, isDirectory: name.endsWith('/') });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The name the entry's local header gives (what some servers and tools use), or undefined when unreadable. */
export function localName(buf: Buffer, entry: ZipEntry): string | undefined {
  const h = entry.localOffset;
  if (h + 30 > buf.length || buf.readUInt32LE(h) !== LOC) return undefined;
  const len = buf.readUInt16LE(h + 26);
  if (h + 30 + len > buf.length) return undefined;
  return buf.toString(buf.readUInt16LE(h + 6) & 0x800 ? 'utf8' : 'latin1', h + 30, h + 30 + len);
}

/** The entry's bytes, inflated within the caps. */
export function readEntry(buf: Buffer, entry: ZipEntry, limits: ZipLimits): Buffer {
  if (entry.encrypted) throw new ZipError(`${entry.name}: encrypted entry`);
  const h = entry.localOffset;
  if (h + 30 > buf.length || buf.readUInt32LE(h) !== LOC) throw new ZipError(`${entry.name}: bad local header`);
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) throw new ZipError(`${entry.name}: data runs past the end of the archive`);
  const cap = Math.min(limits.maxEntryBytes, limits.inflatedBudget.remaining);
  if (entry.size > cap) throw new ZipError(`${entry.name}: declares ${entry.size} bytes, over the cap of ${cap} (zip bomb guard)`);
  const raw = buf.subarray(start, end);
  let out: Buffer;
  if (entry.method === 0) out = raw;
  else if (entry.method === 8) {
    try {
      // the declared size can lie; maxOutputLength is what actually bounds memory
      out = inflateRawSync(raw, { maxOutputLength: Math.max(1, cap) });
    } catch (e) {
      if (e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new ZipError(`${entry.name}: inflates past the cap of ${cap} bytes (zip bomb guard)`);
      throw new ZipError(`${entry.name}: corrupt deflate data (${(e as Error).message})`);
    }
  } else throw new ZipError(`${entry.name}: unsupported compression method ${entry.method}`);
  limits.inflatedBudget.remaining -= out.length;
  return out;
}
