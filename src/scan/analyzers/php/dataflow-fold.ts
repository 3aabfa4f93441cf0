/**
 * Constant folding for the PHP token data flow (dataflow.ts): which variables hold constant
 * strings, and the value of an expression built from literals, escapes, `.`, `^`, `~`, chr()
 * and the usual decoders, also when the decoder is called through a variable holding its name.
 * Shells build function names and payloads this way; folded, they are read as what they say.
 */
import { b64, hexDecode, inflateAny, reverse, rot13 } from '../../decode.js';
import { argRanges } from './tokens.js';
import type { Flow } from './dataflow.js';

const MAX_CONST = 1 << 20;

/** Variables assigned only constant strings keep that string (the last one wins). */
export function foldConstants(f: Flow): void {
  for (const a of f.assigns) {
    if (a.targets.length !== 1) continue;
    const k = a.targets[0]!;
    if (f.consts.get(k) === null) continue;
    const v = fold(f, a.s, a.e, a.scope, 0);
    const prev = f.consts.get(k);
    if (a.append && typeof prev === 'string' && v !== undefined && prev.length + v.length <= MAX_CONST) f.consts.set(k, prev + v);
    else f.consts.set(k, v === undefined || (a.append && prev === undefined) ? null : v);
  }
}

/** The constant string value of tokens [s, e), if they compute one. */
export function fold(f: Flow, s: number, e: number, sc: number, depth: number): string | undefined {
  if (depth > 8 || e <= s) return undefined;
  const t = f.toks;
  let acc: string | undefined;
  let pendingOp = '';
  let i = s;
  while (i < e) {
    let val: string | undefined;
    const tk = t[i]!;
    let neg = false;
    if (tk.k === 'op' && tk.v === '~') {
      neg = true;
      i++;
    }
    const cur = t[i];
    if (!cur) return undefined;
    if (cur.k === 'str' && !cur.vars?.length) {
      val = cur.v;
      i++;
    } else if (cur.k === 'num') {
      val = cur.v;
      i++;
    } else if (cur.k === 'var') {
      const c = f.consts.get(f.key(sc, cur.v));
      if (typeof c !== 'string') return undefined;
      if (t[i + 1]?.v === '(') {
        // `$d("...")` with `$d = "base64_decode"`: the call the variable names
        const close = f.close(i + 1);
        if (close === -1 || close >= e) return undefined;
        val = applyPure(
          c.toLowerCase(),
          argRanges(t, i + 1, f.match).map(([a, b]) => fold(f, a, b, sc, depth + 1)),
        );
        i = close + 1;
      } else {
        val = c;
        i++;
      }
    } else if (cur.k === 'op' && cur.v === '(') {
      const c = f.close(i);
      if (c === -1 || c >= e) return undefined;
      val = fold(f, i + 1, c, sc, depth + 1);
      i = c + 1;
    } else if (cur.k === 'id' && t[i + 1]?.v === '(') {
      const c = f.close(i + 1);
      if (c === -1 || c >= e) return undefined;
      const args = argRanges(t, i + 1, f.match).map(([a, b]) => fold(f, a, b, sc, depth + 1));
      val = applyPure(cur.v, args);
      i = c + 1;
    } else return undefined;
    if (val === undefined) return undefined;
    if (neg) val = Array.from(val, (ch) => String.fromCharCode(~ch.charCodeAt(0) & 0xff)).join('');
    if (acc === undefined) acc = val;
    else if (pendingOp === '.') acc += val;
    else if (pendingOp === '^') acc = xorStrings(acc, val);
    else return undefined;
    if (acc.length > MAX_CONST) return undefined;
    if (i >= e) break;
    const op = t[i]!;
    if (op.k !== 'op' || (op.v !== '.' && op.v !== '^')) return undefined;
    pendingOp = op.v;
    i++;
  }
  return acc;
}

function xorStrings(a: string, b: string): string {
  const n = Math.min(a.length, b.length);
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode(a.charCodeAt(i) ^ b.charCodeAt(i));
  return out;
}

/** Pure string functions shells build names and payloads with, applied to constant arguments. */
export function applyPure(fn: string, args: Array<string | undefined>): string | undefined {
  const a = args[0];
  if (a === undefined) return undefined;
  const latin1 = (buf: Buffer | undefined) => buf?.toString('latin1');
  switch (fn) {
    case 'base64_decode':
      return latin1(b64(a));
    case 'str_rot13':
      return rot13(a);
    case 'strrev':
      return reverse(a);
    case 'hex2bin':
      return latin1(hexDecode(a));
    case 'chr':
      return String.fromCharCode(((Number(a) % 256) + 256) % 256);
    case 'urldecode':
    case 'rawurldecode':
      try {
        return decodeURIComponent(fn === 'urldecode' ? a.replace(/\+/g, ' ') : a);
      } catch {
        return undefined;
      }
    case 'gzinflate':
    case 'gzuncompress':
    case 'gzdecode':
      return latin1(inflateAny(Buffer.from(a, 'latin1')));
    case 'strtolower':
      return a.toLowerCase();
    case 'strtoupper':
      return a.toUpperCase();
    case 'ucfirst':
      return a.charAt(0).toUpperCase() + a.slice(1);
    case 'trim':
      return a.trim();
    case 'strval':
      return a;
    case 'str_replace': {
      const [from, to, subj] = args;
      if (from === undefined || to === undefined || subj === undefined || from === '') return undefined;
      return subj.split(from).join(to);
    }
    case 'substr': {
      const start = Number(args[1] ?? 0);
      const len = args[2] === undefined ? undefined : Number(args[2]);
      const s0 = start < 0 ? Math.max(0, a.length + start) : start;
      return len === undefined ? a.slice(s0) : len < 0 ? a.slice(s0, a.length + len) : a.slice(s0, s0 + len);
    }
    default:
      return undefined;
  }
}
