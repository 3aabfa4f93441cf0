/**
 * What the PHP analyzer looks for by name: request sources, code and command sinks, callback
 * takers, the dangerous names shells hide, and call-site lookup through the call index.
 */
import type { AnalyzerContext, CallIndex } from '../../context.js';
import type { FlowSpec } from '../../flow.js';
import { phpAssignStarts } from './assign-starts.js';
import { phpUnsanitized } from './sanitizers.js';
import { phpGuards } from './guards.js';
import { containedPaths, withContained } from '../../guards.js';

export const SOURCE =
  /\$_(?:GET|POST|REQUEST|COOKIE|FILES|SESSION)\b|\$_SERVER\s*\[\s*['"](?:HTTP_|QUERY_STRING|REQUEST_URI|PATH_INFO)|\$GLOBALS\s*\[\s*['"]_(?:GET|POST|REQUEST|COOKIE|SERVER)|\$HTTP_(?:GET|POST|COOKIE|RAW_POST)_(?:VARS|DATA)|php:\/\/input|\b(?:getallheaders|apache_request_headers)\s*\(|\bgetenv\s*\(\s*['"]HTTP_|\$_(?:GET|POST|REQUEST)\b|\$\{\s*['"]_[A-Z]{0,3}['"]\s*\./i;

export const PHP_FLOW: FlowSpec = {
  source: SOURCE,
  // (a `;` inside a string literal does not end the statement: `explode(';', $in)`)
  assign: /(\$\w{1,40})(?:\s*\[[^\]\n]{0,60}\])*\s*(?:\.|\?\?)?=(?![=>])\s*((?:[^;\n'"]|'[^'\n]{0,80}'|"[^"\n]{0,80}"|['"]){1,300})/g,
  varRef: /(\$\w+)/g,
  // the assignments are read from where their `=` says they start, not by trying every `$`
  assignStarts: phpAssignStarts,
  // (int)$_GET['n'], md5($_SERVER['REQUEST_URI']): a number or a hash, not request text
  sanitize: phpUnsanitized,
  // (a call, not the reader itself: guards.ts reads DANGEROUS_NAMES from here, and the two modules load in either order)
  guards: (code) => withContained(phpGuards(code), containedPaths(code, 'php')),
};

/** Functions that run code or commands. Kept as names: a shell assembling one of these is the point. */
export const CODE_SINKS = ['eval', 'assert', 'create_function'];
export const CMD_SINKS = ['system', 'exec', 'passthru', 'shell_exec', 'popen', 'proc_open', 'pcntl_exec', 'expect_popen'];
export const CALLBACK_TAKERS =
  'call_user_func|call_user_func_array|array_map|array_filter|array_walk|array_walk_recursive|array_reduce|usort|uasort|uksort|register_shutdown_function|register_tick_function|forward_static_call|forward_static_call_array|iterator_apply|ob_start|set_error_handler|set_exception_handler|array_diff_ukey|array_diff_uassoc|array_udiff|array_udiff_assoc|array_udiff_uassoc|array_uintersect|array_uintersect_assoc|array_uintersect_uassoc|array_intersect_ukey|array_intersect_uassoc|preg_replace_callback|mb_ereg_replace_callback|header_register_callback|spl_autoload_register';
export const DANGEROUS_NAMES = new Set([
  ...CODE_SINKS,
  ...CMD_SINKS,
  'call_user_func',
  'call_user_func_array',
  'base64_decode',
  'gzinflate',
  'gzuncompress',
  'gzdecode',
  'str_rot13',
  'preg_replace',
  'file_put_contents',
  'move_uploaded_file',
  'fsockopen',
  'include',
  'require',
  'array_map',
  'register_shutdown_function',
  'proc_open',
]);
export const DECODERS =
  /\b(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|convert_uudecode|hex2bin|pack|urldecode|rawurldecode|gzip_inflate|bzdecompress|openssl_decrypt|mcrypt_decrypt)\s*\(/i;

export const SINK_NAMES = [...CODE_SINKS, ...CMD_SINKS];
export const CALLBACK_NAMES = CALLBACK_TAKERS.split('|');
/** Characters that, right before a name, make it a method, variable or namespaced name rather than the PHP function. */
export const NOT_BEFORE_SINK = '>$:\\';
export const NOT_BEFORE_CALLBACK = '>$:';

/** A call found through the call index, shaped like a regex match (index, [0] up to the parenthesis). */
export interface CallMatch {
  name: string;
  index: number;
  open: number;
  0: string;
}

/**
 * Calls of `names` whose name is not preceded by a word character or by one of `notBefore`
 * (same as a `(?<![\w...])name\s*\(` regex, without scanning the text again).
 */
export function callMatches(ctx: AnalyzerContext, calls: CallIndex, names: readonly string[], notBefore: string, from = 0, to = Infinity): CallMatch[] {
  const out: CallMatch[] = [];
  const low = ctx.lower;
  for (const c of calls.sites(names)) {
    if (c.at < from || c.at >= to) continue;
    const prev = c.at > 0 ? low[c.at - 1]! : ' ';
    if (/\w/.test(prev) || notBefore.includes(prev)) continue;
    let at = c.at;
    // `@system(` keeps its silencing operator in the match, as the regex did
    if (notBefore === NOT_BEFORE_SINK) {
      let q = c.at - 1;
      while (q >= 0 && /\s/.test(low[q]!)) q--;
      if (low[q] === '@' && !(q > 0 && (/\w/.test(low[q - 1]!) || notBefore.includes(low[q - 1]!)))) at = q;
    }
    out.push({ name: c.name, index: at, open: c.open, 0: ctx.code.slice(at, c.open + 1) });
  }
  return out;
}

/**
 * Names that run code or commands when called through a variable. The other dangerous names
 * (decoders, file writers, move_uploaded_file, include) are called through variables by
 * ordinary code too (`$move = 'move_uploaded_file'; $move($tmp, $dest)`).
 */
export const RUNS_WHEN_CALLED = new Set([...CODE_SINKS, ...CMD_SINKS, 'call_user_func', 'call_user_func_array', 'preg_replace', 'array_map', 'register_shutdown_function']);

/** String functions whose result, called straight away, is a function name computed in place. */
export const NAME_MAKERS = [
  'base64_decode',
  'str_rot13',
  'strrev',
  'hex2bin',
  'gzinflate',
  'gzuncompress',
  'urldecode',
  'rawurldecode',
  'file_get_contents',
  'implode',
  'join',
  'str_replace',
  'substr',
  'strtolower',
  'strtoupper',
  'trim',
  'sprintf',
  'chr',
  'pack',
  'convert_uudecode',
  'strtr',
];

export const INDIRECT = 'request-derived value selects code to run (function, callback or include) through several steps';

/**
 * Below this many characters a script is a one-liner: request data handed to a function whose
 * name the file computes (or never sets) has nothing else there to be, so it is a loader.
 */
export const TINY_SCRIPT = 1024;
export const TINY_DYNAMIC_CALL = 'tiny script hands request input to a function whose name it computes at runtime (one-line loader)';

/**
 * Built-in function families, and the dangerous names themselves, that a fixed prefix must not
 * begin (or be the beginning of): `'array_' . $x` still reaches array_map, `'sys' . $x` system.
 */
const BUILTIN_FAMILIES = [
  'array_',
  'call_',
  'func_',
  'preg_',
  'create_',
  'proc_',
  'pcntl_',
  'posix_',
  'shell_',
  'ob_',
  'register_',
  'iterator_',
  'mb_',
  'ereg',
  'forward_',
  'spl_',
  'session_',
  'set_',
  'stream_',
  'filter_',
  'xml_',
  'ini_',
  'putenv',
  'file',
  'fopen',
  'fwrite',
  'fput',
  'copy',
  'move_',
  'unlink',
  'rename',
  'mkdir',
  'u',
  'is_',
  'str',
  'get',
  'ffi',
  'reflection',
  'include',
  'require',
  'dl',
];

/**
 * Whether a function name that begins with `prefix` (`'plugin_action_' . $a`) can only be one of
 * the page's own: no built-in family and no dangerous name begins with it or is its beginning,
 * so whatever the request appends picks one of the page's handlers.
 */
export function ownFunctionPrefix(prefix: string): boolean {
  const p = prefix.toLowerCase();
  if (p.length < 3) return false;
  const clash = (n: string): boolean => n.startsWith(p) || p.startsWith(n);
  return !BUILTIN_FAMILIES.some(clash) && !(dangerousLower ??= [...DANGEROUS_NAMES].map((n) => n.toLowerCase())).some(clash);
}

/** DANGEROUS_NAMES in lower case, built on the first prefix asked about. */
let dangerousLower: string[] | undefined;
