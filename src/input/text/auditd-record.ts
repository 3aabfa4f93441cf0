/**
 * One audit.log record: `[node=H ]type=T msg=audit(SECS.MSEC:SERIAL): k=v ...` with an
 * optional ENRICHED tail after \x1d (uppercase keys, values translated by auditd).
 * Values are `"quoted"`, unquoted (possibly hex-encoded), or a nested `'k=v ...'` message.
 * The body is scanned in place (no split, no regex) and common keys are returned as
 * constant strings, because this runs for every line of multi-gigabyte audit logs.
 */

import { hasAt } from './common.js';
import { type KeyGuess, learnLayout, matchLayout, MAX_GUESSED } from './auditd-layout.js';

export interface AuditHeader {
  node?: string;
  type: string;
  /** The type's key slot (see keySlot), -1 for an uncommon type. */
  typeSlot: number;
  /** Epoch ms. */
  time: number;
  serial: number;
  /**
   * Where the key=value body starts. (It ends at the ENRICHED tail's \x1d, if any: found only
   * when the body is read, see auditd-fields.ts, since grouping reads no more than the header.)
   */
  body: number;
}

/**
 * Receives key/value pairs as they are scanned; `unquoted` values may be hex-encoded, and
 * `encodedKey` says the key is one auditd hex-encodes (isEncodedKey without the record type).
 */
export type PairSink = (key: string, value: string, unquoted: boolean, encodedKey: boolean, slot: number) => void;

const COMMON_KEYS = [
  // record types
  'SYSCALL',
  'EXECVE',
  'PATH',
  'CWD',
  'PROCTITLE',
  'EOE',
  'SOCKADDR',
  'USER_CMD',
  'USER_LOGIN',
  'USER_AUTH',
  'USER_ACCT',
  'USER_START',
  'USER_END',
  'CRED_ACQ',
  'CRED_DISP',
  'CRED_REFR',
  'LOGIN',
  'CONFIG_CHANGE',
  'SERVICE_START',
  'SERVICE_STOP',
  'BPRM_FCAPS',
  'AVC',
  'ANOM_ABEND',
  'ADD_USER',
  'ADD_GROUP',
  'KERN_MODULE',
  'NETFILTER_CFG',
  'MMAP',
  'FD_PAIR',
  // raw keys
  'arch',
  'syscall',
  'success',
  'exit',
  'a0',
  'a1',
  'a2',
  'a3',
  'a4',
  'a5',
  'a6',
  'a7',
  'a8',
  'a9',
  'items',
  'ppid',
  'pid',
  'auid',
  'uid',
  'gid',
  'euid',
  'suid',
  'fsuid',
  'egid',
  'sgid',
  'fsgid',
  'tty',
  'ses',
  'comm',
  'exe',
  'subj',
  'key',
  'argc',
  'cwd',
  'item',
  'name',
  'inode',
  'dev',
  'mode',
  'ouid',
  'ogid',
  'rdev',
  'nametype',
  'cap_fp',
  'cap_fi',
  'cap_fe',
  'cap_fver',
  'cap_frootid',
  'obj',
  'proctitle',
  'saddr',
  'msg',
  'op',
  'acct',
  'hostname',
  'addr',
  'terminal',
  'res',
  'cmd',
  'grantors',
  'old-auid',
  'old-ses',
  'tty',
  'fd0',
  'fd1',
  // ENRICHED keys
  'ARCH',
  'AUID',
  'UID',
  'GID',
  'EUID',
  'SUID',
  'FSUID',
  'EGID',
  'SGID',
  'FSGID',
  'OUID',
  'OGID',
  'SADDR',
];

/** Keys whose unquoted values auditd writes hex-encoded when they hold unsafe bytes. */
const ENCODED = new Set([
  'name',
  'comm',
  'exe',
  'cwd',
  'proctitle',
  'key',
  'path',
  'cmd',
  'data',
  'ocomm',
  'acct',
  'dir',
  'file',
  'new',
  'old',
  'watch',
  'root_dir',
  'old-rng',
  'new-rng',
  'vm',
  'obj',
  'uuid',
]);

/**
 * Open-addressed table of the common keys by (length, first, second and last char): a
 * lookup is an array index plus a comparison of the middle characters, with no Map and no
 * string allocation. Each slot holds the key and whether it is in ENCODED.
 */
const SLOTS = 1024;
/** Slots are below this: a table indexed by slot needs this many entries. */
export const KEY_SLOTS = SLOTS;
const slotKey: Array<string | undefined> = new Array<string | undefined>(SLOTS).fill(undefined);
const slotEncoded = new Uint8Array(SLOTS);

function slotHash(s: string, start: number, end: number): number {
  const n = end - start;
  return (n * 31 + s.charCodeAt(start) * 7 + s.charCodeAt(start + (n > 1 ? 1 : 0)) * 3 + s.charCodeAt(end - 1)) & (SLOTS - 1);
}

for (const k of new Set([...COMMON_KEYS, ...ENCODED])) {
  let h = slotHash(k, 0, k.length);
  while (slotKey[h] !== undefined) h = (h + 1) & (SLOTS - 1);
  slotKey[h] = k;
  slotEncoded[h] = ENCODED.has(k) ? 1 : 0;
}

/** Whether the key last returned by keyAt is hex-encoded when unquoted (see ENCODED). */
let lastKeyEncoded = false;
/** The table slot of the key last returned by keyAt, or -1 when it is not a common key. */
let lastKeySlot = -1;

/** The slot a common key occupies (a small integer naming it), or -1. */
export function keySlot(key: string): number {
  keyAt(key, 0, key.length);
  return lastKeySlot;
}

/** Ids for keys without a slot: distinct from every slot, equal for equal keys of one length. */
export function otherKeyId(key: string): number {
  return SLOTS + key.length;
}

/** s[start, end) as a string, returning the shared constant for common keys. */
export function keyAt(s: string, start: number, end: number): string {
  const n = end - start;
  if (n > 0) {
    let h = slotHash(s, start, end);
    for (;;) {
      const k = slotKey[h];
      if (k === undefined) break;
      if (k.length === n) {
        let i = 0;
        while (i < n && k.charCodeAt(i) === s.charCodeAt(start + i)) i++;
        if (i === n) {
          lastKeyEncoded = slotEncoded[h] === 1;
          lastKeySlot = h;
          return k;
        }
      }
      h = (h + 1) & (SLOTS - 1);
    }
  }
  const key = s.slice(start, end);
  lastKeyEncoded = ENCODED.has(key);
  lastKeySlot = -1;
  return key;
}

export function isEncodedKey(key: string, type: string): boolean {
  if (ENCODED.has(key)) return true;
  // EXECVE arguments: a0, a1[3]; SYSCALL's a0..a3 are plain hex numbers and stay as they are.
  return type === 'EXECVE' && key.charCodeAt(0) === 97 && key.length > 1 && key.charCodeAt(1) >= 48 && key.charCodeAt(1) <= 57 && !key.endsWith('_len');
}

function isUpperHex(s: string): boolean {
  if (s.length < 2 || (s.length & 1) !== 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

/** Value of an uppercase hex digit, or -1. */
function hexDigit(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : -1;
}

/** Scratch for decoding short ASCII values without a Buffer. */
const codes: number[] = [];
/** Longer values go through Buffer (String.fromCharCode.apply has an argument limit). */
const MAX_SHORT_HEX = 512;

/** Decodes an unquoted auditd value when it is hex; `nul` replaces NUL bytes (argv separators). */
export function decodeHexValue(v: string, nul: string): string {
  const len = v.length;
  if (len < 2 || (len & 1) !== 0) return v;
  if (len <= MAX_SHORT_HEX) {
    // Most values (proctitle, argv) are short ASCII: decode in place, and trim trailing NULs and
    // replace the others just as the general path below does.
    codes.length = 0;
    let ascii = true;
    let last = -1;
    const nulCode = nul.charCodeAt(0);
    for (let i = 0; i < len; i += 2) {
      const hi = hexDigit(v.charCodeAt(i));
      const lo = hexDigit(v.charCodeAt(i + 1));
      if (hi < 0 || lo < 0) return v;
      const b = (hi << 4) | lo;
      if (b >= 0x80) ascii = false;
      if (b !== 0) last = codes.length;
      codes.push(b === 0 ? nulCode : b);
    }
    if (ascii) {
      codes.length = last + 1;
      return String.fromCharCode.apply(null, codes);
    }
  } else if (!isUpperHex(v)) return v;
  const text = Buffer.from(v, 'hex').toString('utf8');
  return text.includes('\u0000') ? text.replace(/\u0000+$/, '').replaceAll('\u0000', nul) : text;
}

/**
 * Scans `k=v k="v" k='v w'` in s[start, end); bare words are skipped, nested messages
 * recursed into. With a `guess` (top level only), the type's known layouts are tried first
 * and otherwise its remembered keys, one by one; it is updated to what was found, and a body
 * a pattern can describe becomes a new layout (see auditd-layout.ts). `tryLayouts` false: the
 * caller has just tried them (findLayout).
 */
export function scanPairs(s: string, start: number, end: number, sink: PairSink, depth = 0, guess?: KeyGuess, tryLayouts = true): number {
  // Layout patterns cover bodies that run to the line's end (no ENRICHED tail).
  const whole = guess !== undefined && end === s.length;
  if (whole && tryLayouts && guess.layouts.length > 0) {
    const c = matchLayout(s, start, sink, guess);
    if (c >= 0) return c;
  }
  /** Whether the body so far could be a layout pattern: quoted and unquoted values only, no bare words. */
  let plain = whole;
  let p = start;
  let count = 0;
  /** The first '=' at or after p, remembered while p has not passed it (-1: none left). */
  let eq = -2;
  /** Index of the next top-level pair, for the guess. */
  let n = 0;
  let guessing = guess !== undefined;
  while (p < end) {
    while (p < end && s.charCodeAt(p) === 32) p++;
    if (p >= end) break;
    let key: string;
    let slot: number;
    let encoded: boolean;
    /** Where the value starts, and the first space at or after the key (-2: not searched yet). */
    let v: number;
    let space = -2;
    const g = guessing && n < MAX_GUESSED ? guess!.withEq[n] : undefined;
    // A key holds no '=' or space, so `key=` at p is exactly what the plain scan would find.
    if (g !== undefined && p + g.length <= end && s.indexOf(g, p) === p) {
      key = guess!.keys[n]!;
      slot = guess!.slots[n]!;
      encoded = guess!.encoded[n]!;
      v = p + g.length;
    } else {
      // One miss ends the guessing for this record, so a search runs to the line's end at most once.
      if (g !== undefined) guessing = false;
      if (eq !== -1 && eq < p) eq = s.indexOf('=', p);
      if (eq < 0 || eq >= end) break; // only bare words remain
      // Keys hold no spaces: a space before the '=' ends a bare word (AVC "denied { read } for").
      space = s.indexOf(' ', p);
      if (space >= 0 && space < eq) {
        p = space + 1;
        plain = false;
        continue;
      }
      key = keyAt(s, p, eq);
      slot = lastKeySlot;
      encoded = lastKeyEncoded;
      v = eq + 1;
      if (guess !== undefined && n < MAX_GUESSED) {
        guess.withEq[n] = key + '=';
        guess.keys[n] = key;
        guess.slots[n] = slot;
        guess.encoded[n] = encoded;
      }
    }
    const q = s.charCodeAt(v);
    if (n < MAX_GUESSED && guess !== undefined) guess.unquoted[n] = q !== 34 && q !== 39 && q !== 123;
    n++;
    if (q === 34 /* " */) {
      let close = s.indexOf('"', v + 1);
      if (close < 0 || close > end) close = end;
      // Unterminated, or run together with the next pair: not a layout a pattern would match.
      if (close === end || (close + 1 < end && s.charCodeAt(close + 1) !== 32)) plain = false;
      sink(key, s.slice(v + 1, close), false, false, slot);
      count++;
      p = close + 1;
    } else if (q === 39 /* ' */) {
      let close = s.indexOf("'", v + 1);
      if (close < 0 || close > end) close = end;
      // A nested user-space message: its pairs belong to the record too.
      plain = false;
      const inner = depth < 2 ? scanPairs(s, v + 1, close, sink, depth + 1) : 0;
      if (inner === 0) sink(key, s.slice(v + 1, close), false, false, slot);
      count++;
      p = close + 1;
    } else if (q === 123 /* { */) {
      // ENRICHED socket addresses: SADDR={ fam=inet laddr=10.0.0.1 lport=443 }
      let close = s.indexOf('}', v + 1);
      if (close < 0 || close > end) close = end;
      plain = false;
      sink(key, s.slice(v + 1, close).trim(), false, false, slot);
      if (depth < 2) scanPairs(s, v + 1, close, sink, depth + 1);
      count++;
      p = close + 1;
    } else {
      // The space found for the bare-word check, if any, is also the first one after the value start.
      let sp = space === -2 ? s.indexOf(' ', v) : space;
      if (sp < 0 || sp > end) sp = end;
      sink(key, s.slice(v, sp), true, encoded, slot);
      count++;
      p = sp + 1;
    }
  }
  // (learnLayout checks the pattern against this body, which also rules out what `plain` does not track.)
  if (plain && p >= end) learnLayout(s, start, guess!, n);
  return count;
}

/** Decimal digits of s[start, end) as a number, or -1. */
function intAt(s: string, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Epoch ms of a stamp's seconds and fraction (`fracDigits` digits). */
function stampMs(secs: number, frac: number, fracDigits: number): number {
  return secs * 1000 + (fracDigits === 3 ? frac : Math.floor((frac / 10 ** fracDigits) * 1000));
}

/** What plainStamp read. */
let plainTime = 0;
let plainSerial = 0;

/**
 * The usual stamp, `SECS[.FRAC]:SERIAL)` with all parts in range, read in one pass from open:
 * returns the index of its ')' and leaves the values in plainTime and plainSerial, or returns -1
 * for anything else, which parseHeader then reads (and rejects) as it always did. Where this
 * accepts, that reading finds the same ')', ':' and '.' (only digits come before them) and the
 * same values, with three searches and three digit loops instead of one loop.
 */
function plainStamp(line: string, open: number): number {
  let i = open;
  let c = line.charCodeAt(i);
  let secs = 0;
  while (c >= 48 && c <= 57) {
    secs = secs * 10 + (c - 48);
    c = line.charCodeAt(++i);
  }
  if (i === open || i - open > 15 || secs <= 0) return -1;
  let frac = 0;
  let fracDigits = 0;
  if (c === 46 /* . */) {
    const from = ++i;
    c = line.charCodeAt(i);
    while (c >= 48 && c <= 57) {
      frac = frac * 10 + (c - 48);
      c = line.charCodeAt(++i);
    }
    fracDigits = i - from;
    if (fracDigits === 0 || fracDigits > 9) return -1;
  }
  if (c !== 58 /* : */) return -1;
  const from = ++i;
  c = line.charCodeAt(i);
  let serial = 0;
  while (c >= 48 && c <= 57) {
    serial = serial * 10 + (c - 48);
    c = line.charCodeAt(++i);
  }
  if (i === from || i - from > 15 || c !== 41 /* ) */) return -1;
  plainTime = stampMs(secs, frac, fracDigits);
  plainSerial = serial;
  return i;
}

/** The `time:serial)` text of the last header parsed and its values. */
let memoStamp = '';
let memoTime = 0;
let memoSerial = 0;

/**
 * `type=T msg=audit(` per common type T (by slot), and the type that followed each type last
 * time: records come in a steady order (SYSCALL, EXECVE, CWD, PATH, ...), and one search for
 * the expected prefix replaces three checks and a key lookup.
 */
const headerPrefix: string[] = slotKey.map((k) => (k === undefined ? '' : `type=${k} msg=audit(`));
const nextType = new Int16Array(SLOTS).fill(-1);
/**
 * The type that followed each type the time before nextType's: a type followed by two others
 * in turn (PATH by PATH, then by PROCTITLE, in every execve event) has both predicted, and
 * only a type seen after neither goes through the full parse (a search, a key lookup).
 */
const altType = new Int16Array(SLOTS).fill(-1);
let lastTypeSlot = -1;

/** Whether `type=T msg=audit(` (T: the common type in `slot`) starts at p; the space and second letter are compared before searching. */
function typeAt(line: string, p: number, slot: number): boolean {
  const prefix = headerPrefix[slot]!;
  return line.charCodeAt(p + prefix.length - 11) === 32 && line.charCodeAt(p + 6) === prefix.charCodeAt(6) && line.indexOf(prefix, p) === p;
}

/** Fills `out` with a record's header; returns the reason when the line is not a record. Reusing `out` saves an allocation per line. */
export function parseHeader(line: string, out: AuditHeader): string | undefined {
  let p = 0;
  out.node = undefined;
  if (hasAt(line, 'node=', 0)) {
    const sp = line.indexOf(' ');
    if (sp < 0) return 'node= without a record';
    out.node = line.slice(5, sp);
    p = sp + 1;
  }
  let sp: number;
  // indexOf scans the whole line when the prefix is not at p: typeAt compares the space after
  // the type and the type's second letter first, which tells PATH from PROCTITLE without a search.
  let expected = lastTypeSlot < 0 ? -1 : nextType[lastTypeSlot]!;
  if (expected >= 0 && !typeAt(line, p, expected)) {
    expected = altType[lastTypeSlot]!;
    if (expected >= 0 && !typeAt(line, p, expected)) expected = -1;
  }
  if (expected >= 0) {
    out.type = slotKey[expected] as string;
    out.typeSlot = expected;
    sp = p + headerPrefix[expected]!.length - 11;
  } else {
    if (!hasAt(line, 'type=', p)) return 'no type=';
    sp = line.indexOf(' ', p);
    if (sp < 0) return 'no msg=audit(...)';
    if (sp === p + 5) return 'empty type=';
    if (!hasAt(line, 'msg=audit(', sp + 1)) return 'no msg=audit(...)';
    out.type = keyAt(line, p + 5, sp);
    out.typeSlot = lastKeySlot;
    if (lastTypeSlot >= 0 && lastKeySlot >= 0) {
      altType[lastTypeSlot] = nextType[lastTypeSlot]!;
      nextType[lastTypeSlot] = lastKeySlot;
    }
  }
  const open = sp + 11;
  let close: number;
  // The records of one event share their stamp: reuse the last one parsed when the text matches
  // (the memo holds no ')', so a match there ends at the first one).
  // The serial's last digit and the ')' are compared first: the next event's stamp differs
  // there, and a failing indexOf would search the rest of the line.
  const memoLen = memoStamp.length;
  if (
    memoLen > 1 &&
    line.charCodeAt(open + memoLen - 2) === memoStamp.charCodeAt(memoLen - 2) &&
    line.charCodeAt(open + memoLen - 1) === 41 &&
    line.indexOf(memoStamp, open) === open
  ) {
    close = open + memoStamp.length - 1;
    out.time = memoTime;
    out.serial = memoSerial;
  } else {
    close = plainStamp(line, open);
    if (close >= 0) {
      out.time = plainTime;
      out.serial = plainSerial;
    } else {
      close = line.indexOf(')', open);
      if (close < 0) return 'bad msg=audit(time:serial)';
      const colon = line.indexOf(':', open);
      if (colon < 0 || colon > close) return 'bad msg=audit(time:serial)';
      const dot = line.indexOf('.', open);
      const noFrac = dot < 0 || dot > colon;
      const secs = intAt(line, open, noFrac ? colon : dot);
      const frac = noFrac ? 0 : intAt(line, dot + 1, colon);
      const fracDigits = noFrac ? 0 : colon - dot - 1;
      const serial = intAt(line, colon + 1, close);
      if (secs <= 0 || frac < 0 || serial < 0 || fracDigits > 9) return 'bad msg=audit(time:serial)';
      out.time = stampMs(secs, frac, fracDigits);
      out.serial = serial;
    }
    memoStamp = line.slice(open, close + 1);
    memoTime = out.time;
    memoSerial = out.serial;
  }
  lastTypeSlot = out.typeSlot;
  let body = close + 1;
  if (line.charCodeAt(body) === 58) body++;
  out.body = body;
  return undefined;
}
