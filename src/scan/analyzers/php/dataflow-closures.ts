/**
 * Closures and arrow functions for the PHP token data flow (dataflow.ts). A shell hands the
 * request to an anonymous function as often as to a named one: a callback runner's closure
 * (`array_walk($_POST, function ($v) { system($v); })`), a closure kept in a variable and
 * called later, or one called in place (`(fn($c) => ...)($_GET['c'])`). Each anonymous function is registered under a key of its own
 * (`closure@<token>`) so the calls that reach it carry taint into its parameters.
 *
 * Arrow functions (`fn ($c) => expr`) read the enclosing scope's variables by value, so they
 * get no scope of their own: their parameters are keyed in the enclosing scope.
 */
import { argRanges } from './tokens.js';
import type { Flow, FnDef } from './dataflow.js';

/** The key a closure defined at token `at` (its `function` / `fn`) is registered under. */
export function closureKey(at: number): string {
  return `closure@${at}`;
}

/** Token index of the `function`/`fn` that starts a closure literal at `s` (`static` skipped), or -1. */
export function closureStart(f: Flow, s: number): number {
  const t = f.toks;
  const k = t[s]?.k === 'id' && t[s]!.v === 'static' ? s + 1 : s;
  const tk = t[k];
  if (tk?.k !== 'id' || (tk.v !== 'function' && tk.v !== 'fn')) return -1;
  const open = t[k + 1]?.v === '&' ? k + 2 : k + 1;
  return t[open]?.v === '(' ? k : -1;
}

/**
 * Arrow functions, their parameters keyed in the enclosing scope (which must already be
 * filled). A closure's `use ($c)` capture is left to the pattern pass, whose taint is by name.
 */
export function collectArrows(f: Flow): void {
  const t = f.toks;
  for (let i = 0; i < t.length; i++) {
    const tk = t[i]!;
    if (tk.k !== 'id' || tk.v !== 'fn' || t[i - 1]?.v === '->' || t[i - 1]?.v === '::') continue;
    const open = t[i + 1]?.v === '&' ? i + 2 : i + 1;
    if (t[open]?.v !== '(') continue;
    const pclose = f.close(open);
    if (pclose === -1) continue;
    // `fn (...): ?Type => body`
    let arrow = pclose + 1;
    while (arrow < t.length && arrow < pclose + 8 && t[arrow]!.v !== '=>') arrow++;
    if (t[arrow]?.v !== '=>') continue;
    const ranges = argRanges(t, open, f.match);
    const def: FnDef = {
      name: '',
      params: ranges.map(([s, e]) => paramAt(f, s, e)),
      refs: ranges.map(() => false),
      scope: f.scope[i]!,
      bodyOpen: arrow + 1,
      bodyClose: f.exprEnd(arrow + 1),
    };
    f.closures.set(i, def);
    f.fns.set(closureKey(i), [def]);
  }
}

function paramAt(f: Flow, s: number, e: number): string {
  for (let k = s; k < e; k++) if (f.toks[k]!.k === 'var') return f.toks[k]!.v;
  return '';
}

/**
 * The closure a callee argument [s, e) names: a literal (`function (...) {...}`, `fn (...) =>`)
 * or a variable assigned one. Undefined: not a closure this pass knows.
 */
export function closureCallee(f: Flow, s: number, e: number, sc: number): string | undefined {
  const at = closureStart(f, s);
  if (at !== -1) return f.closures.has(at) ? closureKey(at) : undefined;
  if (e === s + 1 && f.toks[s]!.k === 'var') return f.closureVars.get(f.key(sc, f.toks[s]!.v));
  return undefined;
}
