/**
 * The structure ManagedFlow's passes read, found once per file over the tokens of tokens.ts:
 * the methods (headers, parameters, bodies, the scope of every token) and the assignments,
 * with what counts as one in Java and C#/VB.NET (`x = e`, `x += e`, containers filled with
 * `add`/`append`/`write`, buffers read into, streams copied, `for`/`foreach` variables,
 * lambda parameters). Every walk is bounded by the work cap: linear.
 */
import { checkBudget } from '../../budget.js';
import { FILLERS, JAVA_REQUEST_TYPES, KEYWORDS, MUTATORS, OUTPUTS } from './dataflow-names.js';
import { matchBrackets, tokenize, type Tok } from './tokens.js';

export type Dialect = 'java' | 'cs';

/** Calls that copy the stream they are called on into their first argument. */
const STREAM_COPIES = new Set(['CopyTo', 'CopyToAsync', 'transferTo', 'read', 'readFully', 'readNBytes', 'Read']);
/** Classes whose static `copy(in, out)` fills `out` from `in` (Commons IO, Spring, Guava). */
const COPY_HELPERS = new Set(['IOUtils', 'StreamUtils', 'ByteStreams', 'FileCopyUtils']);

/** C# keywords an operand follows (`new T(..)`, `await x`, `out var v`). */
const CONTINUES = new Set(['new', 'await', 'out', 'ref', 'in', 'is', 'as', 'return', 'throw', 'yield', 'typeof', 'var', 'const', 'static', 'readonly']);
/** C# keywords that join two operands (`x is T`, `x as T`, patterns). */
const JOINS = new Set(['is', 'as', 'and', 'or', 'not', 'with', 'switch', 'when', 'Mod', 'And', 'Or', 'AndAlso', 'OrElse', 'Xor', 'Like', 'Is', 'IsNot']);

export interface Method {
  name: string;
  params: string[];
  /** Token indexes of the body's braces. */
  open: number;
  close: number;
  /** Some `return` hands back request input. */
  retSource: boolean;
  /** Some `return` hands back what a parameter carries. */
  retParams: boolean;
}

export interface Assign {
  scope: number;
  name: string;
  from: number;
  to: number;
  /** `this.x =` or an assignment outside any method: a field, seen by every scope. */
  field: boolean;
}

export abstract class FlowStructure {
  readonly toks: Tok[];
  readonly match: Int32Array;
  readonly methods: Method[] = [];
  /** Token index -> innermost method index (-1 outside any). */
  protected readonly scopeOf: Int32Array;
  protected readonly assigns: Assign[] = [];
  /** `scope:name` for locals and parameters, `name` for fields. */
  readonly tainted = new Set<string>();
  /** Method name -> indexes in `methods`. */
  protected readonly byName = new Map<string, number[]>();
  /** Names of Java request objects (`request`, `req`, parameters typed HttpServletRequest). */
  protected readonly requestVars = new Set<string>(['request', 'req', 'httpRequest', 'servletRequest', 'httpServletRequest']);
  /**
   * Tokens visited by the expression passes, against a cap proportional to the file: nested
   * calls make a range be read once per level, so a hostile file nesting thousands of calls
   * would otherwise cost quadratic time. Past the cap no new taint is found (what was is kept).
   */
  protected work = 0;
  protected readonly workCap: number;
  protected readonly code: string;

  constructor(
    code: string,
    readonly dialect: Dialect,
  ) {
    this.code = code;
    this.toks = tokenize(code);
    this.match = matchBrackets(this.toks);
    this.scopeOf = new Int32Array(this.toks.length).fill(-1);
    this.workCap = 40 * this.toks.length + 200000;
  }

  protected isOp(i: number, v: string): boolean {
    const t = this.toks[i];
    return t !== undefined && t.k === 'op' && t.v === v;
  }

  protected isId(i: number, v?: string): boolean {
    const t = this.toks[i];
    return t !== undefined && t.k === 'id' && (v === undefined || t.v === v);
  }

  /** Method headers: `Type name(params) [throws X] {` and JScript's `function name(params) {`. */
  protected findMethods(): void {
    const toks = this.toks;
    for (let i = 1; i < toks.length; i++) {
      if (!this.isOp(i, '(') || !this.isId(i - 1)) continue;
      const name = toks[i - 1]!.v;
      if (KEYWORDS.has(name)) continue;
      const before = toks[i - 2];
      if (!before) continue;
      const declared =
        (before.k === 'id' && !KEYWORDS.has(before.v) && before.v !== 'return') ||
        // a constructor without modifiers: `T(String c) {` after a field or at the class's start
        (before.k === 'op' && (before.v === ';' || before.v === '{' || before.v === '}') && /^[A-Z]/.test(name)) ||
        (before.k === 'op' && (before.v === '>' || before.v === ']')) ||
        (before.k === 'id' && before.v === 'function');
      if (!declared) continue;
      const close = this.match[i]!;
      if (close < 0) continue;
      let j = close + 1;
      // `throws A, B` (Java), `: base(..)` (C# constructors) are skipped up to the body
      if (this.isId(j, 'throws')) while (j < toks.length && j < close + 40 && !this.isOp(j, '{') && !this.isOp(j, ';')) j++;
      if (this.isOp(j, ':') && this.dialect === 'cs')
        while (j < toks.length && j < close + 40 && !this.isOp(j, '{') && !this.isOp(j, ';')) j = this.isOp(j, '(') && this.match[j]! > j ? this.match[j]! + 1 : j + 1;
      if (!this.isOp(j, '{') || this.match[j]! < 0) continue;
      this.work += close - i;
      if (this.work > this.workCap) break;
      const params: string[] = [];
      let last: string | undefined;
      let typeOfLast = '';
      let prev = '';
      // VB.NET `ByVal name As Type`: the name is the word before `As`
      let typed = false;
      for (let k = i + 1; k <= close; k++) {
        const t = toks[k]!;
        if (k === close || (t.k === 'op' && t.v === ',' && this.depthZero(i, k))) {
          typed = false;
          if (last) {
            params.push(last);
            // a Tomcat valve's `invoke(Request r, ..)` gets the connector's request
            if (this.dialect === 'java' && (JAVA_REQUEST_TYPES.test(typeOfLast) || (typeOfLast === 'Request' && name === 'invoke'))) this.requestVars.add(last);
          }
          last = undefined;
          typeOfLast = '';
          prev = '';
          continue;
        }
        if (t.k === 'op' && t.v === '=') {
          // C# default value: the name is already read
          while (k + 1 < close && !(this.isOp(k + 1, ',') && this.depthZero(i, k + 1))) k++;
          continue;
        }
        if (t.k === 'id' && this.dialect === 'cs' && t.v === 'As') typed = true;
        else if (t.k === 'id' && !typed) {
          typeOfLast = prev;
          prev = t.v;
          last = t.v;
        }
      }
      const open = j;
      const m: Method = { name, params, open, close: this.match[j]!, retSource: false, retParams: false };
      const idx = this.methods.length;
      this.methods.push(m);
      const list = this.byName.get(name);
      if (list) list.push(idx);
      else this.byName.set(name, [idx]);
      // WebSocket handlers: a message is request input
      if (
        /^on(?:Message|BinaryMessage|TextMessage)$/.test(name) ||
        (/^(?:doGet|doPost|doPut|service|_jspService|doFilter|preHandle|handle|invoke)$/.test(name) && this.dialect === 'java')
      ) {
        for (const p of params) if (/req/i.test(p) || /^on/.test(name)) this.tainted.add(`${idx}:${p}`);
        if (!/^on/.test(name)) for (const p of params) if (/req/i.test(p)) this.requestVars.add(p);
      }
    }
    // innermost scope per token, in one sweep: methods come in the order of their bodies
    const stack: number[] = [];
    let next = 0;
    for (let k = 0; k < toks.length; k++) {
      while (stack.length > 0 && this.methods[stack[stack.length - 1]!]!.close < k) stack.pop();
      while (next < this.methods.length && this.methods[next]!.open === k) stack.push(next++);
      if (stack.length > 0) this.scopeOf[k] = stack[stack.length - 1]!;
    }
  }

  /** Whether `k` is at parenthesis depth zero inside the group opened at `open`. */
  protected depthZero(open: number, k: number): boolean {
    // groups inside a parameter list are short (annotations, generics): a bounded look-back
    let depth = 0;
    for (let j = k - 1; j > open && j > k - 64; j--) {
      const t = this.toks[j]!;
      if (t.k !== 'op') continue;
      if (t.v === ')' || t.v === '>') depth++;
      else if (t.v === '(' || t.v === '<') depth--;
    }
    return depth === 0;
  }

  /** Assignments `[T] x = e`, `x += e`, `this.x = e`, `for (T x : e)`, `foreach (var x in e)`. */
  protected findAssignments(): void {
    const toks = this.toks;
    let stmtStart = 0;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.k === 'op' && (t.v === ';' || t.v === '{' || t.v === '}' || t.v === '<%' || t.v === '%>')) {
        stmtStart = i + 1;
        continue;
      }
      if ((i & 1023) === 0) checkBudget();
      if (t.k === 'op' && (t.v === '=' || t.v === '+=') && i > stmtStart) {
        // the assigned name: the last identifier before `=` (skipping an index `x[..] =`)
        let j = i - 1;
        if (this.isOp(j, ']') && this.match[j]! >= 0) j = this.match[j]! - 1;
        if (!this.isId(j)) continue;
        // VB.NET `Dim name As [Ns.]Type = e`: the name is before `As`
        let d = j;
        while (this.isOp(d - 1, '.') && this.isId(d - 2)) d -= 2;
        if (this.isId(d - 1, 'As') && this.isId(d - 2)) j = d - 2;
        const name = toks[j]!.v;
        const field = this.isOp(j - 1, '.') && this.isId(j - 2, 'this');
        let end = i + 1;
        // the right-hand side runs to the statement's end or a top-level `,`/`)` (for headers)
        while (end < toks.length) {
          const u = toks[end]!;
          // VB.NET ends a statement at the line's end: two operands across a line break are two statements
          if (end > i + 1 && this.dialect === 'cs' && this.newStatement(end)) break;
          if (u.k === 'op') {
            if (u.v === ';' || u.v === '}' || u.v === '%>' || u.v === ')' || u.v === ']' || u.v === ',') break;
            if ((u.v === '(' || u.v === '[' || u.v === '{') && this.match[end]! > end) {
              end = this.match[end]! + 1;
              continue;
            }
          }
          end++;
        }
        this.work += end - i;
        if (this.work > this.workCap) break;
        const scope = this.scopeOf[i]!;
        this.assigns.push({ scope, name, from: i + 1, to: end, field: field || scope === -1 });
        if (this.dialect === 'java' && i - 1 === j && this.isId(j - 1) && JAVA_REQUEST_TYPES.test(toks[j - 1]!.v)) this.requestVars.add(name);
        continue;
      }
      // containers and builders filled from the request carry it: `list.add(e)`, `sb.append(e)`
      // and byte streams written to: `bo.write(buf, 0, n)`
      const member = t.k === 'id' && this.isOp(i + 1, '.') && this.isId(i + 2) && this.isOp(i + 3, '(') && !this.isOp(i - 1, '.') ? this.toks[i + 2]!.v : '';
      const fills = member === 'write' || member === 'Write' ? !OUTPUTS.has(t.v) : MUTATORS.has(member);
      if (t.k === 'id' && fills) {
        let close = this.match[i + 3]!;
        // a chain of the same builder's calls fills it too: `sb.append("'").append(x)`
        if (close > i + 3 && member !== 'write' && member !== 'Write')
          while (this.isOp(close + 1, '.') && this.isId(close + 2) && MUTATORS.has(this.toks[close + 2]!.v) && this.isOp(close + 3, '(') && this.match[close + 3]! > close + 3)
            close = this.match[close + 3]!;
        if (close > i + 3) this.assigns.push({ scope: this.scopeOf[i]!, name: t.v, from: i + 4, to: close, field: this.scopeOf[i]! === -1 });
        continue;
      }
      // a buffer read into from a stream carries what the stream carries: `in.read(buf)`
      if (t.k === 'id' && FILLERS.has(member) && this.isId(i + 4) && (this.isOp(i + 5, ')') || this.isOp(i + 5, ','))) {
        this.assigns.push({ scope: this.scopeOf[i]!, name: this.toks[i + 4]!.v, from: i, to: i + 1, field: this.scopeOf[i]! === -1 });
        continue;
      }
      // a stream copied into a variable carries what the stream carries, whatever expression
      // names the stream: `Request.Files[0].InputStream.CopyTo(ms)`, `part.getInputStream().transferTo(bo)`
      if (
        t.k === 'op' &&
        t.v === '.' &&
        this.isId(i + 1) &&
        STREAM_COPIES.has(this.toks[i + 1]!.v) &&
        this.isOp(i + 2, '(') &&
        this.isId(i + 3) &&
        (this.isOp(i + 4, ')') || this.isOp(i + 4, ','))
      ) {
        const from = this.chainStart(i - 1);
        if (from < i - 1) this.assigns.push({ scope: this.scopeOf[i]!, name: this.toks[i + 3]!.v, from, to: i, field: this.scopeOf[i]! === -1 });
        continue;
      }
      // `IOUtils.copy(in, out)` and its kind: the second argument is filled from the first
      if (t.k === 'id' && COPY_HELPERS.has(t.v) && this.isOp(i + 1, '.') && this.isId(i + 2) && /^(?:copy|copyLarge|Copy)$/.test(this.toks[i + 2]!.v) && this.isOp(i + 3, '(')) {
        const args = this.args(i + 3);
        const [a, b] = [args[0], args[1]];
        if (a && b && b[1] - b[0] === 1 && this.isId(b[0]))
          this.assigns.push({ scope: this.scopeOf[i]!, name: this.toks[b[0]]!.v, from: a[0], to: a[1], field: this.scopeOf[i]! === -1 });
        continue;
      }
      // for (T x : e) / foreach (var x in e)
      if (t.k === 'id' && (t.v === 'for' || t.v === 'foreach') && this.isOp(i + 1, '(')) {
        const close = this.match[i + 1]!;
        if (close < 0) continue;
        // (generic element types make the header long: `for (Map.Entry<String, String[]> e : ..)`)
        for (let k = i + 2; k < close && k < i + 40; k++) {
          if ((this.isOp(k, ':') || this.isId(k, 'in')) && this.isId(k - 1)) {
            this.assigns.push({ scope: this.scopeOf[i]!, name: toks[k - 1]!.v, from: k + 1, to: close, field: false });
            break;
          }
        }
        continue;
      }
      // lambda parameters hold what the call's receiver holds: `opt.ifPresent(x -> ..)`, `list.ForEach(c => ..)`
      if (t.k === 'op' && (t.v === '->' || t.v === '=>')) this.lambdaParams(i, stmtStart);
    }
  }

  /**
   * Whether token `k` opens a new VB.NET statement: it and the token before it are both operands
   * (names, literals, a closing bracket before a name) with a line break between them. C# never
   * puts two operands side by side, except after the keywords that take one (`new T`, `await x`).
   */
  protected newStatement(k: number): boolean {
    const t = this.toks[k]!;
    const p = this.toks[k - 1]!;
    if (t.k === 'op' || (p.k === 'op' && p.v !== ')' && p.v !== ']')) return false;
    if (p.k === 'id' && CONTINUES.has(p.v)) return false;
    if (t.k === 'id' && JOINS.has(t.v)) return false;
    for (let c = p.at; c < t.at; c++) if (this.code.charCodeAt(c) === 10) return true;
    return false;
  }

  /** Assignments for the parameters of the lambda whose arrow is at `arrow`, from the receiver of the call it is passed to. */
  protected lambdaParams(arrow: number, stmtStart: number): void {
    const toks = this.toks;
    const names: number[] = [];
    let first = arrow - 1;
    if (this.isId(first)) names.push(first);
    else if (this.isOp(first, ')') && this.match[first]! >= 0 && first - this.match[first]! < 12) {
      const open = this.match[first]!;
      // `(a, b)` or `(T a, U b)`: the name is the last identifier before each comma
      for (let k = open + 1; k < first; k++) if (this.isId(k) && (this.isOp(k + 1, ',') || k + 1 === first)) names.push(k);
      first = open;
    } else return;
    // the call's `(`: directly before the lambda, or before the arguments that precede it
    let k = first - 1;
    for (let n = 0; n < 64 && k > stmtStart && !this.isOp(k, '('); n++)
      k = (this.isOp(k, ')') || this.isOp(k, ']') || this.isOp(k, '}')) && this.match[k]! >= 0 && this.match[k]! < k ? this.match[k]! - 1 : k - 1;
    if (!this.isOp(k, '(') || k <= stmtStart || !this.isId(k - 1)) return;
    for (const p of names) this.assigns.push({ scope: this.scopeOf[arrow]!, name: toks[p]!.v, from: stmtStart, to: k - 1, field: false });
  }

  /** Argument token ranges of the call whose `(` is at `open` (at most 32; an empty last one dropped). */
  args(open: number): Array<[number, number]> {
    const close = this.match[open]!;
    if (close < 0) return [];
    const out = this.splitTop(open + 1, close, ',', 32);
    // `f()` has no argument and `f(a,)` one: an empty range after the last comma is none
    if (out[out.length - 1]![0] === close) out.pop();
    return out;
  }

  /**
   * The ranges of [from, to) between the `sep` operators outside brackets, the last running to
   * `to`; at most `max` ranges (then the last one ends at a separator, the rest is dropped).
   */
  protected splitTop(from: number, to: number, sep: string, max = Number.POSITIVE_INFINITY): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let start = from;
    for (let k = from; k < to; k++) {
      const t = this.toks[k]!;
      if (t.k !== 'op') continue;
      if ((t.v === '(' || t.v === '[' || t.v === '{') && this.match[k]! > k) {
        k = this.match[k]!;
        continue;
      }
      if (t.v === sep) {
        out.push([start, k]);
        start = k + 1;
        if (out.length >= max) return out;
      }
    }
    out.push([start, to]);
    return out;
  }

  scopeAt(i: number): number {
    return this.scopeOf[i] ?? -1;
  }

  protected assignIndex?: Map<string, Assign[]>;

  protected assignsOf(name: string): Assign[] {
    if (!this.assignIndex) {
      this.assignIndex = new Map();
      for (const a of this.assigns) {
        const l = this.assignIndex.get(a.name);
        if (l) l.push(a);
        else this.assignIndex.set(a.name, [a]);
      }
    }
    return this.assignIndex.get(name) ?? [];
  }

  /** The assignments of `name` (for sinks that follow a writer or builder variable back). */
  assignmentsOf(name: string): ReadonlyArray<{ from: number; to: number; scope: number }> {
    return this.assignsOf(name);
  }

  /** Assignments whose right-hand side constructs a type `types` matches (`w = new FileWriter(p)`). */
  *assignedWith(types: RegExp): Generator<[string, { from: number; to: number; scope: number }]> {
    for (const a of this.assigns) {
      for (let k = a.from; k + 1 < a.to && k < a.from + 40; k++) {
        if (this.isId(k, 'new') && this.isId(k + 1) && types.test(this.lastOfDotted(k + 1))) {
          yield [a.name, a];
          break;
        }
      }
    }
  }

  /**
   * The first token of the member chain ending at token `k` (`Request.Files[0].InputStream`):
   * back over names, dots, indexes and call arguments; `k` itself when it ends no chain.
   */
  protected chainStart(k: number): number {
    let j = k;
    for (let n = 0; n < 32 && j >= 0; n++) {
      const t = this.toks[j]!;
      if (t.k === 'op' && (t.v === ')' || t.v === ']')) {
        const o = this.match[j]!;
        if (o < 0) return j + 1;
        j = o - 1;
        continue;
      }
      if (t.k !== 'id') return j + 1;
      if (!this.isOp(j - 1, '.')) return j;
      j -= 2;
    }
    return k;
  }

  /** The last name of a dotted type starting at token `k` (`java.io.FileWriter` -> `FileWriter`). */
  protected lastOfDotted(k: number): string {
    let name = this.toks[k]!.v;
    for (let n = 0; n < 8 && this.isOp(k + 1, '.') && this.isId(k + 2); n++) {
      k += 2;
      name = this.toks[k]!.v;
    }
    return name;
  }

  /** Assignments whose target is `name` (any scope): `.FileName = ..` and the like. */
  *assignmentsTo(name: RegExp): Generator<{ name: string; from: number; to: number; scope: number; at: number }> {
    for (const a of this.assigns) if (name.test(a.name)) yield { name: a.name, from: a.from, to: a.to, scope: a.scope, at: this.toks[a.from - 1]!.at };
  }
}
