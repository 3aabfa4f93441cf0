/**
 * Constant folding for the PHP token data flow (dataflow.ts): which variables hold constant
 * strings, and the value of an expression built from literals, escapes, `.`, `^`, `~`, chr()
 * and the usual decoders, also when the decoder is called through a variable holding its name.
 * Shells build function names and payloads this way; folded, they are read as what they say.
 */
import { b64, hexDecode, inflateAny, reverse, rot13 } from '../../decode.js';
import { argRanges, type Tok } from './tokens.js';
import { elementOf, foldArray, type ConstArray } from './dataflow-arrays.js';
import type { Flow, FnDef } from './dataflow.js';
import { REQUEST_ARRAYS } from './dataflow-names.js';
import { namedConstOperand, staticKey } from './dataflow-consts.js';

const MAX_CONST = 1 << 20;

/**
 * Variables assigned only constant strings keep that string (the last one wins); variables
 * assigned constant arrays keep the array. A user function's parameter that every call passes
 * the same constant holds it too (a name handed in pieces to a helper that assembles it), so
 * the assignments are folded again once the parameters are known.
 */
export function foldConstants(f: Flow): void {
  foldAssigns(f);
  const seeds = constantParams(f);
  if (seeds.size === 0) return;
  f.consts.clear();
  f.arrays.clear();
  for (const [k, v] of seeds) f.consts.set(k, v);
  foldAssigns(f);
}

function foldAssigns(f: Flow): void {
  for (const a of f.assigns) {
    if (a.targets.length !== 1) continue;
    const k = a.targets[0]!;
    if (f.consts.get(k) === null && f.arrays.get(k) === null) continue;
    if (a.byRef) {
      const cur = f.consts.get(k);
      const out = typeof cur === 'string' ? byRefValue(f, a.byRef.fn, a.byRef.param, cur) : undefined;
      // a helper that leaves the value alone (or is not constant) says nothing new about it
      if (out === null) f.consts.set(k, null);
      else if (out !== undefined) f.consts.set(k, out);
      continue;
    }
    const v = fold(f, a.s, a.e, a.scope, 0);
    if (v !== undefined && REQUEST_ARRAYS.has(v)) f.superVars.add(k);
    const arr = v === undefined && !a.append ? foldArray(f, a.s, a.e, a.scope, (s, e) => fold(f, s, e, a.scope, 1)) : undefined;
    if (f.arrays.get(k) !== null) f.arrays.set(k, arr ?? null);
    if (f.consts.get(k) === null) continue;
    const prev = f.consts.get(k);
    if (a.append && typeof prev === 'string' && v !== undefined && prev.length + v.length <= MAX_CONST) f.consts.set(k, prev + v);
    else f.consts.set(k, v === undefined || (a.append && prev === undefined) ? null : v);
  }
}

/**
 * The value a by-reference parameter holds when its function returns, entered with `value`:
 * the body's assignments to it folded in order. Undefined: the body does not assign it; null:
 * it does, to something not constant.
 */
function byRefValue(f: Flow, fn: FnDef, param: string, value: string): string | null | undefined {
  const pk = `${fn.scope}:${param}`;
  const body = f.assigns.filter((x) => !x.byRef && x.scope === fn.scope && x.targets.length === 1 && x.targets[0] === pk);
  if (body.length === 0) return undefined;
  const saved = f.consts.get(pk);
  let cur: string | null = value;
  for (const x of body) {
    f.consts.set(pk, cur);
    const v = fold(f, x.s, x.e, x.scope, 0);
    cur = v === undefined ? null : x.append ? cur + v : v;
    if (cur === null || cur.length > MAX_CONST) {
      cur = null;
      break;
    }
  }
  if (saved === undefined) f.consts.delete(pk);
  else f.consts.set(pk, saved);
  return cur;
}

/** Parameters (scope key -> value) that every direct call of their function passes as one constant string. */
function constantParams(f: Flow): Map<string, string> {
  const seen = new Map<string, string | null>();
  for (const c of f.calls) {
    if (c.viaCallback) continue;
    for (const k of c.fns)
      for (const def of f.fns.get(k) ?? []) {
        def.params.forEach((p, idx) => {
          if (!p) return;
          const key = `${def.scope}:${p}`;
          if (seen.get(key) === null) return;
          const a = c.args[idx];
          const v = a ? fold(f, a[0], a[1], c.scope, 0) : undefined;
          const prev = seen.get(key);
          seen.set(key, v === undefined || (prev !== undefined && prev !== v) ? null : v);
        });
      }
  }
  const out = new Map<string, string>();
  for (const [k, v] of seen) if (typeof v === 'string') out.set(k, v);
  return out;
}

/** The constant string value of tokens [s, e), if they compute one. */
export function fold(f: Flow, s: number, e: number, sc: number, depth: number): string | undefined {
  if (depth > 8 || e <= s) return undefined;
  const t = f.toks;
  let acc: string | undefined;
  let pendingOp = '';
  let i = s;
  while (i < e) {
    let neg = false;
    while (i < e && t[i]!.k === 'op' && (t[i]!.v === '~' || t[i]!.v === '@')) {
      if (t[i]!.v === '~') neg = !neg;
      i++;
    }
    const o = operand(f, i, e, sc, depth);
    if (!o) return undefined;
    let val = o.val;
    i = o.next;
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

/**
 * One operand at `i` and its postfix chain: a literal, a constant variable, a call of a pure
 * function, a parenthesised expression; then `[k]`/`{k}` picks an element or a character and
 * `(...)` calls the function the value names (`$f[0](...)`, `("$t")(...)`).
 */
function operand(f: Flow, i: number, e: number, sc: number, depth: number): { val: string; next: number } | undefined {
  const t = f.toks;
  const cur = t[i];
  if (!cur) return undefined;
  const sub = (a: number, b: number) => fold(f, a, b, sc, depth + 1);
  let val: string | undefined;
  let arr: ConstArray | undefined;
  let next = i + 1;
  if (cur.k === 'str') val = cur.vars?.length ? interpolate(f, cur.v, sc) : cur.v;
  else if (cur.k === 'num') val = cur.v;
  else if (cur.k === 'var') {
    const key = t[i - 1]?.v === '::' ? staticKey(cur.v) : f.key(sc, cur.v);
    const c = f.consts.get(key);
    if (typeof c === 'string') val = c;
    else {
      arr = f.arrays.get(key) ?? undefined;
      // `$a['k']` assigned element by element
      const idx = t[i + 1]?.v === '[' ? f.close(i + 1) : -1;
      if (!arr && idx !== -1 && idx < e) {
        const k = sub(i + 2, idx);
        const el = k === undefined ? undefined : f.consts.get(`${key}[${k}]`);
        if (typeof el !== 'string') return undefined;
        val = el;
        next = idx + 1;
      }
    }
  } else if (cur.k === 'op' && cur.v === '(') {
    const c = f.close(i);
    if (c === -1 || c >= e) return undefined;
    val = sub(i + 1, c);
    next = c + 1;
  } else if (cur.k === 'id' && t[i + 1]?.v === '(') {
    const c = f.close(i + 1);
    if (c === -1 || c >= e) return undefined;
    val = applyName(f, cur.v, i + 1, sc, depth);
    next = c + 1;
  } else if (cur.k === 'id') {
    const named = namedConstOperand(f, i, e);
    if (named) ({ val, next } = named);
    else if (barewordPiece(t, i) && f.ctx.text.startsWith(cur.v, cur.at)) val = cur.v;
  }
  if (val === undefined && arr === undefined) return undefined;
  // postfix: element / character picks and calls through the value
  for (let n = 0; n < 16 && next < e; n++) {
    const p = t[next]!;
    if (p.k !== 'op') break;
    if (p.v === '[' || (p.v === '{' && t[next + 2]?.v === '}')) {
      const c = f.close(next);
      if (c === -1 || c >= e) return undefined;
      const k = sub(next + 1, c);
      if (k === undefined) return undefined;
      if (arr) {
        val = elementOf(arr, /^(?:0|-?[1-9]\d{0,15})$/.test(k) ? String(Number(k)) : k);
        arr = undefined;
      } else if (val !== undefined && /^-?\d{1,9}$/.test(k)) {
        const at = Number(k) < 0 ? val.length + Number(k) : Number(k);
        val = at >= 0 && at < val.length ? val[at]! : undefined;
      } else val = undefined;
      if (val === undefined) return undefined;
      next = c + 1;
    } else if (p.v === '(' && val !== undefined) {
      const c = f.close(next);
      if (c === -1 || c >= e) return undefined;
      val = applyName(f, val.toLowerCase().replace(/^\\/, ''), next, sc, depth);
      if (val === undefined) return undefined;
      next = c + 1;
    } else break;
  }
  return val === undefined ? undefined : { val, next };
}

/** Lower-case words PHP never reads as an undefined constant's name. */
const NOT_BAREWORDS = new Set([
  'and',
  'or',
  'xor',
  'new',
  'clone',
  'print',
  'echo',
  'instanceof',
  'include',
  'require',
  'include_once',
  'require_once',
  'fn',
  'function',
  'static',
  'self',
  'parent',
  'true',
  'false',
  'null',
  'array',
  'list',
  'isset',
  'empty',
  'yield',
  'throw',
  'match',
]);

/**
 * A lower-case bareword concatenated with `.`: PHP 7 reads an undefined constant as its own
 * name, so `(sy.st.em)` spells a string. Constants an application relies on are upper case
 * (the tokens lower-case names: the caller checks the text spells it in lower case).
 */
function barewordPiece(t: Tok[], i: number): boolean {
  const v = t[i]!.v;
  if (!/^[a-z_][a-z0-9_]*$/.test(v) || NOT_BAREWORDS.has(v)) return false;
  const after = t[i + 1]?.v;
  if (after === '(' || after === '::' || after === '\\' || t[i - 1]?.v === '\\' || t[i - 1]?.v === '->' || t[i - 1]?.v === '?->') return false;
  const dot = (x: Tok | undefined) => x?.k === 'op' && x.v === '.';
  let a = i - 1;
  while (t[a]?.v === '(') a--;
  let b = i + 1;
  while (t[b]?.v === ')') b++;
  return dot(t[a]) || dot(t[b]);
}

/** The result of calling the pure function `name` with the arguments opening at `open`. */
function applyName(f: Flow, name: string, open: number, sc: number, depth: number): string | undefined {
  const ranges = argRanges(f.toks, open, f.match);
  const str = (a: number, b: number) => fold(f, a, b, sc, depth + 1);
  // functions of an array: the pieces a name was kept in
  if (ARRAY_TAKERS.has(name)) {
    const arrays = ranges.map(([a, b]) => foldArray(f, a, b, sc, str));
    return applyToArray(
      name,
      ranges.map(([a, b], k) => (arrays[k] ? undefined : str(a, b))),
      arrays,
    );
  }
  return applyPure(
    name,
    ranges.map(([a, b]) => str(a, b)),
  );
}

const ARRAY_TAKERS = new Set(['implode', 'join', 'end', 'reset', 'current', 'array_pop', 'array_shift']);

function applyToArray(name: string, strs: Array<string | undefined>, arrays: Array<ConstArray | undefined>): string | undefined {
  if (name === 'implode' || name === 'join') {
    // implode($glue, $pieces), implode($pieces) and the legacy implode($pieces, $glue)
    const at = arrays.findIndex((a) => a !== undefined);
    if (at === -1) return undefined;
    const glue = arrays.length === 1 ? '' : strs[at === 0 ? 1 : 0];
    return glue === undefined ? undefined : arrays[at]!.map(([, v]) => v).join(glue);
  }
  const a = arrays[0];
  if (!a || a.length === 0) return undefined;
  return name === 'end' || name === 'array_pop' ? a[a.length - 1]![1] : a[0]![1];
}

/**
 * A double-quoted string's interpolations (`$x`, `{$x}`, `${x}`, `$a[0]`, `{$a['k']}`) replaced
 * by the constants they read; undefined when any of them is not constant.
 */
function interpolate(f: Flow, v: string, sc: number): string | undefined {
  let ok = true;
  const out = v.replace(/\{\$(\w+)(?:\[['"]?([^\]'"\n]*)['"]?\])?\}|\$\{(\w+)\}|\$(\w+)(?:\[([^\]\n$]*)\])?/g, (_m, a, ai, b, c, ci) => {
    const name = (a ?? b ?? c) as string;
    const idx = (ai ?? ci) as string | undefined;
    const key = f.key(sc, name);
    let r: string | undefined;
    if (idx === undefined) {
      const s = f.consts.get(key);
      r = typeof s === 'string' ? s : undefined;
    } else {
      const k = idx.replace(/^['"]|['"]$/g, '');
      const arr = f.arrays.get(key);
      const s = f.consts.get(key);
      r = arr ? elementOf(arr, k) : typeof s === 'string' && /^\d+$/.test(k) ? s[Number(k)] : undefined;
      if (r === undefined) {
        const el = f.consts.get(`${key}[${k}]`);
        r = typeof el === 'string' ? el : undefined;
      }
    }
    if (r === undefined) ok = false;
    return r ?? '';
  });
  return ok ? out : undefined;
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
    case 'str_repeat': {
      const n = Number(args[1]);
      return Number.isInteger(n) && n >= 0 && a.length * n <= MAX_CONST ? a.repeat(n) : undefined;
    }
    case 'substr_replace': {
      const [, rep, st, ln] = args;
      const start = Number(st);
      if (rep === undefined || !Number.isInteger(start)) return undefined;
      const s0 = start < 0 ? Math.max(0, a.length + start) : Math.min(start, a.length);
      const len = ln === undefined ? a.length : Number(ln);
      if (!Number.isInteger(len)) return undefined;
      const end = len < 0 ? Math.max(s0, a.length + len) : Math.min(a.length, s0 + len);
      return a.slice(0, s0) + rep + a.slice(end);
    }
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
