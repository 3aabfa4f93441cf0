/**
 * Request parameters copied into ordinary variables under names the flow analysis cannot
 * see: a loop over a literal list of names that assigns `$$name = $_POST[$name]` (the
 * register_globals emulation of old shells and file managers). Every listed name then holds
 * request data, exactly as if it had been assigned from the request by hand.
 */
import { hasVariableVariables, type AnalyzerContext } from '../../context.js';
import { matches, type Taint } from '../../flow.js';
import { callArgs } from '../../text.js';
import { splitTopArgs } from './code.js';
import { evalStringExpr, type VarResolver } from './fold.js';

/** Names listed by `explode(sep, 'a b c')`, `array('a', 'b')` or a variable holding either. */
function listedNames(expr: string, code: string, resolve: VarResolver, depth = 0): string[] {
  const e = expr.trim();
  const ex = /^(?:explode|preg_split)\s*\(/i.exec(e);
  if (ex) {
    const args = splitTopArgs(callArgs(e, ex[0].length - 1, 4000));
    if (args.length < 2) return [];
    const sep = evalStringExpr(args[0]!, resolve);
    const list = evalStringExpr(args[1]!, resolve);
    if (sep === undefined || list === undefined) return [];
    const parts = /^preg_split/i.test(e) ? list.split(/[\s,;|]+/) : sep === '' ? [] : list.split(sep);
    return parts.map((p) => p.trim()).filter((p) => /^[A-Za-z_]\w{0,40}$/.test(p));
  }
  const arr = /^(?:array\s*\(|\[)/i.exec(e);
  if (arr) {
    const inner = e.startsWith('[') ? e.slice(1, e.lastIndexOf(']')) : callArgs(e, arr[0].length - 1, 4000);
    return splitTopArgs(inner)
      .map((p) => evalStringExpr(p, resolve))
      .filter((p): p is string => p !== undefined && /^[A-Za-z_]\w{0,40}$/.test(p));
  }
  const v = /^\$\w+$/.exec(e)?.[0];
  if (v && depth === 0) {
    const m = new RegExp(`\\${v}\\s*=\\s*((?:explode|array)\\s*\\(|\\[)`, 'i').exec(code);
    if (m) {
      const start = m.index + m[0].length - m[1]!.length;
      const end = m[1]!.startsWith('[') ? code.indexOf('];', start) + 1 : start + m[1]!.length + callArgs(code, start + m[1]!.length - 1, 4000).length + 1;
      if (end > start) return listedNames(code.slice(start, end), code, resolve, 1);
    }
  }
  return [];
}

/** Marks the imported names as request variables; true when any was added. */
export function importedRequestNames(ctx: AnalyzerContext, taint: Taint, resolve: VarResolver): boolean {
  const { code } = ctx;
  if (!hasVariableVariables(ctx)) return false;
  let added = false;
  for (const m of matches(/\bforeach\s*\(\s*([^;{]{1,300}?)\s+as\s+(?:\$\w+\s*=>\s*)?(\$\w+)\s*\)/gi, code, 200)) {
    const loopVar = m[2]!.slice(1);
    const body = code.slice(m.index + m[0].length, m.index + m[0].length + 800);
    const assign = new RegExp(`(?:\\$\\$${loopVar}|\\$\\{\\s*\\$${loopVar}\\s*\\})\\s*=(?![=>])\\s*([^;]{1,200})`).exec(body);
    if (!assign || !taint.hasSource(assign[1]!)) continue;
    for (const name of listedNames(m[1]!, code, resolve).slice(0, 200)) {
      const v = `$${name}`;
      if (!taint.vars.has(v)) {
        taint.vars.add(v);
        taint.direct.add(v);
        added = true;
      }
    }
  }
  if (added) taint.propagate();
  return added;
}
