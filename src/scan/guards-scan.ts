/**
 * `if (condition) body` statements whose failing branch stops the page or resets the checked
 * variable to a literal: the shape every validation guard has, whatever the language's check.
 * Only such guards confine a variable for the rest of the page (guards.ts), and only when the
 * variable is assigned before the guard, read nowhere before it and never assigned after it.
 */
import type { Guards } from './guards.js';
import { isRegexSpace } from './context.js';
import { matchingClose, splitTopLevel } from './text.js';
import { anyWord } from './words.js';

export interface GuardStatement {
  /** Offset of `if`. */
  at: number;
  /** Offset just past the statement. */
  end: number;
  cond: string;
  body: string;
}

const isNameChar = (c: string): boolean => /\w/.test(c);

/** Mentions of a guarded variable followed before giving up (see guardsAllUses). */
const MAX_USES = 2000;

/** How far before a check word its `if` may stand (`if (!isset($p) || !preg_match(..` fits). */
const IF_REACH = 400;

/** Whether `c` is a character of `[\w$.]`: before `if`, it makes the two letters part of a longer name. */
function inName(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c === 46;
}

/**
 * The nearest `if` at or before `k` (its offset) that stands as a keyword (not inside `notify`
 * or `$diff`) and at most IF_REACH before `k`, or -1: looked for within reach only, where a
 * search back through the whole code ran to its start for a word with no `if` near.
 */
function keywordIfBefore(code: string, k: number): number {
  for (let i = Math.min(k, code.length - 2); i >= 0 && k - i <= IF_REACH; i--)
    if (code.charCodeAt(i) === 105 && code.charCodeAt(i + 1) === 102 && (i === 0 || !inName(code.charCodeAt(i - 1)))) return i;
  return -1;
}

/**
 * `if (` statements whose condition holds one of `words` (each a literal the condition must
 * contain). Walks the occurrences of the words, which are rare, and looks back from each for its
 * `if`: a walk over every `if` would try to match the brackets after each one, and a hostile
 * file of unclosed `if (` would make that quadratic. At most `cap` occurrences are looked at.
 */
export function* guardStatements(code: string, words: readonly string[], cap = 200): Generator<GuardStatement> {
  const hits: number[] = [];
  for (const w of words) for (let k = code.indexOf(w); k !== -1 && hits.length < cap * words.length; k = code.indexOf(w, k + w.length)) hits.push(k);
  hits.sort((a, b) => a - b);
  const seen = new Set<number>();
  let looked = 0;
  for (const k of hits) {
    if (++looked > cap) return;
    const i = keywordIfBefore(code, k);
    if (i === -1 || seen.has(i)) continue;
    seen.add(i);
    let p = i + 2;
    while (p < k && isRegexSpace(code.charCodeAt(p))) p++;
    if (code[p] !== '(') continue;
    const close = matchingClose(code, p, Math.min(code.length, p + 2400));
    if (close === -1 || close < k) continue;
    const cond = code.slice(p + 1, close);
    let b = close + 1;
    while (b < code.length && isRegexSpace(code.charCodeAt(b))) b++;
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
    yield { at: i, end, cond, body: code.slice(b, end) };
  }
}

/**
 * Whether the guard holds for variable `v` (written as the page writes it, `$f` or `name`):
 * every mention of it before the guard assigns it, and no mention after the guard does.
 * `assigns(text after the name)` says whether a mention is an assignment.
 */
export function guardsAllUses(code: string, v: string, g: GuardStatement, assigns: (after: string) => boolean): boolean {
  let n = 0;
  for (let i = code.indexOf(v); i !== -1; i = code.indexOf(v, i + v.length)) {
    // a name used this often is an application's, read in too many places to follow
    if (++n > MAX_USES) return false;
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

/** The parts of a condition joined by a top-level `||`, each trimmed. */
export function disjuncts(cond: string): string[] {
  return splitTopLevel(cond, '||').map((p) => p.trim());
}

/** What one language's guards look like, for guardReader. */
export interface GuardLanguage {
  /** Literals one of which every check's condition holds (`in_array`, `matches`). */
  checks: readonly string[];
  /** The variable and kind a failing condition part confines, if it does. */
  confinedBy: (code: string, part: string) => [string, 'allowlist' | 'charset'] | undefined;
  /** Whether the guard's body stops the page, or resets `v` to a literal. */
  holds: (g: GuardStatement, v: string) => boolean;
  /** Whether a mention of the variable followed by `after` assigns it. */
  assigns: (after: string) => boolean;
}

/**
 * The guards reader of a language: every `if` whose condition, or one of its `||` parts (any
 * failing part stops the page), confines a variable, whose body stops the page, and whose
 * variable is read nowhere before it and assigned nowhere after. Several taints and flows are
 * built over the same code: the last code's answer is kept.
 */
export function guardReader(lang: GuardLanguage): (code: string) => Guards {
  let last: { code: string; guards: Guards } | undefined;
  return (code) => {
    if (last?.code === code) return last.guards;
    const allowlisted = new Set<string>();
    const charset = new Set<string>();
    if (anyWord(code, lang.checks))
      for (const g of guardStatements(code, lang.checks)) {
        let c: [string, 'allowlist' | 'charset'] | undefined;
        for (const part of disjuncts(g.cond)) if ((c = lang.confinedBy(code, part))) break;
        if (!c || !lang.holds(g, c[0]) || !guardsAllUses(code, c[0], g, lang.assigns)) continue;
        (c[1] === 'allowlist' ? allowlisted : charset).add(c[0]);
      }
    last = { code, guards: { allowlisted, charset } };
    return last.guards;
  };
}
