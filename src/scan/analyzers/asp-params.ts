/**
 * Interprocedural flow of classic ASP pages: request data handed to the page's own Subs,
 * Functions and class members reaches what their bodies do with their parameters.
 */
import type { AnalyzerContext } from '../context.js';
import { Taint, type FlowSpec } from '../flow.js';
import { literalOffsets } from '../words.js';
import { holdsAt, namedCalls, procedureMatches } from './asp-scan.js';

const PROCEDURE_DEF = /\b(?:Function|Sub|Property[ \t]+(Let|Set))\s+([A-Za-z_]\w{0,254})\s*\(([^)\n]{0,200})\)/gi;
interface Procedure {
  params: string[];
  /** A `Property Let`/`Set`: assigning the property (`obj.Code = v`) passes `v` as its last parameter. */
  property: boolean;
  /** Offset just after the header (the body's start). */
  body: number;
  /** Its name (lower case): in the body, the variable that holds the return value. */
  name: string;
}

/**
 * Interprocedural flow: a Sub/Function called with request data receives it in its parameters
 * (`Call Bianli(sPath)` ... `Sub Bianli(path)` ... `GetFolder(path)`), and so does a class's
 * method called on an object (`r.Go Request("c")`) or a property it lets (`b.Code = Request("c")`).
 */
export function taintParameters(ctx: AnalyzerContext, taint: Taint, spec: FlowSpec, hasRequest: boolean): void {
  const code = ctx.code;
  if (taint.vars.size === 0 && !hasRequest) return;
  const defs = new Map<string, Procedure>();
  for (const m of procedureMatches(PROCEDURE_DEF, ctx, 500)) {
    const params = m[3]!
      .split(',')
      .map(
        (p) =>
          p
            .trim()
            .replace(/^(?:ByVal|ByRef)\s+/i, '')
            .split(/\s/)[0]!,
      )
      .filter((p) => /^[A-Za-z_]\w*$/.test(p));
    if (params.length > 0) defs.set(m[2]!.toLowerCase(), { params, property: m[1] !== undefined, body: m.index + m[0].length, name: m[2]!.toLowerCase() });
  }
  if (defs.size === 0) return;
  // methods are called on objects (`obj.Go x`) only where the page defines classes
  const classes = declaresClass(code, ctx.lower);
  const calls = namedCalls(code, ctx.lower, [...defs.keys()], false, 2000);
  const methodCalls = classes ? namedCalls(code, ctx.lower, [...defs.keys()], true, 2000) : undefined;
  // the request's own read handed to a parameter (`Run Request("c")`, `r.Go Request.Form("c")`):
  // what the body derives from it is followed inside that body (see bodyDerived); a method or
  // property of a class takes only such reads
  const fed = new Map<Procedure, Set<string>>();
  const pass = (name: string, argText: string, assigned: boolean, method: boolean) => {
    const def = defs.get(name.toLowerCase())!;
    // a property is assigned its value; a procedure is called with its arguments
    if (assigned !== def.property) return;
    const args = assigned ? [argText] : argText.replace(/\)\s*$/, '').split(',');
    args.forEach((a, i) => {
      const p = assigned ? def.params[def.params.length - 1] : def.params[i];
      if (!p) return;
      const read = taint.hasSource(a);
      if (read || (!method && taint.touches(a))) {
        if (read && fed.size < 10) fed.set(def, (fed.get(def) ?? new Set()).add(p));
        taint.vars.add(p);
        if (taint.touchesDirectly(a)) taint.direct.add(p);
      }
    });
  };
  for (const c of calls) {
    // (the header itself; a call on the line after `End Sub` is a call)
    if (/\b(?:Function|Sub|Let|Set|Get)[ \t]+$/i.test(code.slice(Math.max(0, c.index - 12), c.index))) continue;
    pass(c.key, c.tail, false, false);
  }
  if (methodCalls) for (const c of methodCalls) pass(c.key, c.tail, c.assigned !== undefined, true);
  if (fed.size > 0) bodyDerived(code, taint, spec, fed);
}

/**
 * The variables a procedure's body derives from its request-fed parameters (`cmdline = "cmd /c " & c`
 * inside `Sub Run(c)`), not its return value (each call's own). The flow's names are page-wide, so a name the page also assigns outside
 * that body (a helper library's shared `str`, `tmp`) is left out: only the body's own locals are
 * tainted, and nothing propagates from them beyond it.
 */
function bodyDerived(code: string, taint: Taint, spec: FlowSpec, fed: Map<Procedure, Set<string>>): void {
  const counts = new Map<string, number>();
  for (const [name, rhs] of taint.assignments) counts.set(name.toLowerCase(), (counts.get(name.toLowerCase()) ?? 0) + rhs.length);
  for (const [def, params] of fed) {
    const end = /\bEnd[ \t]+(?:Function|Sub|Property)\b/i.exec(code.slice(def.body, def.body + 20000));
    if (!end) continue;
    const local = new Taint(code.slice(def.body, def.body + end.index), { ...spec, assignStarts: undefined });
    for (const p of params) local.vars.add(p);
    local.propagate();
    const own = new Map<string, number>();
    for (const [name, rhs] of local.assignments) own.set(name.toLowerCase(), (own.get(name.toLowerCase()) ?? 0) + rhs.length);
    for (const v of local.vars) {
      const n = own.get(v.toLowerCase());
      // (the return value is the caller's: `x = F(Request("a"))` reads the request in its own text)
      if (n !== undefined && n < 20 && counts.get(v.toLowerCase()) === n && v.toLowerCase() !== def.name) taint.vars.add(v);
    }
  }
}

/** Whether `c` ends a line for a multiline `^` (`\n`, `\r`, U+2028, U+2029). */
function isLineTerminator(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

/** Whether the page declares a class: `/^[ \t]*Class[ \t]+[A-Za-z_]/im.test(code)`. */
export function declaresClass(code: string, lower: string): boolean {
  // (a case-blind match puts `class` into `lower` at its offset when lower-casing kept the length)
  if (lower.length !== code.length) return CLASS_LINE.test(code);
  for (const p of literalOffsets(lower, 'class')) {
    if (!holdsAt(code, p, 'class')) continue;
    let b = p - 1;
    while (b >= 0 && (code.charCodeAt(b) === 32 || code.charCodeAt(b) === 9)) b--;
    if (b >= 0 && !isLineTerminator(code.charCodeAt(b))) continue;
    let a = p + 5;
    while (code.charCodeAt(a) === 32 || code.charCodeAt(a) === 9) a++;
    if (a === p + 5) continue;
    const c = code.charCodeAt(a);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) return true;
  }
  return false;
}

export const CLASS_LINE = /^[ \t]*Class[ \t]+[A-Za-z_]/im;
