/**
 * VBScript expressions for the page interpreter (asp-interp.ts), with the language's
 * precedence: `^`, unary `-`, `*` `/`, `\\`, `Mod`, `+` `-`, `&`, comparisons, `Not`, `And`,
 * `Or`, `Xor`. An unknown operand makes the result unknown; calls go to the page's own
 * functions (run by the subclass), array elements, constants and the built-ins.
 */
import { checkBudget } from '../budget.js';
import { work, BUILTIN_NAMES, CONSTANTS, OBJECTS, UNKNOWN, arith, bitwise, builtin, compare, joinText, num, str, type Tok, type Val } from './asp-vb.js';

export const MAX_STEPS = 400_000;
/**
 * A decoder walks its payload a character at a time, a dozen or more steps per character: a
 * page that carries a 100 KB cipher text needs more than the base budget to show what it runs.
 * The budget grows with the page's longest string literal (STEPS_PER_BYTE steps a character)
 * up to MAX_STEPS_LARGE; a page without a long literal keeps the base budget, so big pages of
 * ordinary code cost no more than before.
 */
export const MAX_STEPS_LARGE = 2_000_000;
const STEPS_PER_BYTE = 24;

/** The step budget of a run whose longest string literal is `payload` characters long. */
export function stepBudget(payload: number): number {
  return Math.min(MAX_STEPS_LARGE, Math.max(MAX_STEPS, payload * STEPS_PER_BYTE));
}
const MAX_FOUND = 16;

export interface FnDef {
  params: string[];
  byVal: boolean[];
  /** Token range of the body. */
  s: number;
  e: number;
  isSub: boolean;
}

/** `Exit For` / `Exit Do` / `Exit Function` / `Exit Sub`, unwinding to the construct it leaves. */
export class Exit {
  constructor(readonly what: string) {}
}

export class OutOfSteps extends Error {}

export interface Frame {
  vars: Map<string, Val>;
  fn?: string;
}

/** What one run found: code strings handed to Execute/ExecuteGlobal/Eval, by the call's offset. */
export interface RunCode {
  at: number;
  name: string;
  text: string;
}

/** Statements and functions that evaluate code strings. */
export const EVALUATORS = new Set(['execute', 'executeglobal', 'eval']);
/** Objects whose indexed values outlive the statement: `Session("k")`, `Application("k")`. */
export const STORES = new Set(['session', 'application']);

// Precedence levels, loosest first: `Xor`, `Or`, `And`, `Not` (prefix), comparisons, `&`,
// `+` `-`, `Mod`, `\\`, `*` `/`, unary `-` `+` (prefix), `^`.
const XOR = 1;
const NOT = 4;
const UNARY = 11;
const COMPARISONS = new Set(['=', '<>', '<', '>', '<=', '>=']);

/** The level of the binary operator `tk`, or 0. */
function binaryLevel(tk: Tok): number {
  const v = tk.v;
  if (tk.k === 'op') {
    if (v === '&') return 6;
    if (v === '+' || v === '-') return 7;
    if (v === '\\') return 9;
    if (v === '*' || v === '/') return 10;
    if (v === '^') return 12;
    return COMPARISONS.has(v) ? 5 : 0;
  }
  if (tk.k !== 'id') return 0;
  return v === 'xor' ? 1 : v === 'or' ? 2 : v === 'and' ? 3 : v === 'mod' ? 8 : v === 'is' ? 5 : 0;
}

/** `a op b` for the binary operator `op` of `level`. */
function combine(level: number, op: string, a: Val, b: Val): Val {
  switch (level) {
    case 1:
      return bitwise(a, b, (x, y) => x ^ y);
    case 2:
      return bitwise(a, b, (x, y) => x | y);
    case 3:
      return bitwise(a, b, (x, y) => x & y);
    case 5: {
      if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN;
      const c = compare(a, b);
      return op === '=' || op === 'is' ? c === 0 : op === '<>' ? c !== 0 : op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
    }
    case 6:
      return a === UNKNOWN || b === UNKNOWN || Array.isArray(a) || Array.isArray(b) ? UNKNOWN : joinText(str(a), str(b));
    case 7: {
      if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN;
      if (op === '+' && typeof a === 'string' && typeof b === 'string') return joinText(a, b);
      const x = num(a);
      const y = num(b);
      // `"ab" + 1`: VBScript fails; a number and a non-numeric string join here, as a guess is worse
      const plain = (v: Val) => v === null || typeof v !== 'object';
      if (x === undefined || y === undefined) return op === '+' && plain(a) && plain(b) ? joinText(str(a), str(b)) : UNKNOWN;
      return op === '+' ? x + y : x - y;
    }
    case 8:
      return arith(a, b, (x, y) => (y === 0 ? Number.NaN : Math.round(x) % Math.round(y)));
    case 9:
      return arith(a, b, (x, y) => (y === 0 ? Number.NaN : Math.trunc(Math.round(x) / Math.round(y))));
    case 10:
      return arith(a, b, op === '*' ? (x, y) => x * y : (x, y) => (y === 0 ? Number.NaN : x / y));
    default:
      return arith(a, b, (x, y) => x ** y);
  }
}

export abstract class VbExpr {
  protected readonly fns = new Map<string, FnDef>();
  protected readonly globals: Frame = { vars: new Map() };
  private steps = 0;
  /** This run's step budget (stepBudget of the page's length; set by the subclass). */
  protected maxSteps = MAX_STEPS;
  readonly found: RunCode[] = [];
  /**
   * Session / Application values this run stored: a page that decodes once into the session
   * (`Session("k") = DeCode(...)` then `Execute Session("k")`) runs what it stored; a key the
   * run never set is the visitor's earlier state, unknown.
   */
  protected readonly stored = new Map<string, Val>();

  constructor(protected readonly t: Tok[]) {}

  protected abstract invoke(name: string, def: FnDef, args: Val[], f: Frame, refs?: Array<string | undefined>): Val;

  private ticks = 0;

  /**
   * One token looked at while finding a block's end: every 64th counts as a step, so scans that
   * revisit tokens (a thousand unclosed `For`s each looking for its `Next`) stay bounded. Always true.
   */
  protected tick(): boolean {
    if ((++this.ticks & 63) === 0) this.step();
    return true;
  }

  protected step(): void {
    if (++this.steps + work.chars / 16 > this.maxSteps) throw new OutOfSteps();
    checkBudget();
  }

  protected record(tk: Tok, v: Val): void {
    if (typeof v === 'string' && v.length >= 4 && this.found.length < MAX_FOUND && !this.found.some((x) => x.at === tk.at && x.text === v))
      this.found.push({ at: tk.at, name: tk.v, text: v });
  }

  /** `Name args` / `Name(args)` / `Call Name(args)` as a statement. */
  protected lookup(name: string, f: Frame, own = false): Val | undefined {
    if (f.vars.has(name)) return f.vars.get(name);
    if (own) return undefined;
    if (this.globals.vars.has(name)) return this.globals.vars.get(name);
    return undefined;
  }

  protected closeParen(open: number, e: number): number {
    let depth = 0;
    for (let j = open; j < e; j++) {
      this.tick();
      const v = this.t[j]!;
      if (v.k !== 'op') continue;
      if (v.v === '(') depth++;
      else if (v.v === ')' && --depth === 0) return j;
    }
    return -1;
  }

  /** Comma-separated expressions in [s, e). */
  protected argList(s: number, e: number, f?: Frame): Val[] {
    const out: Val[] = [];
    let i = s;
    while (i < e) {
      const [v, after] = this.expr(i, e, f ?? this.globals);
      out.push(v);
      i = after;
      if (this.t[i]?.v === ',') i++;
      else break;
    }
    return out;
  }

  // ---- expressions (VBScript precedence: ^, unary -, * /, \, Mod, + -, &, comparison, Not, And, Or, Xor) ----

  private cur = 0;
  private lim = 0;
  private frame: Frame = this.globals;

  /** Evaluates the expression starting at `s` (stopping at `e`, a `,` or an unmatched `)`); returns the value and where it ended. */
  protected expr(s: number, e: number, f: Frame): [Val, number] {
    const saved = [this.cur, this.lim, this.frame] as const;
    this.cur = s;
    this.lim = e;
    this.frame = f;
    let v: Val;
    try {
      v = this.climb(XOR);
    } catch (x) {
      if (x instanceof Exit || x instanceof OutOfSteps) throw x;
      v = UNKNOWN;
    }
    const end = this.cur;
    [this.cur, this.lim, this.frame] = saved;
    return [v, end];
  }

  private peek(): Tok | undefined {
    return this.cur < this.lim ? this.t[this.cur] : undefined;
  }

  private isOp(v: string): boolean {
    const p = this.peek();
    return p !== undefined && (p.k === 'op' || p.k === 'id') && p.v === v;
  }

  /**
   * The expression at `cur` as the level-`min` rule of the grammar reads it (precedence
   * climbing: one call per operator instead of a call per level per operand, with the same
   * reading and the same evaluation order as a function per level).
   */
  private climb(min: number): Val {
    let a = this.operand(min);
    for (;;) {
      const tk = this.peek();
      const level = tk === undefined ? 0 : binaryLevel(tk);
      if (level === 0 || level < min) return a;
      this.cur++;
      const b = this.climb(level + 1);
      a = combine(level, tk!.v, a, b);
    }
  }

  /** The first operand of a level-`min` expression: `Not` (levels up to NOT), unary `-`/`+` (up to UNARY), else a primary. */
  private operand(min: number): Val {
    if (min <= NOT && this.isOp('not')) {
      this.cur++;
      const v = this.climb(NOT);
      return v === UNKNOWN ? UNKNOWN : typeof v === 'boolean' ? !v : num(v) === undefined ? UNKNOWN : ~num(v)!;
    }
    if (min <= UNARY) {
      if (this.isOp('-')) {
        this.cur++;
        return arith(0, this.climb(UNARY), (x, y) => x - y);
      }
      if (this.isOp('+')) {
        this.cur++;
        return this.climb(UNARY);
      }
    }
    return this.primary();
  }

  private primary(): Val {
    this.step();
    const tk = this.peek();
    if (!tk) return UNKNOWN;
    this.cur++;
    if (tk.k === 'str') return tk.v;
    if (tk.k === 'num') return Number(tk.v);
    if (tk.k === 'op') {
      if (tk.v !== '(') return UNKNOWN;
      const v = this.climb(XOR);
      if (this.isOp(')')) this.cur++;
      return v;
    }
    if (tk.k !== 'id') return UNKNOWN;
    const name = tk.v;
    let args: Val[] | undefined;
    let refs: Array<string | undefined> | undefined;
    if (this.isOp('(')) {
      const close = this.closeParen(this.cur, this.lim);
      if (close === -1) return UNKNOWN;
      refs = [];
      args = [];
      let i = this.cur + 1;
      while (i < close) {
        const a = this.t[i]!;
        refs.push(a.k === 'id' && (this.t[i + 1]?.v === ',' || i + 1 === close) ? a.v : undefined);
        const [v, after] = this.expr(i, close, this.frame);
        args.push(v);
        i = after;
        if (this.t[i]?.v === ',') i++;
        else break;
      }
      this.cur = close + 1;
    }
    const local = this.lookup(name, this.frame);
    if (local !== undefined && !(this.frame.fn === name && args)) {
      if (!args) return local;
      if (Array.isArray(local)) {
        const k = num(args[0] ?? null);
        return k !== undefined && k >= 0 && k < local.length ? (local[Math.floor(k)] ?? null) : UNKNOWN;
      }
      return UNKNOWN;
    }
    const def = this.fns.get(name);
    if (def) return this.invoke(name, def, args ?? [], this.frame, refs);
    if (STORES.has(name) && args?.length === 1 && typeof args[0] === 'string') return this.stored.get(`${name}:${args[0].toLowerCase()}`) ?? UNKNOWN;
    if (name in CONSTANTS && !args) return CONSTANTS[name]!;
    if (EVALUATORS.has(name) && args) {
      this.record(tk, args[0] ?? null);
      return UNKNOWN;
    }
    // a variable never assigned is Empty; the page's objects (Request, Session, a COM object's
    // members) are what the page cannot know
    if (!args && !name.includes('.') && !OBJECTS.has(name) && !BUILTIN_NAMES.has(name)) return null;
    return builtin(name, args ?? []);
  }
}
