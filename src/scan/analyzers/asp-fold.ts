/**
 * Constant evaluation of VBScript / JScript string expressions, for the code a classic ASP page
 * hands to Execute / ExecuteGlobal / Eval. Shells hide `eval request("x")` behind string
 * pieces, Chr() codes, unescape, StrReverse, Replace and variables that hold constants; once
 * the expression is evaluated the code it runs is analyzed as its own layer. An `eval` of a
 * constant that names the request (`eval("request")("x")`, `popup("Request.Item[\"z\"]")`
 * through a wrapper) is the request itself.
 *
 * A small recursive-descent evaluator over tokens: literals, `&` and `+`, `-` and `*` on
 * numbers, parentheses, and the pure string functions of both languages. Anything else
 * (a variable without a constant value, an unknown function) makes the expression unknown.
 */
import { checkBudget } from '../budget.js';
import { isWordChar, matchesAt } from '../context.js';
import { ascendingDistinct } from './asp-assign.js';
import { literalOffsets } from '../words.js';

export type Folded = { text: string } | { request: true };
type Value = string | number | { request: true };

/** Variable name (lower-cased) -> constant value. */
export type Env = Map<string, string>;

/**
 * The page's own functions the evaluator can see through: one-expression functions
 * (`Function F(c) : F = Replace(StrReverse(c), ...) : End Function`) by their body, and
 * wrappers that hand a parameter to eval / Execute (`function popup(s) { return eval(s, "unsafe") }`)
 * as evaluators.
 */
export interface PageFunctions {
  bodies: Map<string, { params: string[]; body: string }>;
  evaluators: Set<string>;
}

export const NO_FUNCTIONS: PageFunctions = { bodies: new Map(), evaluators: new Set() };

interface Tok {
  k: 'str' | 'num' | 'id' | 'op';
  v: string;
}

const MAX_TOKENS = 4000;
const MAX_TEXT = 200_000;

function tokenize(s: string): Tok[] | undefined {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    if (out.length > MAX_TOKENS) return undefined;
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    // VBScript line continuation
    if (c === '_' && /^_[ \t]*\r?\n/.test(s.slice(i, i + 40))) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= s.length) return undefined;
        const d = s[j]!;
        if (d === c) {
          // VBScript doubles a quote inside a string
          if (c === '"' && s[j + 1] === '"') {
            v += '"';
            j += 2;
            continue;
          }
          break;
        }
        if (d === '\\' && c === "'") {
          v += s[j + 1] ?? '';
          j += 2;
          continue;
        }
        v += d;
        j++;
      }
      out.push({ k: 'str', v });
      i = j + 1;
      continue;
    }
    const num = /^(?:&H([0-9a-f]+)&?|0x([0-9a-f]+)|(\d+(?:\.\d+)?))/i.exec(s.slice(i, i + 20));
    if (num) {
      const n = num[1] ? Number.parseInt(num[1], 16) : num[2] ? Number.parseInt(num[2], 16) : Number(num[3]);
      out.push({ k: 'num', v: String(n) });
      i += num[0].length;
      continue;
    }
    // (a window of a few VBScript names, which may be 255 characters each: an 80-character
    // window cut a long name in two and left its value unknown)
    const id = /^[A-Za-z_][\w.]*/.exec(s.slice(i, i + 1024));
    if (id) {
      out.push({ k: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    if ('&+-*(),[]'.includes(c)) {
      out.push({ k: 'op', v: c });
      i++;
      continue;
    }
    return undefined;
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(
    private readonly t: Tok[],
    private readonly env: Env,
    private readonly fns: PageFunctions,
    private readonly depth: number,
  ) {}

  done(): boolean {
    return this.i >= this.t.length;
  }

  expr(): Value | undefined {
    let a = this.term();
    while (a !== undefined && !this.done() && (this.peek('&') || this.peek('+'))) {
      const op = this.t[this.i++]!.v;
      const b = this.term();
      if (b === undefined || typeof a === 'object' || typeof b === 'object') return undefined;
      if (op === '+' && typeof a === 'number' && typeof b === 'number') a = a + b;
      else {
        const joined = String(a) + String(b);
        if (joined.length > MAX_TEXT) return undefined;
        a = joined;
      }
    }
    return a;
  }

  private term(): Value | undefined {
    let a = this.unary();
    while (a !== undefined && (this.peek('-') || this.peek('*'))) {
      const op = this.t[this.i++]!.v;
      const b = this.unary();
      const x = Number(a);
      const y = Number(b);
      if (b === undefined || typeof a === 'object' || typeof b === 'object' || Number.isNaN(x) || Number.isNaN(y)) return undefined;
      a = op === '-' ? x - y : x * y;
    }
    return a;
  }

  private unary(): Value | undefined {
    if (this.peek('-')) {
      this.i++;
      const v = this.unary();
      return v === undefined || typeof v === 'object' ? undefined : -Number(v);
    }
    return this.primary();
  }

  private peek(op: string): boolean {
    const t = this.t[this.i];
    return t !== undefined && t.k === 'op' && t.v === op;
  }

  private args(): Value[] | undefined {
    // `(` already consumed
    const out: Value[] = [];
    if (this.peek(')')) {
      this.i++;
      return out;
    }
    for (;;) {
      const v = this.expr();
      if (v === undefined) return undefined;
      out.push(v);
      if (this.peek(',')) {
        this.i++;
        continue;
      }
      if (this.peek(')')) {
        this.i++;
        return out;
      }
      return undefined;
    }
  }

  /** A one-expression page function, evaluated with its parameters bound (a few levels deep). */
  private callPage(name: string, args: Value[]): Value | undefined {
    const fn = this.fns.bodies.get(name);
    if (!fn || this.depth > 4 || args.some((a) => typeof a === 'object')) return undefined;
    const env: Env = new Map(this.env);
    fn.params.forEach((p, k) => {
      if (args[k] !== undefined) env.set(p, String(args[k]));
    });
    const v = foldExpr(fn.body, env, this.fns, this.depth + 1);
    return v === undefined ? undefined : 'request' in v ? v : v.text;
  }

  private primary(): Value | undefined {
    checkBudget();
    const t = this.t[this.i++];
    if (!t) return undefined;
    if (t.k === 'str') return t.v;
    if (t.k === 'num') return Number(t.v);
    if (t.k === 'op') {
      if (t.v !== '(') return undefined;
      const v = this.expr();
      if (!this.peek(')')) return undefined;
      this.i++;
      return v;
    }
    const name = t.v.toLowerCase();
    if (this.peek('(')) {
      this.i++;
      const args = this.args();
      if (!args) return undefined;
      let v = this.callPage(name, args) ?? call(name, args, this.fns);
      // `eval("request")("x")`: the value called again with a key is the request value
      if (v !== undefined && typeof v === 'object' && this.peek('(')) {
        this.i++;
        if (!this.args()) return undefined;
        v = { request: true };
      }
      return v;
    }
    return this.env.get(name) ?? VB_CONSTANTS[name];
  }
}

const VB_CONSTANTS: Record<string, string> = { vbcrlf: '\r\n', vbnewline: '\r\n', vbcr: '\r', vblf: '\n', vbtab: '\t', vbnullstring: '' };

/** Names that run or look up code: given a constant naming the request, they yield the request. */
const EVALUATORS = /^(?:eval|execute|executeglobal)$/;
const REQUEST_NAME = /^\s*request\s*(?:\.\s*(?:form|querystring|item|cookies)\s*)?(?:$|\(|\[)/i;

function call(name: string, a: Value[], fns: PageFunctions): Value | undefined {
  if ((EVALUATORS.test(name) || fns.evaluators.has(name)) && a.length >= 1 && typeof a[0] === 'string' && REQUEST_NAME.test(a[0])) return { request: true };
  if (a.some((x) => typeof x === 'object')) return undefined;
  const s = (k: number) => (a[k] === undefined ? undefined : String(a[k]));
  const n = (k: number) => (a[k] === undefined ? Number.NaN : Number(a[k]));
  switch (name) {
    case 'chr':
    case 'chrw':
    case 'chrb':
      return Number.isFinite(n(0)) && n(0) >= 0 && n(0) < 0x10000 ? String.fromCharCode(n(0)) : undefined;
    case 'string.fromcharcode':
      return a.every((x) => Number.isFinite(Number(x))) ? String.fromCharCode(...a.map(Number)) : undefined;
    case 'unescape':
      return s(0) === undefined ? undefined : unescapeVb(s(0)!);
    case 'strreverse':
      return s(0)?.split('').reverse().join('');
    case 'replace': {
      const [x, f, r] = [s(0), s(1), s(2)];
      return x === undefined || f === undefined || r === undefined || f === '' ? undefined : x.split(f).join(r);
    }
    case 'frombase64': {
      const x = s(0);
      return x !== undefined && /^[A-Za-z0-9+/=\s]*$/.test(x) ? Buffer.from(x, 'base64').toString('latin1') : undefined;
    }
    case 'bytestostring':
      return s(0);
    case 'lcase':
      return s(0)?.toLowerCase();
    case 'ucase':
      return s(0)?.toUpperCase();
    case 'trim':
    case 'cstr':
      return s(0)?.trim();
    case 'mid': {
      const x = s(0);
      if (x === undefined || !Number.isFinite(n(1))) return undefined;
      return a.length > 2 ? x.substr(n(1) - 1, n(2)) : x.slice(n(1) - 1);
    }
    case 'left':
      return s(0)?.slice(0, n(1));
    case 'right': {
      const x = s(0);
      return x === undefined || !Number.isFinite(n(1)) ? undefined : n(1) <= 0 ? '' : x.slice(-n(1));
    }
    default:
      return undefined;
  }
}

function unescapeVb(s: string): string {
  return s.replace(/%u([0-9a-f]{4})|%([0-9a-f]{2})/gi, (_m, u: string | undefined, h: string | undefined) => String.fromCharCode(Number.parseInt(u ?? h!, 16)));
}

/** The value of `expr` if it is a constant string (or the request, through an evaluator). */
export function foldExpr(expr: string, env: Env = new Map(), fns: PageFunctions = NO_FUNCTIONS, depth = 0): Folded | undefined {
  // .NET spellings of base64 decoding (JScript.NET pages): one function each for the evaluator
  const norm = expr
    .replace(/(?:System\.)?Text\.Encoding\.\w+(?:\(\s*\d*\s*\))?\.GetString\s*\(/gi, 'bytesToString(')
    .replace(/(?:System\.)?Convert\.FromBase64String\s*\(/gi, 'fromBase64(');
  const toks = tokenize(norm);
  if (!toks || toks.length === 0) return undefined;
  const p = new Parser(toks, env, fns, depth);
  const v = p.expr();
  if (v === undefined || !p.done()) return undefined;
  if (typeof v === 'object') return v;
  return { text: String(v) };
}

/** Offset after the statement that starts at `from`: a newline, or `:` / `;` / `%>` outside a string. */
export function statementEnd(code: string, from: number, max = 4000): number {
  let q = '';
  const end = Math.min(code.length, from + max);
  for (let i = from; i < end; i++) {
    const c = code[i]!;
    if (q) {
      if (c === q) q = '';
      else if (c === '\n') return i;
      continue;
    }
    if (c === '"') q = c;
    else if (c === '\n' || c === ':' || c === ';' || (c === '%' && code[i + 1] === '>')) return i;
  }
  return end;
}

export const ASSIGN = /(?:^|[\n:;]|<%|\bthen\b|\belse\b)[ \t]*(?:(?:Set|Dim|Const|var)[ \t]+)?([A-Za-z_]\w{0,254})[ \t]*=(?!=)[ \t]*/gi;

/**
 * The replay of one page's assignments, kept between calls: a page's sinks are folded in
 * text order, so each call goes on from where the last one stopped instead of replaying the
 * page from its start again (20 sinks on a long page were 20 replays of it).
 */
interface Replay {
  code: string;
  cap: number;
  /** Where the assignment scan goes on (the regex's lastIndex after the last replayed assignment). */
  resume: number;
  /** Offset of the last replayed assignment (-1: none yet). */
  last: number;
  /** Assignments replayed so far. */
  n: number;
  env: Env;
}

let lastReplay: Replay | undefined;

/**
 * Variables holding constants at `offset`, replaying the page's assignments in order up to
 * there (`x = "e0x0e..."`, then `x = Replace(x, "0", "")`). An assignment whose value is not
 * constant forgets the variable. The assignments are found in one fixed order whatever the
 * offset, so the state after the first n of them is the same in every call: a call for an
 * offset past the last one replayed goes on from there.
 */
export function envAt(code: string, offset: number, cap = 2000): Env {
  let r = lastReplay;
  if (!r || r.code !== code || r.cap !== cap || offset <= r.last) r = { code, cap, resume: 0, last: -1, n: 0, env: new Map() };
  // (copies: a time-budget exception thrown half way leaves the kept replay as it was)
  const env: Env = new Map(r.env);
  let { resume, last, n } = r;
  const starts = assignStartsOf(code);
  while (n < cap) {
    const m = nextAssign(code, starts, resume);
    if (m === null || m.index >= offset) break;
    checkBudget();
    n++;
    const start = m.index + m[0].length;
    const end = statementEnd(code, start);
    const name = m[1]!.toLowerCase();
    const v = foldExpr(code.slice(start, end), env);
    if (v && 'text' in v) env.set(name, v.text);
    else env.delete(name);
    resume = Math.max(start, end);
    last = m.index;
  }
  lastReplay = { code, cap, resume, last, n, env: new Map(env) };
  return env;
}

const ASSIGN_AT = new RegExp(ASSIGN.source, 'iy');

/** `ASSIGN` run from `from` (its first match there or later), tried only at `starts` (see envAssignStarts). */
export function nextAssign(code: string, starts: readonly number[], from: number): RegExpExecArray | null {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < starts.length; k++) {
    ASSIGN_AT.lastIndex = starts[k]!;
    const m = ASSIGN_AT.exec(code);
    if (m) return m;
  }
  return null;
}

let lastStarts: { code: string; starts: number[] } | undefined;

function assignStartsOf(code: string): number[] {
  if (lastStarts?.code !== code) lastStarts = { code, starts: envAssignStarts(code) };
  return lastStarts.starts;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** Before offset `p` and the blanks before it: where ASSIGN's anchor (`[\n:;]`, `<%`, `then`, `else`) would start. */
function anchorBefore(code: string, p: number, out: number[]): void {
  let h = p - 1;
  while (h >= 0 && isBlank(code.charCodeAt(h))) h--;
  if (h < 0) return; // the text's start: offset 0 is always tried
  const c = code.charCodeAt(h);
  if (c === 10 || c === 58 || c === 59) out.push(h);
  else if (c === 37 && code.charCodeAt(h - 1) === 60) out.push(h - 1);
  else if (h >= 3 && ((c | 0x20) === 110 || (c | 0x20) === 101)) out.push(h - 3);
}

/**
 * Every offset where ASSIGN can match, ascending (more is fine), from the page's `=` signs: a
 * match is its anchor (or the text's start), blanks, optionally `Set`/`Dim`/`Const`/`var` and
 * blanks, a whole word (the character before it is a blank, an anchor's last or none), blanks
 * and `=`. Anchored at these the pattern finds what a scan from any offset finds.
 */
export function envAssignStarts(code: string): number[] {
  const out: number[] = [0];
  for (let k = code.indexOf('='); k !== -1; k = code.indexOf('=', k + 1)) {
    let j = k - 1;
    while (j >= 0 && isBlank(code.charCodeAt(j))) j--;
    const end = j;
    while (j >= 0 && isWordChar(code.charCodeAt(j))) j--;
    const name = j + 1;
    if (name > end) continue;
    anchorBefore(code, name, out);
    // `Set x =`, `Const x =`: the anchor comes before the keyword
    let b = name - 1;
    if (b < 0 || !isBlank(code.charCodeAt(b))) continue;
    while (b >= 0 && isBlank(code.charCodeAt(b))) b--;
    if (b >= 2) anchorBefore(code, b - 2, out);
    if (b >= 4) anchorBefore(code, b - 4, out);
  }
  return ascendingDistinct(out);
}

/**
 * The page's one-expression functions and its eval wrappers (see PageFunctions). VBScript
 * `Function F(a) : F = expr : End Function` (on one line or three); JScript
 * `function f(a) { ... eval(a ...) ... }` and VBScript functions whose body runs a parameter.
 */
export function pageFunctions(code: string, lower?: string): PageFunctions {
  const bodies = new Map<string, { params: string[]; body: string }>();
  const evaluators = new Set<string>();
  // every definition opens with `function` (any case): with the lower-cased code at the same
  // offsets, the pattern runs at those words only, and finds what a scan of the code finds
  const found = lower !== undefined && lower.length === code.length ? matchesAt(FUNCTION_DEF, code, literalOffsets(lower, 'function'), 300) : undefined;
  let m: RegExpExecArray | null | undefined;
  let n = 0;
  FUNCTION_DEF.lastIndex = 0;
  while ((m = found ? found[n] : FUNCTION_DEF.exec(code)) && n++ < 300) {
    checkBudget();
    const name = m[1]!.toLowerCase();
    const params = m[2]!
      .split(',')
      .map((p) =>
        p
          .trim()
          .replace(/^(?:ByVal|ByRef)\s+/i, '')
          .split(/\s/)[0]!
          .toLowerCase(),
      )
      .filter((p) => /^[a-z_]\w*$/.test(p));
    const body = functionBody(code, m.index + m[0].length);
    // static patterns, the name compared after: a regex compiled per function cost more than the rest of the page's analysis
    const one = ONE_EXPRESSION.exec(body);
    if (one && one[1]!.toLowerCase() === name && params.length > 0) bodies.set(name, { params, body: one[2]! });
    // a wrapper: a parameter handed to eval / Execute inside the body
    if (params.length > 0) {
      const ran = namesRun(body);
      if (params.some((p) => ran.has(p))) evaluators.add(name);
    }
  }
  return { bodies, evaluators };
}

const FUNCTION_DEF = /\bFunction[ \t]+([A-Za-z_]\w{0,254})[ \t]*\(([^)\n]{0,200})\)/gi;

/** A body that only sets the function's return value: `Name = expr` (the name is compared by the caller). */
const ONE_EXPRESSION = /^[\s:]*([A-Za-z_]\w*)[ \t]*=[ \t]*([^\n:]+?)[ \t]*[:\n]?\s*$/i;
const RUNS = /(?<![\w.])(?:eval|execute|executeglobal)\b[ \t]*\(?[ \t]*([A-Za-z_]\w*)/gi;

/** The names (lower case) that `eval` / `Execute` / `ExecuteGlobal` is handed first in `body`. */
function namesRun(body: string): Set<string> {
  const out = new Set<string>();
  RUNS.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = RUNS.exec(body)) !== null) {
    out.add(m[1]!.toLowerCase());
    // from the next character: `Execute(Eval(p))` hands `p` to Eval inside the first match
    RUNS.lastIndex = m.index + 1;
  }
  return out;
}

/** The body after a function's parameter list: to the matching `}` (JScript) or `End Function`. */
function functionBody(code: string, from: number): string {
  const after = code.slice(from, from + 4000);
  const brace = /^\s*\{/.exec(after);
  if (brace) {
    let depth = 0;
    for (let i = brace[0].length - 1; i < after.length; i++) {
      if (after[i] === '{') depth++;
      else if (after[i] === '}' && --depth === 0) return after.slice(brace[0].length, i);
    }
    return after;
  }
  const end = /\bEnd[ \t]+Function\b/i.exec(after);
  return end ? after.slice(0, end.index) : after.slice(0, 600);
}
