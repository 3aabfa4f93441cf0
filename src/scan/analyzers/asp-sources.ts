/**
 * Where a classic ASP page reads the request, beyond the literal `Request(...)` forms of
 * ASP_FLOW: the Request object or one of its collections kept in a variable of the page's own
 * (`Set r = Request` ... `Execute r("x")`), and VBScript's case-blind names (`Cmd = Request("c")`
 * ... `Execute cmd` is one variable; JScript pages keep their case).
 */
import type { AnalyzerContext } from '../context.js';
import type { FlowSpec } from '../flow.js';
import { vbGuards } from './asp-guards.js';
import { literalOffsets } from '../words.js';
import { isJscriptPage } from './asp-scan.js';

/** After `request` (lower case): the whole object or a collection, then the statement's end. */
const ALIASED = /^request(?:[ \t]*\.[ \t]*(?:form|querystring|cookies|item))?[ \t]*(?:;[ \t]*)?(?:$|[\r\n:'%])/;
/** Before `request`: `[Set|var] name =` at a statement's start (lower case). */
const ALIAS_NAME = /(?:^|[\n:;]|<%)[ \t]*(?:set[ \t]+|var[ \t]+)?([a-z_]\w{0,254})[ \t]*=[ \t]*$/;
/** Names that are the page's objects, never an alias the page made. */
const OBJECT_NAMES = /^(?:request|response|session|application|server|set|dim|var|then|else)$/;

/**
 * Variables the page assigns the Request object or one of its collections (lower case, at most
 * 20): `Set r = Request`, `Set f = Request.Form`, `var q = Request.QueryString;`. Found from the
 * word `request` (a page names it a few dozen times at most), each occurrence checked in place.
 */
export function requestAliases(lower: string): string[] {
  const out: string[] = [];
  for (const at of literalOffsets(lower, 'request', 2000)) {
    if (!ALIASED.test(lower.slice(at, at + 40))) continue;
    const name = ALIAS_NAME.exec(lower.slice(Math.max(0, at - 300), at))?.[1];
    if (name && !OBJECT_NAMES.test(name) && !out.includes(name)) out.push(name);
    if (out.length >= 20) break;
  }
  return out;
}

/** Pages up to this size are read with case-blind names. */
const CASELESS_MAX = 16384;

/** String literals of VBScript (`""` escapes a quote) and of JScript (either quote, backslash escapes). */
const VB_STRINGS = /"(?:[^"\n]|"")*"/g;
const JS_STRINGS = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g;

const PAGE_SPECS = new WeakMap<FlowSpec, Map<string, FlowSpec>>();

/**
 * `{ ...base, caseless, literals }`, made once per combination: spreading an object into a
 * literal that adds keys it lacks takes V8's slow path (microseconds a page, for every page).
 */
function pageSpec(base: FlowSpec, caseless: boolean, jscript: boolean): FlowSpec {
  let specs = PAGE_SPECS.get(base);
  if (!specs) PAGE_SPECS.set(base, (specs = new Map()));
  const key = `${caseless}/${jscript}`;
  let spec = specs.get(key);
  if (!spec) specs.set(key, (spec = jscript ? { ...base, caseless, literals: JS_STRINGS } : { ...base, caseless, literals: VB_STRINGS, guards: vbGuards }));
  return spec;
}

/**
 * The page's flow spec: `base` with case-blind names on VBScript pages and, where the page keeps
 * the Request object (or a collection) in a variable, reads through that variable as sources.
 * `readers`: the names whose keyed reads (`Request("cmd")`, `r("cmd")`) are request values, as
 * a regex alternation.
 */
export function aspFlowFor(ctx: AnalyzerContext, base: FlowSpec): { spec: FlowSpec; readers: string } {
  const jscript = isJscriptPage(ctx.text);
  // (on a small page only: a long one reuses a name across its procedures, and a case-blind
  // match joins more of those unrelated variables than it finds shells)
  const caseless = !jscript && ctx.size < CASELESS_MAX;
  base = pageSpec(base, caseless, jscript);
  const aliases = requestAliases(ctx.lower);
  if (aliases.length === 0) return { spec: base, readers: 'Request|Session' };
  const alt = aliases.join('|');
  const source = new RegExp(`${base.source.source}|\\b(?:${alt})\\s*(?:\\(|\\[|\\.\\s*(?:Form|QueryString|Item|Cookies|BinaryRead)\\b)`, base.source.flags);
  return { spec: { ...base, source }, readers: `Request|Session|${alt}` };
}

/** A read of a session key (not an assignment to it): the key is group 1. */
const SESSION_READ = /\bSession\s*\(\s*"([\w.-]{1,40})"\s*\)(?!\s*=[^=])/gi;

/**
 * Whether an expression reads one of the session `keys` (in any case of their ASCII letters):
 * what `\bSession\s*\(\s*"(?:k1|k2|...)"\s*\)(?!\s*=[^=])` (case-blind) finds, since a key
 * is such a name and at each offset the name pattern reads the whole name between the quotes.
 */
export function sessionReads(keys: Set<string>): (expr: string) => boolean {
  const lower = new Set([...keys].map((k) => k.toLowerCase()));
  return (expr) => {
    for (let m = execFrom(SESSION_READ, expr, 0); m !== null; m = execFrom(SESSION_READ, expr, m.index + 1)) if (lower.has(m[1]!.toLowerCase())) return true;
    return false;
  };
}

function execFrom(re: RegExp, text: string, from: number): RegExpExecArray | null {
  re.lastIndex = from;
  return re.exec(text);
}
