/**
 * Reflection objects in the PHP token data flow (dataflow.ts): `new ReflectionFunction('system')`
 * is the function `system`, and its `->invoke(...)` / `->invokeArgs([...])` call it; a
 * ReflectionClass of 'ReflectionFunction' builds the same object through `->newInstance(...)` /
 * `->newInstanceArgs([...])`. The object may be kept in a variable or written in place
 * (`(new ReflectionFunction($n))->invoke(...)`). Names are folded, so they may be assembled.
 */
import { argRanges } from './tokens.js';
import { fold } from './dataflow-fold.js';
import { foldArray } from './dataflow-arrays.js';
import { RUNNERS } from './dataflow-names.js';
import type { Flow } from './dataflow.js';

const MAX_DEPTH = 4;

/**
 * At `->invoke(` / `->invokeArgs(` (method name token `i`): when the receiver is a reflected
 * runner and request data reaches the arguments, reports it.
 */
export function reflectionInvoke(f: Flow, i: number, sc: number, hit: (reason: string, w: number, at: number) => void): void {
  const t = f.toks;
  const name = receiverFunction(f, i - 2, sc, 0);
  if (!name || !RUNNERS.has(name)) return;
  const hot = argRanges(t, i + 1, f.match).some(([s, e]) => f.exprTainted(s, e, sc));
  if (hot) hit(`data flow: request input reaches ${name}() through reflection`, 12, i);
}

/** The function a reflection object ending at token `end` (a variable or a `)`) stands for. */
function receiverFunction(f: Flow, end: number, sc: number, depth: number): string | undefined {
  const t = f.toks;
  const last = t[end];
  if (!last || depth > MAX_DEPTH) return undefined;
  if (last.k === 'var' && t[end - 1]?.v !== '->' && t[end - 1]?.v !== '::') {
    // the last assignment of the variable before this use
    const key = f.key(sc, last.v);
    let from: { s: number; e: number; scope: number } | undefined;
    for (const a of f.assigns) if (a.s < end && a.targets.length === 1 && a.targets[0] === key && !a.append && (!from || a.s > from.s)) from = a;
    return from ? objectFunction(f, from.s, from.e, from.scope, depth + 1) : undefined;
  }
  if (last.v !== ')') return undefined;
  const open = f.close(end);
  if (open === -1) return undefined;
  // `(new ReflectionFunction(...))` or `new ReflectionFunction(...)` / `$rc->newInstance(...)` ending here
  let s = open;
  while (s > 0 && s > open - 4 && t[s - 1]!.k !== 'op') s--;
  if (t[s - 1]?.v === 'new') s--;
  else if (t[s - 1]?.v === '->') return objectFunction(f, methodStart(f, s - 1), end + 1, sc, depth + 1);
  return s < open ? objectFunction(f, s, end + 1, sc, depth + 1) : objectFunction(f, open + 1, end, sc, depth + 1);
}

/** Start of the receiver of the method arrow at `arrow` (a variable or a bracketed group). */
function methodStart(f: Flow, arrow: number): number {
  const t = f.toks;
  const r = arrow - 1;
  if (t[r]?.k === 'var') return r;
  if (t[r]?.v !== ')') return arrow;
  const open = f.close(r);
  if (open === -1) return arrow;
  return t[open - 1]?.k === 'id' ? (t[open - 2]?.v === 'new' ? open - 2 : open - 1) : open;
}

/** The function the object expression [s, e) makes: a ReflectionFunction, however it was built. */
function objectFunction(f: Flow, s: number, e: number, sc: number, depth: number): string | undefined {
  const t = f.toks;
  if (depth > MAX_DEPTH || e <= s) return undefined;
  if (t[s]!.v === '(' && f.close(s) === e - 1) return objectFunction(f, s + 1, e - 1, sc, depth + 1);
  if (t[s]!.k === 'var' && e === s + 1) return receiverFunction(f, s, sc, depth + 1);
  // new ReflectionFunction(NAME)
  if (t[s]!.v === 'new' && t[s + 1]?.v === 'reflectionfunction' && t[s + 2]?.v === '(' && f.close(s + 2) === e - 1) return firstArg(f, s + 2, sc, false);
  // RECEIVER->newInstance(NAME) / ->newInstanceArgs([NAME]) where RECEIVER is ReflectionClass('ReflectionFunction')
  const close = e - 1;
  if (t[close]?.v !== ')') return undefined;
  const open = f.close(close);
  const m = t[open - 1];
  if (open <= s + 2 || m?.k !== 'id' || (m.v !== 'newinstance' && m.v !== 'newinstanceargs') || t[open - 2]?.v !== '->') return undefined;
  if (reflectedClass(f, s, open - 2, sc, depth + 1) !== 'reflectionfunction') return undefined;
  return firstArg(f, open, sc, m.v === 'newinstanceargs');
}

/** The class name a ReflectionClass expression [s, e) reflects (lower case). */
function reflectedClass(f: Flow, s: number, e: number, sc: number, depth: number): string | undefined {
  const t = f.toks;
  if (depth > MAX_DEPTH || e <= s) return undefined;
  if (t[s]!.v === '(' && f.close(s) === e - 1) return reflectedClass(f, s + 1, e - 1, sc, depth + 1);
  if (t[s]!.k === 'var' && e === s + 1) {
    const key = f.key(sc, t[s]!.v);
    let from: { s: number; e: number; scope: number } | undefined;
    for (const a of f.assigns) if (a.s < s && a.targets.length === 1 && a.targets[0] === key && !a.append && (!from || a.s > from.s)) from = a;
    return from ? reflectedClass(f, from.s, from.e, from.scope, depth + 1) : undefined;
  }
  if (t[s]!.v === 'new' && t[s + 1]?.v === 'reflectionclass' && t[s + 2]?.v === '(' && f.close(s + 2) === e - 1) return firstArg(f, s + 2, sc, false);
  return undefined;
}

/** The folded first argument of the call opening at `open` (of its array, for `...Args([...])`), lower case. */
function firstArg(f: Flow, open: number, sc: number, inArray: boolean): string | undefined {
  const a = argRanges(f.toks, open, f.match)[0];
  if (!a) return undefined;
  const v = inArray ? foldArray(f, a[0], a[1], sc, (x, y) => fold(f, x, y, sc, 1))?.[0]?.[1] : fold(f, a[0], a[1], sc, 0);
  return v?.toLowerCase().replace(/^\\/, '');
}
