/**
 * Variable variables with constant names, resolved on the tokens before the PHP data flow
 * (dataflow.ts) reads them. Obfuscators rename every variable through a table of names:
 * `${"GLOBALS"}["k1"] = "data";` then `${${"GLOBALS"}["k1"]} = $_POST['x'];` writes `$data`,
 * and `$n = "data"; ${$n}` / `$$n` reads it. Where a name is fixed (one literal, never
 * reassigned otherwise), the reference is replaced by the plain variable, so the flow follows
 * the request through it like any other.
 */
import { Tok } from './tokens.js';

/** Rounds of resolution: a table entry named through another table entry needs two. */
const ROUNDS = 3;
const ASSIGN_OPS = new Set(['=', '.=', '+=', '-=', '*=', '/=', '%=', '??=', '^=', '|=', '&=', '<<=', '>>=', '**=']);

/** The tokens with constant-named variable variables replaced; `toks` itself when there are none. */
export function resolveVariableVariables(toks: Tok[]): Tok[] {
  if (!toks.some((t, i) => t.k === 'op' && t.v === '$' && (toks[i + 1]?.v === '{' || toks[i + 1]?.k === 'var'))) return toks;
  let cur = toks;
  for (let r = 0; r < ROUNDS; r++) {
    const names = fixedNames(cur);
    const next = replace(cur, names);
    if (next === cur) break;
    cur = next;
  }
  return cur;
}

/**
 * Names held by variables (`n` -> value of `$n`) and by `$GLOBALS` entries (`GLOBALS[k]` ->
 * value): only those every write gives the same literal. Function parameters and foreach
 * targets are written by the program, so they hold no fixed name.
 */
function fixedNames(t: Tok[]): Map<string, string | null> {
  const names = new Map<string, string | null>();
  const put = (k: string, v: string | null) => {
    const prev = names.get(k);
    names.set(k, prev === undefined || prev === v ? v : null);
  };
  let params = -1;
  for (let i = 0; i < t.length; i++) {
    const tk = t[i]!;
    if (tk.k === 'id' && tk.v === 'function') {
      // the parameter list: up to its closing parenthesis
      let j = i + 1;
      while (j < t.length && j < i + 4 && t[j]!.v !== '(') j++;
      let depth = 0;
      for (; j < t.length; j++) {
        if (t[j]!.v === '(') depth++;
        else if (t[j]!.v === ')' && --depth === 0) break;
      }
      params = j;
      continue;
    }
    if (tk.k !== 'var') continue;
    let key = tk.v;
    let j = i + 1;
    if (tk.v === 'GLOBALS' && t[j]?.v === '[' && t[j + 1]?.k === 'str' && !t[j + 1]!.vars?.length && t[j + 2]?.v === ']') {
      key = `GLOBALS[${t[j + 1]!.v}]`;
      j += 3;
    } else if (tk.v === 'GLOBALS') continue;
    const prev = t[i - 1];
    // `$$a = ...` writes the variable $a names, not $a
    if (prev?.k === 'op' && prev.v === '$') continue;
    if (i < params || prev?.v === 'as' || prev?.v === '=>' || prev?.v === '&') {
      put(key, null);
      continue;
    }
    const op = t[j];
    if (op?.k !== 'op' || !ASSIGN_OPS.has(op.v) || t[j + 1]?.v === '=') continue;
    const lit = t[j + 1];
    const end = t[j + 2]?.v;
    put(key, op.v === '=' && lit?.k === 'str' && !lit.vars?.length && (end === ';' || end === ',' || end === ')') ? lit.v : null);
  }
  return names;
}

const isName = (v: string) => /^[A-Za-z_\x80-\xff][\w\x80-\xff]*$/.test(v);

/** One round of replacements: `${"n"}`, `${$GLOBALS["k"]}`, `${$n}` and `$$n` with a fixed name. */
function replace(t: Tok[], names: Map<string, string | null>): Tok[] {
  let out: Tok[] | undefined;
  for (let i = 0; i < t.length; i++) {
    const tk = t[i]!;
    let name: string | undefined;
    let skip = 0;
    if (tk.k === 'op' && tk.v === '$') {
      const a = t[i + 1];
      if (a?.v === '{') {
        const b = t[i + 2];
        if (b?.k === 'str' && !b.vars?.length && t[i + 3]?.v === '}') {
          name = b.v;
          skip = 3;
        } else if (b?.k === 'var' && t[i + 3]?.v === '}') {
          name = names.get(b.v) ?? undefined;
          skip = 3;
        } else if (b?.k === 'var' && b.v === 'GLOBALS' && t[i + 3]?.v === '[' && t[i + 4]?.k === 'str' && t[i + 5]?.v === ']' && t[i + 6]?.v === '}') {
          name = names.get(`GLOBALS[${t[i + 4]!.v}]`) ?? undefined;
          skip = 6;
        }
      } else if (a?.k === 'var') {
        name = names.get(a.v) ?? undefined;
        skip = 1;
      }
    }
    if (name !== undefined && isName(name)) {
      out ??= t.slice(0, i);
      out.push(new Tok('var', name, tk.at));
      i += skip;
    } else out?.push(tk);
  }
  return out ?? t;
}
