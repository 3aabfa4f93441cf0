/**
 * Bounded readers for the other containers a web root receives: gzip (one file) and tar
 * (ustar, GNU and pax headers as tar writes them). Sizes are checked against the data, names
 * are read as latin1 (never throw on bytes that are not UTF-8), and every failure is a typed
 * error; inflating is capped by the caller's budget.
 */
import { gunzipSync } from 'node:zlib';

export class ContainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerError';
  }
}

export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 3 && buf[0] === 0x1f && buf[1] === 0x8b && buf[2] === 8;
}

/** A tar archive: the ustar magic at offset 257 of the first header. */
export function isTar(buf: Buffer): boolean {
  return buf.length >= 512 && buf.toString('latin1', 257, 262) === 'ustar';
}

/**
 * Whether the first header's checksum (octal, bytes 148-155) is the sum of its 512 bytes with
 * the checksum field read as spaces. Text that merely holds `ustar` at offset 257 (tar-stream's
 * own headers.js does) fails it.
 */
export function tarChecksumOk(buf: Buffer): boolean {
  if (buf.length < 512) return false;
  const field = buf
    .toString('latin1', 148, 156)
    .replace(/[\0 ]+$/, '')
    .trim();
  if (!/^[0-7]{1,7}$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : buf[i]!;
  return sum === Number.parseInt(field, 8);
}

/** The gzip stream inflated to at most `cap` bytes; past the cap, or corrupt, a ContainerError. */
export function gunzipCapped(buf: Buffer, cap: number): Buffer {
  try {
    return gunzipSync(buf, { maxOutputLength: Math.max(1, cap) });
  } catch (e) {
    if (e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new ContainerError(`inflates past the cap of ${cap} bytes (zip bomb guard)`);
    throw new ContainerError(`corrupt gzip data (${(e as Error).message})`);
  }
}

export interface TarEntry {
  name: string;
  data: Buffer;
}

function octal(buf: Buffer, at: number, len: number): number {
  const s = buf
    .toString('latin1', at, at + len)
    .replace(/\0.*$/s, '')
    .trim();
  return s === '' ? 0 : Number.parseInt(s, 8);
}

/** The regular files of a tar archive, at most `maxEntries` (the rest counted in `more`). */
export function readTar(buf: Buffer, maxEntries: number): { entries: TarEntry[]; more: number } {
  const entries: TarEntry[] = [];
  let more = 0;
  let p = 0;
  let longName: string | undefined;
  while (p + 512 <= buf.length) {
    if (buf[p] === 0) break; // end-of-archive blocks
    const size = octal(buf, p + 124, 12);
    if (!Number.isFinite(size) || size < 0) throw new ContainerError(`bad tar header at offset ${p}`);
    const type = String.fromCharCode(buf[p + 156]!);
    const dataStart = p + 512;
    const dataEnd = dataStart + size;
    if (dataEnd > buf.length) throw new ContainerError(`tar entry at offset ${p} runs past the end (truncated archive)`);
    const data = buf.subarray(dataStart, dataEnd);
    if (type === 'L') longName = data.toString('latin1').replace(/\0.*$/s, '');
    else if (type === 'x') {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('latin1'));
      if (m) longName = m[1];
    } else {
      if (type === '0' || type === '\0' || type === '7') {
        const prefix = buf.toString('latin1', p + 345, p + 500).replace(/\0.*$/s, '');
        const base = buf.toString('latin1', p, p + 100).replace(/\0.*$/s, '');
        const name = longName ?? (prefix ? `${prefix}/${base}` : base);
        if (entries.length < maxEntries) entries.push({ name, data });
        else more++;
      }
      longName = undefined;
    }
    p = dataStart + Math.ceil(size / 512) * 512;
  }
  return { entries, more };
}
