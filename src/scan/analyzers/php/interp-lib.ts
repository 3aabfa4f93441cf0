/**
 * Values and built-in functions of the constant PHP evaluator (interp.ts): PHP's scalar
 * conversions and the string and array functions encoders decode their payloads with. Every
 * built-in is total (a wrong argument gives UNKNOWN, never an exception) and bounded: results
 * over MAX_STR characters or MAX_ITEMS elements are UNKNOWN.
 */
import { createHash } from 'node:crypto';
import { b64, hexDecode, inflateAny, reverse, rot13 } from '../../decode.js';
import type { Tok } from './tokens.js';

export const MAX_STR = 1 << 21;
export const MAX_ITEMS = 300000;

/** What the evaluator cannot know: the request, the clock, files, objects. It poisons what uses it. */
export const UNKNOWN: unique symbol = Symbol('unknown');
export type Unknown = typeof UNKNOWN;

/** A function value: a user function, a closure or what create_function() made. */
export interface Fn {
  kind: 'fn';
  params: Array<{ name: string; byRef: boolean; def: [number, number] | undefined }>;
  /** Body tokens [start, end) inside `code` (between the braces). */
  body: [number, number];
  code: Code;
  /** Variables a closure captured (`use`), by value. */
  bound?: Map<string, Val>;
}

export interface Code {
  t: Tok[];
  m: Int32Array;
}

export class PArr {
  readonly m = new Map<string | number, Val>();
  next = 0;

  set(k: string | number | undefined, v: Val): boolean {
    const key = k === undefined ? this.next : normKey(k);
    if (!this.m.has(key) && this.m.size >= MAX_ITEMS) return false;
    this.m.set(key, v);
    if (typeof key === 'number' && key >= this.next) this.next = key + 1;
    return true;
  }

  get(k: string | number): Val | undefined {
    return this.m.get(normKey(k));
  }

  copy(): PArr {
    const a = new PArr();
    for (const [k, v] of this.m) a.m.set(k, v instanceof PArr ? v.copy() : v);
    a.next = this.next;
    return a;
  }

  values(): Val[] {
    return [...this.m.values()];
  }
}

export type Val = string | number | boolean | null | PArr | Fn | Unknown;

/** PHP turns numeric-string keys into integers ("5" and 5 are one key). */
function normKey(k: string | number): string | number {
  if (typeof k === 'number') return Math.trunc(k);
  return /^(?:0|-?[1-9]\d{0,15})$/.test(k) ? Number(k) : k;
}

export function isFn(v: Val): v is Fn {
  return typeof v === 'object' && v !== null && !(v instanceof PArr) && (v as Fn).kind === 'fn';
}

export function toStr(v: Val): string | Unknown {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(14)));
  if (v === true) return '1';
  if (v === false || v === null) return '';
  if (v instanceof PArr) return 'Array';
  return UNKNOWN;
}

export function toNum(v: Val): number | Unknown {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null) return 0;
  if (typeof v === 'string') {
    const m = /^\s*(0x[0-9a-f]+|[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)/i.exec(v);
    return m ? Number(m[1]) : 0;
  }
  if (v instanceof PArr) return v.m.size > 0 ? 1 : 0;
  return UNKNOWN;
}

export function truthy(v: Val): boolean | Unknown {
  if (v === UNKNOWN) return UNKNOWN;
  if (typeof v === 'string') return v !== '' && v !== '0';
  if (typeof v === 'number') return v !== 0;
  if (v instanceof PArr) return v.m.size > 0;
  return isFn(v) ? true : Boolean(v);
}

/** A number literal as PHP reads it (hex, octal, binary, decimal, float). */
export function numLiteral(s: string): number | Unknown {
  const t = s.replace(/_/g, '').toLowerCase();
  if (/^0x[0-9a-f]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0b[01]+$/.test(t)) return parseInt(t.slice(2), 2);
  if (/^0o?[0-7]+$/.test(t)) return parseInt(t.replace(/^0o?/, ''), 8);
  const n = Number(t);
  return Number.isFinite(n) ? n : UNKNOWN;
}

/** Byte-wise &, |, ^ of two strings (PHP's string bitwise operators). */
export function bitStrings(a: string, b: string, op: string): string {
  const n = op === '|' ? Math.max(a.length, b.length) : Math.min(a.length, b.length);
  let out = '';
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i) || 0;
    const y = b.charCodeAt(i) || 0;
    out += String.fromCharCode((op === '^' ? x ^ y : op === '|' ? x | y : x & y) & 0xff);
  }
  return out;
}

export function looseEq(a: Val, b: Val): boolean | Unknown {
  if (a === UNKNOWN || b === UNKNOWN || isFn(a) || isFn(b)) return UNKNOWN;
  if (typeof a === 'string' && typeof b === 'string') {
    const na = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?\s*$/i.test(a);
    const nb = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?\s*$/i.test(b);
    return na && nb ? Number(a) === Number(b) : a === b;
  }
  if (a instanceof PArr || b instanceof PArr) return a === b;
  if (typeof a === 'boolean' || typeof b === 'boolean' || a === null || b === null) return truthy(a) === truthy(b);
  return toNum(a) === toNum(b);
}

const latin1 = (buf: Buffer | undefined): string | Unknown => (buf ? buf.toString('latin1') : UNKNOWN);
const cap = (s: string): string | Unknown => (s.length > MAX_STR ? UNKNOWN : s);

function int(v: Val | undefined, dflt?: number): number | Unknown {
  if (v === undefined) return dflt ?? UNKNOWN;
  const n = toNum(v);
  return n === UNKNOWN ? UNKNOWN : Math.trunc(n);
}

function substr(s: string, start: number, len: number | undefined): string {
  const s0 = start < 0 ? Math.max(0, s.length + start) : Math.min(start, s.length);
  if (len === undefined) return s.slice(s0);
  return len < 0 ? s.slice(s0, Math.max(s0, s.length + len)) : s.slice(s0, s0 + len);
}

function strtr(s: string, from: Val, to: Val | undefined): string | Unknown {
  if (to === undefined) {
    if (!(from instanceof PArr)) return UNKNOWN;
    const pairs: Array<[string, string]> = [];
    for (const [k, v] of from.m) {
      const r = toStr(v);
      if (r === UNKNOWN) return UNKNOWN;
      if (String(k) !== '') pairs.push([String(k), r]);
    }
    pairs.sort((a, b) => b[0].length - a[0].length);
    let out = '';
    outer: for (let i = 0; i < s.length; ) {
      for (const [k, r] of pairs)
        if (s.startsWith(k, i)) {
          out += r;
          i += k.length;
          continue outer;
        }
      out += s[i++];
    }
    return cap(out);
  }
  const f = toStr(from);
  const t = toStr(to);
  if (f === UNKNOWN || t === UNKNOWN) return UNKNOWN;
  const n = Math.min(f.length, t.length);
  const map = new Map<string, string>();
  for (let i = 0; i < n; i++) map.set(f[i]!, t[i]!);
  let out = '';
  for (const ch of s) out += map.get(ch) ?? ch;
  return out;
}

function replace(search: Val, rep: Val, subj: string, ci: boolean): string | Unknown {
  const froms = search instanceof PArr ? search.values().map(toStr) : [toStr(search)];
  const tos = rep instanceof PArr ? rep.values().map(toStr) : undefined;
  const one = tos ? undefined : toStr(rep);
  let out = subj;
  for (let i = 0; i < froms.length; i++) {
    const f = froms[i]!;
    const t = tos ? (tos[i] ?? '') : one!;
    if (typeof f !== 'string' || typeof t !== 'string') return UNKNOWN;
    if (f === '') continue;
    out = ci ? out.replace(new RegExp(f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), () => t) : out.split(f).join(t);
    if (out.length > MAX_STR) return UNKNOWN;
  }
  return out;
}

function arr(vals: Val[]): PArr {
  const a = new PArr();
  for (const v of vals) a.set(undefined, v);
  return a;
}

const CONSTANT_TIME = new Set(['strlen', 'ord', 'count', 'sizeof', 'is_array', 'is_string', 'intval', 'chr', 'strval', 'isset']);

/**
 * Calls built-in `name` on evaluated arguments. Returns undefined for a function this
 * evaluator does not model (the caller treats it as UNKNOWN). `work` is charged with the
 * size of the strings handled.
 */
export function builtin(name: string, a: Val[], work: (n: number) => void): Val | undefined {
  const s0 = a.length > 0 ? toStr(a[0]!) : UNKNOWN;
  // the string work of functions that copy or transform their argument (not strlen, ord, ...)
  if (typeof s0 === 'string' && s0.length > 256 && !CONSTANT_TIME.has(name)) work(s0.length >> 6);
  switch (name) {
    case 'base64_decode':
      return s0 === UNKNOWN ? UNKNOWN : s0 === '' ? '' : latin1(b64(s0.replace(/[^A-Za-z0-9+/=_-]/g, '')));
    case 'base64_encode':
      return s0 === UNKNOWN ? UNKNOWN : cap(Buffer.from(s0, 'latin1').toString('base64'));
    case 'gzinflate':
    case 'gzuncompress':
    case 'gzdecode':
      return s0 === UNKNOWN ? UNKNOWN : latin1(inflateAny(Buffer.from(s0, 'latin1')));
    case 'str_rot13':
      return s0 === UNKNOWN ? UNKNOWN : rot13(s0);
    case 'strrev':
      return s0 === UNKNOWN ? UNKNOWN : reverse(s0);
    case 'hex2bin':
      return s0 === UNKNOWN ? UNKNOWN : latin1(hexDecode(s0));
    case 'bin2hex':
      return s0 === UNKNOWN ? UNKNOWN : cap(Buffer.from(s0, 'latin1').toString('hex'));
    case 'pack': {
      const data = a[1] === undefined ? UNKNOWN : toStr(a[1]);
      return s0 === 'H*' && data !== UNKNOWN ? latin1(hexDecode(data)) : UNKNOWN;
    }
    case 'urldecode':
    case 'rawurldecode':
      if (s0 === UNKNOWN) return UNKNOWN;
      return (name === 'urldecode' ? s0.replace(/\+/g, ' ') : s0).replace(/%([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    case 'strtolower':
      return s0 === UNKNOWN ? UNKNOWN : s0.toLowerCase();
    case 'strtoupper':
      return s0 === UNKNOWN ? UNKNOWN : s0.toUpperCase();
    case 'ucfirst':
      return s0 === UNKNOWN ? UNKNOWN : s0.charAt(0).toUpperCase() + s0.slice(1);
    case 'trim':
    case 'ltrim':
    case 'rtrim':
    case 'chop': {
      if (s0 === UNKNOWN || a.length > 1) return a.length > 1 ? UNKNOWN : s0;
      const l = name === 'trim' || name === 'ltrim' ? s0.replace(/^[ \t\n\r\0\x0B]+/, '') : s0;
      return name === 'ltrim' ? l : l.replace(/[ \t\n\r\0\x0B]+$/, '');
    }
    case 'strlen':
      return s0 === UNKNOWN ? UNKNOWN : s0.length;
    case 'ord':
      return s0 === UNKNOWN ? UNKNOWN : s0.length > 0 ? s0.charCodeAt(0) & 0xff : 0;
    case 'chr': {
      const n = int(a[0]);
      return n === UNKNOWN ? UNKNOWN : String.fromCharCode(((n % 256) + 256) % 256);
    }
    case 'intval': {
      const n = int(a[0]);
      return n;
    }
    case 'strval':
      return s0;
    case 'substr': {
      const st = int(a[1], 0);
      const ln = a[2] === undefined || a[2] === null ? undefined : int(a[2]);
      return s0 === UNKNOWN || st === UNKNOWN || ln === UNKNOWN ? UNKNOWN : substr(s0, st, ln);
    }
    case 'str_repeat': {
      const n = int(a[1]);
      return s0 === UNKNOWN || n === UNKNOWN || n < 0 || s0.length * n > MAX_STR ? UNKNOWN : s0.repeat(n);
    }
    case 'strtr':
      return s0 === UNKNOWN || a[1] === undefined ? UNKNOWN : strtr(s0, a[1], a[2]);
    case 'str_replace':
    case 'str_ireplace': {
      const subj = a[2] === undefined ? UNKNOWN : toStr(a[2]);
      return subj === UNKNOWN || a[0] === undefined || a[1] === undefined ? UNKNOWN : replace(a[0], a[1], subj, name === 'str_ireplace');
    }
    case 'implode':
    case 'join': {
      const list = a.find((x) => x instanceof PArr) as PArr | undefined;
      const glue = a.length === 1 ? '' : toStr(a.find((x) => !(x instanceof PArr)) ?? '');
      if (!list || glue === UNKNOWN) return UNKNOWN;
      const parts = list.values().map(toStr);
      return parts.includes(UNKNOWN) ? UNKNOWN : cap((parts as string[]).join(glue));
    }
    case 'explode': {
      const subj = a[1] === undefined ? UNKNOWN : toStr(a[1]);
      if (s0 === UNKNOWN || subj === UNKNOWN || s0 === '') return UNKNOWN;
      const parts = subj.split(s0);
      return parts.length > MAX_ITEMS ? UNKNOWN : arr(parts);
    }
    case 'str_split': {
      const n = int(a[1], 1);
      if (s0 === UNKNOWN || n === UNKNOWN || n < 1 || s0.length / n > MAX_ITEMS) return UNKNOWN;
      const parts: string[] = [];
      for (let i = 0; i < s0.length; i += n) parts.push(s0.slice(i, i + n));
      return arr(parts.length ? parts : ['']);
    }
    case 'count':
    case 'sizeof':
      return a[0] instanceof PArr ? a[0].m.size : UNKNOWN;
    case 'array_reverse':
      return a[0] instanceof PArr ? arr(a[0].values().reverse()) : UNKNOWN;
    case 'array_values':
      return a[0] instanceof PArr ? arr(a[0].values()) : UNKNOWN;
    case 'array_keys':
      return a[0] instanceof PArr ? arr([...a[0].m.keys()]) : UNKNOWN;
    case 'array_flip': {
      if (!(a[0] instanceof PArr)) return UNKNOWN;
      const out = new PArr();
      for (const [k, v] of a[0].m) if (typeof v === 'string' || typeof v === 'number') out.set(v, k);
      return out;
    }
    case 'range': {
      const lo = int(a[0]);
      const hi = int(a[1]);
      if (lo === UNKNOWN || hi === UNKNOWN || Math.abs(hi - lo) > MAX_ITEMS) return UNKNOWN;
      const out: number[] = [];
      for (let i = lo; lo <= hi ? i <= hi : i >= hi; i += lo <= hi ? 1 : -1) out.push(i);
      return arr(out);
    }
    case 'md5':
    case 'sha1':
      return s0 === UNKNOWN ? UNKNOWN : createHash(name).update(Buffer.from(s0, 'latin1')).digest('hex');
    case 'sprintf': {
      if (s0 === UNKNOWN) return UNKNOWN;
      let k = 1;
      let bad = false;
      const out = s0.replace(/%(%|[sdcx])/g, (_m, f: string) => {
        if (f === '%') return '%';
        const v = a[k++];
        const r = v === undefined ? UNKNOWN : f === 's' ? toStr(v) : toNum(v);
        if (r === UNKNOWN) {
          bad = true;
          return '';
        }
        if (f === 'c') return String.fromCharCode(Number(r) & 0xff);
        if (f === 'x') return Math.trunc(Number(r)).toString(16);
        return f === 'd' ? String(Math.trunc(Number(r))) : String(r);
      });
      return bad ? UNKNOWN : out;
    }
    case 'is_array':
      return a[0] === UNKNOWN ? UNKNOWN : a[0] instanceof PArr;
    case 'is_string':
      return a[0] === UNKNOWN ? UNKNOWN : typeof a[0] === 'string';
    case 'isset':
      return a.every((x) => x !== null && x !== undefined) && !a.includes(UNKNOWN) ? true : UNKNOWN;
    case 'error_reporting':
    case 'ini_set':
    case 'set_time_limit':
    case 'ignore_user_abort':
    case 'header':
    case 'ob_start':
      return null;
    default:
      return undefined;
  }
}
