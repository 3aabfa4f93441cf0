/**
 * BinXml value types (MS-EVEN6 2.2.12 ValueType): decoding substitution values from their
 * raw bytes into the primitives the resolved tree holds, formatted as evtx_dump renders
 * them (GUIDs upper-case without braces, hex integers "0x" + lower-case, timestamps
 * "YYYY-MM-DDTHH:MM:SS.ffffffZ", binary as upper-case hex, SIDs "S-1-...").
 */

export enum VT {
  Null = 0x00,
  String = 0x01,
  AnsiString = 0x02,
  Int8 = 0x03,
  UInt8 = 0x04,
  Int16 = 0x05,
  UInt16 = 0x06,
  Int32 = 0x07,
  UInt32 = 0x08,
  Int64 = 0x09,
  UInt64 = 0x0a,
  Real32 = 0x0b,
  Real64 = 0x0c,
  Bool = 0x0d,
  Binary = 0x0e,
  Guid = 0x0f,
  SizeT = 0x10,
  FileTime = 0x11,
  SysTime = 0x12,
  Sid = 0x13,
  HexInt32 = 0x14,
  HexInt64 = 0x15,
  EvtHandle = 0x20,
  BinXml = 0x21,
  EvtXml = 0x23,
  ArrayFlag = 0x80,
}

/** A BinXml fragment embedded as a substitution value; positions are in the chunk buffer. */
export interface BinXmlRef {
  readonly kind: 'binxml';
  start: number;
  end: number;
}

export type Scalar = string | number | boolean;
/** null = NullType (and value types evtx_dump does not render). */
export type Value = Scalar | Scalar[] | BinXmlRef | null;

const HEX_UPPER: string[] = [];
for (let i = 0; i < 256; i++) HEX_UPPER.push(i.toString(16).toUpperCase().padStart(2, '0'));

function utf16z(buf: Buffer, start: number, end: number): string {
  if (end - start < 2) return '';
  const s = buf.toString('utf16le', start, start + ((end - start) & ~1));
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

function ansiz(buf: Buffer, start: number, end: number): string {
  let e = start;
  while (e < end && buf[e] !== 0) e++;
  return buf.toString('latin1', start, e);
}

export function hexBytes(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX_UPPER[buf[i]!];
  return s;
}

export function formatGuid(buf: Uint8Array, p: number): string {
  const h = (i: number): string => HEX_UPPER[buf[p + i]!]!;
  return h(3) + h(2) + h(1) + h(0) + '-' + h(5) + h(4) + '-' + h(7) + h(6) + '-' + h(8) + h(9) + '-' + h(10) + h(11) + h(12) + h(13) + h(14) + h(15);
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

let lastSecond = NaN;
let lastPrefix = '';

/** "YYYY-MM-DDTHH:MM:SS." for a whole-second epoch ms; consecutive records share it, so cache one. */
function secondPrefix(ms: number): string {
  if (ms === lastSecond) return lastPrefix;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  const y = d.getUTCFullYear();
  lastPrefix =
    (y >= 0 && y <= 9999 ? pad(y, 4) : String(y)) +
    '-' +
    pad(d.getUTCMonth() + 1, 2) +
    '-' +
    pad(d.getUTCDate(), 2) +
    'T' +
    pad(d.getUTCHours(), 2) +
    ':' +
    pad(d.getUTCMinutes(), 2) +
    ':' +
    pad(d.getUTCSeconds(), 2) +
    '.';
  lastSecond = ms;
  return lastPrefix;
}

function formatDateParts(ms: number, micros: number): string {
  const prefix = secondPrefix(ms);
  if (prefix === '') return '';
  return prefix + (micros >= 100000 ? String(micros) : pad(micros, 6)) + 'Z';
}

/** FILETIME (100 ns ticks since 1601-01-01) to epoch milliseconds; NaN when out of range. */
export function filetimeToMs(lo: number, hi: number): number {
  // hi * 2^32 / 10^4 split so no intermediate exceeds 2^53
  const ms = hi * 429496.7296 + lo / 10000;
  return Math.floor(ms) - 11644473600000;
}

export function formatFiletime(buf: Buffer, p: number): string {
  const lo = buf.readUInt32LE(p);
  const hi = buf.readUInt32LE(p + 4);
  let secs: number;
  let micros: number;
  if (hi < 0x6b000000) {
    // ticks = hi * 2^32 + lo = hi * 429 * 10^7 + (hi * 4967296 + lo): exact in doubles for this range
    const r = hi * 4967296 + lo;
    const q = Math.floor(r / 10000000);
    secs = hi * 429 + q;
    micros = Math.floor((r - q * 10000000) / 10);
  } else {
    const ticks = buf.readBigUInt64LE(p);
    secs = Number(ticks / 10000000n);
    micros = Number((ticks % 10000000n) / 10n);
  }
  const ms = secs * 1000 - 11644473600000;
  if (Math.abs(ms) > 8.64e15) return '';
  return formatDateParts(ms, micros);
}

function formatSystime(buf: Buffer, p: number): string {
  const year = buf.readUInt16LE(p);
  const month = buf.readUInt16LE(p + 2);
  const day = buf.readUInt16LE(p + 6);
  const hour = buf.readUInt16LE(p + 8);
  const minute = buf.readUInt16LE(p + 10);
  const second = buf.readUInt16LE(p + 12);
  const milli = buf.readUInt16LE(p + 14);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59 || milli > 999) return '';
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  return formatDateParts(ms, milli * 1000);
}

/** SID at p; returns the text and the number of bytes it occupies (0 if it does not fit). */
function readSid(buf: Buffer, p: number, end: number): [string, number] {
  if (p + 8 > end) return ['', 0];
  const rev = buf[p]!;
  const count = buf[p + 1]!;
  const len = 8 + 4 * count;
  if (p + len > end) return ['', 0];
  const authority = buf.readUIntBE(p + 2, 6);
  let s = `S-${rev}-${authority}`;
  for (let i = 0; i < count; i++) s += '-' + buf.readUInt32LE(p + 8 + 4 * i);
  return [s, len];
}

/** Shortest decimal that reads back as the same float, in the style of Rust's ryu. */
function formatReal(v: number, single: boolean): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  let s: string;
  if (single) {
    s = String(v);
    for (let prec = 1; prec <= 9; prec++) {
      const t = v.toPrecision(prec);
      if (Math.fround(Number(t)) === v) {
        s = String(Number(t));
        break;
      }
    }
  } else {
    s = String(v);
  }
  if (s.includes('e')) return s.replace('e+', 'e');
  return s.includes('.') ? s : s + '.0';
}

function hex64(buf: Buffer, p: number): string {
  const hi = buf.readUInt32LE(p + 4);
  const lo = buf.readUInt32LE(p);
  if (hi === 0) return '0x' + lo.toString(16);
  return '0x' + hi.toString(16) + lo.toString(16).padStart(8, '0');
}

function u64(buf: Buffer, p: number): number {
  return buf.readUInt32LE(p + 4) * 4294967296 + buf.readUInt32LE(p);
}

function i64(buf: Buffer, p: number): number {
  return buf.readInt32LE(p + 4) * 4294967296 + buf.readUInt32LE(p);
}

/** Fixed size of one item of a scalar type, 0 for variable-size types. */
function itemSize(t: number): number {
  switch (t) {
    case VT.Int8:
    case VT.UInt8:
      return 1;
    case VT.Int16:
    case VT.UInt16:
      return 2;
    case VT.Int32:
    case VT.UInt32:
    case VT.Real32:
    case VT.Bool:
    case VT.HexInt32:
      return 4;
    case VT.Int64:
    case VT.UInt64:
    case VT.Real64:
    case VT.FileTime:
    case VT.HexInt64:
      return 8;
    case VT.Guid:
    case VT.SysTime:
      return 16;
    default:
      return 0;
  }
}

/** One fixed-size scalar; the caller guarantees p + itemSize(t) <= buffer end. */
function fixedScalar(buf: Buffer, p: number, t: number): Scalar {
  switch (t) {
    case VT.Int8:
      return buf.readInt8(p);
    case VT.UInt8:
      return buf[p]!;
    case VT.Int16:
      return buf.readInt16LE(p);
    case VT.UInt16:
      return buf.readUInt16LE(p);
    case VT.Int32:
      return buf.readInt32LE(p);
    case VT.UInt32:
      return buf.readUInt32LE(p);
    case VT.Int64:
      return i64(buf, p);
    case VT.UInt64:
      return u64(buf, p);
    case VT.Real32:
      return formatReal(buf.readFloatLE(p), true);
    case VT.Real64:
      return formatReal(buf.readDoubleLE(p), false);
    case VT.Bool:
      return buf.readInt32LE(p) !== 0;
    case VT.Guid:
      return formatGuid(buf, p);
    case VT.FileTime:
      return formatFiletime(buf, p);
    case VT.SysTime:
      return formatSystime(buf, p);
    case VT.HexInt32:
      return '0x' + buf.readUInt32LE(p).toString(16);
    case VT.HexInt64:
      return hex64(buf, p);
    default:
      return '';
  }
}

/**
 * Decode a value of type `t` stored in buf[p, p + size). Never reads outside that range:
 * a value too short for its type decodes as null (reported by the caller if it cares).
 */
export function decodeValue(buf: Buffer, p: number, size: number, t: number): Value {
  const end = p + size;
  switch (t) {
    case VT.Null:
      return null;
    case VT.String:
      return utf16z(buf, p, end);
    case VT.AnsiString:
      return ansiz(buf, p, end);
    case VT.Binary:
      return hexBytes(buf, p, end);
    case VT.SizeT:
      if (size >= 8) return hex64(buf, p);
      if (size >= 4) return '0x' + buf.readUInt32LE(p).toString(16);
      return null;
    case VT.Sid:
      return size >= 8 ? readSid(buf, p, end)[0] : null;
    case VT.Bool: {
      // some writers store booleans in fewer or more than 4 bytes: any non-zero byte is true
      if (size === 0) return null;
      for (let i = p; i < end; i++) if (buf[i] !== 0) return true;
      return false;
    }
    case VT.BinXml:
      return size > 0 ? { kind: 'binxml', start: p, end } : null;
    case VT.EvtHandle:
    case VT.EvtXml:
      return null;
    case VT.String | VT.ArrayFlag: {
      if (size < 2) return [];
      let s = buf.toString('utf16le', p, p + (size & ~1));
      if (s.endsWith('\0')) s = s.slice(0, -1);
      return s.split('\0');
    }
    case VT.Sid | VT.ArrayFlag: {
      const out: Scalar[] = [];
      let q = p;
      while (q < end) {
        const [sid, len] = readSid(buf, q, end);
        if (len === 0) break;
        out.push(sid);
        q += len;
      }
      return out;
    }
    default: {
      if (t & VT.ArrayFlag) {
        const it = t & 0x7f;
        const n = itemSize(it);
        if (n === 0) return null;
        const out: Scalar[] = [];
        for (let q = p; q + n <= end; q += n) out.push(fixedScalar(buf, q, it));
        return out;
      }
      const n = itemSize(t);
      if (n === 0 || size < n) return null;
      return fixedScalar(buf, p, t);
    }
  }
}

/** evtx_dump's "empty optional value": skipped entirely when the substitution is optional. */
export function isEmptyValue(v: Value): boolean {
  if (v === null) return true;
  if (typeof v === 'string') return v.length === 0;
  if (Array.isArray(v)) return v.length === 0;
  return false;
}

/** Text of an array value when it is not expanded into repeated elements. */
export function joinArray(items: Scalar[]): string {
  let s = '';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) s += ',';
    const x = items[i]!;
    s += typeof x === 'string' ? x : typeof x === 'boolean' ? (x ? 'true' : 'false') : String(x);
  }
  return s;
}
