/**
 * The expression half of the constant PHP evaluator (interp.ts runs the statements): values,
 * operators with PHP's precedence and conversions, assignment to variables and array
 * elements, and calls of user functions, closures, create_function() results and the built-ins
 * (interp-lib.ts). The code sinks (eval, assert, create_function, preg_replace /e) record the
 * code string they get; eval also runs it in the caller's scope, as PHP does.
 */
import { budgetMs, checkBudget } from '../../budget.js';
import { bracketMatches, tokenizePhp } from './tokens.js';
import { MAX_STR, PArr, UNKNOWN, bitStrings, looseEq, numLiteral, toNum, toStr, truthy, type Code, type Fn, type Val } from './interp-lib.js';

export interface RunCode {
  code: string;
  at: number;
  sink: string;
}

export class OutOfSteps extends Error {}
export class Return {
  constructor(readonly v: Val) {}
}
export class Break {
  constructor(readonly n: number) {}
}
export class Continue {
  constructor(readonly n: number) {}
}
export class Stop {}

/**
 * Wall-clock cap of one run: 2 s of the default 5 s file budget, or 40% of a larger one. The
 * step budget (phpStepBudget) is the cap that decides on a machine with time to spare; the
 * clock only keeps a slow or busy machine inside the file's budget. With a generous budget
 * (`--timeout 60000`, the evaluation's 120 s) the steps alone decide, so the same file gets the
 * same score however loaded the machine is.
 */
function runMs(): number {
  return Math.max(2000, budgetMs() * 0.4);
}
export const MAX_DEPTH = 24;
export const MAX_FOUND = 8;
const ASSIGN_OPS = new Set(['=', '.=', '+=', '-=', '*=', '/=', '%=', '^=', '|=', '&=', '??=', '<<=', '>>=', '**=']);
/** Binary operators by precedence (higher binds tighter). */
const PREC: Record<string, number> = {
  or: 1,
  xor: 2,
  and: 3,
  '??': 5,
  '||': 6,
  '&&': 7,
  '|': 8,
  '^': 9,
  '&': 10,
  '==': 11,
  '!=': 11,
  '===': 11,
  '!==': 11,
  '<>': 11,
  '<=>': 11,
  '<': 12,
  '>': 12,
  '<=': 12,
  '>=': 12,
  '<<': 13,
  '>>': 13,
  '+': 14,
  '-': 14,
  '.': 14,
  '*': 15,
  '/': 15,
  '%': 15,
  '**': 16,
};

export interface Ref {
  v: Val;
}
export type Frame = Map<string, Ref>;

export function codeOf(text: string): Code {
  const t = tokenizePhp(text, 400000);
  return { t, m: bracketMatches(t) };
}

export abstract class PhpExpr {
  readonly found: RunCode[] = [];
  protected steps = 0;
  protected depth = 0;
  protected readonly globals: Frame = new Map();
  protected readonly fns = new Map<string, Fn>();
  protected readonly consts = new Map<string, Val>();

  constructor(protected readonly maxSteps: number) {}

  /** Runs statements [s, e) of `c` in frame `f` (interp.ts). */
  protected abstract block(c: Code, s: number, e: number, f: Frame): void;
  /** Declares the named functions of `c`. */
  protected abstract hoist(c: Code): void;
  /** `name(...)` with p.i at its `(` (interp-calls.ts). */
  protected abstract call(c: Code, p: { i: number }, e: number, f: Frame, name: string, at: number): Val;
  /** A call through a value (a name string or a function value) with p.i at its `(`. */
  protected abstract callValue(c: Code, p: { i: number }, e: number, f: Frame, callee: Val, at: number): Val;

  /** When the run gives up: well inside the file's time budget, so the passes after it still run. */
  private readonly deadline = Date.now() + runMs();

  protected tick(n = 1): void {
    this.steps += n;
    if (this.steps > this.maxSteps) throw new OutOfSteps();
    if ((this.steps & 4095) < n && Date.now() > this.deadline) throw new OutOfSteps();
    checkBudget();
  }

  /** The function whose parameter list opens at `open`: parameters, then an optional `use`, then the body. */
  protected fnAt(c: Code, open: number): Fn | undefined {
    const close = c.m[open]!;
    if (close < 0) return undefined;
    const params: Fn['params'] = [];
    let i = open + 1;
    while (i < close) {
      let byRef = false;
      let name = '';
      while (i < close && c.t[i]!.k !== 'var') {
        if (c.t[i]!.v === '&') byRef = true;
        i++;
      }
      if (i >= close) break;
      name = c.t[i]!.v;
      i++;
      let def: [number, number] | undefined;
      if (c.t[i]?.v === '=') {
        const s = ++i;
        while (i < close && c.t[i]!.v !== ',') i = this.skipBracket(c, i) + 1;
        def = [s, i];
      }
      params.push({ name, byRef, def });
      while (i < close && c.t[i]!.v !== ',') i++;
      i++;
    }
    let b = close + 1;
    if (c.t[b]?.v === 'use' && c.t[b + 1]?.v === '(') b = c.m[b + 1]! + 1;
    if (c.t[b]?.v === ':') while (b < c.t.length && c.t[b]!.v !== '{') b++;
    if (c.t[b]?.v !== '{' || c.m[b]! < 0) return undefined;
    return { kind: 'fn', params, body: [b + 1, c.m[b]!], code: c };
  }

  protected skipBracket(c: Code, i: number): number {
    const v = c.t[i]!.v;
    return (v === '(' || v === '[' || v === '{') && c.m[i]! > i ? c.m[i]! : i;
  }

  // ---------------------------------------------------------------- expressions

  protected ref(f: Frame, name: string): Ref {
    let r = f.get(name);
    if (!r) {
      r = { v: null };
      f.set(name, r);
    }
    return r;
  }

  /** Comma-separated expressions; the value of the last. */
  protected exprList(c: Code, s: number, e: number, f: Frame): Val {
    let v: Val = null;
    let from = s;
    for (let j = s; j <= e; j++) {
      if (j === e || (c.t[j]!.v === ',' && c.t[j]!.k === 'op')) {
        if (j > from) v = this.expr(c, from, j, f);
        from = j + 1;
      } else j = this.skipBracket(c, j);
    }
    return v;
  }

  /** The value of tokens [s, e) as one expression (what is left over after it is ignored). */
  expr(c: Code, s: number, e: number, f: Frame): Val {
    if (e <= s) return UNKNOWN;
    return this.binary(c, { i: s }, e, f, 0);
  }

  private binary(c: Code, p: { i: number }, e: number, f: Frame, min: number): Val {
    let left = this.unary(c, p, e, f);
    for (;;) {
      const t = c.t[p.i];
      if (!t || p.i >= e) return left;
      if (t.v === '?' && min <= 4) {
        // ternary: both arms are evaluated when the condition is unknown, one otherwise
        p.i++;
        const cond = truthy(left);
        let a: Val = left;
        if (c.t[p.i]?.v !== ':') a = this.binary(c, p, e, f, 5);
        if (c.t[p.i]?.v !== ':') return UNKNOWN;
        p.i++;
        const b = this.binary(c, p, e, f, 4);
        left = cond === UNKNOWN ? UNKNOWN : cond ? a : b;
        continue;
      }
      const op = t.k === 'op' || t.k === 'id' ? t.v : '';
      const prec = PREC[op];
      if (prec === undefined || prec < min) return left;
      p.i++;
      const right = this.binary(c, p, e, f, prec + 1);
      left = this.apply(op, left, right);
    }
  }

  private apply(op: string, a: Val, b: Val): Val {
    this.tick();
    if (op === '??') return a === null ? b : a;
    if (op === '||' || op === 'or' || op === '&&' || op === 'and' || op === 'xor') {
      const x = truthy(a);
      const y = truthy(b);
      if (op === '||' || op === 'or') return x === true || y === true ? true : x === UNKNOWN || y === UNKNOWN ? UNKNOWN : false;
      if (op === '&&' || op === 'and') return x === false || y === false ? false : x === UNKNOWN || y === UNKNOWN ? UNKNOWN : true;
      return x === UNKNOWN || y === UNKNOWN ? UNKNOWN : x !== y;
    }
    if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN;
    if (op === '.') {
      const x = toStr(a);
      const y = toStr(b);
      return x === UNKNOWN || y === UNKNOWN || x.length + y.length > MAX_STR ? UNKNOWN : x + y;
    }
    if (op === '==' || op === '!=' || op === '<>') {
      const eq = looseEq(a, b);
      return eq === UNKNOWN ? UNKNOWN : op === '==' ? eq : !eq;
    }
    if (op === '===' || op === '!==') return (a === b || (typeof a === 'number' && a === b)) === (op === '===');
    if ((op === '^' || op === '|' || op === '&') && typeof a === 'string' && typeof b === 'string') return bitStrings(a, b, op);
    const x = toNum(a);
    const y = toNum(b);
    if (x === UNKNOWN || y === UNKNOWN) return UNKNOWN;
    switch (op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        return x * y;
      case '**':
        return x ** y;
      case '/':
        return y === 0 ? UNKNOWN : x / y;
      case '%':
        return Math.trunc(y) === 0 ? UNKNOWN : Math.trunc(x) % Math.trunc(y);
      case '<':
        return x < y;
      case '>':
        return x > y;
      case '<=':
        return x <= y;
      case '>=':
        return x >= y;
      case '<=>':
        return x < y ? -1 : x > y ? 1 : 0;
      case '<<':
        return Math.trunc(x) << Math.trunc(y);
      case '>>':
        return Math.trunc(x) >> Math.trunc(y);
      case '^':
        return Math.trunc(x) ^ Math.trunc(y);
      case '|':
        return Math.trunc(x) | Math.trunc(y);
      case '&':
        return Math.trunc(x) & Math.trunc(y);
    }
    return UNKNOWN;
  }

  private unary(c: Code, p: { i: number }, e: number, f: Frame): Val {
    const t = c.t[p.i];
    if (!t || p.i >= e) return UNKNOWN;
    if (t.k === 'op') {
      if (t.v === '@' || t.v === '+') {
        p.i++;
        return t.v === '+' ? toNum(this.unary(c, p, e, f)) : this.unary(c, p, e, f);
      }
      if (t.v === '!') {
        p.i++;
        const v = truthy(this.unary(c, p, e, f));
        return v === UNKNOWN ? UNKNOWN : !v;
      }
      if (t.v === '-') {
        p.i++;
        const v = toNum(this.unary(c, p, e, f));
        return v === UNKNOWN ? UNKNOWN : -v;
      }
      if (t.v === '~') {
        p.i++;
        const v = this.unary(c, p, e, f);
        if (typeof v === 'string') return Array.from(v, (ch) => String.fromCharCode(~ch.charCodeAt(0) & 0xff)).join('');
        const n = toNum(v);
        return n === UNKNOWN ? UNKNOWN : ~Math.trunc(n);
      }
      if ((t.v === '++' || t.v === '--') && c.t[p.i + 1]?.k === 'var') {
        p.i++;
        const r = this.ref(f, c.t[p.i]!.v);
        p.i++;
        const n = toNum(r.v);
        r.v = n === UNKNOWN ? UNKNOWN : n + (t.v === '++' ? 1 : -1);
        return r.v;
      }
      // casts: (int) (string) ...
      if (t.v === '(' && c.t[p.i + 1]?.k === 'id' && c.t[p.i + 2]?.v === ')' && /^(?:int|integer|string|bool|boolean|float|double|array)$/.test(c.t[p.i + 1]!.v)) {
        const kind = c.t[p.i + 1]!.v;
        p.i += 3;
        const v = this.unary(c, p, e, f);
        if (kind === 'string') return toStr(v);
        if (kind === 'int' || kind === 'integer') {
          const n = toNum(v);
          return n === UNKNOWN ? UNKNOWN : Math.trunc(n);
        }
        return kind === 'float' || kind === 'double' ? toNum(v) : v;
      }
    }
    return this.postfix(c, p, e, f);
  }

  /** A primary value and its postfix chain: `[k]`, `{k}`, `(args)`, `->`, `::`, assignment, `++`. */
  private postfix(c: Code, p: { i: number }, e: number, f: Frame): Val {
    this.tick();
    const start = p.i;
    const t = c.t[p.i]!;
    // an assignable path: $name, $$name, ${expr}, then [k] / {k} pieces
    const lv = this.lvalue(c, p, e, f);
    if (lv) {
      const op = c.t[p.i];
      if (op && p.i < e && op.k === 'op' && ASSIGN_OPS.has(op.v)) {
        p.i++;
        if (op.v === '=' && c.t[p.i]?.v === '&') p.i++;
        const rhs = this.binary(c, p, e, f, 0);
        return this.assign(f, lv, op.v, rhs);
      }
      if (op && p.i < e && (op.v === '++' || op.v === '--')) {
        p.i++;
        const old = this.read(f, lv);
        const n = toNum(old);
        this.assign(f, lv, '=', n === UNKNOWN ? UNKNOWN : n + (op.v === '++' ? 1 : -1));
        return old;
      }
      return this.chain(c, p, e, f, this.read(f, lv), start);
    }
    p.i = start;
    let v: Val = UNKNOWN;
    if (t.k === 'str') v = t.vars?.length ? this.interpolate(t.v, f) : t.v;
    else if (t.k === 'num') v = numLiteral(t.v);
    else if (t.k === 'bt') v = UNKNOWN;
    else if (t.k === 'op' && t.v === '(') {
      const close = c.m[p.i]!;
      if (close < 0 || close > e) return UNKNOWN;
      v = this.exprList(c, p.i + 1, close, f);
      p.i = close + 1;
      return this.chain(c, p, e, f, v, start);
    } else if (t.k === 'op' && t.v === '[') {
      const close = c.m[p.i]!;
      if (close < 0 || close > e) return UNKNOWN;
      v = this.arrayLit(c, p.i + 1, close, f);
      p.i = close + 1;
      return this.chain(c, p, e, f, v, start);
    } else if (t.k === 'id') {
      const next = c.t[p.i + 1];
      if ((t.v === 'array' || t.v === 'list') && next?.v === '(') {
        const close = c.m[p.i + 1]!;
        if (close < 0) return UNKNOWN;
        v = t.v === 'array' ? this.arrayLit(c, p.i + 2, close, f) : UNKNOWN;
        p.i = close + 1;
        return this.chain(c, p, e, f, v, start);
      }
      if (t.v === 'function' || t.v === 'fn') {
        const open = c.t[p.i + 1]?.v === '&' ? p.i + 2 : p.i + 1;
        const fn = c.t[open]?.v === '(' ? this.fnAt(c, open) : undefined;
        if (!fn) return UNKNOWN;
        const useOpen = c.m[open]! + 1;
        if (c.t[useOpen]?.v === 'use') {
          fn.bound = new Map();
          for (let j = useOpen + 2; j < c.m[useOpen + 1]!; j++) if (c.t[j]!.k === 'var') fn.bound.set(c.t[j]!.v, f.get(c.t[j]!.v)?.v ?? null);
        }
        p.i = fn.body[1] + 1;
        return this.chain(c, p, e, f, fn, start);
      }
      if (t.v === 'new') {
        p.i++;
        while (p.i < e && (c.t[p.i]!.k === 'id' || c.t[p.i]!.k === 'var')) p.i++;
        if (c.t[p.i]?.v === '(') p.i = c.m[p.i]! + 1;
        return UNKNOWN;
      }
      if (next?.v === '(') {
        p.i++;
        v = this.call(c, p, e, f, t.v, t.at);
        return this.chain(c, p, e, f, v, start);
      }
      p.i++;
      if (next?.v === '::') return this.chain(c, p, e, f, UNKNOWN, start);
      v = this.constant(t.v);
    } else return UNKNOWN;
    p.i++;
    return this.chain(c, p, e, f, v, start);
  }

  private constant(name: string): Val {
    if (name === 'true') return true;
    if (name === 'false') return false;
    if (name === 'null') return null;
    if (name === 'php_eol') return '\n';
    return this.consts.get(name) ?? UNKNOWN;
  }

  /** Postfix pieces after a value: element picks, calls through it, member access. */
  private chain(c: Code, p: { i: number }, e: number, f: Frame, v: Val, start: number): Val {
    for (let n = 0; n < 64 && p.i < e; n++) {
      const t = c.t[p.i]!;
      if (t.k !== 'op') return v;
      if (t.v === '[' || t.v === '{') {
        const close = c.m[p.i]!;
        if (close < 0 || close > e) return UNKNOWN;
        const k = this.exprList(c, p.i + 1, close, f);
        p.i = close + 1;
        v = this.index(v, k);
      } else if (t.v === '(') {
        v = this.callValue(c, p, e, f, v, c.t[start]!.at);
      } else if (t.v === '->' || t.v === '?->' || t.v === '::') {
        p.i++;
        if (c.t[p.i]?.k === 'id' || c.t[p.i]?.k === 'var') p.i++;
        if (c.t[p.i]?.v === '(') p.i = c.m[p.i]! + 1;
        v = UNKNOWN;
      } else return v;
    }
    return v;
  }

  private index(v: Val, k: Val): Val {
    if (v instanceof PArr) {
      if (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'boolean') return UNKNOWN;
      return v.get(typeof k === 'boolean' ? Number(k) : k) ?? null;
    }
    if (typeof v === 'string') {
      const n = toNum(k);
      if (n === UNKNOWN) return UNKNOWN;
      const at = n < 0 ? v.length + Math.trunc(n) : Math.trunc(n);
      return at >= 0 && at < v.length ? v[at]! : '';
    }
    return v === null ? null : UNKNOWN;
  }

  private arrayLit(c: Code, s: number, e: number, f: Frame): Val {
    const a = new PArr();
    let from = s;
    for (let j = s; j <= e; j++) {
      if (j === e || (c.t[j]!.v === ',' && c.t[j]!.k === 'op')) {
        if (j > from) {
          let arrow = -1;
          for (let k = from; k < j; k++) {
            if (c.t[k]!.v === '=>') {
              arrow = k;
              break;
            }
            k = this.skipBracket(c, k);
          }
          if (arrow === -1) a.set(undefined, this.expr(c, from, j, f));
          else {
            const key = this.expr(c, from, arrow, f);
            if (typeof key !== 'string' && typeof key !== 'number') return UNKNOWN;
            a.set(key, this.expr(c, arrow + 1, j, f));
          }
        }
        from = j + 1;
      } else j = this.skipBracket(c, j);
    }
    return a;
  }

  /** `"a$x b{$y}"` with known scalars filled in; element and member reads are left unknown. */
  private interpolate(s: string, f: Frame): Val {
    let bad = false;
    const out = s.replace(/\{\$([A-Za-z_\x80-\uffff][\w\x80-\uffff]*)\}|\$([A-Za-z_\x80-\uffff][\w\x80-\uffff]*)(\[|->)?/g, (_m, a?: string, b?: string, more?: string) => {
      const v = more ? UNKNOWN : toStr(f.get((a ?? b)!)?.v ?? null);
      if (v === UNKNOWN) bad = true;
      return v === UNKNOWN ? '' : v;
    });
    return bad ? UNKNOWN : out;
  }

  // ---------------------------------------------------------------- assignment

  /** Parses an assignable path at p.i, or undefined (p.i unspecified). */
  private lvalue(c: Code, p: { i: number }, e: number, f: Frame): { name: string; keys: Array<Val | undefined> } | undefined {
    const t = c.t[p.i];
    if (!t) return undefined;
    let name: string | undefined;
    if (t.k === 'var') {
      name = t.v;
      p.i++;
    } else if (t.k === 'op' && t.v === '$') {
      // $$x or ${expr}
      const n = c.t[p.i + 1];
      if (n?.k === 'var') {
        const v = toStr(f.get(n.v)?.v ?? null);
        if (v === UNKNOWN) return undefined;
        name = v;
        p.i += 2;
      } else if (n?.v === '{' && c.m[p.i + 1]! > 0) {
        const v = toStr(this.exprList(c, p.i + 2, c.m[p.i + 1]!, f));
        if (v === UNKNOWN) return undefined;
        name = v;
        p.i = c.m[p.i + 1]! + 1;
      }
    }
    if (name === undefined || name === 'this') return undefined;
    const keys: Array<Val | undefined> = [];
    while (p.i < e && (c.t[p.i]!.v === '[' || (c.t[p.i]!.v === '{' && c.t[p.i]!.k === 'op'))) {
      const close = c.m[p.i]!;
      if (close < 0 || close > e) return undefined;
      keys.push(close === p.i + 1 ? undefined : this.exprList(c, p.i + 1, close, f));
      p.i = close + 1;
    }
    return { name, keys };
  }

  private read(f: Frame, lv: { name: string; keys: Array<Val | undefined> }): Val {
    if (lv.name === 'GLOBALS') {
      const k = lv.keys[0];
      return typeof k === 'string' ? this.read(this.globals, { name: k, keys: lv.keys.slice(1) }) : UNKNOWN;
    }
    let v: Val = f.get(lv.name)?.v ?? null;
    for (const k of lv.keys) v = k === undefined ? UNKNOWN : this.index(v, k);
    return v;
  }

  private assign(f: Frame, lv: { name: string; keys: Array<Val | undefined> }, op: string, rhs: Val): Val {
    this.tick();
    if (lv.name === 'GLOBALS' && lv.keys.length > 0) {
      const k = lv.keys[0];
      if (typeof k !== 'string') return rhs;
      return this.assign(this.globals, { name: k, keys: lv.keys.slice(1) }, op, rhs);
    }
    let value = rhs;
    if (op !== '=') {
      const old = this.read(f, lv);
      const bin = op.slice(0, -1);
      value = bin === '??' ? (old === null ? rhs : old) : this.apply(bin, old, rhs);
    }
    if (value instanceof PArr && lv.keys.length === 0) value = value.copy();
    const r = this.ref(f, lv.name);
    if (lv.keys.length === 0) {
      r.v = value;
      return value;
    }
    if (r.v === null || r.v === '') r.v = new PArr();
    let cur: Val = r.v;
    for (let k = 0; k < lv.keys.length; k++) {
      const key = lv.keys[k];
      if (!(cur instanceof PArr) || key === UNKNOWN || (key !== undefined && typeof key !== 'string' && typeof key !== 'number')) {
        // a write we cannot follow leaves the whole variable unknown
        r.v = UNKNOWN;
        return value;
      }
      if (k === lv.keys.length - 1) {
        if (!cur.set(key, value)) r.v = UNKNOWN;
        return value;
      }
      let next: Val | undefined = key === undefined ? undefined : cur.get(key);
      if (next === undefined || next === null) {
        next = new PArr();
        cur.set(key, next);
      }
      cur = next;
    }
    return value;
  }
}
