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
import { isRegexSpace } from '../../context.js';
import { dataUrlAt, type Tok } from './tokens.js';
import { CALLBACKS, CMD_SINKS, CODE_SINKS, REQUEST_ARRAYS } from './dataflow-names.js';
import { MAX_CHOOSER_TOKENS } from './dataflow-sinks.js';

/** Variables whose reads `Flow.isSource` may count as request data. */
const SOURCE_VARS = new Set([...REQUEST_ARRAYS, '_SERVER', 'GLOBALS']);
/** Calls `Flow.exprTainted` counts as reading the request. */
const SOURCE_CALLS = new Set(['getallheaders', 'apache_request_headers', 'getenv', 'filter_input', 'filter_input_array']);
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

/** Names counted at any id token (flowCanReport asks nothing of the tokens around them). */
const ANY_ID = [...UNTAINTED_SINKS, ...TAINTED_METHODS, ...INCLUDES];
/** Names counted unless a method operator comes before (`->exec(`, `::system(`). */
const CALL_ID = [...TAINTED_CALLS, ...TAINTED_NEW].filter((w) => !ANY_ID.includes(w));
const ANY_ID_SET = new Set(ANY_ID);
/**
 * Where an id token of one of those names may stand in the text: the whole last segment of a
 * name (no name character after it; what may come before is checked by gluedBefore). ASCII-
 * caseless like the tokenizer's lower-casing (a `/i` pattern matches no character past ASCII to
 * an ASCII letter; the Kelvin sign, the one that lower-cases to one, goes to the tokens).
 */
const SINK_WORDS = new RegExp(`(?:${[...ANY_ID, ...CALL_ID].sort((a, b) => b.length - a.length).join('|')})(?![\\w\\x80-\\uffff\\\\])`, 'gi');
const NEW_WORD = /new/gi;

/**
 * Whether a token starting at `at` would be glued to the character before: `$` (a variable)
 * or a name character other than a space (a run of spaces may go on with `\u00a0`: in
 * `\t\u00a0eval` the id is `eval`). A `\` before it starts the name's last segment.
 */
function gluedBefore(text: string, at: number): boolean {
  const c = text.charCodeAt(at - 1);
  return c === 36 || (isNameCode(c) && !isRegexSpace(c));
}

function isNameCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c >= 128;
}

function isAsciiWordOrDot(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46;
}

/**
 * False only when `flowCanReport(resolveVariableVariables(tokenizePhp(text)))` is false, read
 * from the text without tokenizing it (most pages: their tokens were made only to be refused).
 * flowCanReport is true only with (A) an id naming a sink reported without taint, (B) a `(`
 * after a variable, string, number, `)`, `]` or `}` token, or (C) a sink reported with taint
 * (seeds are not looked for: a `:` in any string is one). Each is looked for in the text as a
 * superset of where its tokens can stand:
 * - ids: SINK_WORDS (CALL_ID ones not right after `->`/`::` on the same line: those characters
 *   there are that operator, or the name is inside a comment or string with them, no token);
 * - `new $v` (include/require are in ANY_ID, a backtick command sends the text to the tokens);
 * - (B): every `(`, the character before it past the spaces: a newline between (a line comment
 *   may end there), the `/` ending a comment, a quote or backtick, `)` `]` `}` `$`, the name of a
 *   variable (`$` before the run of name characters), or the end of a number (a digit opening
 *   the ASCII word-or-dot run before, or just after a `.` in it: no other token ends in a word
 *   character right before a number's first digit).
 * The replacements of resolveVariableVariables only turn `${...}` / `$$n` into one variable:
 * a `(` after one followed `}` or a variable before, and they make no id. What the tokenizer
 * reads differently is sent to the tokens: heredocs (one may end in its name right before `(`),
 * `<?php` glued to the next token (an id or number then starts after a word character), and
 * the Kelvin sign. The text before the first token (inline HTML before the opening tag, then
 * spaces and comments, as the tokenizer skips them) is not read.
 */
export function flowMayReport(text: string): boolean {
  // (each test below may only say yes; the cases the text misreads are ruled out last)
  const from = firstTokenAt(text);
  if (callThroughValue(text, from) || sinkWord(text, from) || newVariable(text, from)) return true;
  return text.includes('<<<') || text.includes('`') || text.includes('\u212a') || gluedTag(text);
}

/** An id of SINK_WORDS that may stand at or after `from`. */
function sinkWord(text: string, from: number): boolean {
  SINK_WORDS.lastIndex = from;
  for (let m = SINK_WORDS.exec(text); m !== null; m = SINK_WORDS.exec(text)) {
    if (gluedBefore(text, m.index)) {
      // (a shorter name may still start at the next offset)
      SINK_WORDS.lastIndex = m.index + 1;
      continue;
    }
    if (ANY_ID_SET.has(m[0].toLowerCase()) || !afterMethodOperator(text, m.index)) return true;
  }
  return false;
}

/**
 * `new` then a `$` (a variable), a comment or names ending in `\` between (those make no
 * token): the gap is read over spaces and name characters, each character once (a `new` inside
 * a gap already read ends where that one did).
 */
function newVariable(text: string, from: number): boolean {
  const n = text.length;
  let readTo = -1;
  NEW_WORD.lastIndex = from;
  for (let m = NEW_WORD.exec(text); m !== null; m = NEW_WORD.exec(text)) {
    let j = m.index + 3;
    if (j <= readTo || gluedBefore(text, m.index)) continue;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (!(c === 32 || (c >= 9 && c <= 13) || c === 92 || isNameCode(c))) break;
      j++;
    }
    readTo = j;
    const c = text.charCodeAt(j);
    if (c === 36 || c === 47 || c === 35) return true;
  }
  return false;
}

/** Whether `->` (not `-->`) or `::` (not `:::`) ends right before `at`, spaces and tabs between. */
function afterMethodOperator(text: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k--;
  const a = text.charCodeAt(k);
  const b = text.charCodeAt(k - 1);
  const c = text.charCodeAt(k - 2);
  return (a === 62 && b === 45 && c !== 45) || (a === 58 && b === 58 && c !== 58);
}

/** Whether some `<?php` is followed by a character that is not a space (then a token may start right after its `p`). */
function gluedTag(text: string): boolean {
  for (let i = text.indexOf('<?'); i !== -1; i = text.indexOf('<?', i + 2)) {
    if (text.slice(i + 2, i + 5).toLowerCase() === 'php' && i + 5 < text.length && !isRegexSpace(text.charCodeAt(i + 5))) return true;
  }
  return false;
}

/** Where the tokenizer reads its first token: past inline HTML before the opening tag, spaces and comments (as tokenizePhp skips them). */
function firstTokenAt(text: string): number {
  const n = text.length;
  let i = 0;
  const tag = text.indexOf('<?');
  if (tag !== -1 && !/[$;]/.test(text.slice(0, tag))) {
    // (openTag of tokens.ts; the tag is not glued to what follows: see gluedTag)
    i = text.slice(tag + 2, tag + 5).toLowerCase() === 'php' ? tag + 5 : text[tag + 2] === '=' ? tag + 3 : tag + 2;
  }
  while (i < n) {
    const c = text.charCodeAt(i);
    const d = text.charCodeAt(i + 1);
    if (c === 32 || (c >= 9 && c <= 13)) {
      i++;
      while (i < n && isRegexSpace(text.charCodeAt(i))) i++;
    } else if (c === 47 && d === 42) {
      const e = text.indexOf('*/', i + 2);
      i = e === -1 ? n : e + 2;
    } else if ((c === 35 && d !== 91) || (c === 47 && d === 47)) {
      // a `?>` ending the comment is a token: reading stops there
      const nl = text.indexOf('\n', i);
      const close = text.indexOf('?>', i);
      if (close !== -1 && (nl === -1 || close < nl)) return close;
      i = nl === -1 ? n : nl;
    } else return i;
  }
  return n;
}

/** (B) of flowMayReport: a `(` that may follow a token a computed callee can end with. */
function callThroughValue(text: string, from: number): boolean {
  for (let p = text.indexOf('(', from); p !== -1; p = text.indexOf('(', p + 1)) if (valueEndsBefore(text, p, from)) return true;
  return false;
}

/** Whether the last token before offset `p` (none before `from`) may be a variable, string, number, `)`, `]` or `}`. */
function valueEndsBefore(text: string, p: number, from: number): boolean {
  let k = p - 1;
  for (;;) {
    let c = text.charCodeAt(k);
    while (k >= from && isRegexSpace(c)) {
      if (c === 10 || c === 13) return true;
      c = text.charCodeAt(--k);
    }
    if (k < from) return false;
    if (c === 41 || c === 93 || c === 125 || c === 39 || c === 34 || c === 96 || c === 47 || c === 36) return true;
    if (c === 46) return isAsciiWordOrDot(text.charCodeAt(k - 1));
    if (c === 92) {
      // a name ending in `\` makes no token (its last segment is empty): the token before it counts
      let j = k;
      while (j >= 0 && (isNameCode(text.charCodeAt(j)) || text.charCodeAt(j) === 92)) j--;
      if (numberEndsAt(text, k) || text.charCodeAt(j) === 36) return true;
      k = j;
      continue;
    }
    if (!isNameCode(c)) return false;
    let j = k;
    while (j >= 0 && isNameCode(text.charCodeAt(j))) j--;
    return text.charCodeAt(j) === 36 || numberEndsAt(text, k);
  }
}

/**
 * Whether a number token may end at `k` or hold it: a digit opening the ASCII word-or-dot run
 * ending there, or right after a `.` in it (no other token ends in a word character right
 * before a number's first digit), or that run right after a `.` that follows one.
 */
function numberEndsAt(text: string, k: number): boolean {
  let r = k;
  while (r >= 0 && text.charCodeAt(r) === 92) r--;
  for (; r >= 0 && isAsciiWordOrDot(text.charCodeAt(r)); r--) {
    const x = text.charCodeAt(r);
    if (x >= 48 && x <= 57 && (r === 0 || !isAsciiWordOrDot(text.charCodeAt(r - 1)) || text.charCodeAt(r - 1) === 46)) return true;
  }
  return false;
}
