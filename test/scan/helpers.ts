/** Test helpers: analyze a snippet as if it were a file, and build small ZIPs in memory. */
import { crc32, deflateRawSync } from 'node:zlib';
import { scanBytes, type FileOutcome } from '../../src/scan/scan-bytes.js';
import { DEFAULT_LIMITS, type Finding, type ScanLimits } from '../../src/scan/types.js';
import { DECODE, PICK } from '../../src/scan/script-encoder.js';

export function scanText(path: string, text: string, limits: Partial<ScanLimits> = {}): FileOutcome[] {
  return scanBytes(path, Buffer.from(text, 'latin1'), { limits: { ...DEFAULT_LIMITS, ...limits } });
}

/** The file's own finding (undefined when clean). */
export function findingOf(path: string, text: string): Finding | undefined {
  return scanText(path, text)[0]!.finding;
}

export function reasons(f: Finding | undefined): string[] {
  return f ? f.evidence.map((e) => e.reason) : [];
}

export interface ZipInput {
  name: string;
  data: Buffer | string;
  /** Store instead of deflate. */
  store?: boolean;
  /** Lie about the uncompressed size in the headers (zip bomb tests). */
  declaredSize?: number;
}

/** A minimal ZIP writer (local headers, central directory, end record). */
export function makeZip(entries: ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : e.data;
    const comp = e.store ? data : deflateRawSync(data);
    const name = Buffer.from(e.name);
    const crc = crc32(data);
    const size = e.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(e.store ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(comp.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, comp);
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0);
    cen.writeUInt16LE(20, 4);
    cen.writeUInt16LE(20, 6);
    cen.writeUInt16LE(0x800, 8);
    cen.writeUInt16LE(e.store ? 0 : 8, 10);
    cen.writeUInt32LE(crc, 16);
    cen.writeUInt32LE(comp.length, 20);
    cen.writeUInt32LE(size, 24);
    cen.writeUInt16LE(name.length, 28);
    cen.writeUInt32LE(offset, 42);
    centrals.push(cen, name);
    offset += 30 + name.length + comp.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * The Microsoft Script Encoder written from its description, for tests: each ASCII character
 * through the table the position picks (the inverse of the decoder's tables, so a table that
 * lost an entry cannot encode), CR/LF/</>/@ as escapes, characters above 0x7f as they are
 * without advancing the position. `text` is byte-per-char; the length field counts characters
 * as the page's code page makes them: `units` 'bytes' (single-byte code page), 'pairs' (a high
 * byte leads a two-byte character, as in GBK) or 'utf8'. `noEnd` leaves off the checksum and
 * end marker (a block cut short).
 */
export function scriptEncode(text: string, opts: { units?: 'bytes' | 'pairs' | 'utf8'; noEnd?: boolean } = {}): string {
  const inverse = DECODE.map((row) => {
    const inv = new Map<number, number>();
    for (let c = 9; c < 128; c++) if (c === 9 || c >= 0x20) inv.set(row[c]!, c);
    return inv;
  });
  const escapes: Record<string, string> = { '\r': '@#', '\n': '@&', '<': '@!', '>': '@*', '@': '@$' };
  let out = '';
  let pos = 0;
  let sum = 0;
  let chars = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const c = text.charCodeAt(i);
    if (escapes[ch]) {
      out += escapes[ch];
      sum += c;
      pos++;
      chars += 2;
    } else if (c < 0x80) {
      const e = c === 9 || c >= 0x20 ? inverse[PICK[pos % 64]!]!.get(c) : c;
      if (e === undefined) throw new Error(`no encoding for ${c} at ${pos}`);
      out += String.fromCharCode(e);
      sum += c;
      pos++;
      chars++;
    } else if (opts.units === 'pairs') {
      out += text.slice(i, i + 2);
      i++;
      chars++;
    } else {
      out += ch;
      if (opts.units !== 'utf8' || c >= 0xc0) chars++;
    }
  }
  const field = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n >>> 0);
    return `${b.toString('base64').slice(0, 6)}==`;
  };
  return `#@~^${field(chars)}${out}${opts.noEnd ? '' : `${field(sum)}^#~@`}`;
}
