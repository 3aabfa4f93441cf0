/**
 * Request-to-sink flow, the core of every language analyzer: which variables hold request
 * data (directly or through simple assignment chains), and whether a sink's arguments use
 * request data. Deliberately shallow (no real parser) but bounded and language-neutral.
 */

import { checkBudget } from './budget.js';
import { isWordChar } from './context.js';
import type { Guards } from './guards.js';
import { splitTopArgs } from './text.js';

export interface FlowSpec {
  /** Matches an expression that reads request input (non-global regex). */
  source: RegExp;
  /**
   * More reads of request data a page makes its own (ASP's session keys the request fills),
   * tested where `source` is: an expression reads the request when `source` matches it or this
   * says so. A page's names kept out of `source` leave that pattern's compiled code shared by
   * every page (one combined pattern per page was compiled anew for each).
   */
  moreSources?: (expr: string) => boolean;
  /** Global regex over code: group 1 = assigned variable, group 2 = right-hand side. */
  assign: RegExp;
  /** Global regex extracting variable references from a snippet (group 1 = name, or whole match). */
  varRef: RegExp;
  /**
   * Every offset where `assign` can match in a text, ascending (more is fine): the assignments
   * are then read by running `assign` anchored there, which finds what the global scan finds
   * without trying the pattern at every line break and separator of the file.
   */
  assignStarts?: (code: string) => number[];
  /** Names are case-blind (VBScript, VB.NET): `Cmd = Request("c")` taints `cmd`. */
  caseless?: boolean;
  /**
   * String literals (global regex): blanked before variable names are read, so the text of a
   * literal (`"/logs/ua.log"`) is not taken for the variables its words spell (`ua`).
   */
  literals?: RegExp;
  /**
   * The expression with the pieces whose value the request cannot steer (a number cast from
   * it, a hash of it) blanked: taint that only passes through them stops (PHP's `(int)`).
   */
  sanitize?: (expr: string) => string;
  /**
   * Variables the page's validation confines (guards.ts): an allowlist's carry no request text,
   * whatever they were assigned from; a character set's count only where they stand alone.
   */
  guards?: (code: string) => Guards;
}

/** A set of names compared without case (VBScript's `Cmd` and `cmd` are one variable). */
export class CaselessSet extends Set<string> {
  override add(v: string): this {
    return super.add(v.toLowerCase());
  }
  override has(v: string): boolean {
    return super.has(v.toLowerCase());
  }
  override delete(v: string): boolean {
    return super.delete(v.toLowerCase());
  }
}

const STICKY_ASSIGN = new WeakMap<RegExp, RegExp>();

/** The last text's assignment starts: passes build several taints over the same code. */
let lastStarts: { fn: (code: string) => number[]; code: string; starts: number[] } | undefined;
/** The one before (a scope's own taint, read between two taints of the whole page, keeps the page's reading). */
let priorStarts: typeof lastStarts;

function assignStartsOf(fn: (code: string) => number[], code: string): number[] {
  if (lastStarts?.fn === fn && lastStarts.code === code) return lastStarts.starts;
  if (priorStarts?.fn === fn && priorStarts.code === code) {
    [lastStarts, priorStarts] = [priorStarts, lastStarts];
    return lastStarts.starts;
  }
  priorStarts = lastStarts;
  const starts = fn(code);
  lastStarts = { fn, code, starts };
  return starts;
}

const GLOBAL_ASSIGN = new WeakMap<RegExp, RegExp>();

/** `assign` as a global regex of its own (made once per pattern; AssignScan sets its lastIndex before every exec). */
function globalOf(re: RegExp): RegExp {
  let g = GLOBAL_ASSIGN.get(re);
  if (!g) {
    g = new RegExp(re.source, re.global ? re.flags : `${re.flags}g`);
    GLOBAL_ASSIGN.set(re, g);
  }
  return g;
}

/** `assign` as a sticky regex (compiled once per pattern). */
function stickyOf(re: RegExp): RegExp {
  let y = STICKY_ASSIGN.get(re);
  if (!y) {
    y = new RegExp(re.source, `${re.flags.replace('g', '')}y`);
    STICKY_ASSIGN.set(re, y);
  }
  return y;
}

/**
 * The matches of an assignment pattern, as repeated global `exec` calls would return them
 * when the caller moves `lastIndex` between calls. With `starts`, the next one is the first
 * start at or after `lastIndex` where the anchored (sticky) pattern matches; without, `re` is
 * global and runs from `lastIndex`. One class for both, so the loop reading the matches sees
 * one kind of object (a bare RegExp for the one and this class for the other made the loop
 * polymorphic, and V8 threw its optimized code away whenever the other kind came).
 */
class AssignScan {
  private k = 0;
  lastIndex = 0;
  constructor(
    private readonly re: RegExp,
    private readonly starts: readonly number[] | undefined,
  ) {}
  exec(code: string): RegExpExecArray | null {
    const { starts, re } = this;
    if (starts === undefined) {
      re.lastIndex = this.lastIndex;
      const m = re.exec(code);
      this.lastIndex = re.lastIndex;
      return m;
    }
    while (this.k < starts.length) {
      const s = starts[this.k++]!;
      if (s < this.lastIndex) continue;
      re.lastIndex = s;
      const m = re.exec(code);
      if (m) {
        this.lastIndex = s + m[0].length;
        return m;
      }
    }
    return null;
  }
}

/** A text's assignments as one assignment pattern reads them (see parsedAssignments). */
interface Parsed {
  code: string;
  assign: RegExp;
  assignStarts: ((code: string) => number[]) | undefined;
  pairs: Array<[string, string]>;
  assignments: Map<string, string[]>;
  /** The names each pair's right-hand side references, for the last reading of them (varRef, literals and sanitizer). */
  refs: { varRef: string; literals: RegExp | undefined; sanitize: ((expr: string) => string) | undefined; list: Array<string[] | undefined> } | undefined;
}

/**
 * The last text's assignments: an analyzer builds a second taint over the same code with more
 * sources (ASP's session keys the request fills, PHP's hidden inputs), and the reading of the
 * assignments depends on the text and the assignment pattern only. Shared read-only.
 */
let lastParsed: Parsed | undefined;
/** The one before: scopes (php/scopes.ts, asp-classes.ts) read a function's own text between taints of the whole page. */
let priorParsed: Parsed | undefined;

function parsedAssignments(code: string, spec: FlowSpec): Parsed {
  const l = lastParsed;
  if (l !== undefined && l.assign === spec.assign && l.assignStarts === spec.assignStarts && l.code === code) return l;
  const p = priorParsed;
  if (p !== undefined && p.assign === spec.assign && p.assignStarts === spec.assignStarts && p.code === code) {
    priorParsed = lastParsed;
    lastParsed = p;
    return p;
  }
  priorParsed = lastParsed;
  const starts = spec.assignStarts ? assignStartsOf(spec.assignStarts, code) : undefined;
  const re = new AssignScan(starts ? stickyOf(spec.assign) : globalOf(spec.assign), starts);
  const pairs: Array<[string, string]> = [];
  const assignments = new Map<string, string[]>();
  let m: RegExpExecArray | null;
  let guard = 0;
  while ((m = re.exec(code)) !== null && guard++ < 50000) {
    if (m[0].length === 0) re.lastIndex++;
    const name = m[1];
    const rhs = m[2] ?? '';
    // resume at the right-hand side: an over-long rhs must not swallow the next assignment
    if (rhs.length > 0) re.lastIndex = m.index + m[0].length - rhs.length;
    if (!name) continue;
    pairs.push([name, rhs]);
    const list = assignments.get(name);
    if (list) {
      if (list.length < 20) list.push(rhs);
    } else assignments.set(name, [rhs]);
  }
  lastParsed = { code, assign: spec.assign, assignStarts: spec.assignStarts, pairs, assignments, refs: undefined };
  return lastParsed;
}

/** The per-pair reference lists of `parsed` under `spec`'s reading of names, shared by taints that read them alike. */
function pairRefsOf(parsed: Parsed, spec: FlowSpec): Array<string[] | undefined> {
  const r = parsed.refs;
  if (r !== undefined && r.varRef === spec.varRef.source && r.literals === spec.literals && r.sanitize === spec.sanitize) return r.list;
  parsed.refs = { varRef: spec.varRef.source, literals: spec.literals, sanitize: spec.sanitize, list: [] };
  return parsed.refs.list;
}

/** The reference pattern of most specs (identifiers): read by identRefs instead of a regex. */
const IDENT_REF = '\\b([A-Za-z_]\\w*)\\b';

/**
 * The names `/\b([A-Za-z_]\w*)\b/g` finds in `text`, in order, handed to `found` until it
 * returns true (then that name is returned): every run of word characters that does not open
 * with a digit. A regex match per name allocated an array for each; this allocates the name only.
 */
function identRefs(text: string, found: (name: string) => boolean): string | undefined {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (!isWordChar(c)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isWordChar(text.charCodeAt(j))) j++;
    if (c > 57) {
      const name = text.slice(i, j);
      if (found(name)) return name;
    }
    i = j;
  }
  return undefined;
}

export class Taint {
  readonly vars: Set<string>;
  /** Variables assigned straight from request input (`$c = $_GET['c']`), not through chains. */
  readonly direct: Set<string>;
  /** Variable -> right-hand sides it was assigned (first 300 chars each); shared with other taints of the same text, never changed. */
  readonly assignments: Map<string, string[]>;

  constructor(
    readonly code: string,
    readonly spec: FlowSpec,
  ) {
    this.vars = spec.caseless ? new CaselessSet() : new Set();
    this.direct = spec.caseless ? new CaselessSet() : new Set();
    this.idents = spec.varRef.source === IDENT_REF;
    const parsed = parsedAssignments(code, spec);
    const pairs = parsed.pairs;
    this.assignments = parsed.assignments;
    this.pairRefs = pairRefsOf(parsed, spec);
    this.pairs = pairs;
    if (spec.source.global) {
      // (a global pattern's answers depend on its lastIndex, so on which right-hand sides were tested before: the guarded names are skipped first, as always)
      const confined = this.confined;
      for (const [name, rhs] of pairs) if (!confined?.has(name) && this.isSource(this.clean(rhs))) this.direct.add(name);
      this.sourced = undefined;
      this.propagate();
      return;
    }
    // whether each right-hand side reads the request directly never changes: test it once.
    // Without the guards: a confined name is never tainted, which propagate and `direct` check
    // apart, so the guards are read only once some name could be tainted (on most pages never).
    const sourced: boolean[] = new Array<boolean>(pairs.length);
    let anySourced = false;
    for (let i = 0; i < pairs.length; i++) if ((sourced[i] = this.isSource(this.clean(pairs[i]![1])))) anySourced = true;
    this.sourced = sourced;
    if (!anySourced) return; // (nothing sourced and nothing tainted: propagate would taint nothing)
    const confined = this.confined;
    for (let i = 0; i < pairs.length; i++) if (sourced[i] && !confined?.has(pairs[i]![0])) this.direct.add(pairs[i]![0]);
    this.propagate();
  }

  private readonly pairs: Array<[string, string]>;
  /** The spec's guards of the code, read on first need (see guardsRead). */
  private guardsRead = false;
  private confinedSet: ReadonlySet<string> | undefined;
  private wordSet: ReadonlySet<string> | undefined;
  private pathSet: ReadonlySet<string> | undefined;
  /** Per pair, whether its right-hand side reads the request directly (guards not applied); undefined for a global source pattern. */
  private readonly sourced: boolean[] | undefined;

  /** Reads the spec's guards once: the same answer whenever asked, since they depend on the code only. */
  private readGuards(): void {
    this.guardsRead = true;
    const guards = this.spec.guards?.(this.code);
    this.confinedSet = guards !== undefined && guards.allowlisted.size > 0 ? guards.allowlisted : undefined;
    this.wordSet = guards !== undefined && guards.charset.size > 0 ? guards.charset : undefined;
    this.pathSet = guards?.contained !== undefined && guards.contained.size > 0 ? guards.contained : undefined;
  }

  /** Variables the spec's guards confine to the page's own values (never tainted). */
  get confined(): ReadonlySet<string> | undefined {
    if (!this.guardsRead) this.readGuards();
    return this.confinedSet;
  }

  /** Variables a guard confines to one word of a safe character set: tainted only where they stand alone. */
  private get words(): ReadonlySet<string> | undefined {
    if (!this.guardsRead) this.readGuards();
    return this.wordSet;
  }
  /** Per pair, the names its right-hand side references (read on first need; each round reads them again). */
  private readonly pairRefs: Array<string[] | undefined>;
  /** Whether names are read by identRefs (the spec's varRef is IDENT_REF). */
  private readonly idents: boolean;
  private refRe: RegExp | undefined;

  /** `expr` (sanitized already) with its string literals blanked, where the spec says what they look like (names are read from code only). */
  private code0(expr: string): string {
    const lit = this.spec.literals;
    return lit && (expr.includes('"') || expr.includes("'")) ? expr.replace(lit, '""') : expr;
  }

  /** Whether `expr` (sanitized already) reads request data directly: the spec's source pattern, or its page's own reads. */
  private isSource(expr: string): boolean {
    return this.spec.source.test(expr) || this.spec.moreSources?.(expr) === true;
  }

  /** `expr` without its sanitized pieces (itself where the spec has no sanitizer). */
  private clean(expr: string): string {
    const s = this.spec.sanitize;
    return s === undefined ? expr : s(expr);
  }

  /** The variable-reference regex, compiled once per instance and rewound for each use (none nest). */
  private refs(): RegExp {
    this.refRe ??= new RegExp(this.spec.varRef.source, 'g');
    this.refRe.lastIndex = 0;
    return this.refRe;
  }

  /** Request data -> var -> var (three rounds covers the chains shells use); call again after adding tainted variables. */
  propagate(): void {
    const pairs = this.pairs;
    const sourced = this.sourced;
    if (sourced === undefined) {
      for (let round = 0; round < 3; round++) {
        let changed = false;
        for (const [name, rhs] of pairs) {
          if (this.vars.has(name) || this.confined?.has(name)) continue;
          if (this.touches(rhs)) {
            this.vars.add(name);
            changed = true;
          }
        }
        if (!changed) break;
      }
      return;
    }
    const vars = this.vars;
    // per pair, how many names were tainted when its references last named none of them: names
    // are only added here, so the same count is the same set, and the same answer
    let triedAt: Int32Array | undefined;
    for (let round = 0; round < 3; round++) {
      let changed = false;
      for (let i = 0; i < pairs.length; i++) {
        const direct = sourced[i]!;
        // (nothing tainted yet and not sourced: namesTainted says no, the guards are not needed)
        if (!direct && vars.size === 0) continue;
        const pair = pairs[i]!;
        const name = pair[0];
        if (vars.has(name) || this.confined?.has(name)) continue;
        if (!direct) {
          if (triedAt !== undefined && triedAt[i] === vars.size) continue;
          if (!this.namesTainted(i, pair[1])) {
            triedAt ??= new Int32Array(pairs.length).fill(-1);
            triedAt[i] = vars.size;
            continue;
          }
        }
        vars.add(name);
        changed = true;
      }
      if (!changed) break;
    }
  }

  /** `touchesVars(rhs)` of pair `i`, from its references read once. */
  private namesTainted(i: number, rhs: string): boolean {
    if (this.vars.size === 0) return false;
    let names = this.pairRefs[i];
    if (!names) {
      const list: string[] = [];
      const text = this.code0(this.clean(rhs));
      if (this.idents)
        identRefs(text, (name) => {
          list.push(name);
          return false;
        });
      else {
        const re = this.refs();
        let m: RegExpExecArray | null;
        while ((m = re.exec(text)) !== null) {
          if (m[0].length === 0) re.lastIndex++;
          list.push(m[1] ?? m[0]);
        }
      }
      this.pairRefs[i] = names = list;
    }
    for (const n of names) if (this.vars.has(n) && this.counts(n, rhs)) return true;
    return false;
  }

  /**
   * Whether tainted variable `v` met in `expr` carries request text there: a variable a guard
   * confines never does; one a character set confines only as a whole argument of its own (a
   * callee, a command), not built into a path, a command line or a name (`"pages/$p.php"`), and
   * never in a path (`forPath`), where one word without separators stays in the page's folder.
   */
  private counts(v: string, expr: string, forPath = false): boolean {
    if (this.confined?.has(v)) return false;
    if (forPath && this.pathSet?.has(v)) return false;
    if (!this.words?.has(v)) return true;
    if (forPath) return false;
    for (const part of splitTopArgs(expr)) if (part.replace(/^[\s(]+|[\s)]+$/g, '') === v) return true;
    return false;
  }

  /** True if `expr` reads request input directly. */
  hasSource(expr: string): boolean {
    return this.isSource(this.clean(expr));
  }

  /** True if `expr` reads request input directly or through a tainted variable (`forPath`: `expr` is a file path). */
  touches(expr: string, forPath = false): boolean {
    const e = this.clean(expr);
    return this.isSource(e) || this.touchesVars(e, forPath);
  }

  /** True if `expr` (sanitized already) names a tainted variable. */
  private touchesVars(expr: string, forPath = false): boolean {
    if (this.vars.size === 0) return false;
    const text = this.code0(expr);
    if (this.idents) return identRefs(text, (name) => this.vars.has(name) && this.counts(name, text, forPath)) !== undefined;
    const re = this.refs();
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length === 0) re.lastIndex++;
      const v = m[1] ?? m[0];
      if (this.vars.has(v) && this.counts(v, text, forPath)) return true;
    }
    return false;
  }

  /** Request input directly or through a variable assigned straight from it. */
  touchesDirectly(expr: string, forPath = false): boolean {
    const e = this.clean(expr);
    if (this.isSource(e)) return true;
    const text = this.code0(e);
    if (this.idents) return identRefs(text, (name) => this.direct.has(name) && this.counts(name, text, forPath)) !== undefined;
    const re = this.refs();
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length === 0) re.lastIndex++;
      const v = m[1] ?? m[0];
      if (this.direct.has(v) && this.counts(v, text, forPath)) return true;
    }
    return false;
  }

  /** The variable a tainted reference in `expr` names (for evidence), if any. */
  taintedVarIn(expr: string): string | undefined {
    const text = this.code0(this.clean(expr));
    if (this.idents) return identRefs(text, (name) => this.vars.has(name) && this.counts(name, text));
    const re = this.refs();
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length === 0) re.lastIndex++;
      const v = m[1] ?? m[0];
      if (this.vars.has(v) && this.counts(v, text)) return v;
    }
    return undefined;
  }
}

/**
 * Iterates global-regex matches with a hard cap (hostile files repeat patterns millions of times).
 * `from`: where to start, for callers that know no match starts earlier.
 */
export function* matches(re: RegExp, text: string, cap = 5000, from = 0): Generator<RegExpExecArray> {
  // (\`global\`, not the \`flags\` string: that getter reads every flag and builds a string on each call)
  const g = re.global ? re : new RegExp(re.source, re.flags + 'g');
  g.lastIndex = from;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = g.exec(text)) !== null && n++ < cap) {
    checkBudget();
    if (m[0].length === 0) g.lastIndex++;
    yield m;
  }
}
