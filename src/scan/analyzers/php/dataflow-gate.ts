/**
 * Whether the PHP token data flow (dataflow.ts) can report anything for a token stream, read
 * from the tokens alone before any of its scopes, folding or propagation is built. The pass
 * reports (evidence or a decoded layer) only when request data is tainted somewhere or when a
 * sink it reports without taint is called; both need a token of a kind this index looks for,
 * so a stream without any is skipped with the same outcome. What each condition stands for:
 *
 * - taint seeds (`Flow.exprTainted`/`isSource`): a superglobal variable (`$_GET`, `$_SERVER`,
 *   `$GLOBALS`, ...) as a token or interpolated in a string; `$` used as an operator (`$$v`,
 *   `${'_GET'}`: a superglobal named by a computed string); a request-reading call
 *   (`getallheaders`, `apache_request_headers`, `getenv`); `php://input`, which the folding can
 *   only produce when a `:` is in some string literal or is made by a call or operator that
 *   creates characters (chr, the decoders, `~`, `^`), possibly through a computed name;
 * - sinks reported without taint: eval/assert/create_function of constant code (a decoded
 *   layer), session_set_save_handler with a runner, `FFI::cdef`, `PDO::FETCH_FUNC`, each by
 *   its literal name or through a computed call (`$f(...)`, `$a['k'](...)`, `(expr)(...)`).
 */
import type { Tok } from './tokens.js';
import { REQUEST_ARRAYS } from './dataflow-names.js';

/** Variables whose reads `Flow.isSource` may count as request data. */
const SOURCE_VARS = new Set([...REQUEST_ARRAYS, '_SERVER', 'GLOBALS']);
/** Calls `Flow.exprTainted` counts as reading the request. */
const SOURCE_CALLS = new Set(['getallheaders', 'apache_request_headers', 'getenv']);
/** Calls the constant folding (dataflow-fold.ts) evaluates that can yield characters absent from their arguments. */
const CHAR_MAKERS = new Set(['chr', 'base64_decode', 'hex2bin', 'urldecode', 'rawurldecode', 'gzinflate', 'gzuncompress', 'gzdecode']);
/** Names `flowSinks` reports on without any tainted argument. */
const UNTAINTED_SINKS = new Set(['eval', 'assert', 'create_function', 'session_set_save_handler', 'cdef', 'fetch_func']);

/** Tokens a computed callee can end with when a `(` follows (see calleeAt and the folding's postfix calls). */
function callsThroughValue(prev: Tok): boolean {
  return prev.k === 'var' || prev.k === 'str' || prev.k === 'num' || prev.v === ')' || prev.v === ']' || prev.v === '}';
}

/** False only when the data flow pass provably reports nothing for `toks`. */
export function flowCanReport(toks: readonly Tok[]): boolean {
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    switch (t.k) {
      case 'var':
        if (SOURCE_VARS.has(t.v)) return true;
        break;
      case 'id':
        if (SOURCE_CALLS.has(t.v) || CHAR_MAKERS.has(t.v) || UNTAINTED_SINKS.has(t.v)) return true;
        break;
      case 'str':
      case 'bt':
        if (t.v.includes(':')) return true;
        if (t.vars?.some((v) => SOURCE_VARS.has(v))) return true;
        break;
      case 'op':
        if (t.v === '$' || t.v === '~' || t.v === '^') return true;
        break;
    }
    // (kind not checked: the flow reads a `(` by its text)
    if (t.v === '(' && i > 0 && callsThroughValue(toks[i - 1]!)) return true;
  }
  return false;
}
