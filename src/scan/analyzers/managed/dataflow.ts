/**
 * Intra-file data flow for Java/JSP and C#/JScript.NET over the tokens of tokens.ts: which
 * variables hold request input, per method scope, through assignments, `for`/`foreach`
 * variables, the parameters of the file's own methods (a tainted argument taints the
 * parameter) and their return values (a method returning request input, or returning what its
 * parameters carry). Calls the file does not define are transparent: decoders, ciphers, string
 * building and wrappers carry taint from their arguments and receiver to their result.
 * Constant folding (`constOf`) reads strings built from literals, byte/char arrays and base64,
 * so names hidden from text search (`new String(new byte[]{101,120,101,99})`) are read as the
 * runtime reads them. Every pass walks the tokens a bounded number of times: linear.
 */
import { checkBudget } from '../../budget.js';
import { NO_GUARDS, type Guards } from '../../guards.js';
import { matchBrackets, tokenize, type Tok } from './tokens.js';

/** Java and .NET number types and the static methods that parse text into them. */
const NUMBER_TYPES = new Set([
  'Integer',
  'Long',
  'Short',
  'Double',
  'Float',
  'Boolean',
  'int',
  'long',
  'short',
  'double',
  'float',
  'bool',
  'decimal',
  'Int16',
  'Int32',
  'Int64',
  'Convert',
]);
const NUMBER_PARSERS = /^(?:parse(?:Int|Long|Short|Double|Float|Boolean)|valueOf|Parse|ToInt(?:16|32|64)|ToDouble|ToDecimal|ToBoolean)$/;
import { CONTROL_MEMBERS, CS_SOURCE_MEMBERS, FILLERS, JAVA_REQUEST_TYPES, JAVA_SOURCE_METHODS, KEYWORDS, MUTATORS, OUTPUTS, REQUEST_GETTERS, UPLOADS } from './dataflow-names.js';

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

interface Assign {
  scope: number;
  name: string;
  from: number;
  to: number;
  /** `this.x =` or an assignment outside any method: a field, seen by every scope. */
  field: boolean;
}

export class ManagedFlow {
  readonly toks: Tok[];
  readonly match: Int32Array;
  readonly methods: Method[] = [];
  /** Token index -> innermost method index (-1 outside any). */
  private readonly scopeOf: Int32Array;
  private readonly assigns: Assign[] = [];
  /** `scope:name` for locals and parameters, `name` for fields. */
  readonly tainted = new Set<string>();
  /**
   * Set by the mechanism passes: every command the file runs is a constant (an admin page
   * running `uptime`), so reading the request elsewhere in the page does not make it a shell.
   */
  fixedCommands = false;
  /** Method name -> indexes in `methods`. */
  private readonly byName = new Map<string, number[]>();
  /** Names of Java request objects (`request`, `req`, parameters typed HttpServletRequest). */
  private readonly requestVars = new Set<string>(['request', 'req', 'httpRequest', 'servletRequest', 'httpServletRequest']);
  /** Ids of server controls and runat=server inputs (C#). */
  private readonly controls: Set<string>;
  private readonly consts = new Map<string, string>();
  /**
   * Tokens visited by the expression passes, against a cap proportional to the file: nested
   * calls make a range be read once per level, so a hostile file nesting thousands of calls
   * would otherwise cost quadratic time. Past the cap no new taint is found (what was is kept).
   */
  private work = 0;
  private readonly workCap: number;
  private readonly code: string;

  constructor(
    code: string,
    readonly dialect: Dialect,
    controls: Iterable<string> = [],
    /**
     * Leave uploads out of the sources (the posted file, its name and bytes): a path built from
     * an upload's own name is an upload handler; a path the request names otherwise is not.
     */
    readonly noUploads = false,
    /** What the page's validation confines (guards.ts): allowlisted names never hold request text; character-set words only alone. */
    guards: Guards = NO_GUARDS,
  ) {
    this.confined = guards.allowlisted;
    this.words = guards.charset;
    this.code = code;
    this.toks = tokenize(code);
    this.match = matchBrackets(this.toks);
    this.scopeOf = new Int32Array(this.toks.length).fill(-1);
    this.controls = new Set(controls);
    this.workCap = 40 * this.toks.length + 200000;
    this.findMethods();
    this.findAssignments();
    this.solve();
  }

  private isOp(i: number, v: string): boolean {
    const t = this.toks[i];
    return t !== undefined && t.k === 'op' && t.v === v;
  }

  private isId(i: number, v?: string): boolean {
    const t = this.toks[i];
    return t !== undefined && t.k === 'id' && (v === undefined || t.v === v);
  }

  /** Method headers: `Type name(params) [throws X] {` and JScript's `function name(params) {`. */
  private findMethods(): void {
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
  private depthZero(open: number, k: number): boolean {
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
  private findAssignments(): void {
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
        const close = this.match[i + 3]!;
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
  private newStatement(k: number): boolean {
    const t = this.toks[k]!;
    const p = this.toks[k - 1]!;
    if (t.k === 'op' || (p.k === 'op' && p.v !== ')' && p.v !== ']')) return false;
    if (p.k === 'id' && CONTINUES.has(p.v)) return false;
    if (t.k === 'id' && JOINS.has(t.v)) return false;
    for (let c = p.at; c < t.at; c++) if (this.code.charCodeAt(c) === 10) return true;
    return false;
  }

  /** Assignments for the parameters of the lambda whose arrow is at `arrow`, from the receiver of the call it is passed to. */
  private lambdaParams(arrow: number, stmtStart: number): void {
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

  /** Whether `name` is tainted as seen from `scope`. */
  isTainted(scope: number, name: string): boolean {
    if (this.confined.size > 0 && this.confined.has(name)) return false;
    if (this.hidingWords && this.words.has(name)) return false;
    return this.tainted.has(`${scope}:${name}`) || this.tainted.has(name);
  }

  private readonly confined: ReadonlySet<string>;
  private readonly words: ReadonlySet<string>;
  private hidingWords = false;

  /** exprTainted with the character-set words left out: a word built into a longer value stays in the page's pattern. */
  private taintedBeyondWords(from: number, to: number, scope: number): boolean {
    this.hidingWords = true;
    try {
      return this.exprTainted(from, to, scope);
    } finally {
      this.hidingWords = false;
    }
  }

  private taint(scope: number, name: string, field: boolean): boolean {
    const key = field ? name : `${scope}:${name}`;
    if (this.tainted.has(key)) return false;
    this.tainted.add(key);
    return true;
  }

  /** Whether token `i` starts a request read; returns the index after it, or -1. */
  sourceAt(i: number): number {
    const t = this.toks[i]!;
    if (t.k !== 'id') return -1;
    if (this.dialect === 'java') {
      if (this.requestVars.has(t.v) && this.isOp(i + 1, '.') && this.isId(i + 2) && JAVA_SOURCE_METHODS.has(this.toks[i + 2]!.v))
        return this.noUploads && UPLOADS.has(this.toks[i + 2]!.v) ? -1 : i + 3;
      // a cast to a request type: `((HttpServletRequest) o).getHeader(..)`, `((HttpServletRequest) $1).getParameter(..)`
      if (this.isOp(i + 1, ')')) {
        // (the token shape first: this runs at every name that closes a call)
        const k = this.isOp(i + 2, '.') ? i + 2 : this.isId(i + 2) && this.isOp(i + 3, ')') && this.isOp(i + 4, '.') ? i + 4 : -1;
        if (k > 0 && this.isId(k + 1) && JAVA_SOURCE_METHODS.has(this.toks[k + 1]!.v) && (k === i + 2 ? this.requestVars.has(t.v) : JAVA_REQUEST_TYPES.test(t.v)))
          return this.noUploads && UPLOADS.has(this.toks[k + 1]!.v) ? -1 : k + 2;
      }
      // the request read by reflection: `request.getClass().getMethod("getParameter", ..).invoke(request, "c")`
      if (t.v === 'invoke' && this.isOp(i + 1, '(') && this.isId(i + 2) && this.requestVars.has(this.toks[i + 2]!.v) && (this.isOp(i + 3, ',') || this.isOp(i + 3, ')'))) {
        for (let k = i - 1; k >= 0 && k > i - 24; k--)
          if (this.toks[k]!.k === 'str' && JAVA_SOURCE_METHODS.has(this.toks[k]!.v)) return this.match[i + 1]! > i ? this.match[i + 1]! + 1 : i + 2;
      }
      // pageContext.getRequest().getParameter(..), event.getServletRequest().getHeader(..) (listeners, Spring)
      if (REQUEST_GETTERS.has(t.v) && this.isOp(i + 1, '(') && this.isOp(i + 2, ')') && this.isOp(i + 3, '.') && this.isId(i + 4) && JAVA_SOURCE_METHODS.has(this.toks[i + 4]!.v))
        return i + 5;
      return -1;
    }
    if (t.v === 'Request' || t.v === 'request') {
      if (this.isOp(i + 1, '[') || (this.isOp(i + 1, '(') && t.v === 'Request')) return i + 1;
      if (this.isOp(i + 1, '.') && this.isId(i + 2) && CS_SOURCE_MEMBERS.has(this.toks[i + 2]!.v)) return this.noUploads && UPLOADS.has(this.toks[i + 2]!.v) ? -1 : i + 3;
      if (this.isOp(i + 1, '.') && this.isId(i + 2, 'ServerVariables') && this.isOp(i + 3, '[') && this.toks[i + 4]?.k === 'str' && /^HTTP_/i.test(this.toks[i + 4]!.v))
        return i + 5;
      return -1;
    }
    if (this.controls.has(t.v) && this.isOp(i + 1, '.') && this.isId(i + 2) && CONTROL_MEMBERS.has(this.toks[i + 2]!.v) && !this.isOp(i + 3, '='))
      return this.noUploads && UPLOADS.has(this.toks[i + 2]!.v) ? -1 : i + 3;
    return -1;
  }

  /** Whether tokens [from, to) read request input, directly or through tainted names or own methods. */
  exprTainted(from: number, to: number, scope: number): boolean {
    const toks = this.toks;
    this.work += to - from;
    if (this.work > this.workCap) return false;
    if ((this.work & 4095) < to - from) checkBudget();
    for (let i = from; i < to; i++) {
      const t = toks[i]!;
      if (t.k !== 'id') continue;
      if (this.sourceAt(i) !== -1) return true;
      // `Integer.parseInt(..)`, `int.Parse(..)`, `Convert.ToInt32(..)`: a number, whatever the request sent
      if (NUMBER_TYPES.has(t.v) && this.isOp(i + 1, '.') && NUMBER_PARSERS.test(toks[i + 2]?.v ?? '') && this.isOp(i + 3, '(')) {
        const close = this.match[i + 3]!;
        if (close > i && close < to) {
          i = close;
          continue;
        }
      }
      // member names after `.` are not variables (`x.length`), except `this.field`
      if (this.isOp(i - 1, '.') && !this.isId(i - 2, 'this')) continue;
      if (this.isOp(i + 1, '(')) {
        const own = this.byName.get(t.v);
        if (own && !this.isOp(i - 1, '.')) {
          const close = this.match[i + 1]!;
          const argsTainted = close > i && this.exprTainted(i + 2, close, scope);
          if (own.some((k) => this.methods[k]!.retSource || (this.methods[k]!.retParams && argsTainted))) return true;
          if (close > i) i = close;
          continue;
        }
        continue;
      }
      if (this.isTainted(scope, t.v)) return true;
    }
    return false;
  }

  /** Whether tokens [from, to) name one of `names` as a variable. */
  private mentions(from: number, to: number, names: ReadonlySet<string>): boolean {
    this.work += to - from;
    if (this.work > this.workCap) return false;
    for (let i = from; i < to; i++) {
      const t = this.toks[i]!;
      if (t.k === 'id' && names.has(t.v) && !this.isOp(i - 1, '.') && !this.isOp(i + 1, '(')) return true;
    }
    return false;
  }

  /** Taint to a fixpoint (bounded rounds, each linear in the tokens). */
  private solve(): void {
    // what each method's returns carry: request input, or its parameters (passed through locals)
    const returns: Array<[number, number, number]> = [];
    for (let i = 0; i < this.toks.length; i++) {
      if (!this.isId(i, 'return')) continue;
      const scope = this.scopeOf[i]!;
      if (scope < 0) continue;
      let end = i + 1;
      while (end < this.toks.length && !this.isOp(end, ';') && !this.isOp(end, '}')) end = this.isOp(end, '(') && this.match[end]! > end ? this.match[end]! + 1 : end + 1;
      returns.push([scope, i + 1, end]);
    }
    const carriers = this.methods.map((m) => new Set(m.params));
    for (let round = 0; round < 3; round++) {
      for (const a of this.assigns) if (a.scope >= 0 && !a.field && this.mentions(a.from, a.to, carriers[a.scope]!)) carriers[a.scope]!.add(a.name);
    }
    for (const [scope, from, to] of returns) if (this.mentions(from, to, carriers[scope]!)) this.methods[scope]!.retParams = true;
    for (let round = 0; round < 6; round++) {
      checkBudget();
      let changed = false;
      for (const a of this.assigns) {
        // `this.c = c` in a constructor: the parameter is tainted, the field is what to taint
        if (a.field ? this.tainted.has(a.name) : this.isTainted(a.scope, a.name)) continue;
        if (!this.exprTainted(a.from, a.to, a.scope)) continue;
        if (this.words.size > 0 && a.to - a.from > 1 && !this.taintedBeyondWords(a.from, a.to, a.scope)) continue;
        if (this.taint(a.scope, a.name, a.field)) changed = true;
      }
      for (const [scope, from, to] of returns) {
        const m = this.methods[scope]!;
        if (!m.retSource && this.exprTainted(from, to, scope)) {
          m.retSource = true;
          changed = true;
        }
      }
      // calls of the file's own methods: a tainted argument taints the parameter
      for (let i = 0; i + 1 < this.toks.length; i++) {
        const t = this.toks[i]!;
        if (t.k !== 'id' || !this.isOp(i + 1, '(')) continue;
        const own = this.byName.get(t.v);
        if (!own) continue;
        const close = this.match[i + 1]!;
        if (close < 0) continue;
        const args = this.args(i + 1);
        const scope = this.scopeOf[i]!;
        for (const k of own) {
          const m = this.methods[k]!;
          if (m.open <= i && i <= m.close && m.open > i) continue;
          for (let p = 0; p < m.params.length && p < args.length; p++) {
            const [f, e] = args[p]!;
            if (this.exprTainted(f, e, scope) && this.taint(k, m.params[p]!, false)) changed = true;
          }
        }
      }
      // a value stored in the session from the request is request input where it is read back
      if (!changed) break;
    }
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
  private splitTop(from: number, to: number, sep: string, max = Number.POSITIVE_INFINITY): Array<[number, number]> {
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

  /**
   * The string the tokens [from, to) evaluate to when they are built from constants: literals,
   * `+`, constant variables, `new String(bytes|chars)`, byte/char array literals, base64
   * decoders, `reverse()`/`toString()`/`trim()`; undefined otherwise.
   */
  constOf(from: number, to: number, depth = 0): string | undefined {
    if (depth > 8 || to <= from || to - from > 4000) return undefined;
    this.work += to - from;
    if (this.work > this.workCap) return undefined;
    const toks = this.toks;
    // strip a cast `(String)` and wrapping parentheses
    if (this.isOp(from, '(') && this.match[from] === to - 1) return this.constOf(from + 1, to - 1, depth + 1);
    if (this.isOp(from, '(') && this.isId(from + 1) && this.isOp(from + 2, ')')) return this.constOf(from + 3, to, depth + 1);
    // top-level `+`: concatenation (VB.NET's `&` too: on two strings C# does not compile it)
    let parts = this.splitTop(from, to, '+');
    if (parts.length === 1 && this.dialect === 'cs') parts = this.splitTop(from, to, '&');
    if (parts.length > 1) {
      let s = '';
      for (const [f, e] of parts) {
        const v = this.constOf(f, e, depth + 1);
        if (v === undefined) return undefined;
        s += v;
        if (s.length > 4096) return undefined;
      }
      return s;
    }
    const t = toks[from]!;
    if (to - from === 1) {
      if (t.k === 'str') return t.v;
      if (t.k === 'id') return this.consts.get(t.v) ?? this.constVar(t.v, depth);
      return undefined;
    }
    // trailing `.reverse()`, `.toString()`, `.trim()`, `.intern()`
    if (this.isOp(to - 1, ')') && this.isOp(to - 2, '(') && this.isId(to - 3) && this.isOp(to - 4, '.')) {
      const name = toks[to - 3]!.v;
      if (/^(?:toString|ToString|trim|Trim|intern|toCharArray|ToCharArray|getBytes)$/.test(name)) return this.constOf(from, to - 4, depth + 1);
      if (name === 'reverse' || name === 'Reverse') {
        const v = this.constOf(from, to - 4, depth + 1);
        return v === undefined ? undefined : [...v].reverse().join('');
      }
    }
    // new StringBuilder(C) / new StringBuffer(C) / new String(C)
    if (t.k === 'id' && t.v === 'new' && this.isId(from + 1) && this.isOp(from + 2, '(') && this.match[from + 2] === to - 1) {
      const ty = toks[from + 1]!.v;
      if (/^(?:String|StringBuilder|StringBuffer|string)$/.test(ty)) {
        const args = this.args(from + 2);
        return args[0] ? this.constOf(args[0][0], args[0][1], depth + 1) : undefined;
      }
      return undefined;
    }
    // new byte[]{..} / new char[]{..} / new byte[]{..} with casts
    if (t.k === 'id' && t.v === 'new' && this.isId(from + 1) && /^(?:byte|char|Byte|Character)$/.test(toks[from + 1]!.v) && this.isOp(from + 2, '[')) {
      const brace = this.match[from + 2]! + 1;
      if (!this.isOp(brace, '{') || this.match[brace] !== to - 1) return undefined;
      let s = '';
      for (let k = brace + 1; k < to - 1; k++) {
        const u = toks[k]!;
        if (u.k === 'num') {
          const n = /^0x/i.test(u.v) ? Number.parseInt(u.v, 16) : Number.parseInt(u.v, 10);
          if (!Number.isFinite(n)) return undefined;
          s += String.fromCharCode((this.isOp(k - 1, '-') ? -n : n) & 0xff);
        } else if (u.k === 'str' && u.v.length === 1) s += u.v;
        else if (u.k === 'op' && (u.v === ',' || u.v === '-' || u.v === '(' || u.v === ')')) continue;
        else if (u.k === 'id' && /^(?:byte|char)$/.test(u.v)) continue;
        else return undefined;
        if (s.length > 4096) return undefined;
      }
      return s;
    }
    // decoders and pass-through calls: X.decode(C), decodeBuffer(C), FromBase64String(C), GetString(C), String.valueOf(C)
    if (this.isOp(to - 1, ')')) {
      const open = this.match[to - 1]!;
      if (open > from && this.isId(open - 1)) {
        const name = toks[open - 1]!.v;
        const args = this.args(open);
        if (args.length === 0) return undefined;
        const inner = this.constOf(args[0]![0], args[0]![1], depth + 1);
        if (inner === undefined) return undefined;
        if (/^(?:decode|decodeBuffer|parseBase64Binary|FromBase64String|decodeBase64)$/.test(name)) {
          if (!/^[A-Za-z0-9+/=_\-\s]*$/.test(inner)) return undefined;
          return Buffer.from(inner.replace(/\s+/g, ''), 'base64').toString('latin1');
        }
        if (/^(?:GetString|valueOf|copyValueOf|String|ToString|toString|parseHexBinary)$/.test(name)) {
          if (name === 'parseHexBinary') return /^(?:[0-9a-fA-F]{2})*$/.test(inner) ? Buffer.from(inner, 'hex').toString('latin1') : undefined;
          return inner;
        }
      }
    }
    return undefined;
  }

  /** A variable assigned exactly once, from a constant. */
  private constVar(name: string, depth: number): string | undefined {
    let found: Assign | undefined;
    for (const a of this.assignsOf(name)) {
      if (found) return undefined;
      found = a;
    }
    if (!found) return undefined;
    this.consts.set(name, '');
    const v = this.constOf(found.from, found.to, depth + 1);
    if (v === undefined) this.consts.delete(name);
    else this.consts.set(name, v);
    return v;
  }

  private assignIndex?: Map<string, Assign[]>;

  private assignsOf(name: string): Assign[] {
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

  /**
   * Where a request value is compared with a constant string the file holds (`"k3y".equals(
   * request.getParameter("p"))`, `Request["authkey"] != AUTHKEY`): the password shells check.
   */
  passwordGate(): number {
    const toks = this.toks;
    for (let i = 1; i + 1 < toks.length; i++) {
      const t = toks[i]!;
      let a: [number, number] | undefined;
      let b: [number, number] | undefined;
      if (t.k === 'id' && (t.v === 'equals' || t.v === 'Equals') && this.isOp(i - 1, '.') && this.isOp(i + 1, '(')) {
        const args = this.args(i + 1);
        if (args.length !== 1) continue;
        // the receiver: a literal, a name, or a call chain ending at `)` / `]`
        let r = i - 2;
        const e = r + 1;
        while (r > 0 && (this.toks[r]!.k === 'id' || this.isOp(r, '.') || ((this.isOp(r, ')') || this.isOp(r, ']')) && this.match[r]! >= 0 && this.match[r]! < r)) && e - r < 40)
          r = this.isOp(r, ')') || this.isOp(r, ']') ? this.match[r]! - 1 : r - 1;
        a = [r + 1, e];
        b = args[0]!;
      } else if (t.k === 'op' && (t.v === '==' || t.v === '!=')) {
        // `x == "k"` compares strings by value in C# only
        if (this.dialect !== 'cs') continue;
        let l = i - 1;
        if ((this.isOp(l, ']') || this.isOp(l, ')')) && this.match[l]! >= 0) l = this.match[l]!;
        while (l > 0 && (this.isOp(l - 1, '.') || this.toks[l - 1]!.k === 'id') && i - l < 12) l--;
        let r = i + 1;
        while (r < toks.length && (this.toks[r]!.k !== 'op' || this.isOp(r, '.')) && r - i < 6) r++;
        a = [l, i];
        b = [i + 1, r];
      } else continue;
      const scope = this.scopeOf[i]!;
      for (const [x, y] of [
        [a, b],
        [b, a],
      ] as Array<[[number, number], [number, number]]>) {
        const k = this.constOf(y[0], y[1]);
        if (k === undefined || k.length < 3 || /^(?:null|true|false|on|yes|no|get|post)$/i.test(k)) continue;
        // a password by name: the parameter, the variable or the constant says so
        let named = false;
        for (let q = Math.min(x[0], y[0]); q < Math.max(x[1], y[1]) && !named; q++) named = /pass|pwd|auth|secret|token|key/i.test(this.toks[q]!.v);
        if (named && this.exprTainted(x[0], x[1], scope)) return t.at;
      }
    }
    return -1;
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
  private chainStart(k: number): number {
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
  private lastOfDotted(k: number): string {
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

  /** Every constant string any call argument or assignment folds to (for reflective names). */
  *foldedStrings(): Generator<[string, number]> {
    for (const a of this.assigns) {
      const v = this.constOf(a.from, a.to);
      if (v !== undefined) yield [v, a.from];
    }
  }
}
