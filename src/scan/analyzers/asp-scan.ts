/**
 * Facts about a classic ASP page that several passes ask for, read once per page.
 */
import { checkBudget } from '../budget.js';
import { isRegexSpace, isWordChar, matchesAt, type AnalyzerContext } from '../context.js';
import { matches } from '../flow.js';
import { firstAt, literalOffsets, mergeAscending } from '../words.js';

/** Pages in JScript: case-sensitive names, and no VBScript interpreter to run. */
export const JSCRIPT_PAGE = /<%@[^%]{0,80}LANGUAGE\s*=\s*["']?\s*(?:JScript|Javascript)/i;

let lastPage: { text: string; jscript: boolean } | undefined;

/**
 * `JSCRIPT_PAGE.test(text)`, kept for the page's other passes (the sink loop asks at every Execute).
 * Every match opens with `<%@`: the pattern runs at those only (a page holds a few).
 */
export function isJscriptPage(text: string): boolean {
  if (lastPage?.text !== text) lastPage = { text, jscript: firstAt(JSCRIPT_PAGE, text, literalOffsets(text, '<%@')) !== null };
  return lastPage.jscript;
}

let lastProcedures: { lower: string; starts: number[] } | undefined;

/** The offsets of `function`, `sub` and `property` in `lower` (where every procedure header opens), kept for the page's next pass. */
export function procedureStarts(lower: string): number[] {
  if (lastProcedures?.lower === lower) return lastProcedures.starts;
  const starts = mergeAscending(literalOffsets(lower, 'function'), literalOffsets(lower, 'sub'));
  lastProcedures = { lower, starts: lower.includes('property') ? mergeAscending(starts, literalOffsets(lower, 'property')) : starts };
  return lastProcedures.starts;
}

/** Whether `code` holds `key` (lower-case ASCII) at `p` in any case of its ASCII letters (what a case-blind regex without `u` matches). */
export function holdsAt(code: string, p: number, key: string): boolean {
  for (let k = 0; k < key.length; k++) {
    const w = key.charCodeAt(k);
    const c = code.charCodeAt(p + k);
    if (c !== w && !(w >= 97 && w <= 122 && c === w - 32)) return false;
  }
  return true;
}

let lastHeads: { code: string; starts: number[] } | undefined;

/**
 * procedureStarts less the offsets where no header can open: inside a word (`submit`'s `sub` is
 * most of them), or not followed by a blank. Every header pattern of the page's passes opens with
 * `\b(?:Function|Sub|Property)` and then `\s` or `[ \t]`, so they find the same headers from these.
 * `lower` must have `code`'s length (offsets shared).
 */
export function procedureHeads(code: string, lower: string): number[] {
  if (lastHeads?.code === code) return lastHeads.starts;
  const starts = procedureStarts(lower).filter((p) => {
    if (p > 0 && isWordChar(code.charCodeAt(p - 1))) return false;
    const c = lower.charCodeAt(p);
    return isRegexSpace(code.charCodeAt(p + (c === 115 /* s */ ? 3 : 8)));
  });
  lastHeads = { code, starts };
  return starts;
}

/** One match of NamedCalls' pattern: the name's offset and key, and the groups after it. */
export interface NamedCall {
  index: number;
  key: string;
  /** Method calls only: the `= ` of a property assignment (`obj.Code = v`), when there is one. */
  assigned: string | undefined;
  /** The rest of the line (at most 300 characters) after the blanks and an opening parenthesis. */
  tail: string;
}

const CALL_TAIL = /\s*\(?([^\n]{0,300})/y;
const METHOD_TAIL = /[ \t]*(=(?!=)[ \t]*)?\(?([^\n]{0,300})/y;

/**
 * The matches of `(?<![\w.])(k1|k2|...)\b\s*\(?([^\n]{0,300})` (case-blind, global, at most `cap`)
 * over `code`, or with `method` of `\.[ \t]*(k1|k2|...)\b[ \t]*(=(?!=)[ \t]*)?\(?([^\n]{0,300})`,
 * for `keys` (lower-case ASCII identifiers), as a global scan finds them. The page's procedure
 * names as one alternation made the engine try every name at every offset of the page; here each
 * name is looked up in `lower` (a native search from its rarest character) and checked in place.
 * Every match holds a whole identifier (a name then `\b`), so at one offset at most one name fits.
 * (A page whose lower-cased text moved offsets is scanned with the pattern itself.)
 */
export function namedCalls(code: string, lower: string, keys: readonly string[], method: boolean, cap: number): NamedCall[] {
  if (lower.length !== code.length) return namedCallsByPattern(code, keys, method, cap);
  const found: Array<{ start: number; p: number; key: string }> = [];
  for (const key of keys) {
    const n = key.length;
    for (const p of literalOffsets(lower, key)) {
      if (isWordChar(code.charCodeAt(p + n)) || !holdsAt(code, p, key)) continue;
      if (method) {
        let q = p - 1;
        while (q >= 0 && (code.charCodeAt(q) === 32 || code.charCodeAt(q) === 9)) q--;
        if (q >= 0 && code.charCodeAt(q) === 46) found.push({ start: q, p, key });
      } else if (p === 0 || (!isWordChar(code.charCodeAt(p - 1)) && code.charCodeAt(p - 1) !== 46)) found.push({ start: p, p, key });
    }
  }
  found.sort((a, b) => a.start - b.start);
  const out: NamedCall[] = [];
  let end = 0;
  for (const f of found) {
    if (f.start < end) continue;
    if (out.length >= cap) break;
    checkBudget();
    const tail = method ? METHOD_TAIL : CALL_TAIL;
    tail.lastIndex = f.p + f.key.length;
    // (the tail's every part is optional: it matches wherever it is tried)
    const m = tail.exec(code)!;
    end = tail.lastIndex;
    out.push(method ? { index: f.start, key: f.key, assigned: m[1], tail: m[2]! } : { index: f.start, key: f.key, assigned: undefined, tail: m[1]! });
  }
  return out;
}

/** namedCalls by its pattern: the names as one case-blind alternation, scanned globally. */
function namedCallsByPattern(code: string, keys: readonly string[], method: boolean, cap: number): NamedCall[] {
  const re = method
    ? new RegExp(`\\.[ \\t]*(${keys.join('|')})\\b[ \\t]*(=(?!=)[ \\t]*)?\\(?([^\\n]{0,300})`, 'gi')
    : new RegExp(`(?<![\\w.])(${keys.join('|')})\\b\\s*\\(?([^\\n]{0,300})`, 'gi');
  return [...matches(re, code, cap)].map((m) => ({ index: m.index, key: m[1]!.toLowerCase(), assigned: method ? m[2] : undefined, tail: method ? m[3]! : m[2]! }));
}

/**
 * The matches (at most `cap`) of a pattern whose every match opens with `Function`, `Sub` or
 * `Property` (any case), as a scan of the whole code finds them: the pattern runs at those words only.
 */
export function procedureMatches(re: RegExp, ctx: AnalyzerContext, cap: number): RegExpExecArray[] {
  // (offsets in `lower` are offsets in `code` when lower-casing kept the length)
  if (ctx.lower.length !== ctx.code.length) return [...matches(re, ctx.code, cap)];
  return matchesAt(re, ctx.code, procedureHeads(ctx.code, ctx.lower), cap);
}

/**
 * Whether the call at `at` (`call` starts with its name) is of one of the page's own procedures:
 * not a method (no `.` before it, blanks allowed) and a Function or Sub of that name is defined.
 */
export function ownProcedureCall(code: string, at: number, call: string): boolean {
  if (code.charCodeAt(at - 1) === 46 || /\.\s*$/.test(code.slice(Math.max(0, at - 4), at))) return false;
  const name = /^\w+/.exec(call)?.[0];
  return name !== undefined && new RegExp(`\\b(?:Function|Sub)[ \\t]+${name}\\b`, 'i').test(code);
}
