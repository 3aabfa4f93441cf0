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
    let built = false;
    let any = false;
    let ok = true;
    for (const a of f.assigns) {
      if (a.s >= at || a.targets.length !== 1 || a.targets[0] !== k) continue;
      any = true;
      const r = scanPieces(f, a.s, a.e);
      if (r === undefined) {
        ok = false;
        break;
      }
      built ||= r;
    }
    if (any && ok && built) f.superVars.add(k);
  }
}

/** Whether tokens [s, e) hold no letters; true when they also compute (`^`, `~`, chr()), false when only copied; undefined when letters appear. */
function scanPieces(f: Flow, s: number, e: number): boolean | undefined {
  const t = f.toks;
  let built = false;
  for (let i = s; i < e; i++) {
    const tk = t[i]!;
    if (tk.k === 'str' || tk.k === 'bt') {
      if (tk.vars?.length || /[A-Za-z]/.test(tk.v)) return undefined;
    } else if (tk.k === 'id') {
      if (!LETTERLESS_IDS.test(tk.v)) return undefined;
      if (tk.v === 'chr') built = true;
    } else if (tk.k === 'op' && (tk.v === '^' || tk.v === '~')) built = true;
  }
  return built;
}
