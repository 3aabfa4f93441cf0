/**
 * PHP data flow on tokens (tokens.ts): which variables hold request data, per function
 * scope, across assignments, array/destructuring targets, foreach, object properties, user
 * function parameters and return values, constructors and `__invoke`, closures and arrow
 * functions (dataflow-closures.ts), SPL containers, extract() of request data, and variable
 * variables with fixed names (dataflow-varvars.ts); which variables hold
 * constant strings (escapes, concatenation, chr(), `~`, `^` and the usual decoders folded);
 * and whether request data reaches a sink that runs code or commands, loads code, or picks the
 * function or class that runs. Every transformation between source and sink is transparent:
 * a decoder, a string built from pieces or a call through a variable is a step, not a signal.
 * It complements the pattern-level analyzer in php.ts, which reads one call at a time.
 */
import type { AnalyzerContext } from '../../context.js';
import { checkBudget } from '../../budget.js';
import { phpGuards } from './guards.js';
import { bracketMatches, tokenizePhp, type Tok } from './tokens.js';
import { fold, foldConstants } from './dataflow-fold.js';
import { letterlessNames } from './dataflow-letterless.js';
import type { ConstArray } from './dataflow-arrays.js';
import { flowSinks } from './dataflow-sinks.js';
import { flowCanReport, flowMayReport, sinkCall } from './dataflow-gate.js';
import { KILLS, REQUEST_ARRAYS, SCALAR_CASTS, TRANSPARENT } from './dataflow-names.js';
import { resolveVariableVariables } from './dataflow-varvars.js';
import { castOperandEnd } from './dataflow-casts.js';
import { staticKey } from './dataflow-consts.js';
import { collectFunctions } from './dataflow-functions.js';
import { aliasReferences, collectStatements } from './dataflow-statements.js';

/** (the size gate's sink test lives beside the token gate; tests read it from here) */
export { sinkCall };

/** Files with more tokens are applications: one name means many values and the pass costs more than it tells. */
const MAX_TOKENS = 20000;

export interface FnDef {
  name: string;
  params: string[];
  /** Parameters declared by reference (`&$v`): what the body assigns them reaches the caller's variable. */
  refs: boolean[];
  scope: number;
  bodyOpen: number;
  bodyClose: number;
}

export interface Assign {
  targets: string[];
  s: number;
  e: number;
  scope: number;
  /** `.=`: appends to the target's value. */
  append: boolean;
  /** A call passing the target to a by-reference parameter: the body's assignments to it run on the caller's value. */
  byRef: { fn: FnDef; param: string } | undefined;
}

interface CallSite {
  /** Keys of the functions the call may enter (`name`, `class::__construct`, `*::__invoke`). */
  fns: string[];
  args: Array<[number, number]>;
  scope: number;
  /** Entered through a callback runner: its arguments do not line up with the parameters. */
  viaCallback: boolean;
  /** The runner hands the callee elements of its data arguments (array_map, array_walk, usort...): any tainted one taints every parameter. */
  spread: boolean;
}

/** Words a request source is spelled with (lower case), any of them: one scan instead of one per word. */
const GATE_SOURCES = /\$_(?:get|post|request|cookie|files|server)|\$http_|php:\/\/input|getallheaders|apache_request_headers|filter_input/;
const GATE_EVAL = /(?<![\w>:$])(?:eval|assert)\s*\(/;
/** `$_SERVER` keys the client writes. */
const SERVER_REQUEST_KEYS = /^(?:HTTP_|QUERY_STRING|REQUEST_URI|PATH_INFO|PHP_AUTH|argv)/;
/** filter_input's request arrays, and the filters that leave only a number or a boolean. */
const INPUT_KINDS = /^input_(?:get|post|cookie|request)$/;
const NUMERIC_FILTERS = /^filter_(?:validate_(?:int|float|bool|boolean)|sanitize_number_(?:int|float))$/;

/** `filter_input(INPUT_GET, 'k'[, filter])` from `s` to its close `e`: the request's value unless the filter leaves a number. */
function filterInputReads(t: Tok[], s: number, e: number): boolean {
  if (e === -1 || t[s]?.k !== 'id' || !INPUT_KINDS.test(t[s]!.v)) return false;
  for (let j = s + 1; j < e; j++) if (t[j]!.k === 'id' && NUMERIC_FILTERS.test(t[j]!.v)) return false;
  return true;
}

/** Calls that hand back the values of a whole array (its order, not its keys). */
const WHOLE_ARRAY_READERS = new Set(['array_values', 'array_slice', 'end', 'reset', 'current', 'array_pop', 'array_shift', 'implode', 'join', 'array_reverse']);
/** Below this size the pass always runs: one-liners hide their sources and sinks best. */
const ALWAYS_SIZE = 8192;

export function analyzePhpDataflow(ctx: AnalyzerContext): void {
  // a bigger file needs a request source and a code/command sink in plain sight, or an eval of
  // constant code, for the pass to have anything to report (the pattern pass covers the rest)
  if (ctx.size > ALWAYS_SIZE) {
    const low = ctx.lower;
    // eval/assert are sinks too, so no sink call means neither condition holds
    if (!sinkCall(low) || (!GATE_EVAL.test(low) && !GATE_SOURCES.test(low))) return;
  }
  // most pages are refused by flowCanReport: the text shows it without making their tokens
  if (!flowMayReport(ctx.text)) return;
  // bounded by tokens, not bytes: packed shells are a few tokens around a megabyte-long string,
  // applications are many tokens (where one name means many values and the pass tells little)
  const raw = tokenizePhp(ctx.text, MAX_TOKENS + 1);
  if (raw.length === 0 || raw.length > MAX_TOKENS) return;
  // `${${"GLOBALS"}["k"]}` / `$$n` with a fixed name: the plain variable (obfuscators' name tables)
  const toks = resolveVariableVariables(raw);
  // most pages have neither a taint seed nor a sink reported without taint (dataflow-gate.ts)
  if (!flowCanReport(toks)) return;
  new Flow(ctx, toks).run();
}

export class Flow {
  readonly scope: Int32Array;
  readonly match: Int32Array;
  readonly fns = new Map<string, FnDef[]>();
  readonly defs: FnDef[] = [];
  readonly globalsIn = new Map<number, Set<string>>();
  readonly assigns: Assign[] = [];
  readonly calls: CallSite[] = [];
  /** `$d = &...` assignments: `$d` is then another name of what the right side names. */
  readonly refs: Array<{ target: string; s: number; e: number }> = [];
  readonly returns: Array<{ fn: FnDef; s: number; e: number }> = [];
  /**
   * Tainted variable keys -> token index from which they hold request data: a read before the
   * first tainting assignment does not see it (scripts run top to bottom; an application's
   * earlier loop over its own registry is not fed by a later request read). Parameters,
   * properties and globals read inside functions hold it everywhere (-1).
   */
  readonly tainted = new Map<string, number>();
  readonly taintedReturns = new Set<string>();
  readonly consts = new Map<string, string | null>();
  readonly arrays = new Map<string, ConstArray | null>();
  /**
   * Variables holding `php://input` however it was spelled (decoded, assembled, kept in an
   * array): reading one reads the request body.
   */
  readonly inputVars = new Set<string>();
  /** Variables once assigned a superglobal's name (`strrev('TSOP_')`): `$$v` reads the request. */
  readonly superVars = new Set<string>();
  /** Anonymous functions and arrow functions by the token index of their `function` / `fn`. */
  readonly closures = new Map<number, FnDef>();
  /** extract() / parse_str() calls that import an array's entries as variables of their scope. */
  readonly imports: Array<{ scope: number; at: number; s: number; e: number }> = [];
  /** Scopes that imported request data as variables -> the token index of the first such import. */
  private readonly importedAt = new Map<number, number>();
  /** Variables assigned a closure literal -> the closure's key. */
  readonly closureVars = new Map<string, string>();

  /** Page-level variables (`0:v`) confined to an allowlist before use. */
  private readonly confined: ReadonlySet<string>;
  /** Page-level variables (`0:v`) confined to one word of a safe character set (guards.ts). */
  private readonly words: ReadonlySet<string>;
  /** Set while asking whether an expression is tainted beyond such words. */
  private hidingWords = false;

  constructor(
    readonly ctx: AnalyzerContext,
    readonly toks: Tok[],
  ) {
    const guards = phpGuards(ctx.code);
    this.confined = new Set([...guards.allowlisted].map((v) => `0:${v.slice(1)}`));
    this.words = new Set([...guards.charset].map((v) => `0:${v.slice(1)}`));
    this.scope = new Int32Array(toks.length);
    this.match = bracketMatches(toks);
  }

  /** The partner of the bracket at `i`, or -1. */
  close(i: number): number {
    return i >= 0 && i < this.match.length ? this.match[i]! : -1;
  }

  /*
   * Assignments and call sites are made here only, all fields in one order: object literals
   * with and without the optional fields were several hidden classes, and the loops reading
   * them (propagation, folding) were deoptimized each time another one came.
   */
  addAssign(targets: string[], s: number, e: number, scope: number, append = false, byRef: Assign['byRef'] = undefined): void {
    this.assigns.push({ targets, s, e, scope, append, byRef });
  }

  addCall(fns: string[], args: Array<[number, number]>, scope: number, viaCallback = false, spread = false): void {
    this.calls.push({ fns, args, scope, viaCallback, spread });
  }

  run(): void {
    collectFunctions(this);
    collectStatements(this);
    aliasReferences(this);
    foldConstants(this);
    letterlessNames(this);
    // an element holding it makes its whole array the request body's name
    for (const [k, v] of this.consts) if (v?.includes('php://input')) this.inputVars.add(k.replace(/\[.*$/, ''));
    for (const [k, a] of this.arrays) if (a?.some(([, v]) => v.includes('php://input'))) this.inputVars.add(k);
    this.propagate();
    flowSinks(this);
  }

  key(scope: number, name: string): string {
    return this.globalsIn.get(scope)?.has(name) ? `0:${name}` : `${scope}:${name}`;
  }

  /** End (exclusive) of the expression starting at `s`: `;`, an unmatched closer, or a top-level `,`. */
  exprEnd(s: number): number {
    const t = this.toks;
    let depth = 0;
    const limit = Math.min(t.length, s + 5000);
    for (let i = s; i < limit; i++) {
      const tk = t[i]!;
      if (tk.k !== 'op') continue;
      const v = tk.v;
      if (v === '(' || v === '[' || v === '{') depth++;
      else if (v === ')' || v === ']' || v === '}') {
        if (--depth < 0) return i;
      } else if ((v === ';' || v === ',') && depth === 0) return i;
    }
    return limit;
  }

  /** Whether tokens [s, e) read request data. */
  exprTainted(s: number, e: number, sc: number): boolean {
    const t = this.toks;
    for (let i = s; i < e; i++) {
      const tk = t[i]!;
      if (tk.v === '(' && tk.k === 'op' && t[i + 2]?.v === ')' && t[i + 1]?.k === 'id' && SCALAR_CASTS.has(t[i + 1]!.v)) {
        // `(int)$_GET['n']`: a number, whatever the request sent
        const end = castOperandEnd(this, i + 3, e);
        if (end !== -1) i = end - 1;
        continue;
      }
      if (tk.k === 'id') {
        const next = t[i + 1]?.v;
        if (next === '(' && KILLS.has(tk.v)) {
          const c = this.close(i + 1);
          if (c !== -1 && c < e) i = c;
          continue;
        }
        if (next !== '(') continue;
        if (tk.v === 'getallheaders' || tk.v === 'apache_request_headers') return true;
        if ((tk.v === 'filter_input' || tk.v === 'filter_input_array') && filterInputReads(t, i + 2, this.close(i + 1))) return true;
        if (tk.v === 'getenv' && t[i + 2]?.k === 'str' && SERVER_REQUEST_KEYS.test(t[i + 2]!.v)) return true;
        const method = t[i - 1]?.v === '->' || t[i - 1]?.v === '?->' || t[i - 1]?.v === '::';
        if (this.taintedReturns.has(method ? `*::${tk.v}` : tk.v) && t[i - 1]?.v !== 'function') return true;
        if (method ? !this.fns.has(`*::${tk.v}`) : !TRANSPARENT.has(tk.v) && !this.fns.has(tk.v)) {
          const c = this.close(i + 1);
          if (c !== -1 && c < e) i = c;
        }
        continue;
      }
      if (tk.k === 'op' && tk.v === '$') {
        // `$$name` / `${'_PO'.'ST'}`: a superglobal named by a computed string
        const n = t[i + 1];
        if (n?.k === 'var' && this.superVars.has(this.key(sc, n.v))) return true;
        if (n?.v === '{' && t[i + 2]?.k === 'var' && t[i + 3]?.v === '}' && this.superVars.has(this.key(sc, t[i + 2]!.v))) return true;
        if (n?.v === '{' && this.close(i + 1) !== -1 && REQUEST_ARRAYS.has(fold(this, i + 2, this.close(i + 1), sc, 0) ?? '')) return true;
        continue;
      }
      if (tk.k === 'var') {
        if (this.isSource(i)) return true;
        const base = t[i - 1]?.v === '::' ? staticKey(tk.v) : this.key(sc, tk.v);
        if (this.inputVars.has(base)) return true;
        if (this.isTainted(base, i, sc)) return true;
        const idx = this.constIndex(i + 1);
        if (idx !== undefined ? this.isTainted(`${base}[${idx}]`, i, sc) : t[i + 1]?.v !== '[' && this.isTainted(`${base}[]`, i, sc)) return true;
        // `$handlers[$_POST['id']]`: the request picks one of the application's own values
        while (t[i + 1]?.v === '[') {
          const c = this.close(i + 1);
          if (c === -1 || c >= e) break;
          i = c;
        }
        if ((t[i + 1]?.v === '->' || t[i + 1]?.v === '?->') && t[i + 2]?.k === 'id') {
          const name = t[i + 2]!.v;
          if (t[i + 3]?.v === '(' ? this.taintedReturns.has(`*::${name}`) : this.tainted.has(`prop:${name}`)) return true;
        }
        continue;
      }
      if (tk.k === 'str' || tk.k === 'bt') {
        if (tk.v.includes('php://input')) return true;
        if (tk.vars?.some((v) => REQUEST_ARRAYS.has(v) || this.inputVars.has(this.key(sc, v)) || this.isTainted(this.key(sc, v), i, sc))) return true;
      }
    }
    return false;
  }

  /** The constant index of `[ 'k' ]` / `[ 0 ]` opening at `j`, if that is what it is. */
  constIndex(j: number): string | undefined {
    const t = this.toks;
    if (t[j]?.v !== '[' || t[j + 2]?.v !== ']') return undefined;
    const x = t[j + 1]!;
    return (x.k === 'str' && !x.vars?.length) || x.k === 'num' ? x.v : undefined;
  }

  /** exprTainted with the character-set-confined words left out. */
  private taintedBeyondWords(s: number, e: number, sc: number): boolean {
    this.hidingWords = true;
    try {
      return this.exprTainted(s, e, sc);
    } finally {
      this.hidingWords = false;
    }
  }

  isTainted(key: string, i: number, sc: number): boolean {
    if (this.hidingWords && this.words.has(key)) return false;
    const at = this.tainted.get(key);
    if (at !== undefined) return at < i || (sc !== 0 && key.startsWith('0:'));
    // after extract() of request data, a variable the scope never assigns holds a request value
    if (this.importedAt.size === 0) return false;
    const from = this.importedAt.get(sc);
    return from !== undefined && from < i && key.startsWith(`${sc}:`) && !key.includes('[') && !this.assignedKeys().has(key);
  }

  private assigned: Set<string> | undefined;
  /** Every variable key some assignment, foreach, destructuring or by-reference output writes. */
  private assignedKeys(): Set<string> {
    if (!this.assigned) {
      this.assigned = new Set();
      for (const a of this.assigns) for (const k of a.targets) this.assigned.add(k.replace(/\[.*$/, ''));
      for (const d of this.defs) for (const p of d.params) this.assigned.add(`${d.scope}:${p}`);
      for (const d of this.closures.values()) for (const p of d.params) this.assigned.add(`${d.scope}:${p}`);
    }
    return this.assigned;
  }

  /** extract() / one-argument parse_str() of request data: the scope's unassigned variables come from the request from there on. */
  private importsRequest(): boolean {
    let changed = false;
    for (const m of this.imports) {
      const cur = this.importedAt.get(m.scope);
      if ((cur !== undefined && cur <= m.at) || !this.exprTainted(m.s, m.e, m.scope)) continue;
      this.importedAt.set(m.scope, m.at);
      changed = true;
    }
    return changed;
  }

  isSource(i: number): boolean {
    const t = this.toks;
    const name = t[i]!.v;
    if (REQUEST_ARRAYS.has(name)) return true;
    if (name !== '_SERVER' && name !== 'GLOBALS') return false;
    if (t[i + 1]?.v !== '[') {
      // every value of $_SERVER, headers included, taken as a list: `array_values($_SERVER)[6]`
      return name === '_SERVER' && t[i - 1]?.v === '(' && WHOLE_ARRAY_READERS.has(t[i - 2]?.v ?? '');
    }
    const c = this.close(i + 1);
    // the key as PHP sees it: `$_SERVER['HTTP_'.'X']`, `$GLOBALS[strrev('TSOP_')]`
    const idx = c === -1 ? undefined : fold(this, i + 2, c, this.scope[i]!, 0);
    if (idx === undefined) return false;
    return name === '_SERVER' ? SERVER_REQUEST_KEYS.test(idx) : REQUEST_ARRAYS.has(idx);
  }

  /**
   * A call with a tainted argument taints the parameters it lines up with (all of them for a
   * spreading runner; a parameter past the last argument takes the last one's). The taint of
   * each argument is kept in a byte array and the parameters walked by index: an array of
   * booleans made by map() and a forEach callback per definition were maps and closures that
   * TurboFan saw change (deopts of propagate as pages with other call shapes came).
   */
  /** Whether the argument starting at token `s` is an inline function (`fn`, `function`, `static fn`). */
  private closureLiteral(s: number): boolean {
    let t = this.toks[s];
    if (t?.k === 'id' && t.v.toLowerCase() === 'static') t = this.toks[s + 1];
    if (t?.k !== 'id') return false;
    const v = t.v.toLowerCase();
    return v === 'fn' || v === 'function';
  }

  /**
   * Whether tokens [s, e) pick one inline function from a table of them (`[ 'name' => fn($a, $b)
   * => .., 'date' => function (..) {..} ][$sort] ?? null`): whatever the index, the value is one
   * of the page's own functions, or null.
   */
  private closureTable(s: number, e: number): boolean {
    const t = this.toks;
    let open = s;
    if (t[s]?.k === 'id' && t[s]!.v.toLowerCase() === 'array' && t[s + 1]?.v === '(') open = s + 1;
    else if (t[s]?.k !== 'op' || t[s]!.v !== '[') return false;
    const close = this.match[open]!;
    if (close <= open || close >= e || t[close + 1]?.v !== '[') return false;
    const idxClose = this.match[close + 1]!;
    if (idxClose <= close + 1 || idxClose >= e) return false;
    // after the index: nothing, or `?? null`
    const rest = e - (idxClose + 1);
    if (rest !== 0 && !(rest === 2 && t[idxClose + 1]!.v === '??' && t[idxClose + 2]!.k === 'id' && t[idxClose + 2]!.v.toLowerCase() === 'null')) return false;
    // every element's value (after `=>` at the top level, or the element itself) is an inline function
    let values = 0;
    let start = open + 1;
    for (let i = open + 1; i <= close; i++) {
      const tk = t[i]!;
      if (i < close && tk.k === 'op' && (tk.v === '(' || tk.v === '[' || tk.v === '{')) {
        i = this.match[i]!;
        if (i < 0) return false;
        continue;
      }
      if (i < close && !(tk.k === 'op' && tk.v === ',')) continue;
      if (i === start) {
        if (i === close && values > 0) break; // a trailing comma
        return false;
      }
      let v = start;
      for (let j = start; j < i; j++) if (t[j]!.v === '=>' && (t[j - 1]!.k === 'str' || t[j - 1]!.k === 'num')) v = j + 1;
      if (!this.closureLiteral(v)) return false;
      values++;
      start = i + 1;
    }
    return values > 0;
  }

  private callTaints(c: CallSite): boolean {
    const n = c.args.length;
    const hot = new Uint8Array(n);
    let any = false;
    for (let a = 0; a < n; a++) {
      const [s, e] = c.args[a]!;
      // a closure handed over (`fn() => strtoupper($_GET['q'])`) is the page's code, not a value
      // the request chose: what it does with the request is judged where it is written
      if (this.closureLiteral(s) || !this.exprTainted(s, e, c.scope)) continue;
      hot[a] = 1;
      any = true;
    }
    if (!any) return false;
    const last = hot[n - 1] === 1;
    let changed = false;
    for (const k of c.fns) {
      const defs = this.fns.get(k);
      if (defs === undefined) continue;
      for (const def of defs) {
        const params = def.params;
        for (let idx = 0; idx < params.length; idx++) {
          const p = params[idx]!;
          if (!p || !(c.spread || (idx < n ? hot[idx] === 1 : last))) continue;
          const key = `${def.scope}:${p}`;
          if (this.tainted.get(key) !== -1) {
            this.tainted.set(key, -1);
            changed = true;
          }
        }
      }
    }
    return changed;
  }

  private propagate(): void {
    for (let round = 0; round < 6; round++) {
      let changed = this.imports.length > 0 && this.importsRequest();
      for (const a of this.assigns) {
        checkBudget();
        if (a.targets.every((k) => (this.tainted.get(k) ?? Infinity) <= a.s)) continue;
        if (!this.exprTainted(a.s, a.e, a.scope) || this.closureTable(a.s, a.e)) continue;
        // a word a character set confines, built into a longer value (`"pages/$p.php"`), stays in the page's pattern
        if (this.words.size > 0 && a.e - a.s > 1 && !this.taintedBeyondWords(a.s, a.e, a.scope)) continue;
        for (const k of a.targets) {
          // a page-level variable an allowlist guard confines holds one of the page's values (guards.ts)
          if (this.confined.has(k)) continue;
          // properties and static properties are read by methods defined anywhere in the file
          const at = k.startsWith('prop:') || k.startsWith('cc:') ? -1 : a.s;
          if ((this.tainted.get(k) ?? Infinity) > at) {
            this.tainted.set(k, at);
            // the whole array, read as one value, holds its tainted elements
            const b = k.indexOf('[');
            if (b !== -1 && (this.tainted.get(`${k.slice(0, b)}[]`) ?? Infinity) > at) this.tainted.set(`${k.slice(0, b)}[]`, at);
            changed = true;
          }
        }
      }
      for (const c of this.calls) if (this.callTaints(c)) changed = true;
      for (const r of this.returns) {
        if (!r.fn.name || this.taintedReturns.has(r.fn.name)) continue;
        if (this.exprTainted(r.s, r.e, r.fn.scope)) {
          const short = r.fn.name.slice(r.fn.name.lastIndexOf(':') + 1);
          this.taintedReturns.add(r.fn.name.includes('::') ? `*::${short}` : short);
          this.taintedReturns.add(short);
          changed = true;
        }
      }
      if (!changed) break;
    }
  }
}
