/**
 * Reflection shared by the Java and .NET analyzers: once a page reaches process execution by
 * name (`GetType("System.Diagnostics.Process")`, `forName("java.lang.Runtime")`), a reflective
 * invoke fed by the request is the command itself.
 */
import type { AnalyzerContext } from '../context.js';
import { matches, type Taint } from '../flow.js';
import { callArgs } from '../text.js';

/** `.invoke(target, args)` / `.Invoke(...)` with request-derived arguments. */
export function reflectiveInvoke(ctx: AnalyzerContext, taint: Taint): void {
  for (const m of matches(/\.\s*invoke\s*\(/gi, ctx.code, 200)) {
    if (taint.touches(callArgs(ctx.code, m.index + m[0].length - 1))) {
      ctx.ev.add('flow', 'request input reaches a method invoked through reflection', 9, m.index, m[0].length);
      return;
    }
  }
}
