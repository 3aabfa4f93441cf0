/**
 * The statements the PHP token data flow (dataflow.ts) reads before it propagates anything:
 * assignments (plain, appended, by reference, destructuring, foreach targets, by-reference
 * outputs of builtins and user functions, SPL containers), call sites of user functions,
 * methods, constructors, closures and callback runners, returns, `global` declarations and
 * extract()/parse_str() imports, each filed into the flow's lists in one walk over the tokens.
 */
import { argRanges } from './tokens.js';
import { CALLBACKS, POSITIONAL_CALLBACKS, STORING_METHODS } from './dataflow-names.js';
import { namedConstAt, propertyKey } from './dataflow-consts.js';
import { closureCallee, closureKey, closureStart } from './dataflow-closures.js';
import type { Flow } from './dataflow.js';

/*
 * One small loop handing each token kind to a function of its own: as one function, every
 * statement kind a page used first was a deoptimization and a recompile of all of it.
 */
export function collectStatements(f: Flow): void {
  const t = f.toks;
  for (let i = 0; i < t.length; i++) {
    const tk = t[i]!;
    switch (tk.k) {
      case 'var':
        varStatement(f, i, f.scope[i]!);
        break;
      case 'op':
        if (tk.v === '(') closureCalledAt(f, i, f.scope[i]!);
        else if (tk.v === '=' && (t[i - 1]?.v === ')' || t[i - 1]?.v === ']')) destructuringAt(f, i, f.scope[i]!);
        break;
      case 'id':
        idStatement(f, i, f.scope[i]!);
        break;
    }
  }
}

/** An assignment to the variable at `i`, or a call of the closure it holds. */
function varStatement(f: Flow, i: number, sc: number): void {
  const t = f.toks;
  assignmentAt(f, i, sc);
  const held = t[i + 1]?.v === '(' ? f.closureVars.get(f.key(sc, t[i]!.v)) : undefined;
  if (held) f.addCall([held], argRanges(t, i + 1, f.match), sc);
}

/** `(function ($c) {...})($_GET['c'])`: a closure called where it is written. */
function closureCalledAt(f: Flow, i: number, sc: number): void {
  const t = f.toks;
  if (t[f.close(i) + 1]?.v !== '(') return;
  const at = closureStart(f, i + 1);
  if (at !== -1 && f.closures.has(at)) f.addCall([closureKey(at)], argRanges(t, f.close(i) + 1, f.match), sc);
}

function idStatement(f: Flow, i: number, sc: number): void {
  const t = f.toks;
  const tk = t[i]!;
  if (tk.v === 'global') {
    let set = f.globalsIn.get(sc);
    if (!set) f.globalsIn.set(sc, (set = new Set()));
    for (let j = i + 1; j < t.length && t[j]!.v !== ';'; j++) if (t[j]!.k === 'var') set.add(t[j]!.v);
    return;
  }
  if (namedConstAt(f, i, sc)) return;
  if (tk.v === 'foreach' && t[i + 1]?.v === '(') {
    foreachAt(f, i, sc);
    return;
  }
  if (tk.v === 'return') {
    const def = f.defs[sc - 1];
    if (def) f.returns.push({ fn: def, s: i + 1, e: f.exprEnd(i + 1) });
    return;
  }
  if (t[i + 1]?.v === '(') callAt(f, i, sc);
}

function foreachAt(f: Flow, i: number, sc: number): void {
  const t = f.toks;
  const close = f.close(i + 1);
  let as = -1;
  for (let j = i + 2; j < close; j++) if (t[j]!.k === 'id' && t[j]!.v === 'as') as = j;
  if (close === -1 || as === -1) return;
  const targets: string[] = [];
  for (let j = as + 1; j < close; j++) if (t[j]!.k === 'var') targets.push(f.key(sc, t[j]!.v));
  f.addAssign(targets, i + 2, as, sc);
}

/** A call of the name at `i` (its `(` follows): by-reference outputs, imports, containers, user functions, callbacks. */
function callAt(f: Flow, i: number, sc: number): void {
  const t = f.toks;
  const tk = t[i]!;
  const prev = t[i - 1];
  const args = argRanges(t, i + 1, f.match);
  // by-reference outputs: parse_str($q, $out), preg_match($p, $s, $m)
  if ((tk.v === 'parse_str' || tk.v === 'mb_parse_str') && args.length >= 2) outParam(f, args[1]!, args[0]!, sc);
  else if ((tk.v === 'extract' || tk.v === 'parse_str' || tk.v === 'mb_parse_str') && args.length >= 1 && prev?.v !== '->' && prev?.v !== '::')
    f.imports.push({ scope: sc, at: i, s: args[0]![0], e: args[0]![1] });
  if ((tk.v === 'preg_match' || tk.v === 'preg_match_all') && args.length >= 3) outParam(f, args[2]!, args[1]!, sc);
  if (prev?.k === 'id' && prev.v === 'function') return;
  // `$q->push($x)`: an SPL container or ArrayObject now holds $x, and reading it reads $x
  if (prev?.v === '->' && STORING_METHODS.has(tk.v) && t[i - 2]?.k === 'var' && t[i - 3]?.v !== '->' && args.length > 0) {
    const last = args[args.length - 1]!;
    f.addAssign([f.key(sc, t[i - 2]!.v)], last[0], last[1], sc, true);
  }
  if (prev?.k === 'id' && prev.v === 'new') f.addCall([`${tk.v}::__construct`], args, sc);
  else if (prev?.v === '->' || prev?.v === '?->' || prev?.v === '::') f.addCall([`*::${tk.v}`], args, sc);
  else if (f.fns.has(tk.v)) {
    f.addCall([tk.v], args, sc);
    byRefOutputs(f, tk.v, args, sc);
  }
  if (CALLBACKS.has(tk.v) && args.length > 0) callbackAt(f, tk.v, args, sc);
}

/** A callback runner's call: its callee (named, a closure, or any `__invoke`) is entered with the other arguments. */
function callbackAt(f: Flow, runner: string, args: Array<[number, number]>, sc: number): void {
  const t = f.toks;
  const ci = CALLBACKS.get(runner)!;
  const callee = args[ci === -1 ? args.length - 1 : ci];
  const rest = args.filter((a) => a !== callee);
  const named = callee && t[callee[0]]!.k === 'str' ? t[callee[0]]!.v.toLowerCase() : undefined;
  const closure = callee && !named ? closureCallee(f, callee[0], callee[1], sc) : undefined;
  f.addCall(named ? [named] : closure ? [closure] : ['*::__invoke'], rest, sc, true, !POSITIONAL_CALLBACKS.has(runner));
}

/**
 * `grow($name)` where grow() takes `&$v` and assigns it: the caller's variable gets what the
 * body computes from its value (a name finished by a helper: `$v = $v . 't'`).
 */
function byRefOutputs(f: Flow, name: string, args: Array<[number, number]>, sc: number): void {
  const t = f.toks;
  for (const def of new Set(f.fns.get(name)))
    def.refs.forEach((ref, idx) => {
      const a = args[idx];
      if (!ref || !a || a[1] !== a[0] + 1 || t[a[0]]!.k !== 'var' || !def.params[idx]) return;
      f.addAssign([f.key(sc, t[a[0]]!.v)], a[0], a[1], sc, false, { fn: def, param: def.params[idx]! });
    });
}

/**
 * `$d = &$src;` and `$d = &$o->get();` (get() declared `function &get()` and returning
 * `$this->p`): a later assignment to `$d` writes what the reference names too.
 */
export function aliasReferences(f: Flow): void {
  const t = f.toks;
  for (const r of f.refs) {
    let to: string | undefined;
    const n = r.e - r.s;
    if (n === 1 && t[r.s]!.k === 'var') to = f.key(f.scope[r.s]!, t[r.s]!.v);
    else if (n >= 5 && t[r.s]!.k === 'var' && t[r.s + 1]?.v === '->' && t[r.s + 2]?.k === 'id' && t[r.s + 3]?.v === '(' && f.close(r.s + 3) === r.e - 1) {
      const m = t[r.s + 2]!.v;
      for (const x of f.returns) {
        if (x.fn.name.slice(x.fn.name.lastIndexOf(':') + 1) !== m || x.e - x.s !== 3) continue;
        if (t[x.s]!.k === 'var' && t[x.s]!.v === 'this' && t[x.s + 1]?.v === '->' && t[x.s + 2]?.k === 'id') to = `prop:${t[x.s + 2]!.v}`;
      }
    }
    if (!to || to === r.target) continue;
    for (const a of f.assigns) if (a.s > r.e && a.targets.length === 1 && a.targets[0] === r.target) a.targets.push(to);
  }
}

function outParam(f: Flow, target: [number, number], from: [number, number], sc: number): void {
  const v = f.toks.slice(target[0], target[1]).find((x) => x.k === 'var');
  if (v) f.addAssign([f.key(sc, v.v)], from[0], from[1], sc);
}

/** `$a = ...`, `$a[..] = ...`, `$a .= ...`, `$this->p = ...`. */
function assignmentAt(f: Flow, i: number, sc: number): void {
  const t = f.toks;
  let j = i + 1;
  let target = propertyKey(f, i) ?? f.key(sc, t[i]!.v);
  if ((t[j]?.v === '->' || t[j]?.v === '?->') && t[j + 1]?.k === 'id') {
    target = `prop:${t[j + 1]!.v}`;
    j += 2;
  }
  // `$a['id'] = ...` taints that element only: `$a['callback']` keeps its own value
  const idx = f.constIndex(j);
  if (idx !== undefined && !target.startsWith('prop:')) target = `${target}[${idx}]`;
  while (t[j]?.v === '[' || t[j]?.v === '{') {
    const c = f.close(j);
    if (c === -1) return;
    j = c + 1;
  }
  const op = t[j];
  if (op?.k !== 'op' || !(op.v === '=' || op.v === '.=' || op.v === '??=')) return;
  if (t[j + 1]?.v === '&') {
    j++;
    if (op.v === '=') f.refs.push({ target, s: j + 1, e: f.exprEnd(j + 1) });
  }
  f.addAssign([target], j + 1, f.exprEnd(j + 1), sc, op.v === '.=');
  const at = op.v === '=' ? closureStart(f, j + 1) : -1;
  if (at !== -1 && f.closures.has(at)) f.closureVars.set(target, closureKey(at));
}

/** `list($a, $b) = ...` and `[$a, $b] = ...`. */
function destructuringAt(f: Flow, i: number, sc: number): void {
  const t = f.toks;
  let depth = 0;
  let open = -1;
  for (let j = i - 1; j >= 0 && j > i - 400; j--) {
    const v = t[j]!.v;
    if (t[j]!.k !== 'op') continue;
    if (v === ')' || v === ']') depth++;
    else if (v === '(' || v === '[') {
      depth--;
      if (depth === 0) {
        open = j;
        break;
      }
    }
  }
  if (open === -1) return;
  const before = t[open - 1];
  const isList = (before?.k === 'id' && before.v === 'list') || (t[open]!.v === '[' && (!before || [';', '{', '}'].includes(before.v)));
  if (!isList) return;
  const targets: string[] = [];
  for (let j = open + 1; j < i - 1; j++) if (t[j]!.k === 'var') targets.push(f.key(sc, t[j]!.v));
  f.addAssign(targets, i + 1, f.exprEnd(i + 1), sc);
}
