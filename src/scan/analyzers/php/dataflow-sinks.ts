/**
 * The sinks of the PHP token data flow (dataflow.ts): request data reaching code or command
 * execution (directly, through a variable naming the function, or through a callback runner),
 * `preg_replace /e`, backticks, and the request choosing the file included, the class
 * instantiated, the function or callback called. Constant code handed to eval is folded and
 * analyzed as a decoded layer.
 */
import { checkBudget } from '../../budget.js';
import { looksLikeCode } from '../../decode.js';
import { argRanges } from './tokens.js';
import { fold } from './dataflow-fold.js';
import { CALLBACKS, CMD_SINKS, CODE_SINKS, REQUEST_ARRAYS, RUNNERS } from './dataflow-names.js';
import type { Flow } from './dataflow.js';
import type { Tok } from './tokens.js';

/** Above this many tokens a script is an application: the request choosing what runs is routing. */
const MAX_CHOOSER_TOKENS = 1500;

const INCLUDES = new Set(['include', 'require', 'include_once', 'require_once']);

/**
 * Where one file's sink findings go. The per-token loop below stays small and each kind of
 * sink is handled by a function of its own: V8 optimizes the loop before it has seen every
 * kind, and a first `include` or `new $x` in a later file then throws away and recompiles only
 * the loop (a few hundred bytecodes), not the whole pass inlined into one function
 * (measured: six optimizations of the single function, the costliest compile of the scanner).
 */
class SinkReport {
  /** A complete path the pattern pass already reported is the same finding: only add what it missed. */
  private readonly known: boolean;

  constructor(readonly f: Flow) {
    this.known = f.ctx.ev.list().some((x) => x.analyzer === 'flow' && x.weight >= 10);
  }

  hit(reason: string, w: number, at: number): void {
    if (!this.known) this.f.ctx.ev.add('flow', reason, w, this.f.toks[at]!.at, 30);
  }

  /**
   * The request choosing a function, callback, class or file is how routers and dispatchers
   * work (through lookups this pass cannot see); in a script that small, it is a loader.
   */
  chooser(reason: string, w: number, at: number): void {
    if (this.f.toks.length <= MAX_CHOOSER_TOKENS) this.hit(reason, w, at);
  }
}

type Hit = (reason: string, w: number, at: number) => void;

export function flowSinks(f: Flow): void {
  const t = f.toks;
  const r = new SinkReport(f);
  for (let i = 0; i < t.length; i++) {
    checkBudget();
    const tk = t[i]!;
    const sc = f.scope[i]!;
    if (tk.k === 'bt') {
      if (backtickSink(f, r, tk, i, sc)) continue;
    } else if (tk.k === 'id' && INCLUDES.has(tk.v)) {
      includeSink(f, r, tk, i, sc);
      continue;
    }
    const prev = i > 0 ? t[i - 1] : undefined;
    const isNew = prev !== undefined && prev.k === 'id' && prev.v === 'new';
    if (isNew && tk.k === 'var' && f.isTainted(f.key(sc, tk.v), i, sc)) {
      newVarSink(f, r, i, sc);
      continue;
    }
    // '' rather than undefined before the first token: the comparisons below then only ever see strings
    const pv = prev === undefined ? '' : prev.v;
    if (pv === '::' && tk.k === 'id' && tk.v === 'fromcallable' && i > 1 && t[i - 2]!.v === 'closure' && t[i + 1]?.v === '(') {
      closureOf(f, i, sc, (reason, w, at) => r.hit(reason, w, at));
      continue;
    }
    const callee = calleeAt(f, i, sc);
    if (!callee) continue;
    const open = callee.open;
    if (pv === '->' || pv === '?->' || pv === '::' || (prev !== undefined && prev.k === 'id' && pv === 'function')) {
      if (tk.k === 'id') methodSink(f, r, tk, i, sc);
      continue;
    }
    let name: string | undefined;
    let how = '';
    if (tk.k === 'id') name = isNew ? `new ${tk.v}` : tk.v;
    else if (callee.name !== undefined) {
      name = callee.name;
      how = tk.k === 'var' ? ' called through a variable' : ' called through a computed name';
    } else if (tk.k === 'var' && open === i + 1 && (f.isTainted(f.key(sc, tk.v), i, sc) || f.isSource(i))) {
      chosenFunction(f, r, i, open, sc);
      continue;
    }
    if (name && isSinkName(name)) namedSink(f, r, i, sc, name, how, open);
  }
}

/** Whether namedSink has anything to say about a call of `name`. */
function isSinkName(name: string): boolean {
  return (
    CODE_SINKS.has(name) ||
    CMD_SINKS.has(name) ||
    name === 'preg_replace' ||
    name === 'new reflectionfunction' ||
    name === 'new reflectionmethod' ||
    name === 'session_set_save_handler' ||
    CALLBACKS.has(name)
  );
}

/** A backtick command interpolating request data; false when it does not (the token is then looked at as any other). */
function backtickSink(f: Flow, r: SinkReport, tk: Tok, i: number, sc: number): boolean {
  if (!tk.vars?.some((v) => REQUEST_ARRAYS.has(v) || f.isTainted(f.key(sc, v), i, sc))) return false;
  r.hit('data flow: request input reaches a backtick shell command', 12, i);
  return true;
}

function includeSink(f: Flow, r: SinkReport, tk: Tok, i: number, sc: number): void {
  const t = f.toks;
  const e = f.exprEnd(i + 1);
  let s = i + 1;
  while (t[s]?.v === '(') s++;
  // `include $dir . '/' . $_GET['p']` is path traversal in an application; the whole path from the request is a loader
  let first = s;
  while (first < e && !(t[first]!.k === 'op' && t[first]!.v === '.')) first++;
  // a string with a fixed head (`"l10n_$lang.php"`) is a fixed folder and name pattern too
  const head = t[s];
  const fixedHead = head?.k === 'str' && !/^\$/.test(head.v);
  if (!fixedHead && f.exprTainted(s, first, sc)) r.chooser(`data flow: request chooses the file ${tk.v} runs`, 11, i);
}

/** `new $cls(...)` with `$cls` from the request. */
function newVarSink(f: Flow, r: SinkReport, i: number, sc: number): void {
  const t = f.toks;
  const args = t[i + 1]?.v === '(' ? argRanges(t, i + 1, f.match) : [];
  const hot = args.some(([s, e]) => f.exprTainted(s, e, sc));
  r.chooser(`data flow: request chooses the class the page instantiates${hot ? ' and its arguments' : ''}`, hot ? 11 : 6, i);
}

/** A method call (or a function declaration's name): FFI::cdef and PDO's FETCH_FUNC. */
function methodSink(f: Flow, r: SinkReport, tk: Tok, i: number, sc: number): void {
  const t = f.toks;
  if (tk.v === 'cdef' && t[i - 2]?.k === 'id' && t[i - 2]!.v === 'ffi') r.hit('loads native code through FFI::cdef', /->\s*system\s*\(/i.test(f.ctx.code) ? 10 : 6, i);
  else if (/^fetch(?:all)?$/.test(tk.v)) fetchFunc(f, i, sc, (reason, w, at) => r.hit(reason, w, at));
}

/** `$f(...)` with `$f` itself from the request. */
function chosenFunction(f: Flow, r: SinkReport, i: number, open: number, sc: number): void {
  const hot = argRanges(f.toks, open, f.match).some(([s, e]) => f.exprTainted(s, e, sc));
  r.chooser(`data flow: request chooses the function the page calls${hot ? ' and its arguments' : ''}`, hot ? 12 : 9, i);
}

/** A call of a named code or command sink, preg_replace, reflection, a session handler or a callback runner. */
function namedSink(f: Flow, r: SinkReport, i: number, sc: number, name: string, how: string, open: number): void {
  const args = argRanges(f.toks, open, f.match);
  const argHot = (idx: number) => {
    const a = args[idx];
    return a !== undefined && f.exprTainted(a[0], a[1], sc);
  };
  if (CODE_SINKS.has(name) || CMD_SINKS.has(name)) {
    const idx = name === 'create_function' ? 1 : 0;
    if (argHot(idx) || (name === 'create_function' && argHot(0))) r.hit(`data flow: request input reaches ${name}()${how}`, 12, i);
    else if (CODE_SINKS.has(name)) foldedLayer(f, args[idx], sc, name);
    return;
  }
  if (name === 'preg_replace' && args.length >= 2) {
    const pat = fold(f, args[0]![0], args[0]![1], sc, 0);
    if (pat !== undefined && /^(.)[\s\S]*\1[a-zA-Z]*e[a-zA-Z]*$/.test(pat) && (argHot(1) || argHot(2)))
      r.hit('data flow: request input reaches preg_replace() with the /e (evaluate) modifier', 12, i);
    return;
  }
  if (name === 'new reflectionfunction' || name === 'new reflectionmethod') {
    if (argHot(0)) r.chooser('data flow: request chooses a function called through reflection', 11, i);
    return;
  }
  if (name === 'session_set_save_handler') {
    // the read callback is handed the session id the client sends
    const runner = args.map(([s, e]) => fold(f, s, e, sc, 0)?.toLowerCase()).find((n) => n !== undefined && RUNNERS.has(n));
    if (runner) r.hit(`data flow: ${runner}() registered as a session handler runs the client's session id`, 12, i);
    return;
  }
  const ci = CALLBACKS.get(name);
  if (ci !== undefined && args.length > 0) {
    const cIdx = ci === -1 ? args.length - 1 : ci;
    const callee = args[cIdx];
    if (!callee) return;
    const others = args.some((_, k) => k !== cIdx && argHot(k));
    if (f.exprTainted(callee[0], callee[1], sc)) r.chooser(`data flow: request chooses the callback ${name}() runs${others ? ' and its arguments' : ''}`, others ? 12 : 9, i);
    else {
      const named = fold(f, callee[0], callee[1], sc, 0)?.toLowerCase();
      if (named && RUNNERS.has(named) && others) r.hit(`data flow: request input reaches ${named}() through ${name}()${how}`, 12, i);
    }
  }
}

/**
 * The call starting at token `i`: its `(` and, for a callee that is not a plain name, the
 * function name it folds to: `$f(`, `$a['k'](`, `$s{3}(`, `("$t")(`. Undefined: no call here.
 */
function calleeAt(f: Flow, i: number, sc: number): { open: number; name?: string } | undefined {
  const t = f.toks;
  const tk = t[i]!;
  if (tk.k === 'id') return t[i + 1]?.v === '(' ? { open: i + 1 } : undefined;
  if (tk.k === 'var') {
    let j = i + 1;
    while (t[j]?.v === '[' || (t[j]?.v === '{' && t[j + 2]?.v === '}')) {
      const c = f.close(j);
      if (c === -1) return undefined;
      j = c + 1;
    }
    if (t[j]?.v !== '(') return undefined;
    const prevV = t[i - 1]?.v;
    if (prevV === '->' || prevV === '::' || prevV === '?->') return undefined;
    const c = j === i + 1 ? f.consts.get(f.key(sc, tk.v)) : fold(f, i, j, sc, 0);
    return { open: j, name: typeof c === 'string' ? c.toLowerCase().replace(/^\\/, '') : undefined };
  }
  // `("$t")(...)`, `(strrev('tressa'))(...)`: a parenthesised expression called, not a call's own brackets
  if (tk.k === 'op' && tk.v === '(') {
    const p = t[i - 1];
    if (p && (p.k === 'id' || p.k === 'var' || p.v === ')' || p.v === ']' || p.v === '}')) return undefined;
    const c = f.close(i);
    if (c === -1 || t[c + 1]?.v !== '(') return undefined;
    const v = fold(f, i + 1, c, sc, 0);
    return v === undefined ? undefined : { open: c + 1, name: v.toLowerCase().replace(/^\\/, '') };
  }
  return undefined;
}

/**
 * `Closure::fromCallable('system')->__invoke($x)` / `Closure::fromCallable($n)($x)`: a closure
 * of a folded runner name, invoked with request data.
 */
function closureOf(f: Flow, i: number, sc: number, hit: Hit): void {
  const t = f.toks;
  const args = argRanges(t, i + 1, f.match);
  const named = args[0] ? fold(f, args[0][0], args[0][1], sc, 0)?.toLowerCase().replace(/^\\/, '') : undefined;
  if (!named || !RUNNERS.has(named)) return;
  let j = f.close(i + 1) + 1;
  if ((t[j]?.v === '->' || t[j]?.v === '?->') && t[j + 1]?.k === 'id' && /^(?:__invoke|call)$/.test(t[j + 1]!.v)) j += 2;
  const hot = t[j]?.v === '(' && argRanges(t, j, f.match).some(([s, e]) => f.exprTainted(s, e, sc));
  if (hot) hit(`data flow: request input reaches ${named}() through Closure::fromCallable()`, 12, i);
}

/** `$stmt->fetchAll(PDO::FETCH_FUNC, 'assert')`: every fetched row is handed to the named function. */
function fetchFunc(f: Flow, i: number, sc: number, hit: Hit): void {
  const t = f.toks;
  const args = argRanges(t, i + 1, f.match);
  const mode = args[0];
  if (!mode || args.length < 2 || !t.slice(mode[0], mode[1]).some((x) => x.k === 'id' && x.v === 'fetch_func')) return;
  const named = fold(f, args[1]![0], args[1]![1], sc, 0)?.toLowerCase();
  if (named && RUNNERS.has(named)) hit(`data flow: fetched rows are handed to ${named}() (PDO::FETCH_FUNC)`, f.tainted.size > 0 ? 12 : 9, i);
}

/** Constant code handed to eval/assert: analyzed as a decoded layer, so what it runs is judged. */
function foldedLayer(f: Flow, arg: [number, number] | undefined, sc: number, name: string): void {
  if (!arg) return;
  const v = fold(f, arg[0], arg[1], sc, 0);
  if (v === undefined || v.length < 8) return;
  f.ctx.layers.push({ text: v, offset: f.toks[arg[0]]!.at, how: `constant expression handed to ${name}() folded`, language: 'php' });
  // the layer stands in for the encoded blob the generic decoders would have reported: code
  // that only a decoder call (through a computed name) turns into text is still hidden code
  const decoded =
    f.toks.slice(arg[0], arg[1]).some((x, k, a) => x.v === '(' && k > 0 && (a[k - 1]!.k !== 'op' || /^[)\]}]$/.test(a[k - 1]!.v))) && v.length >= 64 && looksLikeCode(v);
  if (decoded) f.ctx.ev.add('obfuscation', `${name}() runs code decoded from a constant through computed calls`, 5, f.toks[arg[0]]!.at, 30);
}
