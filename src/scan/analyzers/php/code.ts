/**
 * Text helpers over PHP source: argument splitting, brace and parenthesis matching, the
 * string-blanked copy of the code, and whether the file is class-based application code.
 */
import { blankStrings } from '../../lexer.js';
import { matches } from '../../flow.js';
import { braceBody } from '../../text.js';
import { checkBudget } from '../../budget.js';
import { isRegexSpace, type AnalyzerContext } from '../../context.js';

export { splitTopArgs } from '../../text.js';

/**
 * `test` applied to the body of the function or method around offset `at` (the whole code
 * when `at` is at the top level).
 */
export function inEnclosingFunction(code: string, at: number, test: (body: string) => boolean): boolean {
  let body: string | undefined;
  for (const m of matches(/\bfunction\b[^{;]{0,400}\{/g, code.slice(0, at), 5000)) {
    const open = m.index + m[0].length - 1;
    const b = braceBody(code, open, 200000);
    if (open + b.length > at) body = b; // the innermost enclosing one is the last that still spans `at`
  }
  return test(body ?? code);
}

/** Code organised in classes or a namespace (applications and libraries, rarely shells). */
const CLASS_CODE = /^[ \t]*(?:namespace\s+[\w\\]+\s*;|(?:abstract\s+|final\s+)?class\s+\w+)/m;
const CLASS_BASED = new WeakMap<AnalyzerContext, boolean>();

/** Whether the analyzed code is class-based, tested once per analyzed text. */
export function classBased(ctx: AnalyzerContext): boolean {
  let v = CLASS_BASED.get(ctx);
  if (v === undefined) CLASS_BASED.set(ctx, (v = CLASS_CODE.test(ctx.code)));
  return v;
}

/** `code` with string contents blanked, computed once per analyzed text. */
export function bareCode(ctx: AnalyzerContext): string {
  ctx.bare ??= blankStrings(ctx.code, '\'"');
  return ctx.bare;
}

/** The `(` matching the `)` at `close` in string-blanked code, or -1 (bounded walk). */
export function matchingOpen(bare: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0 && close - i < 4000; i--) {
    const c = bare.charCodeAt(i);
    if (c === 41) depth++;
    else if (c === 40 && --depth === 0) return i;
  }
  return -1;
}

/**
 * Whether the file assigns `$name` a plain function name (`$cb = 'strtoupper';`) or a closure
 * written in place (`$cb = function ($s) {...}`): a fixed callback, not one chosen at runtime.
 */
export function plainNameAssigned(code: string, name: string): boolean {
  // what /\$name\s*=\s*(?:(['"])[A-Za-z_]\w*\1\s*;|(?:static\s+)?(?:function|fn)\s*\()/ finds, read
  // in place at each `$name`: a regex compiled per name and run over the whole file cost more
  // than every other test of the variable-call passes together (no part of it can backtrack
  // into another reading: each step stops at a character the next one cannot take)
  const lhs = `$${name}`;
  for (let i = code.indexOf(lhs); i !== -1; i = code.indexOf(lhs, i + 1)) if (plainValueAt(code, i + lhs.length)) return true;
  return false;
}

function skipSpaces(code: string, i: number): number {
  while (isRegexSpace(code.charCodeAt(i))) i++;
  return i;
}

function isWordCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** Whether `\s*=\s*` then a quoted name and `;`, or a closure, starts at `i`. */
function plainValueAt(code: string, i: number): boolean {
  i = skipSpaces(code, i);
  if (code.charCodeAt(i) !== 61) return false;
  i = skipSpaces(code, i + 1);
  const q = code.charCodeAt(i);
  if (q === 39 || q === 34) {
    const first = code.charCodeAt(i + 1);
    if (!isWordCode(first) || (first >= 48 && first <= 57)) return false;
    let k = i + 2;
    while (isWordCode(code.charCodeAt(k))) k++;
    return code.charCodeAt(k) === q && code.charCodeAt(skipSpaces(code, k + 1)) === 59;
  }
  if (code.startsWith('static', i)) {
    const k = skipSpaces(code, i + 6);
    if (k > i + 6 && closureAt(code, k)) return true;
  }
  return closureAt(code, i);
}

/** Whether `(?:function|fn)\s*\(` starts at `i`. */
function closureAt(code: string, i: number): boolean {
  const k = code.startsWith('function', i) ? i + 8 : code.startsWith('fn', i) ? i + 2 : -1;
  return k !== -1 && code.charCodeAt(skipSpaces(code, k)) === 40;
}

const STICKY = new WeakMap<RegExp, RegExp>();

/**
 * What `matches(re, ctx.code, cap)` yields, for a pattern whose every match starts with `word`
 * (given in lower case; the pattern may ignore case): the pattern runs anchored where the word
 * occurs in `ctx.lower`, instead of being tried at every position of the file.
 */
export function* matchesAtWord(re: RegExp, ctx: AnalyzerContext, word: string, cap = 5000): Generator<RegExpExecArray> {
  const { code, lower } = ctx;
  // a character that lower-cases to two (U+0130) shifts the offsets: the plain scan then
  if (lower.length !== code.length) {
    yield* matches(re, code, cap);
    return;
  }
  let y = STICKY.get(re);
  if (!y) {
    y = new RegExp(re.source, re.flags.replace('g', '') + 'y');
    STICKY.set(re, y);
  }
  let end = 0;
  let n = 0;
  for (let i = lower.indexOf(word); i !== -1 && n < cap; i = lower.indexOf(word, i + 1)) {
    if (i < end) continue;
    checkBudget();
    y.lastIndex = i;
    const m = y.exec(code);
    if (!m) continue;
    n++;
    end = i + Math.max(1, m[0].length);
    yield m;
  }
}

/**
 * The text of `expr` when it is one plain string literal: single-quoted, or double-quoted with
 * no escape or variable in it. Concatenations, escapes and calls are not plain.
 */
export function plainLiteral(expr: string): string | undefined {
  return /^\s*(?:'((?:[^'\\]|\\.)*)'|"([^"\\$]*)")\s*$/
    .exec(expr)
    ?.slice(1)
    .find((g) => g !== undefined);
}
