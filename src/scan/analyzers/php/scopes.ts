/**
 * PHP function scopes for the page-wide taint. A variable inside a PHP function is that
 * function's own: no block scope, no view of the caller's variables. The page-wide taint
 * (sources.ts) reads names across the whole file, so in a large application a `$path` the
 * request fills in one method taints every `$path` of the file. At the weak, indirect sinks
 * (a callback or include reached through several steps, a path handed to the file system) the
 * analyzers ask here as well: does the function around the sink give the name request data
 * itself? Only ever a narrowing of the page-wide answer: where the function cannot be read
 * (variables made by extract(), `$$`, an include, destructuring), the page-wide answer stands.
 */
import type { AnalyzerContext } from '../../context.js';
import { Taint, matches } from '../../flow.js';
import { matchesAt } from '../../context.js';
import { literalOffsets } from '../../words.js';
import type { Guards } from '../../guards.js';
import { callArgs, matchingClose } from '../../text.js';
import { bareCode } from './code.js';
import { ScopeNarrowedTaint } from '../../scoped-taint.js';

/**
 * Whether a loop over `expr` hands request data to its variables: `expr` reads the request,
 * except as the key of a lookup in a container the request does not fill
 * (`$this->listeners[$event]`: the request picks which of the page's lists, not what is in it).
 */
export function iterates(taint: Taint, expr: string): boolean {
  if (!taint.touches(expr)) return false;
  const lookup = /^\s*(\$\w+(?:\s*->\s*\w+)*)\s*\[[^\]]{0,120}\]\s*(?:\?\?\s*(?:\[\s*\]|array\s*\(\s*\)))?\s*$/.exec(expr);
  return lookup === null || taint.touches(lookup[1]!) || taint.hasSource(expr.replace(/\[[^\]]*\]/, '[]'));
}

/** `foreach (<expr> as $k => $v)`: the loop variables take the expression's values. */
export const FOREACH = /foreach\s*\(\s*([^;]{1,120}?)\s+as\s+(\$\w+)(?:\s*=>\s*(\$\w+))?/gi;

interface Scope {
  /** Offset of the `function` keyword. */
  start: number;
  /** The body, from its `{` to its `}`. */
  bodyStart: number;
  end: number;
  params: string[];
  /** A closure's `use (...)` names; undefined for a named function or method. */
  uses: string[] | undefined;
  /** Names the body binds from outside (`global`, `static`): read with `opaque` when the scope is first asked about. */
  imports?: string[];
  /** The body makes variables the taint cannot see (read on first need). */
  opaque?: boolean;
}

const FUNCTION = /\bfunction\b[ \t\r\n]*&?[ \t\r\n]*(\w*)[ \t\r\n]*\(/gi;
/**
 * Ways a body gets variables that no `$v = ...` of its own shows, which the page-wide taint
 * models (extract(), variable variables, destructuring). What an included file or
 * an eval sets, neither reading sees.
 */
const OPAQUE = /\b(?:extract|parse_str|get_defined_vars|import_request_variables|mb_parse_str|list)\b|\$\$|\$\{|\[\s*\$\w+\s*,/i;
const VAR = /\$\w+/g;

function names(list: string): string[] {
  return list.match(VAR) ?? [];
}

/**
 * The functions and methods with bodies in `bare` (string-blanked code), in source order. The
 * pattern is tried only where `lower` (the code in lower case, the same offsets) holds `function`.
 */
function readScopes(bare: string, lower: string): Scope[] {
  const out: Scope[] = [];
  // (lower case keeps the offsets of latin-1 text; where it does not, the pattern runs over all)
  const found = lower.length === bare.length ? matchesAt(FUNCTION, bare, literalOffsets(lower, 'function', 3000), 3000) : matches(FUNCTION, bare, 3000);
  for (const m of found) {
    const open = m.index + m[0].length - 1;
    const close = matchingClose(bare, open, Math.min(bare.length, open + 4000));
    if (close === -1) continue;
    const params = (callArgs(bare, open, close - open + 1).match(/\$\w+/g) ?? []).filter((p) => p !== '$this');
    let k = close + 1;
    let uses: string[] | undefined;
    const use = /^[ \t\r\n]*use[ \t\r\n]*\(/i.exec(bare.slice(k, k + 40));
    if (use) {
      const uOpen = k + use[0].length - 1;
      const uClose = matchingClose(bare, uOpen, Math.min(bare.length, uOpen + 2000));
      if (uClose === -1) continue;
      uses = names(bare.slice(uOpen, uClose));
      k = uClose + 1;
    } else if (m[1] === '') uses = [];
    // a return type, then the body; `;` ends an abstract or interface method
    const rest = /^[^{;]{0,200}/.exec(bare.slice(k, k + 201))![0];
    const bodyStart = k + rest.length;
    if (bare.charCodeAt(bodyStart) !== 123) continue;
    const end = matchingClose(bare, bodyStart);
    if (end === -1) continue;
    out.push({ start: m.index, bodyStart, end, params, uses });
  }
  return out;
}

/**
 * The function-scope reading of one page's taint. `touches` and `touchesDirectly` answer as the
 * page's taint does, except that a tainted name inside a function body counts only when that
 * function taints it itself (from the request, from its parameters, `global`/`static` or
 * closure `use` names the page-wide taint holds, or through `foreach`).
 */
export class PhpScopes extends ScopeNarrowedTaint<Scope> {
  private scopes: Scope[] | undefined;
  private pageGuards: Guards | undefined;

  constructor(
    private readonly ctx: AnalyzerContext,
    taint: Taint,
  ) {
    super(taint);
  }

  /** Whether offsets `a` and `b` lie in the same innermost function (or both outside every function). */
  sameFunction(a: number, b: number): boolean {
    return this.innermost(a) === this.innermost(b);
  }

  private innermost(at: number): Scope | undefined {
    this.scopes ??= readScopes(bareCode(this.ctx), this.ctx.lower);
    let inner: Scope | undefined;
    for (const s of this.scopes) {
      if (s.bodyStart > at) break;
      if (at < s.end) inner = s;
    }
    return inner;
  }

  /** The innermost readable function around `at`; undefined where the page-wide taint stands. */
  protected scopeAt(at: number): Scope | undefined {
    const inner = this.innermost(at);
    // (a closure sees what its `use` names bring from outside: the page-wide answer is kept for it)
    if (inner === undefined || inner.uses !== undefined) return undefined;
    if (inner.opaque === undefined) {
      const body = bareCode(this.ctx).slice(inner.bodyStart, inner.end);
      inner.opaque = OPAQUE.test(body);
      inner.imports = [];
      for (const g of body.matchAll(/\b(?:global|static)[ \t]+(\$[^;]{1,300});/gi)) inner.imports.push(...names(g[1]!));
    }
    return inner.opaque ? undefined : inner;
  }

  protected localTaint(s: Scope): Taint {
    const { code } = this.ctx;
    const body = code.slice(s.bodyStart, s.end + 1);
    // (the page's guards hold in its functions: read once for the page, not again per body)
    this.pageGuards ??= this.taint.spec.guards?.(code);
    const guards = this.pageGuards;
    const local = new Taint(body, guards === undefined ? this.taint.spec : { ...this.taint.spec, guards: () => guards });
    // parameters are filled by the callers: in a small script the page-wide taint follows
    // request data into them (taintParameters); in a large one it has only the name
    let seeded = false;
    for (const v of [...(this.ctx.size < 16384 ? s.params : []), ...(s.imports ?? [])])
      if (this.taint.vars.has(v) && !local.vars.has(v)) {
        local.vars.add(v);
        if (this.taint.direct.has(v)) local.direct.add(v);
        seeded = true;
      }
    let looped = false;
    for (const m of matches(FOREACH, body, 200)) {
      if (!iterates(local, m[1]!)) continue;
      for (const v of [m[2]!, m[3]]) if (v !== undefined && !local.vars.has(v)) local.vars.add(v);
      looped = true;
    }
    if (seeded || looped) local.propagate();
    return local;
  }
}
