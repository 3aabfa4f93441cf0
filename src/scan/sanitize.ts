/**
 * Taint that stops at a sanitizer: the parts of an expression whose value the request can no
 * longer steer for a given use (a file name stripped of its folders for a read, a quoted
 * argument for a command) blanked, and the question asked again of what is left, following
 * variables through the assignments the taint recorded.
 */
import type { Taint } from './flow.js';
import { matchingClose } from './text.js';

/**
 * `expr` with each piece replaced by `with_`: a piece starts where the global regex `start`
 * matches and ends where `pieceEnd` says (-1: not a piece there). Unchanged when none applies.
 */
export function blankPieces(expr: string, start: RegExp, pieceEnd: (expr: string, m: RegExpExecArray) => number, with_: string): string {
  let out = '';
  let from = 0;
  start.lastIndex = 0;
  let m: RegExpExecArray | null;
  let guard = 0;
  while ((m = start.exec(expr)) !== null && guard++ < 200) {
    if (m.index < from) continue;
    const end = pieceEnd(expr, m);
    if (end === -1) continue;
    out += expr.slice(from, m.index) + with_;
    from = end;
    start.lastIndex = end;
  }
  return from === 0 ? expr : out + expr.slice(from);
}

/**
 * `expr` with each call `start` matches replaced by `with_`: `start` is a global regex ending at
 * the call's `(`; `after`, when given, must follow the closing `)` and is blanked with it
 * (`new File(x)` + `.getName()`).
 */
export function blankCalls(expr: string, start: RegExp, with_ = '""', after?: RegExp): string {
  return blankPieces(
    expr,
    start,
    (e, m) => {
      const close = matchingClose(e, m.index + m[0].length - 1);
      const end = close === -1 ? -1 : close + 1;
      if (end === -1 || !after) return end;
      const tail = after.exec(e.slice(end, end + 40));
      return tail && tail.index === 0 ? end + tail[0].length : -1;
    },
    with_,
  );
}

/**
 * Whether the request reaches `expr` only through what `blank` removes: no request source is
 * left in the blanked text, and every tainted variable it still names was assigned only such
 * expressions (followed up to `depth` steps; an unknown variable answers false).
 */
export function reachesOnlyThrough(expr: string, taint: Taint, blank: (e: string) => string, depth = 3): boolean {
  const e = blank(expr);
  if (taint.hasSource(e)) return false;
  const re = new RegExp(taint.spec.varRef.source, 'g');
  for (const m of e.matchAll(re)) {
    const v = m[1] ?? m[0];
    if (!taint.vars.has(v)) continue;
    const rhs = taint.assignments.get(v);
    if (depth === 0 || !rhs || rhs.length === 0) return false;
    // tainted some other way (a loop over the request, register_globals): not explained by its assignments
    const tainting = rhs.filter((r) => taint.touches(r));
    if (tainting.length === 0 || !tainting.every((r) => reachesOnlyThrough(r, taint, blank, depth - 1))) return false;
  }
  return true;
}
