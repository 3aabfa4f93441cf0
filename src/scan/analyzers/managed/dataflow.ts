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
import { FlowConstants } from './dataflow-constants.js';
import { CONTROL_MEMBERS, CS_SOURCE_MEMBERS, JAVA_REQUEST_TYPES, JAVA_SOURCE_METHODS, REQUEST_GETTERS, UPLOADS } from './dataflow-names.js';
import type { Dialect } from './dataflow-structure.js';

export type { Dialect, Method } from './dataflow-structure.js';

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

/** The taint passes; the structure they read is FlowStructure's, the constant folding FlowConstants'. */
export class ManagedFlow extends FlowConstants {
  /**
   * Set by the mechanism passes: every command the file runs is a constant (an admin page
   * running `uptime`), so reading the request elsewhere in the page does not make it a shell.
   */
  fixedCommands = false;
  /**
   * Set by the mechanism passes: every command runs a constant program that is no command
   * interpreter, and no request data reaches any of them (an image converter run on checked
   * numbers): the requester chooses no command.
   */
  fixedProgram = false;
  /** Ids of server controls and runat=server inputs (C#). */
  private readonly controls: Set<string>;

  constructor(
    code: string,
    dialect: Dialect,
    controls: Iterable<string> = [],
    /**
     * Leave uploads out of the sources (the posted file, its name and bytes): a path built from
     * an upload's own name is an upload handler; a path the request names otherwise is not.
     */
    readonly noUploads = false,
    /** What the page's validation confines (guards.ts): allowlisted names never hold request text; character-set words only alone. */
    guards: Guards = NO_GUARDS,
  ) {
    super(code, dialect);
    this.confined = guards.allowlisted;
    this.words = guards.charset;
    this.controls = new Set(controls);
    this.findMethods();
    this.findAssignments();
    this.solve();
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
    // `c ? a : b` holds a or b: a condition that reads the request only picks between them
    const q = this.topLevelTernary(from, to);
    if (q !== undefined) return this.exprTainted(q[0] + 1, q[1], scope) || this.exprTainted(q[1] + 1, to, scope);
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

  /** The `?` and its `:` of a conditional expression spanning tokens [from, to) outside brackets, if any. */
  private topLevelTernary(from: number, to: number): [number, number] | undefined {
    const toks = this.toks;
    let depth = 0;
    let q = -1;
    let nested = 0;
    for (let i = from; i < to; i++) {
      const t = toks[i]!;
      if (t.k !== 'op') continue;
      const v = t.v;
      if (v === '(' || v === '[' || v === '{') depth++;
      else if (v === ')' || v === ']' || v === '}') depth--;
      else if (depth === 0 && v === '?') {
        if (q === -1) q = i;
        else nested++;
      } else if (depth === 0 && v === ':' && q !== -1) {
        if (nested === 0) return [q, i];
        nested--;
      }
    }
    return undefined;
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
}
