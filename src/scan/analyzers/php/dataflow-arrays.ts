/**
 * Constant arrays for the PHP token data flow (dataflow.ts, dataflow-fold.ts): literals
 * (`[...]`, `array(...)`, with or without keys), explode()/str_split() of a constant string
 * and the array functions shells shuffle names with (array_keys, array_diff, array_reverse,
 * ...). Shells keep a function name's pieces, or a list of names, in an array and pick them
 * out by index; folded, the pick is read as the name it spells.
 */
import { argRanges } from './tokens.js';
import type { Flow } from './dataflow.js';

/** Ordered [key, value] pairs of an array whose every element is a constant string. */
export type ConstArray = Array<[string, string]>;

const MAX_ELEMENTS = 4096;

/** Folds one expression to a string (dataflow-fold.ts's fold, passed in to keep the modules acyclic). */
export type StrFold = (s: number, e: number) => string | undefined;

/** The constant array tokens [s, e) compute, if they compute one. */
export function foldArray(f: Flow, s: number, e: number, sc: number, str: StrFold): ConstArray | undefined {
  const t = f.toks;
  while (s < e && t[s]!.k === 'op' && t[s]!.v === '@') s++;
  if (e <= s) return undefined;
  const first = t[s]!;
  if (first.k === 'var' && e === s + 1) {
    const a = f.arrays.get(f.key(sc, first.v));
    return a ?? undefined;
  }
  if (first.k === 'op' && first.v === '[' && f.close(s) === e - 1) return literal(f, s, str);
  if (first.k !== 'id' || t[s + 1]?.v !== '(' || f.close(s + 1) !== e - 1) return undefined;
  if (first.v === 'array') return literal(f, s + 1, str);
  const args = argRanges(t, s + 1, f.match);
  const arr = (k: number): ConstArray | undefined => {
    const a = args[k];
    return a ? foldArray(f, a[0], a[1], sc, str) : undefined;
  };
  const text = (k: number): string | undefined => {
    const a = args[k];
    return a ? str(a[0], a[1]) : undefined;
  };
  switch (first.v) {
    case 'explode': {
      const sep = text(0);
      const whole = text(1);
      if (!sep || whole === undefined || args.length > 2) return undefined;
      return indexed(whole.split(sep));
    }
    case 'str_split': {
      const whole = text(0);
      const n = args.length > 1 ? Number(text(1)) : 1;
      if (whole === undefined || !(n >= 1 && n <= 64)) return undefined;
      const parts: string[] = [];
      for (let i = 0; i < whole.length && parts.length <= MAX_ELEMENTS; i += n) parts.push(whole.slice(i, i + n));
      return indexed(parts);
    }
    case 'array_keys':
      return mapped(arr(0), (a) => indexed(a.map(([k]) => k)));
    case 'array_values':
      return mapped(arr(0), (a) => indexed(a.map(([, v]) => v)));
    case 'array_reverse':
      return mapped(arr(0), (a) => renumber([...a].reverse()));
    case 'array_flip':
      return mapped(arr(0), (a) => a.map(([k, v]) => [v, k]));
    case 'array_unique':
      return mapped(arr(0), (a) => {
        const seen = new Set<string>();
        return a.filter(([, v]) => !seen.has(v) && seen.add(v) !== undefined);
      });
    case 'array_filter':
      return args.length === 1 ? mapped(arr(0), (a) => a.filter(([, v]) => v !== '' && v !== '0')) : undefined;
    case 'array_diff':
    case 'array_intersect': {
      const base = arr(0);
      const others = args.slice(1).map((_, k) => arr(k + 1));
      if (!base || others.some((o) => !o)) return undefined;
      const seen = new Set(others.flatMap((o) => o!.map(([, v]) => v)));
      return base.filter(([, v]) => seen.has(v) === (first.v === 'array_intersect'));
    }
    case 'array_merge': {
      const all = args.map((_, k) => arr(k));
      if (all.some((a) => !a)) return undefined;
      const b = new Builder();
      for (const a of all) for (const [k, v] of a!) b.add(k, v);
      return b.out;
    }
    case 'array_slice': {
      const a = arr(0);
      const off = Number(text(1) ?? 'x');
      const len = args.length > 2 ? Number(text(2) ?? 'x') : undefined;
      if (!a || !Number.isInteger(off) || (len !== undefined && !Number.isInteger(len))) return undefined;
      const from = off < 0 ? Math.max(0, a.length + off) : off;
      const to = len === undefined ? a.length : len < 0 ? a.length + len : from + len;
      return renumber(a.slice(from, to));
    }
    default:
      return undefined;
  }
}

/** `[...]` or `array(...)` whose bracket opens at `open`: every key and value constant. */
function literal(f: Flow, open: number, str: StrFold): ConstArray | undefined {
  const t = f.toks;
  const b = new Builder();
  const items = argRanges(t, open, f.match);
  if (items.length > MAX_ELEMENTS) return undefined;
  for (const [s, e] of items) {
    let arrow = -1;
    for (let i = s; i < e; i++) {
      const v = t[i]!;
      if (v.k === 'op' && (v.v === '(' || v.v === '[' || v.v === '{')) {
        const c = f.close(i);
        if (c === -1) return undefined;
        i = c;
      } else if (v.k === 'op' && v.v === '=>') {
        arrow = i;
        break;
      }
    }
    const value = str(arrow === -1 ? s : arrow + 1, e);
    if (value === undefined) return undefined;
    if (arrow === -1) b.push(value);
    else {
      const key = str(s, arrow);
      if (key === undefined) return undefined;
      b.set(/^(?:0|-?[1-9]\d{0,15})$/.test(key) ? String(Number(key)) : key, value);
    }
  }
  return b.out;
}

/** The value under `key` (exact key; a numeric string and its number are one key in PHP). */
export function elementOf(a: ConstArray, key: string): string | undefined {
  for (const [k, v] of a) if (k === key) return v;
  return undefined;
}

function indexed(values: string[]): ConstArray | undefined {
  return values.length > MAX_ELEMENTS ? undefined : values.map((v, i) => [String(i), v]);
}

function renumber(a: ConstArray): ConstArray {
  const b = new Builder();
  for (const [k, v] of a) b.add(k, v);
  return b.out;
}

function mapped(a: ConstArray | undefined, fn: (a: ConstArray) => ConstArray | undefined): ConstArray | undefined {
  return a ? fn(a) : undefined;
}

/** Builds an array the way PHP does: a repeated key keeps its place, `[] =` takes the next integer. */
class Builder {
  readonly out: ConstArray = [];
  private readonly at = new Map<string, number>();
  private next = 0;
  set(k: string, v: string): void {
    const i = this.at.get(k);
    if (i !== undefined) this.out[i] = [k, v];
    else {
      this.at.set(k, this.out.length);
      this.out.push([k, v]);
    }
    if (/^\d+$/.test(k)) this.next = Math.max(this.next, Number(k) + 1);
  }
  push(v: string): void {
    this.set(String(this.next), v);
  }
  /** array_merge / renumbering: integer keys are appended, string keys kept. */
  add(k: string, v: string): void {
    if (/^\d+$/.test(k)) this.push(v);
    else this.set(k, v);
  }
}
