/**
 * Function tables: `$actions = ['list' => 'listItems', 'run' => 'system']` read as the plain
 * names it holds, so a call through `$actions[<request>]` can be judged by what it may run.
 */
import type { Taint } from '../../flow.js';
import { matchingClose } from '../../text.js';
import { DANGEROUS_NAMES } from './signatures.js';

/**
 * The values (keys aside) of `$name` when every assignment the taint recorded for it is a
 * literal array of plain function names (`name` or `Class::method`) and the variable carries no
 * request data; undefined otherwise (any computed entry, element assignment or variable).
 */
export function tableValues(code: string, name: string, taint: Taint): string[] | undefined {
  if (taint.vars.has(name)) return undefined;
  const rhs = taint.assignments.get(name);
  if (!rhs || rhs.length === 0 || !rhs.every((r) => /^\s*(?:\[|array\s*\()/i.test(r))) return undefined;
  const values: string[] = [];
  let seen = 0;
  for (const a of code.matchAll(new RegExp(`\\${name}\\s*=\\s*(?:\\[|array\\s*\\()`, 'gi'))) {
    // the literal's text up to its closing bracket, within 4 KB
    const open = a.index + a[0].length - 1;
    const close = matchingClose(code, open, open + 4096);
    const body = close === -1 ? undefined : code.slice(open + 1, close);
    if (body === undefined || /[$(`]/.test(body.replace(/\barray\s*\(/gi, ''))) return undefined;
    for (const lit of body.matchAll(/(['"])((?:(?!\1)[^\\])*)\1(\s*=>)?/g)) {
      if (lit[3] !== undefined) continue;
      if (!/^[A-Za-z_]\w*(?:::\w+)?$/.test(lit[2]!)) return undefined;
      values.push(lit[2]!);
    }
    seen++;
  }
  return seen === rhs.length ? values : undefined;
}

/**
 * Whether `callee` is `$table[...]` over a table the page fills only with literal arrays of
 * plain function names, none of them dangerous: the request picks one of the page's own
 * handlers (a dispatch table), not the function.
 */
export function fixedNameTable(code: string, callee: string, taint: Taint): boolean {
  const m = /^\s*(\$\w+)\s*\[[^\]]*\]\s*$/.exec(callee);
  const values = m ? tableValues(code, m[1]!, taint) : undefined;
  return values !== undefined && !values.some((v) => DANGEROUS_NAMES.has(v.toLowerCase()));
}
