/**
 * Named constants for the PHP token data flow (dataflow.ts): `define('N', ...)`, `const N = ...`
 * (top level or in a class), backed enum cases (`case R = 'shell_exec';`, read as
 * `K::R->value`) and static properties (`public static $f = 'system';`, `S::$f = ...`). A shell
 * parks a function name in one of them as readily as in a variable. They are keyed by name only
 * (`cc:n`, `cc:$f`), not by class: a script that defines one name twice keeps the last value,
 * as it does for variables.
 */
import { argRanges } from './tokens.js';
import type { Flow } from './dataflow.js';

/** Key of the named constant `name` (lower case, as the tokenizer gives ids). */
export const constKey = (name: string): string => `cc:${name}`;
/** Key of the static property `$name`. */
export const staticKey = (name: string): string => `cc:$${name}`;

/** Words that read like a bare constant but are literals or keywords. */
const NOT_CONSTANTS = new Set(['true', 'false', 'null', 'self', 'static', 'parent', 'new', 'array', 'list', 'fn', 'function', 'class', 'print', 'echo']);

/** Modifiers of a property declaration (`public static ?string $f = ...`). */
const MODIFIERS = new Set(['public', 'private', 'protected', 'var', 'static', 'readonly']);

/**
 * Records the named constants the statement at id token `i` defines (const, enum case,
 * define()); true when it was one.
 */
export function namedConstAt(f: Flow, i: number, sc: number): boolean {
  const t = f.toks;
  const v = t[i]!.v;
  if ((v === 'const' || v === 'case') && t[i - 1]?.v !== '::' && t[i - 1]?.v !== '->') {
    // `const A = 'x', B = 'y';` (a typed class constant puts its type first) / `case R = 'v';`
    let j = i + 1;
    if (v === 'const' && t[j]?.k === 'id' && t[j + 1]?.k === 'id') j++;
    while (t[j]?.k === 'id' && t[j + 1]?.v === '=') {
      const e = f.exprEnd(j + 2);
      f.addAssign([constKey(t[j]!.v)], j + 2, e, sc);
      if (v === 'case' || t[e]?.v !== ',') break;
      j = e + 1;
    }
    return true;
  }
  if (v === 'define' && t[i + 1]?.v === '(' && t[i - 1]?.v !== '->' && t[i - 1]?.v !== '::' && t[i - 1]?.v !== 'function') {
    const args = argRanges(t, i + 1, f.match);
    const name = args[0] && args[0][1] === args[0][0] + 1 ? t[args[0][0]] : undefined;
    if (name?.k === 'str' && !name.vars?.length && args[1]) f.addAssign([constKey(name.v.toLowerCase().replace(/^\\/, ''))], args[1][0], args[1][1], sc);
    return true;
  }
  return false;
}

/**
 * The key a variable token at `i` is read or written under when it names a static property:
 * `S::$f`, or a declaration `public static $f` (undefined: an ordinary variable). A plain
 * property declaration (`public $f = ...`) is the object property `prop:f`.
 */
export function propertyKey(f: Flow, i: number): string | undefined {
  const t = f.toks;
  const name = t[i]!.v;
  if (t[i - 1]?.v === '::') return staticKey(name);
  let isStatic = false;
  let modifier = false;
  for (let j = i - 1; j >= 0 && j > i - 6; j--) {
    const p = t[j]!;
    if (p.k === 'id' && MODIFIERS.has(p.v)) {
      modifier = true;
      if (p.v === 'static') isStatic = true;
    } else if (!(p.k === 'id' || p.v === '?' || p.v === '|')) break;
  }
  // `static $n = 0;` inside a function is a static local, not a property
  if (!modifier || (isStatic && t[i - 1]?.v === 'static' && t[i - 2]?.k !== 'id' && f.scope[i] !== 0)) return undefined;
  return isStatic ? staticKey(name) : `prop:${name}`;
}

/**
 * A named constant read at id token `i` (`N`, `K::N`, `K::R->value`): its folded value and
 * the token after it. Undefined: not one, or not constant.
 */
export function namedConstOperand(f: Flow, i: number, e: number): { val: string; next: number } | undefined {
  const t = f.toks;
  const tk = t[i]!;
  if (tk.k !== 'id' || t[i - 1]?.v === '->' || t[i - 1]?.v === '?->') return undefined;
  let name = tk.v;
  let next = i + 1;
  if (t[i + 1]?.v === '::') {
    if (t[i + 3]?.v === '(') return undefined;
    // `S::$f`: a static property
    if (t[i + 2]?.k === 'var') {
      const v = f.consts.get(staticKey(t[i + 2]!.v));
      return typeof v === 'string' && i + 3 <= e ? { val: v, next: i + 3 } : undefined;
    }
    if (t[i + 2]?.k !== 'id') return undefined;
    name = t[i + 2]!.v;
    next = i + 3;
    // a backed enum case's value
    if ((t[next]?.v === '->' || t[next]?.v === '?->') && t[next + 1]?.v === 'value' && t[next + 2]?.v !== '(') next += 2;
  } else if (t[i + 1]?.v === '(' || NOT_CONSTANTS.has(name) || t[i - 1]?.v === '::') return undefined;
  if (next > e) return undefined;
  const v = f.consts.get(constKey(name));
  return typeof v === 'string' ? { val: v, next } : undefined;
}
