/**
 * Text helpers over PHP source: argument splitting, brace and parenthesis matching, the
 * string-blanked copy of the code, and whether the file is class-based application code.
 */
import { blankStrings } from '../../lexer.js';
import { matches } from '../../flow.js';
import { braceBody, escapeRegExp } from '../../text.js';
import type { AnalyzerContext } from '../../context.js';

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
  return new RegExp(`\\$${escapeRegExp(name)}\\s*=\\s*(?:(['"])[A-Za-z_]\\w*\\1\\s*;|(?:static\\s+)?(?:function|fn)\\s*\\()`).test(code);
}
