/**
 * A small VBScript interpreter for the decoders classic ASP shells hide their code behind:
 * `Execute(DeCode("Li#uhtxhvw..."))` where DeCode walks the string with Mid/Asc/Chr in a loop,
 * shifts, XORs with a key or splits on a separator. Constant folding (asp-fold.ts) reads
 * expressions; a decoder is a program, so the page's constant part is run: its top-level
 * statements and the Functions and Subs they call, with everything the page cannot know (the
 * request, the session, COM objects) an unknown value that poisons whatever uses it. Each code
 * string the run hands to Execute / ExecuteGlobal / Eval is returned with the offset of the
 * call, and asp.ts analyzes it as a decoded layer: the decoding is a transparent step, what it
 * runs is judged.
 *
 * Hostile input: parsing is one pass over the tokens; the run is bounded by a step count, a
 * call depth, a cap on string and array sizes, and the file's time budget (checkBudget).
 * A branch on an unknown condition runs every arm (a shell's `If Request("p") = "x" Then
 * Execute(...)` still shows its payload); a loop with unknown bounds is skipped.
 */
import { UNKNOWN, work, num, compare, truthy, tokenize, serverCode, MAX_ARRAY, type Tok, type Val } from './asp-vb.js';
import { EVALUATORS, Exit, STORES, OutOfSteps, stepBudget, VbExpr, type FnDef, type Frame, type RunCode } from './asp-vb-expr.js';

export type { RunCode } from './asp-vb-expr.js';

const MAX_DEPTH = 24;

export class VbRun extends VbExpr {
  private depth = 0;

  constructor(code: string) {
    super(multiByteStrings(code, tokenize(serverCode(code)) ?? []));
    let payload = 0;
    for (const t of this.t) if (t.k === 'str' && t.v.length > payload) payload = t.v.length;
    this.maxSteps = stepBudget(payload);
  }

  run(): RunCode[] {
    if (this.t.length === 0) return this.found;
    const top: Array<[number, number]> = [];
    let from = 0;
    // Function / Sub definitions are hoisted; the rest is the top level
    for (let i = 0; i < this.t.length; i++) {
      const tk = this.t[i]!;
      if (tk.k !== 'id' || !this.lineStart(i)) continue;
      let j = i;
      if (/^(?:public|private)$/.test(tk.v) && this.t[i + 1]?.k === 'id') j++;
      if (this.t[j]!.v === 'default') j++;
      const kw = this.t[j]!.v;
      if (kw !== 'function' && kw !== 'sub') continue;
      const end = this.findEnd(j + 1, kw);
      if (end === -1) continue;
      this.define(j, end, kw === 'sub');
      top.push([from, i]);
      from = this.lineEnd(end + 1);
      i = from - 1;
    }
    top.push([from, this.t.length]);
    try {
      for (const [s, e] of top) this.block(s, e, this.globals);
    } catch (e) {
      if (!(e instanceof OutOfSteps) && !(e instanceof Exit)) throw e;
    }
    return this.found;
  }

  private lineStart(i: number): boolean {
    return i === 0 || this.t[i - 1]!.k === 'nl';
  }

  private lineEnd(i: number): number {
    while (i < this.t.length && this.t[i]!.k !== 'nl') {
      this.tick();
      i++;
    }
    return i;
  }

  /** Index of the `End <kw>` token after `from`, or -1. */
  private findEnd(from: number, kw: string): number {
    for (let i = from; i < this.t.length; i++) {
      this.tick();
      if (this.t[i]!.v === 'end' && this.t[i + 1]?.v === kw && this.t[i]!.k === 'id') return i;
      // a nested definition means the end is missing
      if ((this.t[i]!.v === 'function' || this.t[i]!.v === 'sub') && this.lineStart(i) && i > from) return -1;
    }
    return -1;
  }

  private define(kwAt: number, endAt: number, isSub: boolean): void {
    const t = this.t;
    const name = t[kwAt + 1];
    if (name?.k !== 'id') return;
    const params: string[] = [];
    const byVal: boolean[] = [];
    let i = kwAt + 2;
    if (t[i]?.v === '(') {
      i++;
      let val = false;
      while (i < endAt && t[i]!.v !== ')') {
        const tk = t[i]!;
        if (tk.k === 'id' && tk.v === 'byval') val = true;
        else if (tk.k === 'id' && tk.v !== 'byref' && tk.v !== 'optional') {
          params.push(tk.v);
          byVal.push(val);
          val = false;
          if (t[i + 1]?.v === '(' && t[i + 2]?.v === ')') i += 2;
        }
        i++;
      }
    }
    this.fns.set(name.v, { params, byVal, s: this.lineEnd(i), e: endAt, isSub });
  }

  // ---- statements ----

  /** Runs the statements in tokens [s, e). */
  private block(s: number, e: number, f: Frame): void {
    let i = s;
    while (i < e) {
      if (this.t[i]!.k === 'nl') {
        i++;
        continue;
      }
      i = this.statement(i, e, f);
    }
  }

  /** Runs one statement starting at `i`; returns the index after it. */
  private statement(i: number, e: number, f: Frame): number {
    this.step();
    const t = this.t;
    const tk = t[i]!;
    const end = Math.min(this.lineEnd(i), e);
    if (tk.k !== 'id') return end;
    switch (tk.v) {
      case 'dim':
      case 'redim':
      case 'public':
      case 'private':
      case 'const': {
        // `Dim a(10)` makes an array; `Const x = 1` assigns
        let j = i + 1;
        if (t[j]?.v === 'preserve' || t[j]?.v === 'const') j++;
        while (j < end) {
          const name = t[j];
          if (name?.k !== 'id') break;
          if (t[j + 1]?.v === '=') {
            const [v, after] = this.expr(j + 2, end, f);
            this.assign(name.v, v, f);
            j = after;
          } else if (t[j + 1]?.v === '(') {
            const close = this.closeParen(j + 1, end);
            const [n] = close > j + 2 ? this.expr(j + 2, close, f) : [null];
            const size = typeof n === 'number' && n >= 0 && n < MAX_ARRAY ? Math.floor(n) + 1 : 0;
            this.assign(name.v, new Array<Val>(size).fill(null), f);
            j = close + 1;
          } else {
            if (tk.v !== 'redim' && !this.lookup(name.v, f, true)) f.vars.set(name.v, null);
            j++;
          }
          if (t[j]?.v === ',') j++;
          else break;
        }
        return end;
      }
      case 'set':
        return this.statement(i + 1, e, f);
      case 'call':
        this.callStatement(i + 1, end, f);
        return end;
      case 'exit': {
        const what = t[i + 1]?.v ?? '';
        throw new Exit(what);
      }
      case 'if':
        return this.ifStatement(i, e, f);
      case 'for':
        return this.forStatement(i, e, f);
      case 'do':
        return this.doStatement(i, e, f);
      case 'while':
        return this.whileStatement(i, e, f);
      case 'select':
        return this.selectStatement(i, e, f);
      case 'on':
      case 'option':
      case 'randomize':
        return end;
      default:
        break;
    }
    if (EVALUATORS.has(tk.v)) {
      const [v] = this.expr(i + 1, end, f);
      this.record(tk, v);
      return end;
    }
    // assignment: `x = e`, `x(i) = e`
    if (t[i + 1]?.v === '=') {
      const [v] = this.expr(i + 2, end, f);
      this.assign(tk.v, v, f);
      return end;
    }
    if (t[i + 1]?.v === '(') {
      const close = this.closeParen(i + 1, end);
      if (close !== -1 && t[close + 1]?.v === '=') {
        const arr = this.lookup(tk.v, f);
        const [idx] = this.expr(i + 2, close, f);
        const [v] = this.expr(close + 2, end, f);
        if (Array.isArray(arr) && typeof idx === 'number' && idx >= 0 && idx < arr.length) arr[Math.floor(idx)] = v;
        else if (STORES.has(tk.v) && typeof idx === 'string') this.stored.set(`${tk.v}:${idx.toLowerCase()}`, v);
        else this.assign(tk.v, UNKNOWN, f);
        return end;
      }
    }
    this.callStatement(i, end, f);
    return end;
  }

  private callStatement(i: number, end: number, f: Frame): void {
    const name = this.t[i];
    if (name?.k !== 'id') return;
    const def = this.fns.get(name.v);
    if (!def) {
      // a method or unknown procedure: its arguments may still evaluate code (`x.y Eval(...)` is rare); skip
      return;
    }
    let s = i + 1;
    let e = end;
    if (this.t[s]?.v === '(' && this.closeParen(s, end) === end - 1) {
      s++;
      e = end - 1;
    }
    // a bare variable passed to a Sub is passed by reference: what the Sub sets comes back
    const args: Val[] = [];
    const refs: Array<string | undefined> = [];
    let i2 = s;
    while (i2 < e) {
      const a = this.t[i2]!;
      refs.push(a.k === 'id' && (this.t[i2 + 1]?.v === ',' || i2 + 1 === e) ? a.v : undefined);
      const [v, after] = this.expr(i2, e, f);
      args.push(v);
      i2 = after;
      if (this.t[i2]?.v === ',') i2++;
      else break;
    }
    this.invoke(name.v, def, args, f, refs);
  }

  private ifStatement(i: number, e: number, f: Frame): number {
    const t = this.t;
    let then = -1;
    const lineEnd = Math.min(this.lineEnd(i), e);
    for (let j = i + 1; j < lineEnd; j++)
      if (t[j]!.k === 'id' && t[j]!.v === 'then') {
        then = j;
        break;
      }
    if (then === -1) return lineEnd;
    const [c] = this.expr(i + 1, then, f);
    // single-line If: `If c Then a : b Else d` (the tokenizer turned `:` into line breaks, so
    // a single-line If is one whose `Then` is followed by code on the same source line)
    const sameLine = then + 1 < e && t[then + 1]!.k !== 'nl';
    if (sameLine) {
      const stop = this.singleLineEnd(then + 1, e);
      let elseAt = -1;
      for (let j = then + 1; j < stop; j++) if (this.tick() && t[j]!.k === 'id' && t[j]!.v === 'else' && this.statementStart(j)) elseAt = j;
      const thenEnd = elseAt === -1 ? stop : elseAt;
      if (c === UNKNOWN || truthy(c)) this.block(then + 1, thenEnd, f);
      if (elseAt !== -1 && (c === UNKNOWN || !truthy(c))) this.block(elseAt + 1, stop, f);
      return stop;
    }
    // block If: arms up to the matching End If
    const arms: Array<{ cond: number; s: number; e: number }> = [];
    let depth = 0;
    let armStart = then + 1;
    let armCond = i + 1;
    let condEnd = then;
    let endIf = -1;
    for (let j = then + 1; j < e; j++) {
      this.tick();
      const tk = t[j]!;
      if (tk.k !== 'id' || !this.statementStart(j)) continue;
      if (tk.v === 'if') {
        // nested block If (a single-line If closes itself)
        const th = this.thenOnLine(j, e);
        if (th !== -1 && (t[th + 1]?.k === 'nl' || th + 1 >= e)) depth++;
      } else if (tk.v === 'end' && t[j + 1]?.v === 'if') {
        if (depth === 0) {
          arms.push({ cond: armCond * 1e7 + condEnd, s: armStart, e: j });
          endIf = j;
          break;
        }
        depth--;
      } else if (depth === 0 && (tk.v === 'elseif' || tk.v === 'else')) {
        arms.push({ cond: armCond * 1e7 + condEnd, s: armStart, e: j });
        if (tk.v === 'elseif') {
          const th = this.thenOnLine(j, e);
          armCond = j + 1;
          condEnd = th === -1 ? j + 1 : th;
          armStart = th === -1 ? this.lineEnd(j) : th + 1;
        } else {
          armCond = -1;
          condEnd = -1;
          armStart = j + 1;
        }
      }
    }
    if (endIf === -1) return this.lineEnd(then);
    let unknown = false;
    for (const [k, arm] of arms.entries()) {
      const cs = Math.floor(arm.cond / 1e7);
      const ce = arm.cond % 1e7;
      let take: boolean | 'maybe';
      if (k === 0) take = c === UNKNOWN ? 'maybe' : truthy(c);
      else if (cs < 0) take = unknown ? 'maybe' : true;
      else {
        const [v] = this.expr(cs, ce, f);
        take = v === UNKNOWN ? 'maybe' : truthy(v);
      }
      if (take === false) continue;
      this.block(arm.s, arm.e, f);
      if (take === true && !unknown) break;
      unknown = true;
    }
    return this.lineEnd(endIf + 1);
  }

  private thenOnLine(j: number, e: number): number {
    const le = Math.min(this.lineEnd(j), e);
    for (let k = j + 1; k < le; k++) if (this.t[k]!.k === 'id' && this.t[k]!.v === 'then') return k;
    return -1;
  }

  /** Whether token `j` begins a statement (line start, or after `Then` / `Else`). */
  private statementStart(j: number): boolean {
    const p = this.t[j - 1];
    return !p || p.k === 'nl' || (p.k === 'id' && (p.v === 'then' || p.v === 'else'));
  }

  /** End of a single-line If: the next newline (its `:` breaks belong to it). */
  private singleLineEnd(from: number, e: number): number {
    for (let j = from; j < e; j++) if (this.tick() && this.t[j]!.k === 'nl' && this.t[j]!.v === '\n') return j;
    return e;
  }

  private forStatement(i: number, e: number, f: Frame): number {
    const t = this.t;
    const body = this.lineEnd(i);
    const next = this.matchingEnd(
      body,
      e,
      (k) => k === 'for',
      (j) => t[j]!.v === 'next',
    );
    if (next === -1) return body;
    const after = this.lineEnd(next);
    if (t[i + 1]?.v === 'each') {
      const v = t[i + 2]?.v ?? '';
      const inAt = t[i + 3]?.v === 'in' ? i + 4 : -1;
      if (inAt === -1) return after;
      const [coll] = this.expr(inAt, body, f);
      if (!Array.isArray(coll)) return after;
      for (const x of coll.slice()) {
        this.assign(v, x, f);
        if (!this.loopBody(body, next, f)) break;
      }
      return after;
    }
    const v = t[i + 1]?.v ?? '';
    let toAt = -1;
    let stepAt = -1;
    for (let j = i + 2; j < body; j++) {
      if (t[j]!.k === 'id' && t[j]!.v === 'to' && toAt === -1) toAt = j;
      else if (t[j]!.k === 'id' && t[j]!.v === 'step') stepAt = j;
    }
    if (t[i + 2]?.v !== '=' || toAt === -1) return after;
    const [a] = this.expr(i + 3, toAt, f);
    const [b] = this.expr(toAt + 1, stepAt === -1 ? body : stepAt, f);
    const [st] = stepAt === -1 ? [1] : this.expr(stepAt + 1, body, f);
    const from = num(a);
    const to = num(b);
    const by = num(st);
    if (from === undefined || to === undefined || by === undefined || by === 0) {
      // the loop variable and whatever the body sets are unknown from here on
      this.assign(v, UNKNOWN, f);
      return after;
    }
    this.assign(v, from, f);
    for (;;) {
      const cur = num(this.lookup(v, f) ?? null);
      if (cur === undefined || (by > 0 ? cur > to : cur < to)) break;
      if (!this.loopBody(body, next, f)) break;
      const now = num(this.lookup(v, f) ?? null);
      if (now === undefined) break;
      this.assign(v, now + by, f);
    }
    return after;
  }

  /** Runs a loop body; false when it exits the loop. */
  private loopBody(s: number, e: number, f: Frame): boolean {
    try {
      this.block(s, e, f);
      return true;
    } catch (x) {
      if (x instanceof Exit && (x.what === 'for' || x.what === 'do')) return false;
      throw x;
    }
  }

  /** The token index of the statement that closes the block opened before `s` (nesting counted). */
  private matchingEnd(s: number, e: number, opens: (kw: string) => boolean, closes: (j: number) => boolean): number {
    let depth = 0;
    for (let j = s; j < e; j++) {
      this.tick();
      const tk = this.t[j]!;
      if (tk.k !== 'id' || !this.statementStart(j)) continue;
      if (closes(j)) {
        if (depth === 0) return j;
        depth--;
      } else if (opens(tk.v)) depth++;
    }
    return -1;
  }

  private doStatement(i: number, e: number, f: Frame): number {
    const t = this.t;
    const head = this.lineEnd(i);
    const loop = this.matchingEnd(
      head,
      e,
      (k) => k === 'do',
      (j) => t[j]!.v === 'loop',
    );
    if (loop === -1) return head;
    const tail = this.lineEnd(loop);
    const pre = t[i + 1]?.v;
    const post = t[loop + 1]?.v;
    for (let n = 0; ; n++) {
      if (pre === 'while' || pre === 'until') {
        const [c] = this.expr(i + 2, head, f);
        if (c === UNKNOWN) return tail;
        if (truthy(c) !== (pre === 'while')) break;
      }
      if (!this.loopBody(head, loop, f)) break;
      if (post === 'while' || post === 'until') {
        const [c] = this.expr(loop + 2, tail, f);
        if (c === UNKNOWN) return tail;
        if (truthy(c) !== (post === 'while')) break;
      }
      if (n > this.maxSteps) break;
    }
    return tail;
  }

  private whileStatement(i: number, e: number, f: Frame): number {
    const t = this.t;
    const head = this.lineEnd(i);
    const wend = this.matchingEnd(
      head,
      e,
      (k) => k === 'while',
      (j) => t[j]!.v === 'wend',
    );
    if (wend === -1) return head;
    for (;;) {
      const [c] = this.expr(i + 1, head, f);
      if (c === UNKNOWN || !truthy(c)) break;
      if (!this.loopBody(head, wend, f)) break;
    }
    return this.lineEnd(wend);
  }

  private selectStatement(i: number, e: number, f: Frame): number {
    const t = this.t;
    const head = this.lineEnd(i);
    const endSel = this.matchingEnd(
      head,
      e,
      (k) => k === 'select',
      (j) => t[j]!.v === 'end' && t[j + 1]?.v === 'select',
    );
    if (endSel === -1 || t[i + 1]?.v !== 'case') return head;
    const [x] = this.expr(i + 2, head, f);
    const cases: number[] = [];
    let depth = 0;
    for (let j = head; j < endSel; j++) {
      this.tick();
      const tk = t[j]!;
      if (tk.k !== 'id' || !this.statementStart(j)) continue;
      if (tk.v === 'select') depth++;
      else if (tk.v === 'end' && t[j + 1]?.v === 'select') depth--;
      else if (tk.v === 'case' && depth === 0) cases.push(j);
    }
    for (const [k, c] of cases.entries()) {
      const le = this.lineEnd(c);
      const bodyEnd = cases[k + 1] ?? endSel;
      let hit: boolean | 'maybe' = false;
      if (t[c + 1]?.v === 'else') hit = true;
      else if (x === UNKNOWN) hit = 'maybe';
      else
        for (const v of this.argList(c + 1, le)) {
          if (v === UNKNOWN) hit = 'maybe';
          else if (compare(x, v) === 0) {
            hit = true;
            break;
          }
        }
      if (hit === false) continue;
      this.block(le, bodyEnd, f);
      if (hit === true) break;
    }
    return this.lineEnd(endSel + 1);
  }

  // ---- variables and calls ----

  private assign(name: string, v: Val, f: Frame): void {
    if (f !== this.globals && !f.vars.has(name) && this.globals.vars.has(name) && name !== f.fn) this.globals.vars.set(name, v);
    else f.vars.set(name, v);
  }

  protected invoke(name: string, def: FnDef, args: Val[], f: Frame, refs?: Array<string | undefined>): Val {
    if (this.depth >= MAX_DEPTH) return UNKNOWN;
    const frame: Frame = { vars: new Map(), fn: name };
    for (const [k, p] of def.params.entries()) frame.vars.set(p, args[k] ?? null);
    frame.vars.set(name, null);
    this.depth++;
    try {
      this.block(def.s, def.e, frame);
    } catch (x) {
      if (!(x instanceof Exit) || (x.what !== 'function' && x.what !== 'sub')) {
        this.depth--;
        throw x;
      }
    }
    this.depth--;
    // ByRef parameters (VBScript's default) write back into the caller's variables
    if (refs)
      def.params.forEach((p, k) => {
        const r = refs[k];
        if (r && !def.byVal[k]) this.assign(r, frame.vars.get(p) ?? null, f);
      });
    return def.isSub ? null : (frame.vars.get(name) ?? null);
  }
}

/**
 * The page is read byte per character; VBScript counts characters of the page's code page. A
 * cipher that indexes a substitution table with InStr/Mid (`sod(InStr(vmd, c) - 1)`) over
 * Chinese text only lines up when each double-byte character is one character: string
 * literals are decoded as UTF-8 when the page is valid UTF-8, else as GBK (the code page of
 * the servers these pages are written for). Token offsets stay those of the page.
 */
function multiByteStrings(code: string, toks: Tok[]): Tok[] {
  // a decoded layer already holds characters (some beyond one byte): nothing to re-read
  if (!/[\x80-\xff]/.test(code) || /[^\x00-\xff]/.test(code)) return toks;
  const bytes = Buffer.from(code, 'latin1');
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    decoder = new TextDecoder('utf-8');
  } catch {
    decoder = new TextDecoder('gbk');
  }
  for (const t of toks) if (t.k === 'str' && /[\x80-\xff]/.test(t.v)) t.v = decoder.decode(Buffer.from(t.v, 'latin1'));
  return toks;
}

/** The code strings a page's constant part hands to Execute / ExecuteGlobal / Eval. */
export function evaluatedCode(code: string): RunCode[] {
  work.chars = 0;
  return new VbRun(code).run();
}
