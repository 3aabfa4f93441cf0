/**
 * Whether the PHP token data flow (dataflow.ts) can report anything for a token stream, read
 * from the tokens alone before any of its scopes, folding or propagation is built. The pass
 * reports (evidence or a decoded layer) only from a sink `flowSinks` reads: some report
 * without taint, all others need request data tainted somewhere. So a stream is skipped unless
 * it holds a sink reported without taint, or both a taint seed and a sink that reports taint
 * (most pages that seed taint, by a `:` in some string, call no sink at all). What each
 * condition stands for:
 *
 * - taint seeds (`Flow.exprTainted`/`isSource`): a superglobal variable (`$_GET`, `$_SERVER`,
 *   `$GLOBALS`, ...) as a token or interpolated in a string; `$` used as an operator (`$$v`,
 *   `${'_GET'}`: a superglobal named by a computed string); a request-reading call
 *   (`getallheaders`, `apache_request_headers`, `getenv`); `php://input`, which the folding can
 *   only produce when a `:` is in some string literal or is made by a call or operator that
 *   creates characters (chr, the decoders, `~`, `^`), possibly through a computed name;
 * - sinks reported without taint: eval/assert/create_function of constant code (a decoded
 *   layer), session_set_save_handler with a runner, `FFI::cdef`, `PDO::FETCH_FUNC`, each by
 *   its literal name or through a computed call (`$f(...)`, `$a['k'](...)`, `(expr)(...)`),
 *   whose folded name may be any sink;
 * - sinks reported only with taint: a backtick command interpolating variables; a code or
 *   command sink, preg_replace, a callback runner or `new ReflectionFunction`/`Method` called
 *   by name (not as a method); `->invoke(`/`->invokeArgs(` and `Closure::fromCallable(`; and
 *   in a script small enough for the request choosing what runs to be a loader, include /
 *   require and `new $var`.
 */
import { dataUrlAt, type Tok } from './tokens.js';
import { CALLBACKS, CMD_SINKS, CODE_SINKS, REQUEST_ARRAYS } from './dataflow-names.js';
import { MAX_CHOOSER_TOKENS } from './dataflow-sinks.js';

/** Variables whose reads `Flow.isSource` may count as request data. */
const SOURCE_VARS = new Set([...REQUEST_ARRAYS, '_SERVER', 'GLOBALS']);
/** Calls `Flow.exprTainted` counts as reading the request. */
const SOURCE_CALLS = new Set(['getallheaders', 'apache_request_headers', 'getenv']);
/** Calls the constant folding (dataflow-fold.ts) evaluates that can yield characters absent from their arguments. */
const CHAR_MAKERS = new Set(['chr', 'base64_decode', 'hex2bin', 'urldecode', 'rawurldecode', 'gzinflate', 'gzuncompress', 'gzdecode']);
/** Names `flowSinks` reports on without any tainted argument. */
const UNTAINTED_SINKS = new Set(['eval', 'assert', 'create_function', 'session_set_save_handler', 'cdef', 'fetch_func']);
/** Functions `flowSinks` reports on, called by name, when an argument is tainted. */
const TAINTED_CALLS = new Set([...CODE_SINKS, ...CMD_SINKS, ...CALLBACKS.keys(), 'preg_replace']);
/** Methods `flowSinks` reports on when an argument is tainted (the reflection and closure runners). */
const TAINTED_METHODS = new Set(['invoke', 'invokeargs', 'fromcallable']);
/** Classes whose instantiation with a tainted argument `flowSinks` reports. */
const TAINTED_NEW = new Set(['reflectionfunction', 'reflectionmethod']);
const INCLUDES = new Set(['include', 'require', 'include_once', 'require_once']);

/** Tokens a computed callee can end with when a `(` follows (see calleeAt and the folding's postfix calls). */
function callsThroughValue(prev: Tok): boolean {
  return prev.k === 'var' || prev.k === 'str' || prev.k === 'num' || prev.v === ')' || prev.v === ']' || prev.v === '}';
}

/** Whether id token `i` is a sink `flowSinks` reports only with taint. */
function taintedSinkAt(toks: readonly Tok[], i: number, small: boolean): boolean {
  const v = toks[i]!.v;
  if (INCLUDES.has(v)) return small || dataUrlAt(toks, i + 1);
  if (toks[i + 1]?.v !== '(') return false;
  const prev = toks[i - 1];
  if (prev === undefined) return TAINTED_CALLS.has(v);
  if (prev.v === '->' || prev.v === '?->' || prev.v === '::') return TAINTED_METHODS.has(v);
  if (prev.k === 'id' && prev.v === 'function') return false;
  return TAINTED_CALLS.has(v) || (prev.k === 'id' && prev.v === 'new' && TAINTED_NEW.has(v));
}

/** False only when the data flow pass provably reports nothing for `toks`. */
export function flowCanReport(toks: readonly Tok[]): boolean {
  // the chooser sinks (include, `new $var`) report only in scripts this small (dataflow-sinks.ts)
  const small = toks.length <= MAX_CHOOSER_TOKENS;
  let seed = false;
  let sink = false;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    switch (t.k) {
      case 'var':
        if (SOURCE_VARS.has(t.v)) seed = true;
        if (small && i > 0 && toks[i - 1]!.k === 'id' && toks[i - 1]!.v === 'new') sink = true;
        break;
      case 'id':
        if (UNTAINTED_SINKS.has(t.v)) return true;
        if (SOURCE_CALLS.has(t.v) || CHAR_MAKERS.has(t.v)) seed = true;
        if (!sink && taintedSinkAt(toks, i, small)) sink = true;
        break;
      case 'str':
      case 'bt':
        if (t.v.includes(':')) seed = true;
        else if (t.vars !== undefined && t.vars.length > 0) {
          if (t.vars.some((v) => SOURCE_VARS.has(v))) seed = true;
        }
        if (t.k === 'bt' && t.vars !== undefined && t.vars.length > 0) sink = true;
        break;
      case 'op':
        if (t.v === '$' || t.v === '~' || t.v === '^') seed = true;
        break;
    }
    // (kind not checked: the flow reads a `(` by its text)
    if (t.v === '(' && i > 0 && callsThroughValue(toks[i - 1]!)) return true;
    if (seed && sink) return true;
  }
  return false;
}

/**
 * Calls of the sinks that apply beyond small scripts (not methods: `->exec(`, `::system(`),
 * without the guard on the character before the name (sinkCall() checks it at each match):
 * a lookbehind leading the pattern is tried at every offset of the file.
 */
const GATE_SINK_NAMES = /(?:eval|assert|create_function|system|exec|shell_exec|passthru|popen|proc_open|preg_replace)\s*\(/g;

/**
 * Whether `low` calls a sink as `(?<![\w>:$])name\s*\(` would find it: the first offset where a
 * name matches with an allowed character before it (a match refused there is retried from the
 * next offset, as the lookbehind form would try it).
 */
export function sinkCall(low: string): boolean {
  GATE_SINK_NAMES.lastIndex = 0;
  for (let m = GATE_SINK_NAMES.exec(low); m !== null; m = GATE_SINK_NAMES.exec(low)) {
    if (m.index === 0 || !/[\w>:$]/.test(low[m.index - 1]!)) return true;
    GATE_SINK_NAMES.lastIndex = m.index + 1;
  }
  return false;
}
