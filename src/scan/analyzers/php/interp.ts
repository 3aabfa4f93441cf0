/**
 * A small evaluator for the constant part of a PHP file: what encoders (PHPJiaMi-style `$OOO0O0`
 * tables, create_function() over an array of characters, a decoder function fed a blob) run
 * before their payload reaches eval(). Constant folding reads expressions; a decoder is a
 * program, so the file's statements are run: assignments, arrays, string offsets, arithmetic,
 * if/for/while/foreach, user functions, closures and create_function(), calls through variables
 * holding a function's name, and the string built-ins (interp-lib.ts). The request, files,
 * objects and everything else the file cannot know are UNKNOWN and poison what uses them.
 * Each code string handed to eval / assert / create_function / preg_replace /e is returned with
 * the offset of the call, and run in place (eval runs in the caller's scope), so a payload
 * that decodes its own next layer is followed too.
 *
 * Hostile input: one pass per statement over the tokens; the run is bounded by a step count
 * (statements, expression operands and the built-ins' string work), a call depth, string and
 * array size caps, and the file's time budget (checkBudget). A branch on an unknown condition
 * runs every arm; a loop whose condition is unknown stops.
 */
import { PArr, UNKNOWN, truthy, type Code } from './interp-lib.js';
import { Break, Continue, OutOfSteps, Return, Stop, codeOf, type Frame, type Ref, type RunCode } from './interp-expr.js';
import { PhpCalls } from './interp-calls.js';
import { callIndex, type AnalyzerContext } from '../../context.js';
import { looksLikeCode } from '../../decode.js';
import { longLines } from '../../text.js';

export type { RunCode } from './interp-expr.js';

export class PhpRun extends PhpCalls {
  constructor(
    private readonly main: Code,
    maxSteps: number,
  ) {
    super(maxSteps);
  }

  run(): RunCode[] {
    try {
      this.hoist(this.main);
      this.block(this.main, 0, this.main.t.length, this.globals);
    } catch (e) {
      if (!(e instanceof OutOfSteps || e instanceof Return || e instanceof Stop || e instanceof Break || e instanceof Continue)) throw e;
    }
    return this.found;
  }

  /** Registers every named function of `c` (PHP declares them before the code runs). */
  protected hoist(c: Code): void {
    const t = c.t;
    for (let i = 0; i + 2 < t.length; i++) {
      if (t[i]!.k !== 'id' || t[i]!.v !== 'function') continue;
      let j = i + 1;
      if (t[j]?.v === '&') j++;
      if (t[j]?.k !== 'id' || t[j + 1]?.v !== '(') continue;
      const fn = this.fnAt(c, j + 1);
      if (fn && !this.fns.has(t[j]!.v)) this.fns.set(t[j]!.v, fn);
    }
  }

  // ---------------------------------------------------------------- statements

  protected block(c: Code, s: number, e: number, f: Frame): void {
    let i = s;
    while (i < e) i = this.stmt(c, i, e, f);
  }

  /** Runs the statement at `i`; returns the index after it. */
  private stmt(c: Code, i: number, e: number, f: Frame): number {
    this.tick();
    const t = c.t[i];
    // an arm cut off by the end of the code (`if (1)`, `elseif` last): nothing to run
    if (t === undefined || i >= e) return Math.max(i + 1, e);
    if (t.k === 'op') {
      if (t.v === ';') return i + 1;
      if (t.v === '{') {
        const end = c.m[i]! > i ? c.m[i]! : e;
        this.block(c, i + 1, end, f);
        return end + 1;
      }
    }
    if (t.k === 'id') {
      switch (t.v) {
        case 'if':
          return this.ifStmt(c, i, e, f);
        case 'while':
          return this.whileStmt(c, i, e, f);
        case 'for':
          return this.forStmt(c, i, e, f);
        case 'foreach':
          return this.foreachStmt(c, i, e, f);
        case 'do': {
          const bodyEnd = this.stmtEnd(c, i + 1, e);
          // `do { } while (cond);`: the body once, then as a while loop
          this.loopBody(c, i + 1, f);
          const w = bodyEnd;
          if (c.t[w]?.v !== 'while' || c.t[w + 1]?.v !== '(') return bodyEnd;
          const ce = c.m[w + 1]!;
          for (let n = 0; truthy(this.expr(c, w + 2, ce, f)) === true && n < 1e6; n++) if (this.loopBody(c, i + 1, f)) break;
          return this.endOfSimple(c, ce + 1, e);
        }
        case 'function':
          if (c.t[i + 1]?.k === 'id' || (c.t[i + 1]?.v === '&' && c.t[i + 2]?.k === 'id')) return this.stmtEnd(c, i, e);
          break;
        case 'class':
        case 'interface':
        case 'trait':
        case 'abstract':
        case 'final':
        case 'switch':
        case 'try':
        case 'declare':
          return t.v === 'try' ? this.tryStmt(c, i, e, f) : this.stmtEnd(c, i, e);
        case 'namespace':
        case 'use':
        case 'goto':
        case 'unset':
        case 'static':
        case 'const':
          return this.endOfSimple(c, i, e);
        case 'return': {
          const end = this.endOfSimple(c, i + 1, e);
          throw new Return(end - 1 > i + 1 ? this.expr(c, i + 1, end - 1, f) : null);
        }
        case 'break':
        case 'continue': {
          const n = c.t[i + 1]?.k === 'num' ? Math.max(1, Number(c.t[i + 1]!.v)) : 1;
          throw t.v === 'break' ? new Break(n) : new Continue(n);
        }
        case 'exit':
        case 'die':
          // stopping here would hide what the rest runs when the exit sits in a branch taken on
          // an unknown condition; a top-level exit before the payload is rare in encoders
          return this.endOfSimple(c, i, e);
        case 'global': {
          const end = this.endOfSimple(c, i + 1, e);
          for (let j = i + 1; j < end; j++) if (c.t[j]!.k === 'var') f.set(c.t[j]!.v, this.globalRef(c.t[j]!.v));
          return end;
        }
        case 'echo':
        case 'print': {
          const end = this.endOfSimple(c, i + 1, e);
          this.exprList(c, i + 1, end - 1, f);
          return end;
        }
      }
    }
    const end = this.endOfSimple(c, i, e);
    this.expr(c, i, c.t[end - 1]?.v === ';' ? end - 1 : end, f);
    return end;
  }

  private globalRef(name: string): Ref {
    let r = this.globals.get(name);
    if (!r) {
      r = { v: null };
      this.globals.set(name, r);
    }
    return r;
  }

  /** Index just past a simple statement's `;` (brackets skipped). */
  private endOfSimple(c: Code, i: number, e: number): number {
    while (i < e) {
      const v = c.t[i]!.v;
      if (c.t[i]!.k === 'op') {
        if (v === ';') return i + 1;
        if (v === '}' || v === ')' || v === ']') return i;
        i = this.skipBracket(c, i);
      }
      i++;
    }
    return e;
  }

  /** Index just past the (compound or simple) statement at `i`, without running it. */
  private stmtEnd(c: Code, i: number, e: number): number {
    const t = c.t[i];
    if (!t) return e;
    if (t.v === '{' && t.k === 'op') return (c.m[i]! > i ? c.m[i]! : e) + 1;
    if (t.k === 'id' && (t.v === 'if' || t.v === 'while' || t.v === 'for' || t.v === 'foreach' || t.v === 'switch' || t.v === 'elseif')) {
      const p = i + 1;
      if (c.t[p]?.v !== '(' || c.m[p]! < 0) return this.endOfSimple(c, i, e);
      let j = this.stmtEnd(c, c.m[p]! + 1, e);
      if (t.v === 'if' || t.v === 'elseif') while (c.t[j]?.v === 'elseif' || c.t[j]?.v === 'else') j = c.t[j]!.v === 'else' ? this.stmtEnd(c, j + 1, e) : this.stmtEnd(c, j, e);
      return j;
    }
    // declarations and other block statements: up to the end of their first brace block
    if (t.k === 'id' && /^(?:function|class|interface|trait|abstract|final|try|declare|do)$/.test(t.v)) {
      let j = i;
      while (j < e && c.t[j]!.v !== '{' && c.t[j]!.v !== ';') j = this.skipBracket(c, j) + 1;
      if (c.t[j]?.v !== '{') return j + 1;
      j = (c.m[j]! > j ? c.m[j]! : e) + 1;
      while (t.v === 'try' && (c.t[j]?.v === 'catch' || c.t[j]?.v === 'finally')) {
        while (j < e && c.t[j]!.v !== '{') j++;
        j = (c.m[j]! > j ? c.m[j]! : e) + 1;
      }
      if (t.v === 'do' && c.t[j]?.v === 'while') j = this.endOfSimple(c, j, e);
      return j;
    }
    return this.endOfSimple(c, i, e);
  }

  private ifStmt(c: Code, i: number, e: number, f: Frame): number {
    const end = this.stmtEnd(c, i, e);
    let j = i;
    let anyUnknown = false;
    while (j < end) {
      const kw = c.t[j]!.v;
      if (kw === 'else' && c.t[j + 1]?.v !== 'if') {
        if (anyUnknown) this.maybe(() => this.stmt(c, j + 1, end, f));
        else this.stmt(c, j + 1, end, f);
        break;
      }
      const p = kw === 'else' ? j + 2 : j + 1;
      const close = c.m[p]!;
      if (close < 0) return end;
      const cond = truthy(this.expr(c, p + 1, close, f));
      const bodyEnd = this.stmtEnd(c, close + 1, end);
      // an unknown condition runs this arm and the following ones (every arm is a possibility);
      // a return or break there ends only that possibility
      if (cond === true) this.stmt(c, close + 1, bodyEnd, f);
      else if (cond === UNKNOWN) this.maybe(() => this.stmt(c, close + 1, bodyEnd, f));
      if (cond === UNKNOWN) anyUnknown = true;
      if (cond === true && !anyUnknown) break;
      j = bodyEnd;
    }
    return end;
  }

  /** Runs a statement that may or may not run: control leaving it (return, break) is dropped. */
  private maybe(run: () => void): void {
    try {
      run();
    } catch (x) {
      if (!(x instanceof Return || x instanceof Break || x instanceof Continue || x instanceof Stop)) throw x;
    }
  }

  /** Runs a loop body; true when the loop must stop (break). */
  private loopBody(c: Code, s: number, f: Frame): boolean {
    try {
      this.stmt(c, s, this.stmtEnd(c, s, c.t.length), f);
    } catch (x) {
      if (x instanceof Break) {
        if (x.n > 1) throw new Break(x.n - 1);
        return true;
      }
      if (x instanceof Continue) {
        if (x.n > 1) throw new Continue(x.n - 1);
        return false;
      }
      throw x;
    }
    return false;
  }

  private whileStmt(c: Code, i: number, e: number, f: Frame): number {
    const end = this.stmtEnd(c, i, e);
    const close = c.m[i + 1]!;
    if (close < 0) return end;
    while (truthy(this.expr(c, i + 2, close, f)) === true) if (this.loopBody(c, close + 1, f)) break;
    return end;
  }

  private forStmt(c: Code, i: number, e: number, f: Frame): number {
    const end = this.stmtEnd(c, i, e);
    const close = c.m[i + 1]!;
    if (close < 0) return end;
    const parts: Array<[number, number]> = [];
    let s = i + 2;
    for (let j = s; j <= close; j++) {
      if (j === close || (c.t[j]!.v === ';' && c.t[j]!.k === 'op')) {
        parts.push([s, j]);
        s = j + 1;
      } else j = this.skipBracket(c, j);
    }
    if (parts.length !== 3) return end;
    const [init, cond, step] = parts as [[number, number], [number, number], [number, number]];
    this.exprList(c, init[0], init[1], f);
    for (;;) {
      if (cond[1] > cond[0] && truthy(this.exprList(c, cond[0], cond[1], f)) !== true) break;
      if (this.loopBody(c, close + 1, f)) break;
      this.exprList(c, step[0], step[1], f);
    }
    return end;
  }

  private foreachStmt(c: Code, i: number, e: number, f: Frame): number {
    const end = this.stmtEnd(c, i, e);
    const close = c.m[i + 1]!;
    if (close < 0) return end;
    let as = i + 2;
    while (as < close && c.t[as]!.v !== 'as') as = this.skipBracket(c, as) + 1;
    const subject = this.expr(c, i + 2, as, f);
    const vars = c.t.slice(as + 1, close).filter((t) => t.k === 'var');
    if (!(subject instanceof PArr) || vars.length === 0) return end;
    const hasKey = c.t.slice(as + 1, close).some((t) => t.v === '=>');
    for (const [k, v] of [...subject.m]) {
      if (hasKey && vars.length >= 2) {
        this.ref(f, vars[0]!.v).v = k;
        this.ref(f, vars[1]!.v).v = v;
      } else this.ref(f, vars[0]!.v).v = v;
      if (this.loopBody(c, close + 1, f)) break;
    }
    return end;
  }

  private tryStmt(c: Code, i: number, e: number, f: Frame): number {
    const end = this.stmtEnd(c, i, e);
    if (c.t[i + 1]?.v === '{') this.stmt(c, i + 1, end, f);
    return end;
  }
}

/**
 * The step budget: decoders walk their payload a character at a time (an LZ decompressor over a
 * 300 KB blob takes some ten million steps), so it grows with the longest literal.
 */
export function phpStepBudget(c: Code): number {
  let longest = 0;
  for (const t of c.t) if (t.k === 'str' && t.v.length > longest) longest = t.v.length;
  return Math.max(400000, Math.min(12000000, longest * 40));
}

/** Runs the constant part of `text`; the code strings it hands to code sinks. */
export function runConstantPhp(text: string): RunCode[] {
  const c = codeOf(text);
  if (c.t.length === 0) return [];
  const run = new PhpRun(c, phpStepBudget(c));
  try {
    return run.run();
  } catch (e) {
    // nesting deeper than the stack (a hostile file of 100,000 parentheses): what was found stands
    if (e instanceof RangeError) return run.found;
    throw e;
  }
}

/** Calls that turn stored text into code or names: a file calling none of them has nothing to decode. */
const DECODERS = [
  'base64_decode',
  'gzinflate',
  'gzuncompress',
  'gzdecode',
  'str_rot13',
  'strrev',
  'urldecode',
  'rawurldecode',
  'hex2bin',
  'pack',
  'chr',
  'ord',
  'strtr',
  'str_replace',
  'substr',
  '$',
];
// preg_replace /e is followed by the run, but as a gate it would let in every application file
const CODE_SINKS = ['eval', 'assert', 'create_function'];

/**
 * Encoded payloads read by running the file: when code sinks and decoders are both called and a
 * long literal holds the payload, the file's constant PHP is run and each code string it hands to
 * a sink that the file does not spell out is analyzed as a decoded layer.
 */
export function evaluatedPayloads(ctx: AnalyzerContext): void {
  const calls = callIndex(ctx);
  if (ctx.size > 2 * 1024 * 1024 || !calls.hasAnyOf(DECODERS)) return;
  // the comment stripper can lose the tail after a huge literal: the sink is looked up in the text too
  // preg_replace() runs code only with /e, which an encoder hides: it counts next to a payload line
  if (!calls.hasAnyOf(CODE_SINKS) && !/\beval\s*\(/i.test(ctx.text) && !(calls.has('preg_replace') && !longLines(ctx.text, 2000).next().done)) return;
  // the payload: a long literal with no space in it
  if (!/['"][^'"\s]{64}/.test(ctx.text)) return;
  let n = 0;
  // the longest first: the payload, not the one-line steps that build its decoder's names
  const found = runConstantPhp(ctx.text).sort((a, b) => b.code.length - a.code.length);
  for (const r of found) {
    if (n >= 3) break;
    const code = r.code.trim();
    // code the file spells out is read by the other passes already
    if (code.length < 8 || ctx.text.includes(code.slice(0, 400)) || !looksLikeCode(code)) continue;
    ctx.layers.push({
      text: r.code,
      offset: r.at,
      how: `code the file decodes at run time and hands to ${r.sink}() (read by running its constant PHP)`,
      language: 'php',
      ran: true,
    });
    if (n++ === 0) ctx.ev.add('obfuscation', `code decoded by the file's own PHP and handed to ${r.sink}()`, 5, r.at, r.sink.length);
  }
}
