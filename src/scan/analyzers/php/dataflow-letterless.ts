/**
 * Variable names spelled without letters. Shells that must not contain `_GET` write the name
 * as an XOR of punctuation (`"{{{{"^"$<>/"`), a bitwise NOT of high bytes, chr() of arithmetic
 * or a string incremented past its letters, keep it in a variable and read the superglobal
 * through it: `$$n['a']($$n['b'])`, `${$n}[k]`. When the folder (dataflow-fold.ts) cannot
 * compute the name, a name built only from such pieces and then used to name a variable is
 * read as the superglobal it hides: nothing else is written that way to be read as a variable.
 */
import type { Flow } from './dataflow.js';

/** Identifiers a letterless name may be computed with: chr()/ord() and `_`-only constants. */
const LETTERLESS_IDS = /^(?:chr|ord|_+)$/;

/** Variables (scope keys) whose value names a superglobal built without letters; adds them to `f.superVars`. */
export function letterlessNames(f: Flow): void {
  const t = f.toks;
  const uses = new Map<string, number>();
  for (let i = 0; i + 1 < t.length; i++) {
    if (t[i]!.k !== 'op' || t[i]!.v !== '$') continue;
    let n = t[i + 1]!;
    if (n.v === '{' && t[i + 3]?.v === '}') n = t[i + 2]!;
    if (n.k !== 'var') continue;
    const k = f.key(f.scope[i]!, n.v);
    if (!uses.has(k) && !f.superVars.has(k)) uses.set(k, i);
  }
  if (uses.size === 0) return;
  for (const [k, at] of uses) {
    // (even one the folder computes to another name: a mistyped XOR still shows what was meant)
    if (letterless(f, k, at, 0) === true) f.superVars.add(k);
  }
}

/**
 * Whether every value variable `k` is given before token `at` is free of letters: true when one
 * of them also computes (`^`, `~`, chr()), false when they only copy; undefined when a letter, an
 * unknown variable or no assignment at all appears.
 */
function letterless(f: Flow, k: string, at: number, depth: number): boolean | undefined {
  if (depth > 2) return undefined;
  let built: boolean | undefined;
  for (const a of f.assigns) {
    if (a.s >= at || a.targets.length !== 1 || a.targets[0] !== k) continue;
    const r = scanPieces(f, k, a.s, a.e, depth);
    if (r === undefined) return undefined;
    built = built || r;
  }
  return built;
}

/** Whether tokens [s, e) assigned to `k` hold no letters; true when they also compute; undefined when letters appear. */
function scanPieces(f: Flow, k: string, s: number, e: number, depth: number): boolean | undefined {
  const t = f.toks;
  let built = false;
  for (let i = s; i < e; i++) {
    const tk = t[i]!;
    if (tk.k === 'var') {
      // the variable itself (`$n = $n ^ chr(3)`) or another one built the same way
      const vk = f.key(f.scope[i]!, tk.v);
      if (vk !== k && letterless(f, vk, s, depth + 1) === undefined) return undefined;
    } else if (tk.k === 'str' || tk.k === 'bt') {
      if (tk.vars?.length || /[A-Za-z]/.test(tk.v)) return undefined;
    } else if (tk.k === 'id') {
      if (!LETTERLESS_IDS.test(tk.v)) return undefined;
      if (tk.v === 'chr') built = true;
    } else if (tk.k === 'op' && (tk.v === '^' || tk.v === '~')) built = true;
  }
  return built;
}
