/**
 * Exact shortcuts for whole-page patterns of the classic ASP analyzer: each pattern runs only
 * at the offsets where a match can start, found from a word every match holds (a native
 * substring search), instead of being tried at every character of the page.
 */
import { checkBudget } from '../budget.js';
import { isRegexSpace, matchesAt } from '../context.js';
import { matches } from '../flow.js';
import { firstAt, literalOffsets } from '../words.js';

export const EVAL_ALIAS = /[:=,(]\s*eval\s*[,;})\]]|\breturn\s+eval\s*[;}\n]/;
export const UNSAFE_EVAL = /(?<![\w.])eval\s*\(\s*[^,()]{1,120},\s*("unsafe"|'unsafe'|[A-Za-z_]\w{0,254}|"[^"]{0,10}"\s*\+[^)]{0,60})\s*\)/;

/**
 * Where EVAL_ALIAS can match, from the offsets of `eval` in `code` (ascending): a match holds
 * one `eval` with only blanks (`\s`) before it back to its first character, one of `[:=,(]`,
 * or back to `return` (then at least one blank). So each `eval` gives at most one start,
 * the last character before its blanks or the `r` of that `return`.
 */
export function evalAliasStarts(code: string, evals: readonly number[]): number[] {
  const out: number[] = [];
  for (const p of evals) {
    let h = p - 1;
    while (h >= 0 && isRegexSpace(code.charCodeAt(h))) h--;
    if (h < 0) continue;
    const c = code.charCodeAt(h);
    if (c === 58 || c === 61 || c === 44 || c === 40) out.push(h);
    else if (h >= 5 && h < p - 1 && code.startsWith('return', h - 5)) out.push(h - 5);
  }
  return out;
}

export const IMPORT_LOOP =
  /\bFor[ \t]+Each[ \t]+(\w+)[ \t]+In[ \t]+Request\s*\.\s*(?:QueryString|Form)\b[\s\S]{0,200}?\bExecute\s*\(?\s*(?:""\s*&\s*)?(?:\w+\s*\(\s*)?\1\s*\)?\s*&\s*"\s*=\s*Request/i;

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * `IMPORT_LOOP.exec(code)`. A match opens with `For`, blanks, then `Each`: the pattern runs only
 * at the `for` before each `each` of `lower` (with `code`'s offsets), a word most pages lack.
 */
export function importLoop(code: string, lower: string): RegExpExecArray | null {
  if (lower.length !== code.length) return IMPORT_LOOP.exec(code);
  const starts: number[] = [];
  for (const q of literalOffsets(lower, 'each')) {
    let b = q - 1;
    if (b < 0 || !isBlank(code.charCodeAt(b))) continue;
    while (b >= 0 && isBlank(code.charCodeAt(b))) b--;
    if (b >= 2 && lower.startsWith('for', b - 2)) starts.push(b - 2);
  }
  return firstAt(IMPORT_LOOP, code, starts);
}

/**
 * `source.test(code)`. The page's own pattern `base` (no Request aliases) opens every match with
 * `Request`: it runs at that word of `lower` only (offsets shared when lower-casing kept the length).
 */
export function readsRequest(code: string, lower: string, source: RegExp, base: RegExp): boolean {
  if (source !== base || lower.length !== code.length) return source.test(code);
  return firstAt(base, code, literalOffsets(lower, 'request')) !== null;
}

/** The Function constructor called, with or without `new` (every match holds `Function`). */
export const FUNCTION_CTOR = /(?<![\w.$])(?:new[ \t]+)?Function[ \t]*\(/y;

/**
 * The matches (at most 50) of FUNCTION_CTOR a global scan finds: a match holds one `Function`
 * and can start only there or at the `new` and blanks before it, tried in that order.
 */
export function* functionCtorCalls(code: string): Generator<RegExpExecArray> {
  let end = 0;
  let n = 0;
  const at = (s: number): RegExpExecArray | null => {
    if (s < end) return null;
    FUNCTION_CTOR.lastIndex = s;
    return FUNCTION_CTOR.exec(code);
  };
  for (const p of literalOffsets(code, 'Function')) {
    let b = p - 1;
    while (b >= 0 && isBlank(code.charCodeAt(b))) b--;
    const m = (b < p - 1 && b >= 2 && code.startsWith('new', b - 2) ? at(b - 2) : null) ?? at(p);
    if (!m) continue;
    if (n++ >= 50) return;
    checkBudget();
    end = m.index + m[0].length;
    yield m;
  }
}

/** A session key assigned: the key is group 1, the value group 2. */
export const SESSION_SET = /\bSession\s*\(\s*"([\w.-]{1,40})"\s*\)\s*=(?!=)\s*([^\n:]{1,300})/gi;

/**
 * The matches (at most 200) of SESSION_SET a global scan finds. Every match opens with `Session`
 * in some case, at its offset in `lower` when lower-casing kept the length: the pattern runs there only.
 */
export function sessionSets(code: string, lower: string): Iterable<RegExpExecArray> {
  const starts = literalOffsets(lower, 'session');
  if (starts.length === 0) return [];
  return lower.length === code.length ? matchesAt(SESSION_SET, code, starts, 200) : matches(SESSION_SET, code, 200);
}
