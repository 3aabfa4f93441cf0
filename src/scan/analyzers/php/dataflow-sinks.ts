/**
 * The sinks of the PHP token data flow (dataflow.ts): request data reaching code or command
 * execution (directly, through a variable naming the function, or through a callback runner),
 * `preg_replace /e`, backticks, and the request choosing the file included, the class
 * instantiated, the function or callback called. Constant code handed to eval is folded and
 * analyzed as a decoded layer.
 */
import { checkBudget } from '../../budget.js';
import { looksLikeCode } from '../../decode.js';
import { argRanges, dataUrlAt, type Tok } from './tokens.js';
import { fold } from './dataflow-fold.js';
import { CALLBACKS, CMD_SINKS, CODE_SINKS, REQUEST_ARRAYS, RUNNERS } from './dataflow-names.js';
import type { Flow } from './dataflow.js';
import { reflectionInvoke } from './dataflow-reflection.js';
import { ownFunctionPrefix } from './signatures.js';

/** Words after which `(` opens an expression, not a call's arguments: `echo (expr)(...)`. */
const EXPRESSION_KEYWORDS = new Set(['echo', 'print', 'return', 'and', 'or', 'xor', 'else', 'throw', 'yield']);
/** Above this many tokens a script is an application: the request choosing what runs is routing. */
export const MAX_CHOOSER_TOKENS = 1500;

/** Reports a finding at token `at` (the pass's `hit` and `chooser`). */
type Report = (reason: string, w: number, at: number) => void;

/*
 * The loop reads every token and hands each kind to its own function: one function holding
 * every sink was re-optimized whole (with all it inlined) each time a page reached a branch
 * the optimizer had no feedback for, and those recompiles cost more than the pass's reading.
 */
export function flowSinks(f: Flow): void {
  const t = f.toks;
  const ev = f.ctx.ev;
  // a complete path the pattern pass already reported is the same finding: only add what it missed
  const known = ev.list().some((x) => x.analyzer === 'flow' && x.weight >= 10);
  const hit: Report = (reason, w, at) => {
    if (!known) ev.add('flow', reason, w, t[at]!.at, 30);
  };
  // the request choosing a function, callback, class or file is how routers and dispatchers
  // work (through lookups this pass cannot see); in a script that small, it is a loader
  const chooser: Report = (reason, w, at) => {
    if (t.length <= MAX_CHOOSER_TOKENS) hit(reason, w, at);
  };
  for (let i = 0; i < t.length; i++) {
    checkBudget();
    const tk = t[i]!;
    switch (tk.k) {
      case 'bt':
        if (tk.vars !== undefined && tk.vars.length > 0) backtickSink(f, i, hit);
        break;
      case 'id':
        idSink(f, i, hit, chooser);
        break;
      case 'var':
        varSink(f, i, hit, chooser);
        break;
      case 'op':
        // only a parenthesised expression called can be a callee among the operators
        if (tk.v === '(' || (tk.v === '$' && t[i + 1]?.v === '{')) callSink(f, i, hit, chooser);
        break;
    }
  }
}

function backtickSink(f: Flow, i: number, hit: Report): void {
  const sc = f.scope[i]!;
  if (f.toks[i]!.vars!.some((v) => REQUEST_ARRAYS.has(v) || f.isTainted(f.key(sc, v), i, sc))) hit('data flow: request input reaches a backtick shell command', 12, i);
}

const INCLUDES = new Set(['include', 'require', 'include_once', 'require_once']);

function idSink(f: Flow, i: number, hit: Report, chooser: Report): void {
  const t = f.toks;
  const tk = t[i]!;
  const sc = f.scope[i]!;
  if (INCLUDES.has(tk.v)) {
    includeSink(f, i, sc, hit, chooser);
    return;
  }
  if (tk.v === 'fromcallable' && t[i - 1]?.v === '::' && t[i - 2]?.v === 'closure' && t[i + 1]?.v === '(') {
    closureOf(f, i, sc, hit);
    return;
  }
  callSink(f, i, hit, chooser);
}

/** `include $dir . '/' . $_GET['p']` is path traversal in an application; the whole path from the request is a loader. */
function includeSink(f: Flow, i: number, sc: number, hit: Report, chooser: Report): void {
  const t = f.toks;
  const e = f.exprEnd(i + 1);
  let s = i + 1;
  while (t[s]?.v === '(') s++;
  // `include 'data://text/plain;base64,' . base64_encode($code)`: what follows the URL's head is the code
  if (dataUrlAt(t, i + 1)) {
    if (f.exprTainted(s + 1, e, sc)) hit(`data flow: request-derived code run by ${t[i]!.v} through a data: URL`, 12, i);
    return;
  }
  let first = s;
  while (first < e && !(t[first]!.k === 'op' && t[first]!.v === '.')) first++;
  // a string with a fixed head (`"l10n_$lang.php"`) is a fixed folder and name pattern too
  const head = t[s];
  const fixedHead = head?.k === 'str' && !/^\$/.test(head.v);
  if (!fixedHead && f.exprTainted(s, first, sc)) chooser(`data flow: request chooses the file ${t[i]!.v} runs`, 11, i);
}

function varSink(f: Flow, i: number, hit: Report, chooser: Report): void {
  const t = f.toks;
  const prev = t[i - 1];
  if (prev?.k === 'id' && prev.v === 'new') {
    const sc = f.scope[i]!;
    if (f.isTainted(f.key(sc, t[i]!.v), i, sc)) {
      if (fixedSuffixOnly(f, t[i]!.v)) return;
      const args = t[i + 1]?.v === '(' ? argRanges(t, i + 1, f.match) : [];
      const hot = args.some(([s, e]) => f.exprTainted(s, e, sc));
      chooser(`data flow: request chooses the class the page instantiates${hot ? ' and its arguments' : ''}`, hot ? 11 : 6, i);
      return;
    }
  }
  callSink(f, i, hit, chooser);
}

/** A call at token `i` (a name, a variable or a parenthesised expression): what runs and with what. */
function callSink(f: Flow, i: number, hit: Report, chooser: Report): void {
  const t = f.toks;
  const tk = t[i]!;
  const sc = f.scope[i]!;
  const callee = calleeAt(f, i, sc);
  if (!callee) return;
  const prev = t[i - 1];
  const open = callee.open;
  if (prev?.v === '->' || prev?.v === '?->' || prev?.v === '::' || (prev?.k === 'id' && prev.v === 'function')) {
    if (tk.k === 'id') methodSink(f, i, sc, hit);
    return;
  }
  let name: string | undefined;
  let how = '';
  if (tk.k === 'id') name = prev?.k === 'id' && prev.v === 'new' ? `new ${tk.v}` : tk.v;
  else if (callee.name !== undefined) {
    name = callee.name;
    how = tk.k === 'var' ? ' called through a variable' : ' called through a computed name';
  } else if (
    tk.k === 'var' && open === i + 1 ? f.isTainted(f.key(sc, tk.v), i, sc) || f.isSource(i) : callee.span !== undefined && f.exprTainted(callee.span[0], callee.span[1], sc)
  ) {
    const hot = argRanges(t, open, f.match).some(([s, e]) => f.exprTainted(s, e, sc));
    chooser(`data flow: request chooses the function the page calls${hot ? ' and its arguments' : ''}`, hot ? 12 : 9, i);
    return;
  }
  if (name) namedSink(f, i, sc, name, how, open, hit, chooser);
}

/** Methods that run what they are given: `FFI::cdef`, `PDO::FETCH_FUNC`, reflection's invoke. */
function methodSink(f: Flow, i: number, sc: number, hit: Report): void {
  const t = f.toks;
  const v = t[i]!.v;
  if (v === 'cdef' && t[i - 2]?.k === 'id' && t[i - 2]!.v === 'ffi') hit('loads native code through FFI::cdef', /->\s*system\s*\(/i.test(f.ctx.code) ? 10 : 6, i);
  else if (/^fetch(?:all)?$/.test(v)) fetchFunc(f, i, sc, hit);
  else if ((v === 'invoke' || v === 'invokeargs') && t[i - 1]?.v === '->') reflectionInvoke(f, i, sc, hit);
}

/** The function `name` called at token `i` with its arguments opening at `open`. */
function namedSink(f: Flow, i: number, sc: number, name: string, how: string, open: number, hit: Report, chooser: Report): void {
  const args = argRanges(f.toks, open, f.match);
  const argHot = (idx: number) => {
    const a = args[idx];
    return a !== undefined && f.exprTainted(a[0], a[1], sc);
  };
  if (CODE_SINKS.has(name) || CMD_SINKS.has(name)) {
    const idx = name === 'create_function' ? 1 : 0;
    if (argHot(idx) || (name === 'create_function' && argHot(0))) hit(`data flow: request input reaches ${name}()${how}`, 12, i);
    else if (CODE_SINKS.has(name)) foldedLayer(f, args[idx], sc, name);
    return;
  }
  if (name === 'preg_replace' && args.length >= 2) {
    const pat = fold(f, args[0]![0], args[0]![1], sc, 0);
    if (pat !== undefined && /^(.)[\s\S]*\1[a-zA-Z]*e[a-zA-Z]*$/.test(pat) && (argHot(1) || argHot(2)))
      hit('data flow: request input reaches preg_replace() with the /e (evaluate) modifier', 12, i);
    return;
  }
  if (name === 'new reflectionfunction' || name === 'new reflectionmethod') {
    if (argHot(0)) chooser('data flow: request chooses a function called through reflection', 11, i);
    return;
  }
  if (name === 'session_set_save_handler') {
    // the read callback is handed the session id the client sends
    const runner = args.map(([s, e]) => fold(f, s, e, sc, 0)?.toLowerCase()).find((n) => n !== undefined && RUNNERS.has(n));
    if (runner) hit(`data flow: ${runner}() registered as a session handler runs the client's session id`, 12, i);
    return;
  }
  const ci = CALLBACKS.get(name);
  if (ci !== undefined && args.length > 0) {
    const cIdx = ci === -1 ? args.length - 1 : ci;
    const callee = args[cIdx];
    if (!callee) return;
    const others = args.some((_, k) => k !== cIdx && argHot(k));
    // an inline `function (..) {..}` / `fn (..) =>` is the page's own code: what it reads is not its name
    const t = f.toks;
    const head = t[callee[0]];
    const inline = head?.k === 'id' && (head.v === 'function' || head.v === 'fn' || (head.v === 'static' && (t[callee[0] + 1]?.v === 'function' || t[callee[0] + 1]?.v === 'fn')));
    // `'plugin_action_' . $a`: a prefix only the page's own functions carry
    const prefixed = head?.k === 'str' && t[callee[0] + 1]?.v === '.' && ownFunctionPrefix(head.v);
    // `[$this, $m]`: one of the object's own methods, unless a __call forwards any name (magic-call.ts)
    const own = ownMethodCallable(t, callee[0]) && !f.ctx.lower.includes('__call');
    if (!inline && !prefixed && !own && f.exprTainted(callee[0], callee[1], sc))
      chooser(`data flow: request chooses the callback ${name}() runs${others ? ' and its arguments' : ''}`, others ? 12 : 9, i);
    else {
      const named = fold(f, callee[0], callee[1], sc, 0)?.toLowerCase();
      if (named && RUNNERS.has(named) && others) hit(`data flow: request input reaches ${named}() through ${name}()${how}`, 12, i);
    }
  }
}

/**
 * The call starting at token `i`: its `(` and, for a callee that is not a plain name, the
 * function name it folds to: `$f(`, `$a['k'](`, `$s{3}(`, `("$t")(`, and the tokens of a
 * computed callee (`$a['k']`, the parenthesised expression). Undefined: no call here.
 */
function calleeAt(f: Flow, i: number, sc: number): { open: number; name?: string; span?: [number, number] } | undefined {
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
    // `$$n[0](...)`: an element of the variable `$n` names, read as an expression
    if (t[i - 1]?.k === 'op' && t[i - 1]!.v === '$') return { open: j, span: [i - 1, j] };
    const c = j === i + 1 ? f.consts.get(f.key(sc, tk.v)) : fold(f, i, j, sc, 0);
    // `$q['f'](...)`: the element called, as an expression the taint can read
    return { open: j, name: typeof c === 'string' ? c.toLowerCase().replace(/^\\/, '') : undefined, span: j === i + 1 ? undefined : [i, j] };
  }
  // `${$n}['k'](...)`: an element of a variable named by an expression
  if (tk.k === 'op' && tk.v === '$') {
    let j = f.close(i + 1) + 1;
    if (j === 0) return undefined;
    while (t[j]?.v === '[') {
      const c = f.close(j);
      if (c === -1) return undefined;
      j = c + 1;
    }
    return t[j]?.v === '(' && j > f.close(i + 1) + 1 ? { open: j, span: [i, j] } : undefined;
  }
  // `("$t")(...)`, `(strrev('tressa'))(...)`: a parenthesised expression called, not a call's own brackets
  if (tk.k === 'op' && tk.v === '(') {
    const p = t[i - 1];
    if (p && ((p.k === 'id' && !EXPRESSION_KEYWORDS.has(p.v)) || p.k === 'var' || p.v === ')' || p.v === ']' || p.v === '}')) return undefined;
    const c = f.close(i);
    if (c === -1 || t[c + 1]?.v !== '(') return undefined;
    const v = fold(f, i + 1, c, sc, 0);
    return { open: c + 1, name: v?.toLowerCase().replace(/^\\/, ''), span: [i + 1, c] };
  }
  return undefined;
}

/**
 * `Closure::fromCallable('system')->__invoke($x)` / `Closure::fromCallable($n)($x)`: a closure
 * of a folded runner name, invoked with request data.
 */
function closureOf(f: Flow, i: number, sc: number, hit: (reason: string, w: number, at: number) => void): void {
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
function fetchFunc(f: Flow, i: number, sc: number, hit: (reason: string, w: number, at: number) => void): void {
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
/** Built-in classes that run code, call functions by name or reach files and the network, lower-cased. */
const RISKY_CLASSES = [
  'reflectionfunction',
  'reflectionmethod',
  'reflectionclass',
  'reflectionobject',
  'splfileobject',
  'spltempfileobject',
  'splfileinfo',
  'directoryiterator',
  'recursivedirectoryiterator',
  'filesystemiterator',
  'globiterator',
  'soapclient',
  'soapserver',
  'simplexmlelement',
  'domdocument',
  'xsltprocessor',
  'pdo',
  'mysqli',
  'phar',
  'phardata',
  'ziparchive',
  'closure',
  'ffi',
  'com',
  'dotnet',
  'imagick',
  'arrayobject',
  'arrayiterator',
  'callbackfilteriterator',
];

/**
 * Whether every assignment of `$name` in the file ends in `. 'Suffix'` (a class-name tail such as
 * `'Controller'`): `new $name` then picks one of the application's classes of that kind, which
 * is how routers dispatch, not a class the client names.
 */
function fixedSuffixOnly(f: Flow, name: string): boolean {
  const t = f.toks;
  let seen = 0;
  for (let i = 0; i < t.length; i++) {
    const tk = t[i]!;
    if (tk.k !== 'var' || tk.v !== name || (t[i - 1]?.v === '$' && t[i - 1]?.k === 'op')) continue;
    const op = t[i + 1]?.v;
    // `.=`, `??=`: a later piece appended after the suffix
    if (op !== '=' && op !== undefined && /^[^=!<>]=$|^\?\?=$|^(?:\*\*|<<|>>)=$/.test(op)) return false;
    if (op !== '=') continue;
    const e = f.exprEnd(i + 2);
    const last = t[e - 1];
    if (last?.k !== 'str' || !/^[A-Za-z_]\w{2,}$/.test(last.v) || t[e - 2]?.v !== '.') return false;
    // a tail that completes a built-in class able to run code or reach files (`. 'Function'` -> ReflectionFunction)
    const tail = last.v.toLowerCase();
    if (RISKY_CLASSES.some((c) => c.endsWith(tail))) return false;
    seen++;
  }
  return seen > 0;
}

/** Whether the argument at token `s` is a callable array on `$this` (`[$this, $m]`, `array($this, $m)`). */
function ownMethodCallable(t: readonly Tok[], s: number): boolean {
  let i = s;
  if (t[i]?.k === 'id' && t[i]!.v.toLowerCase() === 'array' && t[i + 1]?.v === '(') i += 2;
  else if (t[i]?.v === '[' && t[i]?.k === 'op') i += 1;
  else return false;
  return t[i]?.k === 'var' && t[i]!.v === 'this' && t[i + 1]?.v === ',';
}
