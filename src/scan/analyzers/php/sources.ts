/**
 * Where request data enters a PHP file and how far it travels: the source pattern (extended
 * per file for superglobals reached by name, framework request objects, filter_input and
 * functions that return request data) and the variable taint built from it.
 */
import { callIndex, dollarPairs, hasVariableVariables, type AnalyzerContext, type CallIndex } from '../../context.js';
import { Taint, matches, type FlowSpec } from '../../flow.js';
import { braceBody, callArgs } from '../../text.js';
import { addSplitSlots, superglobalSpellings } from './mechanisms.js';
import { importedRequestNames } from './imports.js';
import { formFieldArrays } from './form-fields.js';
import { bareCode, matchesAtWord, splitTopArgs } from './code.js';
import { constantStrings, varyingNames, type VarResolver } from './fold.js';
import { PHP_FLOW, SINK_NAMES } from './signatures.js';
import { FOREACH, PhpScopes, iterates } from './scopes.js';

/** One file's PHP analysis state shared by the passes: constants, the taint, the call index. */
export interface PhpScan {
  ctx: AnalyzerContext;
  consts: Map<string, string[]>;
  resolve: VarResolver;
  taint: Taint;
  hasRequest: boolean;
  calls: CallIndex;
  /** The taint read per function, for sinks where a name reused across functions would mislead. */
  scopes: PhpScopes;
}

/** Folds the file's constants and builds the request taint (variables that carry request data). */
export function requestTaint(ctx: AnalyzerContext): PhpScan {
  const { code, ev } = ctx;
  const consts = constantStrings(code, bareCode(ctx));
  const resolve: VarResolver = Object.assign((n: string) => consts.get(n)?.at(-1), { varying: varyingNames(consts) });
  addSplitSlots(ctx, consts, resolve);
  const superNames = [...consts].filter(([, vs]) => vs.some((v) => /^_(?:GET|POST|REQUEST|COOKIE|SERVER|FILES)$/.test(v))).map(([n]) => n.replace('$', '\\$'));
  const extraSources: string[] = [];
  if (superNames.length > 0) extraSources.push(`\\$\\{\\s*(?:${superNames.join('|')})\\s*\\}`);
  extraSources.push(...superglobalSpellings(code, resolve, dollarPairs(ctx)));
  // foreach (array('_POST', '_GET') as $r) ... $$r: a superglobal reached by its name
  const byName = superglobalNameVars(ctx);
  if (byName.length > 0) extraSources.push(`\\$\\$(?:${byName.join('|')})\\b|\\$\\{\\s*\\$(?:${byName.join('|')})\\s*\\}`);
  // a framework's request object (Laravel, Symfony, PSR-7) read in a file that can run code
  if (callIndex(ctx).hasAnyOf(SINK_NAMES)) extraSources.push(...frameworkRequestReads(code));
  // filter_input(INPUT_GET, 'c') is $_GET['c'] (a pattern of its own: one more alternative
  // starting at every `f` would slow the source regex on every file)
  if (callIndex(ctx).hasAnyOf(['filter_input', 'filter_input_array'])) extraSources.push('\\bfilter_input(?:_array)?\\s*\\(\\s*INPUT_(?:GET|POST|COOKIE|REQUEST)\\b');
  // a kit module's array of its own form's fields, filled by the loader in another file
  const fields = formFieldArrays(ctx);
  if (fields.length > 0) extraSources.push(`\\$(?:${fields.join('|')})\\s*\\[`);
  const flow0: FlowSpec = extraSources.length === 0 ? PHP_FLOW : { ...PHP_FLOW, source: sourceRegex(`${PHP_FLOW.source.source}|${extraSources.join('|')}`) };
  // functions that return request data are request sources too: eval(x()) with x() { return $_POST['a']; }
  // only worth finding when something could run what they return
  const getters = callIndex(ctx).hasAnyOf(SINK_NAMES) ? requestGetters(ctx, flow0.source) : [];
  const flow: FlowSpec = getters.length === 0 ? flow0 : { ...flow0, source: sourceRegex(`${flow0.source.source}|(?<![\\w$>:])(?:${getters.join('|')})\\s*\\(`) };
  const taint = new Taint(code, flow);
  if (byName.length > 0) {
    const at = code.search(/\$\$\w|\$\{\s*\$/);
    ev.add('flow', 'superglobal (request) array reached by name through a variable variable', 5, at, 10);
  }
  const hasRequest = flow.source.test(code);
  // foreach ($_POST as $k => $v) taints $k and $v; with the plain source pattern matching
  // nowhere in the code and nothing tainted, no loop expression can touch the request (it is
  // code between `(` and a space, and a sanitized piece blanked to `0` only takes matches
  // away: no part of the pattern reads a digit), so the loops are not read
  if (hasRequest || taint.vars.size > 0 || flow !== PHP_FLOW) {
    for (const m of matchesAtWord(FOREACH, ctx, 'foreach')) {
      if (iterates(taint, m[1]!)) {
        taint.vars.add(m[2]!);
        if (m[3]) taint.vars.add(m[3]);
        if (taint.hasSource(m[1]!)) {
          taint.direct.add(m[2]!);
          if (m[3]) taint.direct.add(m[3]);
        }
      }
    }
  }
  importedRequestNames(ctx, taint, resolve);
  // carry loop variables into later assignments; only in small scripts, where one name means
  // one value (in big files the same $path names many unrelated things across functions)
  if (ctx.size < 16384) taint.propagate();
  return { ctx, consts, resolve, taint, hasRequest, calls: callIndex(ctx), scopes: new PhpScopes(ctx, taint) };
}

/** Variables that iterate over superglobal names: foreach (array('_POST', '_GET') as $r). */
function superglobalNameVars(ctx: AnalyzerContext): string[] {
  if (!hasVariableVariables(ctx)) return [];
  const { code } = ctx;
  const out: string[] = [];
  for (const m of matches(/foreach\s*\(\s*(?:array\s*\(|\[)([^;{]{1,120}?)[)\]]\s*as\s*\$(\w{1,40})\s*\)/gi, code, 50)) {
    if (/['"]_(?:POST|GET|REQUEST|COOKIE|SERVER|FILES)['"]/.test(m[1]!)) out.push(m[2]!);
  }
  return out;
}

/** Names of user functions that return request data (directly, not through a parameter). */
function requestGetters(ctx: AnalyzerContext, source: RegExp): string[] {
  const { code } = ctx;
  if (!code.includes('return')) return [];
  const out: string[] = [];
  for (const m of matches(/\bfunction\s+&?\s*(\w{1,60})\s*\([^)]{0,200}\)[^{;]{0,80}\{/g, code, 2000)) {
    const body = braceBody(code, m.index + m[0].length - 1, 4000);
    if (body.length > 3000) continue; // small helpers only: big functions return many things
    const ret = /\breturn\b([^;]{1,300});/.exec(body);
    if (ret && source.test(ret[1]!)) out.push(m[1]!);
    if (out.length >= 20) break;
  }
  return out;
}

/** Methods of framework request objects that return what the client sent. */
const REQUEST_READERS = 'input|get|post|query|cookie|header|all|json|getContent|getQueryParams|getParsedBody|getParam|getParams|getPost|getQuery|getCookieParams';

/**
 * Reads of a framework request object: `$request->input('c')`, `$r->query->get('c')`,
 * `$req->getParsedBody()`, where the variable is named request/req or is a parameter typed as
 * a Request. Returned as source patterns for the taint.
 */
function frameworkRequestReads(code: string): string[] {
  const names = new Set<string>(['request', 'req']);
  // a namespace prefix (`Psr\Http\Message\`) ends in `\`, where a word boundary always is: spelling it
  // out (`(?:\\?\w+\\)*`) made the engine retry every long word run from each of its ends (quadratic)
  for (const m of matches(/\b(?:Server)?Request(?:Interface)?\s+\$(\w{1,40})/g, code, 50)) names.add(m[1]!);
  const vars = [...names].join('|');
  return [`\\$(?:${vars})\\s*->\\s*(?:${REQUEST_READERS})\\s*\\(`, `\\$(?:${vars})\\s*->\\s*(?:query|request|cookies|headers|files|attributes)\\s*->\\s*(?:get|all)\\s*\\(`];
}

const SOURCE_CACHE = new Map<string, RegExp>();

/**
 * The request-source regex extended for one file, compiled once per distinct text: most files
 * that extend it do so the same way (a framework's `$request`), and a regex compiled anew for
 * every file would also run cold every time.
 */
function sourceRegex(src: string): RegExp {
  let re = SOURCE_CACHE.get(src);
  if (!re) {
    if (SOURCE_CACHE.size >= 256) SOURCE_CACHE.clear();
    re = new RegExp(src, 'i');
    SOURCE_CACHE.set(src, re);
  }
  return re;
}

/**
 * A user function called with request data receives it in its parameters:
 * listDir($_GET['dir']) ... function listDir($d) { opendir($d) }. Small scripts only (one
 * name, one meaning).
 */
export function taintParameters(ctx: AnalyzerContext, taint: Taint): void {
  const { code } = ctx;
  const defs = new Map<string, string[]>();
  for (const m of matches(/\bfunction\s+&?\s*(\w{1,60})\s*\(([^)]{0,300})\)/g, code, 500)) {
    const params = m[2]!
      .split(',')
      .map((p) => /\$\w+/.exec(p)?.[0])
      .filter((p): p is string => p !== undefined);
    if (params.length > 0) defs.set(m[1]!.toLowerCase(), params);
  }
  if (defs.size === 0) return;
  const calls = callIndex(ctx);
  let added = false;
  for (const [name, params] of defs) {
    for (const c of calls.get(name)) {
      if (/function\s+&?\s*$/.test(code.slice(Math.max(0, c.at - 12), c.at))) continue;
      splitTopArgs(callArgs(code, c.open)).forEach((a, i) => {
        const p = params[i];
        if (p && !taint.vars.has(p) && taint.touches(a)) {
          taint.vars.add(p);
          added = true;
        }
      });
    }
  }
  if (added) taint.propagate();
}

/**
 * Variables one plain step from the request: assigned from it, or copied/indexed out of a
 * variable that was (`$r = $_COOKIE; $f = $r['f'];`). Small files only: in big ones one name
 * stands for many values.
 */
export function nearRequestVars(taint: Taint, size: number): ReadonlySet<string> {
  if (size >= 16384 || taint.direct.size === 0) return taint.direct;
  const out = new Set(taint.direct);
  for (const [name, rhss] of taint.assignments) {
    for (const r of rhss) {
      const m = /^\s*(\$\w+)(?:\s*\[[^\]]{0,60}\])*\s*;?\s*$/.exec(r);
      if (m && taint.direct.has(m[1]!)) out.add(name);
    }
  }
  return out;
}
