/**
 * Calls in the constant PHP evaluator: user functions, closures and create_function() results
 * with their own frames, calls through names and function values, the callback takers that
 * matter to decoders (call_user_func, array_map), constants (define), and the code sinks,
 * which record the code string they get (eval also runs it in the caller's scope, as PHP does).
 */
import { PArr, UNKNOWN, builtin, isFn, toStr, truthy, type Code, type Fn, type Val } from './interp-lib.js';
import { MAX_DEPTH, MAX_FOUND, PhpExpr, Return, Break, Continue, codeOf, type Frame } from './interp-expr.js';

export abstract class PhpCalls extends PhpExpr {
  private readonly seen = new Set<string>();

  // ---------------------------------------------------------------- calls

  private args(c: Code, open: number, f: Frame): Val[] {
    const close = c.m[open]!;
    const out: Val[] = [];
    if (close < 0) return out;
    let from = open + 1;
    for (let j = open + 1; j <= close; j++) {
      if (j === close || (c.t[j]!.v === ',' && c.t[j]!.k === 'op')) {
        if (j > from) out.push(this.expr(c, from, j, f));
        from = j + 1;
      } else j = this.skipBracket(c, j);
    }
    return out;
  }

  /** `name(...)` at p.i (the `(`); leaves p.i after the `)`. */
  protected call(c: Code, p: { i: number }, _e: number, f: Frame, name: string, at: number): Val {
    const open = p.i;
    const close = c.m[open]!;
    if (close < 0) return UNKNOWN;
    p.i = close + 1;
    if (name === 'isset' || name === 'empty') {
      const a = this.args(c, open, f);
      if (a.includes(UNKNOWN)) return UNKNOWN;
      return name === 'isset' ? a.every((x) => x !== null) : a.every((x) => truthy(x) === false);
    }
    return this.invoke(name, this.args(c, open, f), at, f);
  }

  protected callValue(c: Code, p: { i: number }, e: number, f: Frame, callee: Val, at: number): Val {
    const open = p.i;
    const close = c.m[open]!;
    if (close < 0 || close > e) return UNKNOWN;
    p.i = close + 1;
    const args = this.args(c, open, f);
    if (isFn(callee)) return this.callFn(callee, args);
    const name = toStr(callee);
    if (name === UNKNOWN || !/^\\?[A-Za-z_]\w*$/.test(name)) return UNKNOWN;
    return this.invoke(name.replace(/^\\/, '').toLowerCase(), args, at, f);
  }

  private invoke(name: string, args: Val[], at: number, f: Frame): Val {
    this.tick();
    const user = this.fns.get(name);
    if (user) return this.callFn(user, args);
    switch (name) {
      case 'eval':
      case 'assert': {
        const code = toStr(args[0] ?? UNKNOWN);
        if (code === UNKNOWN || (name === 'assert' && !/[;(]/.test(code))) return UNKNOWN;
        this.record(code, at, name);
        // reading the code is work too: an eval in a loop must not tokenize megabytes for free
        this.tick(code.length >> 6);
        // eval runs in the caller's scope: its definitions and assignments stay
        if (this.depth < MAX_DEPTH) {
          const sub = codeOf(name === 'eval' ? code : `${code};`);
          this.depth++;
          try {
            this.hoist(sub);
            this.block(sub, 0, sub.t.length, f);
          } catch (x) {
            if (!(x instanceof Return)) throw x;
          } finally {
            this.depth--;
          }
        }
        return null;
      }
      case 'create_function': {
        const params = toStr(args[0] ?? UNKNOWN);
        const body = toStr(args[1] ?? UNKNOWN);
        if (params === UNKNOWN || body === UNKNOWN) return UNKNOWN;
        this.record(body, at, name);
        const sub = codeOf(`function(${params}){${body}}`);
        return sub.t[1]?.v === '(' ? (this.fnAt(sub, 1) ?? UNKNOWN) : UNKNOWN;
      }
      case 'preg_replace': {
        const pat = toStr(args[0] ?? UNKNOWN);
        const rep = toStr(args[1] ?? UNKNOWN);
        if (pat !== UNKNOWN && rep !== UNKNOWN && /^(.)[\s\S]*\1[a-z]*e[a-z]*$/i.test(pat)) this.record(rep, at, name);
        return UNKNOWN;
      }
      case 'call_user_func':
        return args.length > 0 ? this.callNamed(args[0]!, args.slice(1), at, f) : UNKNOWN;
      case 'call_user_func_array':
        return args[1] instanceof PArr ? this.callNamed(args[0]!, args[1].values(), at, f) : UNKNOWN;
      case 'array_map': {
        const list = args[1];
        if (!(list instanceof PArr) || args.length !== 2) return UNKNOWN;
        const out = new PArr();
        for (const [k, v] of list.m) out.set(k, this.callNamed(args[0]!, [v], at, f));
        return out;
      }
      case 'define': {
        const n = toStr(args[0] ?? UNKNOWN);
        if (n !== UNKNOWN && args[1] !== undefined) this.consts.set(n.toLowerCase(), args[1]);
        return true;
      }
      case 'defined': {
        const n = toStr(args[0] ?? UNKNOWN);
        return n === UNKNOWN ? UNKNOWN : this.consts.has(n.toLowerCase()) ? true : UNKNOWN;
      }
      case 'constant': {
        const n = toStr(args[0] ?? UNKNOWN);
        return n === UNKNOWN ? UNKNOWN : (this.consts.get(n.toLowerCase()) ?? UNKNOWN);
      }
      case 'function_exists': {
        const n = toStr(args[0] ?? UNKNOWN);
        return n === UNKNOWN ? UNKNOWN : this.fns.has(n.toLowerCase()) || builtin(n.toLowerCase(), [], () => {}) !== undefined ? true : UNKNOWN;
      }
    }
    const v = builtin(name, args, (n) => this.tick(n));
    return v === undefined ? UNKNOWN : v;
  }

  private callNamed(callee: Val, args: Val[], at: number, f: Frame): Val {
    if (isFn(callee)) return this.callFn(callee, args);
    const name = toStr(callee);
    return name === UNKNOWN || !/^\\?[A-Za-z_]\w*$/.test(name) ? UNKNOWN : this.invoke(name.replace(/^\\/, '').toLowerCase(), args, at, f);
  }

  protected callFn(fn: Fn, args: Val[]): Val {
    if (this.depth >= MAX_DEPTH) return UNKNOWN;
    const frame: Frame = new Map();
    for (const [k, v] of fn.bound ?? []) frame.set(k, { v: v instanceof PArr ? v.copy() : v });
    fn.params.forEach((prm, k) => {
      const a = args[k];
      frame.set(prm.name, { v: a !== undefined ? (a instanceof PArr ? a.copy() : a) : prm.def ? this.expr(fn.code, prm.def[0], prm.def[1], frame) : null });
    });
    this.depth++;
    try {
      this.block(fn.code, fn.body[0], fn.body[1], frame);
    } catch (x) {
      if (x instanceof Return) return x.v;
      if (x instanceof Break || x instanceof Continue) return null;
      throw x;
    } finally {
      this.depth--;
    }
    return null;
  }

  private record(code: string, at: number, sink: string): void {
    const key = `${sink}:${code.length}:${code.slice(0, 200)}`;
    if (this.seen.has(key) || this.found.length >= MAX_FOUND) return;
    this.seen.add(key);
    this.found.push({ code, at, sink });
  }
}
