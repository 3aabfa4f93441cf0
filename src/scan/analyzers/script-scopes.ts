/**
 * Function scopes of a script, so that request taint follows them: a variable tainted in one
 * method says nothing about a same-named variable in another. A function sees its own
 * assignments, what its enclosing scopes (the module, an outer function) hold, and its
 * parameters where some call passes them request data.
 */
import { matches, type Taint } from '../flow.js';
import { matchingClose, splitTopArgs } from '../text.js';

export interface FunctionScope {
  name: string;
  /** Where the definition starts (the `def`/`sub` keyword's line) and where its body starts and ends. */
  start: number;
  bodyStart: number;
  end: number;
  /** Parameter names in order, the bound `self`/`cls` left out. */
  params: string[];
  /** Where a `*args` parameter collects extra positional arguments (its name), if any. */
  rest?: string;
  /** A method (first parameter `self` or `cls`): `obj.name(a)` hands `a` to params[0]. */
  bound: boolean;
  /** Index of the innermost enclosing scope, -1 for the module. */
  parent: number;
}

const PY_DEF = /^([ \t]*)(?:async[ \t]+)?def[ \t]+(\w{1,60})[ \t]*\(/gm;
/** After the parameter list: an optional return annotation, then the colon. */
const PY_HEADER_END = /[ \t]*(?:->[^:\n]{0,200})?:/y;

/** Python parameter names of a `def (...)` list, defaults and annotations left out. */
function pythonParams(list: string): { names: string[]; rest?: string } {
  const names: string[] = [];
  let rest: string | undefined;
  for (const part of splitTopArgs(list)) {
    const m = /^\s*(\*{0,2})\s*(\w+)/.exec(part);
    if (!m) continue;
    if (m[1] === '*') rest = m[2];
    else if (m[1] === '') names.push(m[2]!);
  }
  return rest === undefined ? { names } : { names, rest };
}

/**
 * The logical lines of a Python text: where each starts and how deep it is indented. A line
 * inside a string (a docstring at column 0) or inside an open bracket continues the one before;
 * blank and comment-only lines say nothing about blocks and are left out. One pass over the
 * text, so nested definitions cost no more than flat ones.
 */
function logicalLines(code: string): Array<[number, number]> {
  const lines: Array<[number, number]> = [];
  let depth = 0;
  let q = 0;
  let triple = false;
  let lineStart = true;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (lineStart && !q && depth === 0) {
      lineStart = false;
      let j = i;
      let width = 0;
      for (; j < code.length; j++) {
        const w = code.charCodeAt(j);
        if (w === 32) width++;
        else if (w === 9) width += 8;
        else break;
      }
      const first = code.charCodeAt(j);
      if (j < code.length && first !== 10 && first !== 13 && first !== 35) lines.push([i, width]);
      i = j - 1;
      continue;
    }
    if (c === 10) {
      lineStart = true;
      // a one-quote string does not run past its line (an unclosed one is a typo, not a block)
      if (q && !triple) q = 0;
      continue;
    }
    if (q) {
      if (c === 92) i++;
      else if (c === q && (!triple || (code.charCodeAt(i + 1) === q && code.charCodeAt(i + 2) === q))) {
        if (triple) i += 2;
        q = 0;
      }
    } else if (c === 34 || c === 39) {
      q = c;
      triple = code.charCodeAt(i + 1) === c && code.charCodeAt(i + 2) === c;
      if (triple) i += 2;
    } else if (c === 35) {
      const nl = code.indexOf('\n', i);
      i = (nl === -1 ? code.length : nl) - 1;
    } else if (c === 40 || c === 91 || c === 123) depth++;
    else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
  }
  return lines;
}

/** The `def`s of a Python script with their bodies by indentation, in source order. */
export function pythonScopes(code: string, cap = 500): FunctionScope[] {
  const scopes: FunctionScope[] = [];
  const indents: number[] = [];
  for (const m of matches(PY_DEF, code, cap)) {
    const open = m.index + m[0].length - 1;
    const close = matchingClose(code, open, Math.min(code.length, open + 2000));
    if (close === -1) continue;
    PY_HEADER_END.lastIndex = close + 1;
    const header = PY_HEADER_END.exec(code);
    if (!header) continue;
    const bodyStart = close + 1 + header[0].length;
    const { names, rest } = pythonParams(code.slice(open + 1, close));
    const bound = names[0] === 'self' || names[0] === 'cls';
    const start = m.index + m[1]!.length;
    // `def f(x): return x`: the body is the rest of the line
    const lineEnd = code.indexOf('\n', bodyStart);
    const oneLine = /^[ \t]*[^\s#]/.test(code.slice(bodyStart, lineEnd === -1 ? code.length : lineEnd));
    const scope: FunctionScope = {
      name: m[2]!,
      start,
      bodyStart,
      end: oneLine ? (lineEnd === -1 ? code.length : lineEnd) : code.length,
      params: bound ? names.slice(1) : names,
      bound,
      parent: -1,
    };
    if (rest !== undefined) scope.rest = rest;
    scopes.push(scope);
    indents.push(oneLine ? -1 : m[1]!.replace(/\t/g, '        ').length);
  }
  if (scopes.length === 0) return scopes;
  // a block ends at the first logical line after its body starts indented no deeper than its `def`
  const open: number[] = [];
  let next = 0;
  for (const [at, width] of logicalLines(code)) {
    while (next < scopes.length && scopes[next]!.bodyStart <= at) {
      if (indents[next]! >= 0) open.push(next);
      next++;
    }
    while (open.length > 0 && indents[open[open.length - 1]!]! >= width && scopes[open[open.length - 1]!]!.bodyStart < at) scopes[open.pop()!]!.end = at;
  }
  for (let i = 0; i < scopes.length; i++) {
    for (let k = i - 1; k >= 0; k--) {
      if (scopes[k]!.bodyStart <= scopes[i]!.start && scopes[i]!.start < scopes[k]!.end) {
        scopes[i]!.parent = k;
        break;
      }
    }
  }
  return scopes;
}

/** Builds a scope's taint from its own text, given what it inherits (variables, and which of them are direct). */
export type TaintBuilder = (text: string, seed: Seed) => Taint;

export interface Seed {
  vars: ReadonlySet<string>;
  direct: ReadonlySet<string>;
}

export interface ScopedTaint {
  /** The module's taint (code outside every function). */
  module: Taint;
  /** The taint that holds at `offset`: its innermost function's, else the module's. */
  at(offset: number): Taint;
  /** The taint of scope `i`. */
  of(i: number): Taint;
  scopes: readonly FunctionScope[];
}

/** A scope's own text: its body without the bodies of the functions defined in it. */
function ownText(code: string, scopes: readonly FunctionScope[], i: number): string {
  const from = i === -1 ? 0 : scopes[i]!.bodyStart;
  const to = i === -1 ? code.length : scopes[i]!.end;
  const parts: string[] = [];
  let at = from;
  for (const s of scopes) {
    if (s.parent !== i || s.bodyStart < at) continue;
    parts.push(code.slice(at, s.bodyStart));
    at = s.end;
  }
  parts.push(code.slice(at, to));
  return parts.join('\n');
}

/** Names declared `global` in a Python function: its assignments to them are the module's. */
function globalNames(text: string): string[] {
  const out: string[] = [];
  for (const m of matches(/^[ \t]*global[ \t]+(\w+(?:[ \t]*,[ \t]*\w+)*)/gm, text, 50)) for (const n of m[1]!.split(',')) out.push(n.trim());
  return out;
}

/**
 * Taint per scope, to a fixed point over calls: a function's parameter is tainted where a call
 * anywhere in the file passes it request data (by position or keyword; a `*args` spread of
 * request data taints them all), and a `global` name a function taints is the module's.
 */
export function scopedTaint(code: string, scopes: readonly FunctionScope[], build: TaintBuilder, rounds = 3): ScopedTaint {
  const texts = scopes.map((_, i) => ownText(code, scopes, i));
  const moduleText = ownText(code, scopes, -1);
  const moduleSeed = { vars: new Set<string>(), direct: new Set<string>() };
  const paramSeeds = scopes.map(() => ({ vars: new Set<string>(), direct: new Set<string>() }));
  const taints: Taint[] = [];
  let module = build(moduleText, moduleSeed);
  const seedOf = (i: number): Seed => {
    const parent = scopes[i]!.parent === -1 ? module : taints[scopes[i]!.parent]!;
    const own = paramSeeds[i]!;
    return { vars: new Set([...parent.vars, ...own.vars]), direct: new Set([...parent.direct, ...own.direct]) };
  };
  // parents precede their children in source order, so one pass sees every parent built
  const buildAll = (): void => {
    for (let i = 0; i < scopes.length; i++) taints[i] = build(texts[i]!, seedOf(i));
  };
  buildAll();
  const at = (offset: number): Taint => {
    for (let k = scopes.length - 1; k >= 0; k--) if (scopes[k]!.bodyStart <= offset && offset < scopes[k]!.end) return taints[k]!;
    return module;
  };
  const byName = new Map<string, number[]>();
  for (let i = 0; i < scopes.length; i++) byName.set(scopes[i]!.name, [...(byName.get(scopes[i]!.name) ?? []), i]);
  const globals = texts.map(globalNames);
  const calls =
    scopes.length === 0
      ? []
      : [...matches(new RegExp(`(?<![\\w$])(${[...byName.keys()].join('|')})\\s*\\(`, 'g'), code, 2000)].filter(
          (m) => !/\bdef\s*$/.test(code.slice(Math.max(0, m.index - 6), m.index)),
        );
  for (let round = 0; round < rounds; round++) {
    let changed = false;
    const mark = (seed: { vars: Set<string>; direct: Set<string> }, name: string, direct: boolean): void => {
      if (!seed.vars.has(name)) {
        seed.vars.add(name);
        changed = true;
      }
      if (direct && !seed.direct.has(name)) {
        seed.direct.add(name);
        changed = true;
      }
    };
    for (const m of calls) {
      const caller = at(m.index);
      const args = splitTopArgs(callArgsOf(code, m.index + m[0].length - 1));
      const attribute = /\.\s*$/.test(code.slice(Math.max(0, m.index - 4), m.index));
      for (const i of byName.get(m[1]!)!) {
        const s = scopes[i]!;
        // `obj.method(a)` binds `self` itself; a bare `method(obj, a)` passes it first
        const params = attribute || !s.bound ? s.params : ['', ...s.params];
        args.forEach((arg, k) => {
          const kw = /^\s*(\w+)\s*=(?!=)/.exec(arg);
          const value = kw ? arg.slice(kw[0].length) : arg;
          if (!caller.touches(value)) return;
          const direct = caller.touchesDirectly(value);
          // a spread may fill any parameter; `self` (the empty name) is never request data
          const names = /^\s*\*/.test(arg) ? params : kw ? [kw[1]!] : k < params.length ? [params[k]!] : s.rest ? [s.rest] : [];
          for (const n of names) if (n) mark(paramSeeds[i]!, n, direct);
        });
      }
    }
    globals.forEach((names, i) => {
      for (const n of names) if (taints[i]!.vars.has(n)) mark(moduleSeed, n, taints[i]!.direct.has(n));
    });
    if (!changed) break;
    module = build(moduleText, moduleSeed);
    buildAll();
  }
  return { module, at, of: (i) => taints[i]!, scopes };
}

/** The argument text of the call whose `(` is at `open` (bounded). */
function callArgsOf(code: string, open: number): string {
  const close = matchingClose(code, open, Math.min(code.length, open + 2000));
  return code.slice(open + 1, close === -1 ? Math.min(code.length, open + 600) : close);
}
