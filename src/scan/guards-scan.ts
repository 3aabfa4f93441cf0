/**
 * `if (condition) body` statements whose failing branch stops the page or resets the checked
 * variable to a literal: the shape every validation guard has, whatever the language's check.
 * Only such guards confine a variable for the rest of the page (guards.ts), and only when the
 * variable is assigned before the guard, read nowhere before it and never assigned after it.
 */
import { matchingClose } from './text.js';

export interface GuardStatement {
  /** Offset of `if`. */
  at: number;
  /** Offset just past the statement. */
  end: number;
  cond: string;
  body: string;
}

/** `if (` statements whose condition holds one of `words` (each a literal the condition must contain). */
export function* guardStatements(code: string, words: readonly string[], cap = 200): Generator<GuardStatement> {
  let n = 0;
  for (let i = code.indexOf('if'); i !== -1 && n < cap; i = code.indexOf('if', i + 2)) {
    const before = i > 0 ? code.charCodeAt(i - 1) : 32;
    if (/[\w$.]/.test(String.fromCharCode(before))) continue;
    let p = i + 2;
    while (p < code.length && /\s/.test(code[p]!)) p++;
    if (code[p] !== '(') continue;
    const close = matchingClose(code, p, Math.min(code.length, p + 2400));
    if (close === -1) continue;
    const cond = code.slice(p + 1, close);
    if (!words.some((w) => cond.includes(w))) continue;
    let b = close + 1;
    while (b < code.length && /\s/.test(code[b]!)) b++;
    let end: number;
    if (code[b] === '{') {
      const bc = matchingClose(code, b, Math.min(code.length, b + 600));
      if (bc === -1) continue;
      end = bc + 1;
    } else {
      const semi = code.indexOf(';', b);
      if (semi === -1 || semi - b > 400) continue;
      end = semi + 1;
    }
    n++;
    yield { at: i, end, cond, body: code.slice(b, end) };
  }
}

/**
 * Whether the guard holds for variable `v` (written as the page writes it, `$f` or `name`):
 * every mention of it before the guard assigns it, and no mention after the guard does.
 * `assigns(text after the name)` says whether a mention is an assignment.
 */
export function guardsAllUses(code: string, v: string, g: GuardStatement, assigns: (after: string) => boolean, isNameChar: (c: string) => boolean): boolean {
  for (let i = code.indexOf(v); i !== -1; i = code.indexOf(v, i + v.length)) {
    const prev = i > 0 ? code[i - 1]! : ' ';
    const next = code[i + v.length] ?? ' ';
    if (isNameChar(next) || (v[0] !== '$' && (isNameChar(prev) || prev === '.'))) continue;
    // (a bare name between quotes is a string's text, `getParameter("f")`; `"$f"` is a read)
    if (v[0] !== '$' && (prev === '"' || prev === "'") && next === prev) continue;
    if (i >= g.at && i < g.end) continue;
    const a = assigns(code.slice(i + v.length, i + v.length + 12));
    if (i < g.at ? !a : a) return false;
  }
  return true;
}

/** The parts of a condition joined by a top-level `||` (or `or`), each trimmed. */
export function disjuncts(cond: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let q = 0;
  let start = 0;
  for (let i = 0; i < cond.length; i++) {
    const c = cond.charCodeAt(i);
    if (q) {
      if (c === 92) i++;
      else if (c === q) q = 0;
      continue;
    }
    if (c === 34 || c === 39) q = c;
    else if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (depth === 0 && c === 124 && cond.charCodeAt(i + 1) === 124) {
      out.push(cond.slice(start, i).trim());
      start = i + 2;
      i++;
    }
  }
  out.push(cond.slice(start).trim());
  return out;
}
