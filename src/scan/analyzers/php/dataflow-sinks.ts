/**
 * The sinks of the PHP token data flow (dataflow.ts): request data reaching code or command
 * execution (directly, through a variable naming the function, or through a callback runner),
 * `preg_replace /e`, backticks, and the request choosing the file included, the class
 * instantiated, the function or callback called. Constant code handed to eval is folded and
 * analyzed as a decoded layer.
 */
import { checkBudget } from '../../budget.js';
import { argRanges } from './tokens.js';
import { fold } from './dataflow-fold.js';
import { CALLBACKS, CMD_SINKS, CODE_SINKS, REQUEST_ARRAYS, RUNNERS } from './dataflow-names.js';
import type { Flow } from './dataflow.js';

/** Above this many tokens a script is an application: the request choosing what runs is routing. */
const MAX_CHOOSER_TOKENS = 1500;

export function flowSinks(f: Flow): void {
  const t = f.toks;
  const ev = f.ctx.ev;
  // a complete path the pattern pass already reported is the same finding: only add what it missed
  const known = ev.list().some((x) => x.analyzer === 'flow' && x.weight >= 10);
  const hit = (reason: string, w: number, at: number) => {
    if (!known) ev.add('flow', reason, w, t[at]!.at, 30);
  };
  // the request choosing a function, callback, class or file is how routers and dispatchers
  // work (through lookups this pass cannot see); in a script that small, it is a loader
  const chooser = (reason: string, w: number, at: number) => {
    if (t.length <= MAX_CHOOSER_TOKENS) hit(reason, w, at);
  };
  for (let i = 0; i < t.length; i++) {
    checkBudget();
    const tk = t[i]!;
    const sc = f.scope[i]!;
    const prev = t[i - 1];
    if (tk.k === 'bt' && tk.vars?.some((v) => REQUEST_ARRAYS.has(v) || f.isTainted(f.key(sc, v), i, sc))) {
      hit('data flow: request input reaches a backtick shell command', 12, i);
      continue;
    }
    if (tk.k === 'id' && ['include', 'require', 'include_once', 'require_once'].includes(tk.v)) {
      const e = f.exprEnd(i + 1);
      let s = i + 1;
      while (t[s]?.v === '(') s++;
      // `include $dir . '/' . $_GET['p']` is path traversal in an application; the whole path from the request is a loader
      let first = s;
      while (first < e && !(t[first]!.k === 'op' && t[first]!.v === '.')) first++;
      // a string with a fixed head (`"l10n_$lang.php"`) is a fixed folder and name pattern too
      const head = t[s];
      const fixedHead = head?.k === 'str' && !/^\$/.test(head.v);
      if (!fixedHead && f.exprTainted(s, first, sc)) chooser(`data flow: request chooses the file ${tk.v} runs`, 11, i);
      continue;
    }
    const isNew = prev?.k === 'id' && prev.v === 'new';
    if (tk.k === 'var' && isNew && f.isTainted(f.key(sc, tk.v), i, sc)) {
      const args = t[i + 1]?.v === '(' ? argRanges(t, i + 1, f.match) : [];
      const hot = args.some(([s, e]) => f.exprTainted(s, e, sc));
      chooser(`data flow: request chooses the class the page instantiates${hot ? ' and its arguments' : ''}`, hot ? 11 : 6, i);
      continue;
    }
    if (t[i + 1]?.v !== '(') continue;
    if (prev?.v === '->' || prev?.v === '?->' || prev?.v === '::' || (prev?.k === 'id' && prev.v === 'function')) {
      if (tk.k === 'id' && tk.v === 'cdef' && t[i - 2]?.k === 'id' && t[i - 2]!.v === 'ffi')
        hit('loads native code through FFI::cdef', /->\s*system\s*\(/i.test(f.ctx.code) ? 10 : 6, i);
      continue;
    }
    let name: string | undefined;
    let how = '';
    if (tk.k === 'id') name = isNew ? `new ${tk.v}` : tk.v;
    else if (tk.k === 'var') {
      const c = f.consts.get(f.key(sc, tk.v));
      if (typeof c === 'string') {
        name = c.toLowerCase().replace(/^\\/, '');
        how = ' called through a variable';
      } else if (f.isTainted(f.key(sc, tk.v), i, sc) || f.isSource(i)) {
        const hot = argRanges(t, i + 1, f.match).some(([s, e]) => f.exprTainted(s, e, sc));
        chooser(`data flow: request chooses the function the page calls${hot ? ' and its arguments' : ''}`, hot ? 12 : 9, i);
        continue;
      }
    }
    if (!name) continue;
    const args = argRanges(t, i + 1, f.match);
    const argHot = (idx: number) => {
      const a = args[idx];
      return a !== undefined && f.exprTainted(a[0], a[1], sc);
    };
    if (CODE_SINKS.has(name) || CMD_SINKS.has(name)) {
      const idx = name === 'create_function' ? 1 : 0;
      if (argHot(idx) || (name === 'create_function' && argHot(0))) hit(`data flow: request input reaches ${name}()${how}`, 12, i);
      else if (CODE_SINKS.has(name)) foldedLayer(f, args[idx], sc, name);
      continue;
    }
    if (name === 'preg_replace' && args.length >= 2) {
      const pat = fold(f, args[0]![0], args[0]![1], sc, 0);
      if (pat !== undefined && /^(.)[\s\S]*\1[a-zA-Z]*e[a-zA-Z]*$/.test(pat) && (argHot(1) || argHot(2)))
        hit('data flow: request input reaches preg_replace() with the /e (evaluate) modifier', 12, i);
      continue;
    }
    if (name === 'new reflectionfunction' || name === 'new reflectionmethod') {
      if (argHot(0)) chooser('data flow: request chooses a function called through reflection', 11, i);
      continue;
    }
    const ci = CALLBACKS.get(name);
    if (ci !== undefined && args.length > 0) {
      const cIdx = ci === -1 ? args.length - 1 : ci;
      const callee = args[cIdx];
      if (!callee) continue;
      const others = args.some((_, k) => k !== cIdx && argHot(k));
      if (f.exprTainted(callee[0], callee[1], sc)) chooser(`data flow: request chooses the callback ${name}() runs${others ? ' and its arguments' : ''}`, others ? 12 : 9, i);
      else {
        const named = fold(f, callee[0], callee[1], sc, 0)?.toLowerCase();
        if (named && RUNNERS.has(named) && others) hit(`data flow: request input reaches ${named}() through ${name}()${how}`, 12, i);
      }
    }
  }
}

/** Constant code handed to eval/assert: analyzed as a decoded layer, so what it runs is judged. */
function foldedLayer(f: Flow, arg: [number, number] | undefined, sc: number, name: string): void {
  if (!arg) return;
  const v = fold(f, arg[0], arg[1], sc, 0);
  if (v === undefined || v.length < 8) return;
  f.ctx.layers.push({ text: v, offset: f.toks[arg[0]]!.at, how: `constant expression handed to ${name}() folded`, language: 'php' });
}
