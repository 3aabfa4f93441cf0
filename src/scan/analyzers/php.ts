/**
 * PHP: request input reaching code/command execution, variable functions, callbacks,
 * includes, writers and sockets, plus the ways shells assemble function names.
 */
import { checkBudget } from '../budget.js';
import { assignmentStarts, callIndex, dollarPairs, matchesAt, hasVariableVariables, includesText, type AnalyzerContext, type CallIndex } from '../context.js';
import { analyzeWriters } from './writers.js';
import { fileManager, fileOpReason, sqlClient } from './admin-tools.js';
import { Taint, matches, type FlowSpec } from '../flow.js';
import { callArgs, escapeRegExp, printable } from '../text.js';
import { blankStrings } from '../lexer.js';
import { analyzeEncoderTraces } from './php-encoders.js';
import { analyzeGates, passwordGate } from './php-gates.js';
import { analyzeRelay, browsingProxy } from './php-relay.js';
import { addSplitSlots, evalLiterals, gotoScramble, hiddenCodeChannels, methodCallbacks, nonAlphanumericCode, superglobalSpellings, writeThenInclude } from './php-mechanisms.js';
import { analyzeHackTools } from './php-hacktools.js';
import { importedRequestNames } from './php-imports.js';
import { analyzePhpDataflow } from './php-dataflow.js';
import { analyzeStealth, xslPhpCalls } from './php-stealth.js';
import { b64, inflateAny, looksLikeCode, rot13, reverse, unescapeDq } from '../decode.js';

const SOURCE =
  /\$_(?:GET|POST|REQUEST|COOKIE|FILES|SESSION)\b|\$_SERVER\s*\[\s*['"](?:HTTP_|QUERY_STRING|REQUEST_URI|PATH_INFO)|\$GLOBALS\s*\[\s*['"]_(?:GET|POST|REQUEST|COOKIE|SERVER)|\$HTTP_(?:GET|POST|COOKIE|RAW_POST)_(?:VARS|DATA)|php:\/\/input|\b(?:getallheaders|apache_request_headers)\s*\(|\bgetenv\s*\(\s*['"]HTTP_|\$_(?:GET|POST|REQUEST)\b|\$\{\s*['"]_[A-Z]{0,3}['"]\s*\./i;

export const PHP_FLOW: FlowSpec = {
  source: SOURCE,
  assign: /(\$\w{1,40})(?:\s*\[[^\]\n]{0,60}\])*\s*(?:\.|\?\?)?=(?![=>])\s*([^;\n]{1,300})/g,
  varRef: /(\$\w+)/g,
};

/** Functions that run code or commands. Kept as names: a shell assembling one of these is the point. */
const CODE_SINKS = ['eval', 'assert', 'create_function'];
const CMD_SINKS = ['system', 'exec', 'passthru', 'shell_exec', 'popen', 'proc_open', 'pcntl_exec', 'expect_popen'];
const CALLBACK_TAKERS =
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
const DECODERS =
  /\b(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|convert_uudecode|hex2bin|pack|urldecode|rawurldecode|gzip_inflate|bzdecompress|openssl_decrypt|mcrypt_decrypt)\s*\(/i;

/** An include path with a literal folder/prefix before the variable part and a literal script extension after it. */
const FIXED_AFFIXES = /^\s*\(?\s*(?:"[^"$]+\$\w+[^"]*\.(?:php|inc)"|'[^']+'\s*\.\s*\$\w+(?:\s*\.\s*'[^']*')?\s*\.\s*'[^']*\.(?:php|inc)')/i;

/** Request data reaching code selection through several steps: common in routers, so one weak reason. */
/** `$name = ` or `$name['key'] .= `: the left-hand side and the operator of a whole assignment (read on string-blanked code). */
export const FULL_ASSIGN = /(\$\w{1,40}(?:\s*\[\s*(?:'[^'\n]{0,40}'|"[^"\n]{0,40}"|\d{1,6})\s*\])?)\s*(\.?)=(?![=>])/g;
/** `$a['k'] = <value>`: an array slot assigned. */
export const SLOT_ASSIGN = /(\$\w+\s*\[[^\]\n]{0,40}\])\s*=(?![=>])\s*([^;\n]{1,200})/g;
/** `include`/`require` statements and their argument text. */
const INCLUDE = /(?<![\w>$])(?:include|require)(?:_once)?\b\s*\(?([^;\n]{1,200})/gi;
/** `foreach (<expr> as $k => $v)`: the loop variables take the expression's values. */
const FOREACH = /foreach\s*\(\s*([^;]{1,120}?)\s+as\s+(\$\w+)(?:\s*=>\s*(\$\w+))?/gi;
const INDIRECT = 'request-derived value selects code to run (function, callback or include) through several steps';
const SINK_NAMES = [...CODE_SINKS, ...CMD_SINKS];
const CALLBACK_NAMES = CALLBACK_TAKERS.split('|');
/** An inline callback: `function (params) use (...) {` or `fn (params) =>`. */
const CLOSURE_HEAD = /^\s*(?:static\s+)?(?:function\s*\(([^)]*)\)[^{]{0,200}\{|fn\s*\(([^)]*)\)\s*=>)/i;
/** `name: ` before an argument (PHP 8 named arguments; `::` is a static call, not a name). */
const NAMED_ARG = /^\s*[a-z_]\w*\s*:(?!:)\s*/i;
/** A callback expression that builds the name with string functions instead of naming it. */
const COMPUTED_NAME =
  /^\s*(?:strrev|substr_replace|str_replace|str_ireplace|implode|join|strtolower|strtoupper|ucfirst|trim|sprintf|str_rot13|base64_decode|hex2bin|chr|substr|str_repeat|strtr|preg_replace)\s*\(/i;
/** Characters that, right before a name, make it a method, variable or namespaced name rather than the PHP function. */
const NOT_BEFORE_SINK = '>$:\\';
export const NOT_BEFORE_CALLBACK = '>$:';

/** A call found through the call index, shaped like a regex match (index, [0] up to the parenthesis). */
interface CallMatch {
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

export function analyzePhp(ctx: AnalyzerContext): void {
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
  // foreach ($_POST as $k => $v) taints $k and $v
  for (const m of matches(FOREACH, code)) {
    if (taint.touches(m[1]!)) {
      taint.vars.add(m[2]!);
      if (m[3]) taint.vars.add(m[3]);
      if (taint.hasSource(m[1]!)) {
        taint.direct.add(m[2]!);
        if (m[3]) taint.direct.add(m[3]);
      }
    }
  }
  importedRequestNames(ctx, taint, resolve);
  // carry loop variables into later assignments; only in small scripts, where one name means
  // one value (in big files the same $path names many unrelated things across functions)
  if (ctx.size < 16384) taint.propagate();
  const hasRequest = flow.source.test(code);
  analyzeWriters(ctx, taint);
  if (hasRequest) {
    if (ctx.size < 16384) taintParameters(ctx, taint);
    fileManager(ctx, taint);
    sqlClient(ctx, taint);
    mailerAndProxy(ctx, taint);
    passwordGate(ctx);
  }
  const names = dangerousNameVars(ctx, consts);
  deobfuscate(ctx, resolve);

  // direct sinks
  const cmdCalls: Array<{ name: string; at: number; args: string }> = [];
  const calls = callIndex(ctx);
  for (const m of callMatches(ctx, calls, SINK_NAMES, NOT_BEFORE_SINK)) {
    const name = m.name;
    const args = callArgs(code, m.open);
    const isCode = CODE_SINKS.includes(name);
    if (taint.hasSource(args)) {
      ev.add('flow', `request input reaches ${name}()`, 12, m.index, m[0].length);
    } else if (taint.touches(args)) {
      ev.add('flow', `request-derived variable reaches ${name}()`, CODE_SINKS.includes(name) || taint.touchesDirectly(args) ? 11 : 9, m.index, m[0].length);
    } else if (isCode && DECODERS.test(args)) {
      ev.add('obfuscation', `${name}() of a decoded payload`, 10, m.index, m[0].length);
    } else if (isCode && /\$/.test(args)) {
      // code spelled from constant pieces (`$a[18].$a[8]...` over a character table) folds to its text
      const parts = splitTopArgs(args);
      const body = evalStringExpr(name === 'create_function' ? (parts[parts.length - 1] ?? '') : (parts[0] ?? ''), resolve);
      if (
        body !== undefined &&
        body.length >= 8 &&
        /[;(]/.test(body) &&
        /\b(?:eval|assert|system|exec|passthru|shell_exec|base64_decode|gzinflate|gzuncompress|str_rot13|create_function|call_user_func)\s*\(/i.test(body)
      ) {
        ev.add('obfuscation', `${name}() runs code spelled from constant pieces`, 9, m.index, m[0].length);
        ctx.layers.push({ text: body, offset: m.index, how: 'code folded from constant pieces', language: 'php' });
      } else ev.add('capability', `${name}() of dynamic code`, name === 'eval' ? 4 : 2.5, m.index, m[0].length);
    }
    if (!isCode) cmdCalls.push({ name, at: m.index, args });
  }
  // backticks are shell_exec
  const bare = bareCode(ctx);
  for (const m of matches(/`([^`\n]{1,300})`/g, bare, 200)) {
    const body = code.slice(m.index + 1, m.index + m[0].length - 1);
    if (taint.hasSource(body)) ev.add('flow', 'request input reaches a backtick shell command', 12, m.index, m[0].length);
    else if (taint.touches(body)) ev.add('flow', 'request-derived variable reaches a backtick shell command', 11, m.index, m[0].length);
    else if (/\$/.test(body)) ev.add('capability', 'backtick shell command with a variable', 4, m.index, m[0].length);
    else ev.add('capability', 'backtick shell command', 3, m.index, m[0].length);
  }
  if (cmdCalls.length > 0) {
    const kinds = new Set(cmdCalls.map((c) => c.name));
    const first = cmdCalls[0]!;
    ev.add('capability', `runs OS commands (${[...kinds].slice(0, 4).join(', ')})`, Math.min(1.5 + kinds.size / 2, 4), first.at, first.name.length);
    const dynamic = cmdCalls.find((c) => /\$/.test(c.args));
    // applications organised in classes read the request in one method and run a converter in
    // another; in a procedural script the two meet
    if (dynamic && hasRequest) ev.add('flow', 'OS command built from variables in a script that reads request input', classBased(ctx) ? 1.5 : 3, dynamic.at, dynamic.name.length);
  }

  // preg_replace with the /e modifier evaluates the replacement
  for (const m of callMatches(ctx, calls, ['preg_replace', 'preg_filter', 'mb_ereg_replace', 'mb_eregi_replace'], '')) {
    const args = callArgs(code, m.open);
    // the pattern as PHP sees it: escapes ("/./\x65") and constant variables folded
    const folded = evalStringExpr(splitTopArgs(args)[0] ?? '', resolve);
    const pat =
      /^\s*(['"])(.)[^\n]{0,200}?\2([a-zA-Z]*)\1/.exec(args) ?? (folded !== undefined && folded.length >= 2 ? /^()(\W)[\s\S]{0,200}?\2([a-zA-Z]*)$/.exec(folded.trim()) : null);
    if (pat && folded !== undefined && /^(\W)[\s\S]*\1([a-zA-Z]*)$/.test(folded.trim())) pat[3] = /^(\W)[\s\S]*\1([a-zA-Z]*)$/.exec(folded.trim())![2]!;
    const mbE = /^\s*[^,]+,[^,]+,[^,]+,\s*['"][a-z]*e/i.test(args) && /^mb_/i.test(m[0]);
    if ((pat && pat[3]!.includes('e')) || mbE || (!pat && partialModifiersE(splitTopArgs(args)[0] ?? '', resolve))) {
      const w = taint.touches(args) ? 12 : 8;
      ev.add('flow', 'regex replace with the /e modifier evaluates its replacement as PHP', w, m.index, m[0].length);
    } else if (!pat && taint.hasSource(args.split(',')[0] ?? '')) {
      ev.add('flow', 'request input chooses a regex (and its modifiers) in preg_replace()', 9, m.index, m[0].length);
    }
  }

  // callbacks: the function to call named by the request or by a dangerous string
  for (const m of callMatches(ctx, calls, CALLBACK_NAMES, NOT_BEFORE_CALLBACK)) {
    const fn = m.name;
    const args = callArgs(code, m.open);
    // PHP 8 named arguments (`array_map(callback: 'assert', array: ...)`): the name, not the
    // position, says which one is the callback
    const named = splitTopArgs(args);
    const parts = named.map((p) => p.replace(NAMED_ARG, ''));
    const lastIsCallback = /^array_(?:diff_u|udiff|uintersect|intersect_u)/.test(fn);
    const cbIndex0 =
      fn === 'array_filter' ||
      fn === 'array_walk' ||
      fn === 'array_walk_recursive' ||
      fn === 'array_reduce' ||
      fn === 'usort' ||
      fn === 'uasort' ||
      fn === 'uksort' ||
      fn === 'iterator_apply' ||
      fn.startsWith('array_diff') ||
      fn.startsWith('array_udiff') ||
      fn.startsWith('array_intersect')
        ? 1
        : fn.endsWith('_callback')
          ? 1
          : 0;
    const namedCallback = named.findIndex((p) => /^\s*(?:callback|function|func|handler)\s*:(?!:)/i.test(p));
    const cbIndex = namedCallback !== -1 ? namedCallback : lastIsCallback ? parts.length - 1 : cbIndex0;
    const cb = parts[cbIndex] ?? '';
    const folded = /\[/.test(cb) && !/\$\w+\s*\[\s*\$/.test(cb) ? evalStringExpr(cb, resolve) : undefined;
    const lit = literalValue(cb) ?? (folded !== undefined ? printable(folded, 60) : undefined) ?? (/^\s*[a-z_]\w*\s*$/i.test(cb) ? cb.trim() : undefined);
    const closure = CLOSURE_HEAD.exec(cb);
    if (closure && parts.some((p, i) => i !== cbIndex && taint.touches(p))) {
      // array_walk($_POST, function ($v, $k) { $k($v); }): the callback calls what it is handed
      const params = (closure[1] ?? closure[2] ?? '').match(/\$\w+/g) ?? [];
      const body = cb.slice(closure[0].length);
      if (params.some((p) => new RegExp(`(?<![\\w>:$])\\${p}\\s*\\(`).test(body))) {
        ev.add('flow', `request data handed to a callback of ${fn}() that calls it as a function`, 11, m.index, m[0].length);
        continue;
      }
    }
    if (/^\s*\.\.\.\s*\$/.test(args) && taint.hasSource(args)) {
      // usort(...$_GET): the request spreads into every argument, the callback included
      ev.add('flow', `request input spread into the arguments of ${fn}() chooses its callback`, 12, m.index, m[0].length);
    } else if (lit && DANGEROUS_NAMES.has(lit.toLowerCase()) && !/^(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|include|require)$/i.test(lit)) {
      ev.add('flow', `${fn}() calls ${lit.toLowerCase()} as a callback`, 11, m.index, m[0].length);
    } else if (taint.hasSource(cb)) {
      ev.add('flow', `request input chooses the function ${fn}() calls`, 12, m.index, m[0].length);
    } else if (taint.touchesDirectly(cb.replace(/\[[^\]]*\]/g, '[]')) && !/->|::/.test(cb)) {
      // $e = $_REQUEST['e']; array_filter($arr, $e): the client names the callback
      const argsToo = parts.some((p, i) => i !== cbIndex && taint.touches(p));
      ev.add('flow', `request-derived variable chooses the function ${fn}() calls`, argsToo ? 11 : 8, m.index, m[0].length);
    } else if (taint.touches(cb)) {
      const argsToo = parts.some((p, i) => i !== cbIndex && taint.touches(p));
      // a few lines that route request data into a callback slot are a loader, not a router
      ev.add('flow', INDIRECT, (argsToo ? 4 : 3) + (ctx.size < 4096 ? 2 : 0), m.index, m[0].length);
    } else if (names.has(cb.trim())) {
      ev.add('flow', `${fn}() calls a variable holding a dangerous function name`, 11, m.index, m[0].length);
    } else if (ctx.size < 4096 && parts.some((p, i) => i !== cbIndex && taint.touches(p))) {
      // a few lines that hand request data to a callback computed at runtime: a variable the
      // file never fills with a plain function name, or a name built by string functions
      if (/^\s*\$\w+\s*$/.test(cb) && !plainNameAssigned(ctx.code, cb.trim().slice(1)))
        ev.add('flow', `request input passed to a callback chosen at runtime (${fn})`, 6, m.index, m[0].length);
      else if (COMPUTED_NAME.test(cb)) ev.add('flow', `request input passed to a callback whose name ${fn}() computes with string functions`, 8, m.index, m[0].length);
    }
  }

  // filter_var(..., FILTER_CALLBACK, ['options' => 'assert']) is a callback taker too
  for (const m of callMatches(ctx, calls, ['filter_var', 'filter_var_array', 'filter_input', 'filter_input_array'], NOT_BEFORE_CALLBACK)) {
    const args = callArgs(code, m.open);
    if (!/FILTER_CALLBACK/i.test(args)) continue;
    const opt = /['"]options['"]\s*=>\s*([^,)\]]{1,80})/i.exec(args);
    const lit = opt ? literalValue(opt[1]!) : undefined;
    if (lit && DANGEROUS_NAMES.has(lit.toLowerCase())) ev.add('flow', `${m.name}() calls ${lit.toLowerCase()} as a callback`, 11, m.index, m[0].length);
    else if (opt && taint.touches(opt[1]!)) ev.add('flow', `request input chooses the function ${m.name}() calls`, 11, m.index, m[0].length);
  }

  // variable functions: $f(...), $_GET['f'](...), ${'x'}(...), $a['k'](...)
  const near = nearRequestVars(taint, ctx.size);
  const computed = new Set<string>();
  for (const [name, rhss] of taint.assignments)
    if (rhss.some((r) => /\b(?:strrev|str_rot13|base64_decode|gzinflate|gzuncompress|hex2bin|chr)\s*\(|['"]\s*\^|\^\s*['"]|~\s*['"]/i.test(r))) computed.add(name);
  for (const m of variableCalls(ctx)) {
    const callee = m[1]!;
    const base = /^\$\w+/.exec(callee)?.[0] ?? '';
    if (base === '$this') continue;
    // `new $class()` instantiates a class; it calls no function by name
    if (/\bnew\s+$/i.test(code.slice(Math.max(0, m.index - 8), m.index))) continue;
    // the names the callee may be filed under among the variables holding function names
    const heldBy = [base, callee.replace(/\s+/g, ''), varVarName(callee, resolve)];
    if (taint.hasSource(callee)) ev.add('flow', 'request input names the function to call', 12, m.index, m[0].length);
    else if (taint.vars.has(base)) ev.add('flow', near.has(base) ? 'request-derived variable is called as a function' : INDIRECT, near.has(base) ? 11 : 4, m.index, m[0].length);
    else if (heldBy.some((k) => names.has(k))) {
      const strong = heldBy.some((k) => names.strong.has(k));
      ev.add('flow', 'a variable holding a dangerous function name is called', strong ? 11 : 4, m.index, m[0].length);
    } else {
      const args = callArgs(code, m.index + m[0].length - 1);
      if (base && plainNameAssigned(code, base.slice(1)) && !computed.has(base)) continue;
      if (taint.hasSource(args)) ev.add('flow', 'request input passed to a function chosen at runtime', 8, m.index, m[0].length);
      else if (taint.touchesDirectly(args) && (ctx.size < 4096 || callee.startsWith('${')))
        ev.add('flow', 'request-derived value passed to a function chosen at runtime', 5, m.index, m[0].length);
      else if (computed.has(base)) ev.add('obfuscation', 'function name computed by decoding/reversing strings', 7, m.index, m[0].length);
      else if (callee.startsWith('${')) ev.add('obfuscation', 'call through a variable-variable', 4, m.index, m[0].length);
      else if (/^\$GLOBALS\s*\[/.test(callee)) ev.add('obfuscation', 'call through a function table in $GLOBALS', 3, m.index, m[0].length);
    }
  }

  computedCallees(ctx, calls, taint);
  if (hasRequest && ctx.size < 65536) propertyFlows(ctx, calls, taint);

  // include/require of request data, temp files or images
  for (const m of matches(INCLUDE, code)) {
    const arg = m[1]!;
    const whole = arg.replace(/\)?\s*$/, '').trim();
    if (taint.hasSource(arg)) {
      // `include __DIR__ . '/pages/' . basename($_GET['p']) . '.php'`: a page picked inside the
      // application's own folder (a router), not a file the requester supplies
      const fixedDir = /^\(?\s*(?:__DIR__|dirname\s*\(\s*__FILE__\s*\)|[A-Z_][A-Z0-9_]{2,}|'[^'$]{1,200}\/'|"[^"$]{1,200}\/")\s*\./.test(arg);
      if (fixedDir) ev.add('flow', 'request picks a file inside a fixed folder to include (local file inclusion)', /\bbasename\s*\(/.test(arg) ? 3 : 6, m.index, m[0].length);
      else ev.add('flow', 'request input chooses a file to include as code', 10, m.index, m[0].length);
    } else if (/^\$\w+$/.test(whole) && near.has(whole)) ev.add('flow', 'request-derived variable is included as code (file inclusion backdoor)', 10, m.index, m[0].length);
    else if (taint.touches(arg)) ev.add('flow', INDIRECT, FIXED_AFFIXES.test(arg) ? 1.5 : 3, m.index, m[0].length);
    else if (/php:\/\/input|data:(?:text|;)|php:\/\/filter/i.test(arg)) ev.add('flow', 'includes request body or a data: URI as code', 12, m.index, m[0].length);
    // an image, log or temp file run as PHP is a hiding place; a text template is sometimes just
    // that, except in a stub that does nothing else
    else if (/\.(?:jpe?g|png|gif|ico|bmp|txt|log|dat|tmp)['"]/i.test(arg))
      ev.add('capability', 'includes a non-script file (image/text) as PHP code', /\.txt['"]/i.test(arg) && ctx.size >= 256 ? 3 : 6, m.index, m[0].length);
    else if (/\/tmp\/|sys_get_temp_dir|upload_tmp_dir/i.test(arg)) ev.add('capability', 'includes a file from a temp folder', 5, m.index, m[0].length);
  }

  // file writers: request chooses path and content -> uploader / dropper
  for (const m of callMatches(ctx, calls, ['file_put_contents', 'fwrite', 'fputs', 'move_uploaded_file', 'copy'], NOT_BEFORE_CALLBACK).slice(0, 2000)) {
    const args = splitTopArgs(callArgs(code, m.open));
    const fn = m.name;
    const dest = fn === 'move_uploaded_file' || fn === 'copy' ? (args[1] ?? '') : (args[0] ?? '');
    const data = args[1] ?? '';
    if (fn === 'move_uploaded_file' || fn === 'copy') {
      if (/\$_FILES\s*\[[^\]]+\]\s*\[\s*['"]name['"]\s*\]/i.test(dest) || taint.hasSource(dest.replace(/\$_FILES[^,]*/i, '')))
        ev.add('flow', `${fn}() stores an upload under a name the client chose`, 6, m.index, m[0].length);
      else if (taint.touchesDirectly(dest)) ev.add('flow', `${fn}() stores an upload under a name the client chose`, 6, m.index, m[0].length);
      else if (fn === 'move_uploaded_file' || /\$_FILES/i.test(args[0] ?? '') || taint.touches(args[0] ?? '')) {
        // the destination built from the client's file name (or folder) without a fixed extension
        const names = clientFileNames(code);
        if (
          taint.touches(dest) &&
          (names.some((n) => dest.includes(n)) ||
            [...taint.direct].some((v) => dest.includes(v) && names.includes(v)) ||
            (taint.vars.size > 0 &&
              [...taint.assignments].some(
                ([k, rhs]) => dest.includes(k) && rhs.some((r) => names.some((n) => r.includes(n)) || /\$_FILES\s*\[[^\]]+\]\s*\[\s*['"]name['"]/i.test(r)),
              ))) &&
          !/\.\s*['"]\.(?:jpe?g|png|gif|txt|dat|tmp)['"]\s*$/i.test(dest.trim())
        ) {
          ev.add('flow', `${fn}() stores an upload under a name the client chose`, 6, m.index, m[0].length);
        }
      }
    } else if (fn === 'file_put_contents' && taint.touches(dest) && taint.touches(data)) {
      ev.add('flow', 'request chooses both file name and content of a write', 10, m.index, m[0].length);
    } else if (fn === 'file_put_contents' && taint.hasSource(data) && /\.php|\$_SERVER\s*\[\s*['"](?:SCRIPT_FILENAME|DOCUMENT_ROOT)/i.test(dest)) {
      ev.add('flow', 'request content written into a PHP file', 10, m.index, m[0].length);
    }
  }

  // sockets + shell: reverse/bind shell
  // literal gates here and below: each pattern's match contains the literal (short ones with a rare first letter search fastest)
  if (
    (ctx.lower.includes('ko') || ctx.lower.includes('ket_')) &&
    /\b(?:fsockopen|pfsockopen|socket_create|stream_socket_client|stream_socket_server|socket_bind)\s*\(/i.test(code)
  ) {
    const shell = /['"](?:\/bin\/(?:ba|z|k)?sh|cmd(?:\.exe)?|sh -i|bash -i)\b|['"][^'"\n]{0,80}(?:\/bin\/(?:ba|z|k)?sh -i|\/bin\/(?:ba|z|k)?sh['"])/i.exec(code);
    if (shell && (cmdCalls.length > 0 || /proc_open|dup2|STDIN/i.test(code)))
      ev.add('capability', 'socket wired to a system shell (reverse/bind shell)', 10, shell.index, shell[0].length);
    const sock = /\b(?:fsockopen|pfsockopen|stream_socket_client|socket_connect)\s*\(([^;]{0,200})/i.exec(code);
    if (sock && taint.touches(sock[1]!)) ev.add('flow', 'request input chooses a network host/port to connect to (tunnel)', 5, sock.index, 20);
  }

  // extract()/parse_str() of request data makes every variable attacker-controlled
  // (parse_str with a result array fills that array, not the scope: only the one-argument form imports)
  let ex: { index: number; 0: string } | null = null;
  const importer = calls.hasAnyOf(['extract', 'parse_str', 'mb_parse_str', 'import_request_variables']);
  for (const m of importer ? matches(/\b(extract|parse_str|import_request_variables|mb_parse_str)\s*\(\s*(\$_(?:GET|POST|REQUEST|COOKIE|SERVER)|\$GLOBALS)/gi, code, 50) : []) {
    if (/parse_str$/i.test(m[1]!) && splitTopArgs(callArgs(code, code.indexOf('(', m.index))).length > 1) continue;
    ex = m;
    break;
  }
  // the hand-written extract(): foreach ($_POST as $k => $v) $$k = $v;
  const dollars = dollarPairs(ctx);
  if (!ex && (dollars.dollar || dollars.brace)) {
    for (const m of matches(/(?:\$\$\w+|\$\{[^}\n]{1,60}\})\s*=(?![=>])\s*(\$\w+)/g, code, 200)) {
      if (taint.touches(m[1]!)) {
        ex = m;
        break;
      }
    }
  }
  if (ex) {
    const dyn = /(?<![\w>:$])\$\w+\s*\(/.exec(bareCode(ctx));
    ev.add('flow', 'request parameters imported as variables' + (dyn ? ' and a variable is called as a function' : ''), dyn ? 11 : 4, ex.index, ex[0].length);
  }

  const refl0 = ctx.lower.includes('flect') ? /\bnew\s+Reflection(?:Function|Method)\s*\(/i.exec(code) : null;
  const refl = refl0 ? Object.assign([refl0[0], callArgs(code, refl0.index + refl0[0].length - 1)], { index: refl0.index }) : null;
  // ReflectionFunction runs any function; ReflectionMethod($handler, $method) with only the method
  // from the request is how routers dispatch to a fixed class's actions: the class must be chosen too
  const reflArgs = refl ? splitTopArgs(refl[1]!) : [];
  const classArg = (reflArgs[0] ?? '').trim();
  const classFromRequest = taint.hasSource(classArg) || (taint.assignments.get(classArg)?.some((r) => /^\s*\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/.test(r)) ?? false);
  const anyFunction = refl !== null && (/ReflectionFunction/i.test(refl[0]!) || reflArgs.length === 1 || classFromRequest);
  if (refl && anyFunction && taint.touches(refl[1]!)) ev.add('flow', 'request input chooses a function invoked through reflection', 12, refl.index, 30);
  else if (refl) {
    const v = evalStringExpr(splitTopArgs(refl[1]!)[0] ?? '', resolve) ?? refl[1]!.replace(/[)\s]/g, '');
    if (DANGEROUS_NAMES.has(v.toLowerCase())) ev.add('flow', `${v.toLowerCase()} invoked through reflection`, hasRequest ? 11 : 8, refl.index, 30);
  }
  let bitwise = 0;
  let firstBit = -1;
  let xorAt = -1;
  let capped = false;
  let seenBits = 0;
  for (const m of matches(/['"]\s*[\^|&]\s*['"~(]|[\^|&]\s*~\s*['"]/g, bare, 200, bitwiseFrom(bare))) {
    if (firstBit === -1) firstBit = m.index;
    if (xorAt === -1 && /^['"]\s*\^\s*['"]$/.test(m[0])) xorAt = m.index;
    if (++seenBits >= 200) capped = true;
    bitwise++;
  }
  if (bitwise >= 6) ev.add('obfuscation', `strings assembled with bitwise operators (${bitwise} places)`, bitwise >= 12 ? 10 : 7, firstBit, 20);
  wrapperFlows(ctx, taint);
  const unser = ctx.lower.includes('unser') ? /\bunserialize\s*\(([^;]{0,200})/i.exec(code) : null;
  if (unser && taint.touches(unser[1]!)) {
    const magic = /function\s+__(?:destruct|wakeup|toString|call)\s*\([^)]*\)\s*\{[^}]{0,400}?\b(?:eval|assert|system|exec|passthru|shell_exec|call_user_func)\s*\(/i.test(code);
    ev.add(
      'flow',
      magic ? 'request data unserialized into a class whose magic method runs code (object-injection backdoor)' : 'request data passed to unserialize()',
      magic ? 11 : 2,
      unser.index,
      20,
    );
  }
  if (ctx.size < 3000) {
    const ev2 = /(?<![\w>$:])(?:eval|assert)\s*\(\s*(?:\$\{|\$\w+\s*[[{(]|\$\w+\s*\))/.exec(ctx.lower);
    if (ev2 && (hasRequest || /\$\{|['"]\s*\^|\bchr\s*\(|base64_decode|str_rot13|strrev/i.test(code)))
      ev.add('flow', 'tiny script evaluating a computed value (one-line loader)', 6, ev2.index, ev2[0].length);
  }
  // the dynamic-call test is the rarer one: run it first, collect the names only then
  const unders = /\$_{1,12}\s*\(|\$\{/.test(code) ? new Set(code.match(/\$_{1,12}(?![\w])/g) ?? []) : new Set<string>();
  if (unders.size >= 4) ev.add('obfuscation', `code written with underscore-only variable names (${unders.size}) and dynamic calls`, 9, code.search(/\$_{2,12}(?![\w])/), 10);
  // YAML tags mapped to callbacks: yaml_parse($y, 0, $n, ['!tag' => 'preg_replace'])
  for (const m of callMatches(ctx, calls, ['yaml_parse', 'yaml_parse_file', 'yaml_parse_url'], NOT_BEFORE_CALLBACK)) {
    const cb = /=>\s*['"](\w+)['"]/.exec(callArgs(code, m.open));
    if (cb && DANGEROUS_NAMES.has(cb[1]!.toLowerCase())) ev.add('flow', `${m.name}() maps a YAML tag to ${cb[1]!.toLowerCase()}() as a callback`, 11, m.index, m[0].length);
  }
  // XSLT that may call PHP functions, with a stylesheet naming a code/command function
  if (calls.has('registerphpfunctions') || includesText(ctx.lower, 'registerphpfunctions')) {
    const xf = /function(?:String)?\s*\(\s*\\?['"](assert|eval|system|exec|passthru|shell_exec|popen|proc_open|create_function|call_user_func)\\?['"]/i.exec(code);
    if (xf) ev.add('flow', `XSLT stylesheet calls PHP ${xf[1]!.toLowerCase()}() through registerPHPFunctions()`, 10, xf.index, xf[0].length);
  }
  const com =
    !calls.has('com') || (!includesText(ctx.lower, 'wscript.') && !includesText(ctx.lower, 'shell.'))
      ? null
      : /new\s+COM\s*\(\s*['"](?:WScript\.Shell|Shell\.Application|Shell\.Users|WScript\.Network)['"]/i.exec(code);
  if (com) ev.add('capability', 'creates a Windows shell COM object', hasRequest ? 8 : 6, com.index, com[0].length);
  remoteCode(ctx, consts);
  hiddenCodeChannels(ctx);
  methodCallbacks(ctx, taint, resolve, names);
  evalLiterals(ctx);
  writeThenInclude(ctx, taint);
  nonAlphanumericCode(ctx);
  gotoScramble(ctx);
  analyzeEncoderTraces(ctx);
  analyzeGates(ctx);
  analyzeRelay(ctx);
  if (hasRequest) browsingProxy(ctx, taint);
  analyzeHackTools(ctx, taint, hasRequest);
  analyzeStealth(ctx);
  xslPhpCalls(ctx);
  customDecoders(ctx);
  decodedCallees(ctx);
  webRootDropper(ctx);
  authBypass(ctx);
  registerGlobals(ctx, calls, taint);
  persistence(ctx);
  if (hasRequest || cmdCalls.length > 0) shellUiHints(ctx);
  if (hasRequest && cmdCalls.length > 0) adminKit(ctx, taint);
  // the literal XOR search is the bitwise scan's own first alternative: reuse its result
  builtNames(ctx, xorAt !== -1 || !capped ? xorAt : undefined);
  // token-level data flow across scopes, calls and constant folding (php-dataflow.ts)
  analyzePhpDataflow(ctx);
}

const BITWISE_OP = /[\^|&]\s*['"~(]/g;

/**
 * Where the bitwise-string scan can start: every match has an operator followed by a quote,
 * `~` or `(`, and begins at it or at the quote just before it (spaces between). Operators are
 * rarer than quotes, so finding the first one this way is cheaper than the full pattern.
 */
function bitwiseFrom(bare: string): number {
  BITWISE_OP.lastIndex = 0;
  const m = BITWISE_OP.exec(bare);
  if (!m) return bare.length;
  let s = m.index - 1;
  while (s > 0 && /\s/.test(bare[s]!)) s--;
  return Math.max(0, s);
}

const VAR_CALL_TAIL = /(?<![\w>:$])(\$\{[^}\n]{1,80}\}(?:\s*\[[^\]\n]{0,60}\])*|\$\w+(?:\s*\[[^\]\n]{0,60}\]|\s*\{[^}\n]{0,20}\})*)\s*\($/;

/**
 * Calls through variables: `$f(`, `$a['k'](`, `${'x'}(`, `$s{0}(`. The plain form comes from
 * the call index; the bracketed forms are matched only where a `(` follows `]` or `}`, on a
 * short window, instead of running one backtracking regex from every `$` in the file.
 */
function variableCalls(ctx: AnalyzerContext): Array<{ index: number; 0: string; 1: string }> {
  const { code } = ctx;
  const out: Array<{ index: number; 0: string; 1: string }> = [];
  // `"$function("` inside a string literal is text, not a call: the string-blanked code shows which
  const bare = bareCode(ctx);
  for (const c of callIndex(ctx).get('$')) {
    if (bare.charCodeAt(c.at) !== 36) continue;
    const prev = c.at > 0 ? code[c.at - 1]! : ' ';
    if (/[\w>:$]/.test(prev)) continue;
    const callee = code.slice(c.at, c.open).trimEnd();
    if (!/^\$\w+$/.test(callee)) continue;
    out.push({ index: c.at, 0: code.slice(c.at, c.open + 1), 1: callee });
  }
  for (let i = code.indexOf('('); i !== -1 && out.length < 5000; i = code.indexOf('(', i + 1)) {
    let j = i - 1;
    while (j >= 0 && (code.charCodeAt(j) === 32 || code.charCodeAt(j) === 9 || code.charCodeAt(j) === 10 || code.charCodeAt(j) === 13)) j--;
    const ch = code.charCodeAt(j);
    if (ch !== 93 && ch !== 125) continue; // `]` or `}`
    const from = Math.max(0, j - 400);
    const m = VAR_CALL_TAIL.exec(code.slice(from, i + 1));
    if (m && bare.charCodeAt(from + m.index) === 36) out.push({ index: from + m.index, 0: m[0], 1: m[1]! });
  }
  return out.sort((a, b) => a.index - b.index);
}

/**
 * Variables one plain step from the request: assigned from it, or copied/indexed out of a
 * variable that was (`$r = $_COOKIE; $f = $r['f'];`). Small files only: in big ones one name
 * stands for many values.
 */
function nearRequestVars(taint: Taint, size: number): ReadonlySet<string> {
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

/**
 * A regex built by concatenation whose closing delimiter and modifiers fold to constants even
 * when the middle does not: chr(47).$token.chr(47).chr(101) is "/.../e".
 */
function partialModifiersE(expr: string, resolve: VarResolver): boolean {
  const pieces = splitConcat(expr.trim());
  if (!pieces || pieces.length < 2) return false;
  const vals = pieces.map((p) => evalStringExpr(p, resolve) ?? '\u0000');
  const joined = vals.join('');
  const m = /^([/#~!|@%+])[\s\S]*\1([a-zA-Z]*)$/.exec(joined);
  return !!m && m[2]!.includes('e') && !vals.at(-1)!.includes('\u0000');
}

/** `${$a}` / `${'na'.'me'}` as the variable it names (`$name`), when the braces fold to a constant. */
function varVarName(callee: string, resolve: VarResolver): string {
  const m = /^\$\{([^}]{1,80})\}$/.exec(callee.trim());
  const v = m ? evalStringExpr(m[1]!, resolve) : undefined;
  return v !== undefined && /^\w{1,40}$/.test(v) ? '$' + v : '';
}

/**
 * Names that run code or commands when called through a variable. The other dangerous names
 * (decoders, file writers, move_uploaded_file, include) are called through variables by
 * ordinary code too (`$move = 'move_uploaded_file'; $move($tmp, $dest)`).
 */
const RUNS_WHEN_CALLED = new Set([...CODE_SINKS, ...CMD_SINKS, 'call_user_func', 'call_user_func_array', 'preg_replace', 'array_map', 'register_shutdown_function']);

/**
 * Variables (and array slots) holding a dangerous function name, however it was spelled;
 * `strong` marks those holding one that runs code or commands.
 */
function dangerousNameVars(ctx: AnalyzerContext, consts: Map<string, string[]>): Set<string> & { strong: Set<string> } {
  const out = Object.assign(new Set<string>(), { strong: new Set<string>() });
  for (const [name, vs] of consts) {
    const lows = vs.map((v) => v.toLowerCase().trim());
    if (lows.some((v) => DANGEROUS_NAMES.has(v))) out.add(name);
    if (lows.some((v) => RUNS_WHEN_CALLED.has(v))) out.strong.add(name);
  }
  const resolve: VarResolver = (n) => consts.get(n)?.at(-1);
  // array slots: $a['k'] = 'assert'  ->  "$a['k']"
  for (const m of matchesAt(SLOT_ASSIGN, ctx.code, assignmentStarts(ctx.code, 'required', 40, true, false), 2000)) {
    const v = evalStringExpr(m[2]!, resolve);
    const low = v?.toLowerCase().trim();
    if (low !== undefined && DANGEROUS_NAMES.has(low)) {
      const slot = m[1]!.replace(/\s+/g, '');
      const base = /^\$\w+/.exec(m[1]!)![0];
      out.add(slot).add(base);
      if (RUNS_WHEN_CALLED.has(low)) out.strong.add(slot).add(base);
    }
  }
  return out;
}

/** Resolves `$name` to a known constant string value (constant propagation), if any. */
export type VarResolver = ((name: string) => string | undefined) & {
  /** Names that also hold non-constant values somewhere: not trusted for "$var" interpolation. */
  varying?: ReadonlySet<string>;
};

const MAX_EVAL = 1024 * 1024;

/**
 * The value of a string expression made of literals, `.`, escapes, chr(), known variables
 * and the string functions shells use to hide names and payloads (strrev, str_rot13,
 * base64_decode, str_replace, strtolower, hex2bin, gzinflate...). Undefined when any part
 * is not a compile-time constant.
 */
export function evalStringExpr(expr: string, resolve?: VarResolver, depth = 0): string | undefined {
  if (depth > 6 || expr.length > MAX_EVAL) return undefined;
  const pieces = splitConcat(expr.trim());
  if (!pieces) return undefined;
  let out = '';
  for (const piece of pieces) {
    const v = evalPiece(piece.trim(), resolve, depth);
    if (v === undefined) return undefined;
    out += v;
    if (out.length > MAX_EVAL) return undefined;
  }
  return out;
}

/** Index of the quote closing the literal that opens `p` (backslash escapes honoured), or -1. */
function closingQuote(p: string): number {
  const q = p.charCodeAt(0);
  for (let i = 1; i < p.length; i++) {
    const ch = p.charCodeAt(i);
    if (ch === 92) i++;
    else if (ch === q) return i;
  }
  return -1;
}

function evalPiece(p: string, resolve: VarResolver | undefined, depth: number): string | undefined {
  let m: RegExpExecArray | null;
  if (p.length === 0) return undefined;
  while (p.startsWith('(') && p.endsWith(')') && matchingParen(p, 0) === p.length - 1) p = p.slice(1, -1).trim();
  if (p.startsWith('@')) p = p.slice(1).trim();
  const c = p[0];
  // a single literal only when its closing quote is the last character ("a"^"b" is two)
  const single = (c === "'" || c === '"') && closingQuote(p) === p.length - 1;
  if (c === "'" && single) return p.slice(1, -1).replace(/\\(['\\])/g, '$1');
  if (c === '"' && single) {
    const body = p.slice(1, -1);
    if (/(?<!\\)\$[A-Za-z_{]/.test(body)) {
      // simple "$var" interpolation of known constants; anything richer is unknown
      if (!resolve || /(?<!\\)(?:\{\$|\$\w+\s*(?:\[|->))/.test(body)) return undefined;
      let unknown = false;
      const filled = body.replace(/(?<!\\)\$([A-Za-z_]\w{0,40})/g, (_m, n: string) => {
        const v = resolve.varying?.has('$' + n) ? undefined : resolve('$' + n);
        if (v === undefined) unknown = true;
        return v ?? '';
      });
      return unknown ? undefined : unescapeDq(filled);
    }
    return unescapeDq(body);
  }
  if ((m = /^chr\s*\(\s*(\d{1,3}|0x[0-9a-f]{1,2})\s*\)$/i.exec(p))) return String.fromCharCode(Number(m[1]) & 0xff);
  if ((m = /^\$(\w{1,40})$/.exec(p))) return resolve?.('$' + m[1]);
  if ((m = /^\$\w{1,40}\s*\[\s*(?:'[^'\n]{0,40}'|"[^"\n]{0,40}"|\d{1,6})\s*\]$/.exec(p)) && resolve) {
    const slot = resolve(slotName(p));
    if (slot !== undefined) return slot;
  }
  if ((m = /^\$(\w{1,40})\s*(?:\[\s*(\d{1,5})\s*\]|\{\s*(\d{1,5})\s*\})$/.exec(p)) && resolve) {
    const str = resolve('$' + m[1]);
    const i = Number(m[2] ?? m[3]);
    return str !== undefined && i < str.length ? str[i] : undefined;
  }
  const bit = splitBitwise(p);
  if (bit) {
    const a = evalStringExpr(bit.left, resolve, depth + 1);
    const b = evalStringExpr(bit.right, resolve, depth + 1);
    if (a === undefined || b === undefined) return undefined;
    const n = bit.op === '|' ? Math.max(a.length, b.length) : Math.min(a.length, b.length);
    let out = '';
    for (let i = 0; i < n; i++) {
      const x = a.charCodeAt(i) || 0;
      const y = b.charCodeAt(i) || 0;
      out += String.fromCharCode(bit.op === '^' ? x ^ y : bit.op === '|' ? x | y : x & y);
    }
    return out;
  }
  if (p.startsWith('~')) {
    const v = evalStringExpr(p.slice(1), resolve, depth + 1);
    return v === undefined ? undefined : [...v].map((ch) => String.fromCharCode(~ch.charCodeAt(0) & 0xff)).join('');
  }
  if ((m = /^\$(\w{1,40})\s*\(/.exec(p)) && resolve) {
    const fname = resolve('$' + m[1]);
    if (fname && /^\w{2,30}$/.test(fname)) return evalPiece(fname + p.slice(m[0].length - 1), resolve, depth + 1);
  }
  if ((m = /^(\w{2,30})\s*\(/.exec(p)) && matchingParen(p, m[0].length - 1) === p.length - 1) {
    const fn = m[1]!.toLowerCase();
    const args = splitTopArgs(p.slice(m[0].length, -1));
    const a0 = args[0] === undefined ? undefined : evalStringExpr(args[0], resolve, depth + 1);
    switch (fn) {
      case 'strrev':
        return a0 === undefined ? undefined : reverse(a0);
      case 'str_rot13':
        return a0 === undefined ? undefined : rot13(a0);
      case 'strtolower':
        return a0?.toLowerCase();
      case 'strtoupper':
        return a0?.toUpperCase();
      case 'trim':
        return args.length === 1 ? a0?.trim() : undefined;
      case 'ltrim':
        return args.length === 1 ? a0?.replace(/^[ \t\n\r\0\x0B]+/, '') : undefined;
      case 'rtrim':
        return args.length === 1 ? a0?.replace(/[ \t\n\r\0\x0B]+$/, '') : undefined;
      case 'base64_decode':
        return a0 === undefined ? undefined : b64(a0)?.toString('latin1');
      case 'hex2bin':
        return a0 !== undefined && /^(?:[0-9a-f]{2})+$/i.test(a0) ? Buffer.from(a0, 'hex').toString('latin1') : undefined;
      case 'gzinflate':
      case 'gzuncompress':
      case 'gzdecode':
        return a0 === undefined ? undefined : inflateAny(Buffer.from(a0, 'latin1'))?.toString('latin1');
      case 'urldecode':
      case 'rawurldecode':
        try {
          return a0 === undefined ? undefined : decodeURIComponent(a0.replace(/\+/g, fn === 'urldecode' ? ' ' : '+'));
        } catch {
          return undefined;
        }
      case 'str_replace':
      case 'str_ireplace': {
        if (args.length < 3) return undefined;
        const from = evalStringExpr(args[0]!, resolve, depth + 1);
        const to = evalStringExpr(args[1]!, resolve, depth + 1);
        const subj = evalStringExpr(args[2]!, resolve, depth + 1);
        if (from === undefined || to === undefined || subj === undefined || from.length === 0) return undefined;
        return fn === 'str_ireplace' ? subj.replace(new RegExp(escapeRegExp(from), 'gi'), () => to) : subj.split(from).join(to);
      }
      case 'substr':
      case 'substr_replace': {
        // the slices shells cut names from: substr('xassertx', 1, 6)
        const nums = args.slice(fn === 'substr' ? 1 : 2).map((a) => (/^\s*-?\d{1,6}\s*$/.test(a) ? Number(a) : NaN));
        if (a0 === undefined || nums.length === 0 || nums.some((x) => Number.isNaN(x))) return undefined;
        const start = nums[0]! < 0 ? Math.max(0, a0.length + nums[0]!) : Math.min(nums[0]!, a0.length);
        const len = nums[1] === undefined ? a0.length - start : nums[1] < 0 ? Math.max(0, a0.length + nums[1] - start) : nums[1];
        if (fn === 'substr') return a0.slice(start, start + len);
        const rep = evalStringExpr(args[1]!, resolve, depth + 1);
        return rep === undefined ? undefined : a0.slice(0, start) + rep + a0.slice(start + len);
      }
      case 'implode':
      case 'join': {
        // implode('', array('as', 'sert')): glue first, or the array alone
        const arr = args.length === 2 ? args[1]! : args[0]!;
        const glue = args.length === 2 ? evalStringExpr(args[0]!, resolve, depth + 1) : '';
        const items = /^\s*(?:array\s*\(([\s\S]*)\)|\[([\s\S]*)\])\s*$/i.exec(arr);
        if (glue === undefined || !items) return undefined;
        const vals = splitTopArgs(items[1] ?? items[2] ?? '').map((x) => evalStringExpr(x, resolve, depth + 1));
        return vals.some((x) => x === undefined) ? undefined : vals.join(glue);
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

/** `A ^ B`, `A | B`, `A & B` at the top level of a piece (string bitwise operators). */
function splitBitwise(p: string): { left: string; right: string; op: string } | undefined {
  let depth = 0;
  let q = 0;
  for (let i = 0; i < p.length; i++) {
    const ch = p.charCodeAt(i);
    if (q) {
      if (ch === 92) i++;
      else if (ch === q) q = 0;
      continue;
    }
    if (ch === 34 || ch === 39) q = ch;
    else if (ch === 40 || ch === 91) depth++;
    else if (ch === 41 || ch === 93) depth--;
    else if (depth === 0 && (ch === 94 || ch === 124 || ch === 38) && p[i + 1] !== p[i] && p[i - 1] !== p[i]) {
      return { left: p.slice(0, i), right: p.slice(i + 1), op: p[i]! };
    }
  }
  return undefined;
}

/** Splits on top-level `.` concatenation (outside strings and parentheses). */
function splitConcat(expr: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let q = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr.charCodeAt(i);
    if (q) {
      if (ch === 92) i++;
      else if (ch === q) q = 0;
      continue;
    }
    if (ch === 34 || ch === 39) q = ch;
    else if (ch === 40 || ch === 91) depth++;
    else if (ch === 41 || ch === 93) depth--;
    else if (ch === 46 && depth === 0 && !/\d/.test(expr[i + 1] ?? '')) {
      out.push(expr.slice(start, i));
      start = i + 1;
    } else if (depth === 0 && (ch === 59 || ch === 44 || ch === 61 || ch === 63)) return undefined; // not a single expression
  }
  if (q || depth !== 0) return undefined;
  out.push(expr.slice(start));
  return out;
}

function matchingParen(s: string, open: number): number {
  let depth = 0;
  let q = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (q) {
      if (ch === 92) i++;
      else if (ch === q) q = 0;
      continue;
    }
    if (ch === 34 || ch === 39) q = ch;
    else if (ch === 40) depth++;
    else if (ch === 41) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** `$a[ 'k' ]` / `$a["k"]` / `$a[0]` as one canonical key `$a[k]` (plain `$a` unchanged). */
function slotName(ref: string): string {
  const m = /^(\$\w+)\s*\[\s*(?:'([^']*)'|"([^"]*)"|(\d+))\s*\]$/.exec(ref);
  return m ? `${m[1]}[${m[2] ?? m[3] ?? m[4]}]` : ref;
}

/** Every `$var = expr;` / `$var .= expr;` with the full expression (strings may hold `;`). */
export function fullAssignments(code: string, bare = blankStrings(code, '\'"')): Array<{ name: string; append: boolean; expr: string; at: number }> {
  const out: Array<{ name: string; append: boolean; expr: string; at: number }> = [];
  // the bracket may hold spaces and newlines around its literal: a generous reach, any line
  for (const m of matchesAt(FULL_ASSIGN, bare, assignmentStarts(bare, 'optional', 2000, false, true), 20000)) {
    // each right-hand side may run to MAX_EVAL when no `;` ends it: thousands of them are quadratic
    checkBudget();
    let i = m.index + m[0].length;
    const end = Math.min(code.length, i + MAX_EVAL);
    let q = 0;
    let depth = 0;
    for (; i < end; i++) {
      const ch = code.charCodeAt(i);
      if (q) {
        if (ch === 92) i++;
        else if (ch === q) q = 0;
        continue;
      }
      if (ch === 34 || ch === 39) q = ch;
      else if (ch === 40 || ch === 91) depth++;
      else if (ch === 41 || ch === 93) {
        if (--depth < 0) break;
      } else if (ch === 59 && depth === 0) break;
    }
    out.push({ name: slotName(code.slice(m.index, m.index + m[1]!.length)), append: m[2] === '.', expr: code.slice(m.index + m[0].length, i), at: m.index });
  }
  return out;
}

/**
 * Constant propagation in program order (straight-line approximation): returns every
 * constant value each variable ever held, so `$_="s"."s"."e"."r"; $_="a".$_."t";` yields
 * "assert" for `$_`.
 */
const CAN_FOLD =
  /^\s*(?:['"(~@$]|(?:chr|strrev|str_rot13|strtolower|strtoupper|trim|ltrim|rtrim|base64_decode|hex2bin|gzinflate|gzuncompress|gzdecode|urldecode|rawurldecode|str_i?replace|substr|substr_replace|implode|join)\s*\()/i;

// names that constantStrings() saw assigned a non-constant value, per result map
const VARYING = new WeakMap<Map<string, string[]>, Set<string>>();

function varyingNames(consts: Map<string, string[]>): ReadonlySet<string> {
  return VARYING.get(consts) ?? new Set<string>();
}

export function constantStrings(code: string, bare?: string): Map<string, string[]> {
  const assigns = fullAssignments(code, bare);
  const env = new Map<string, string>();
  const ever = new Map<string, string[]>();
  const seen = new Set<string>();
  let self = '';
  // `$x = $x . 'abc'` before any other assignment of $x appends to PHP's empty undefined value
  const resolve: VarResolver = (n) => env.get(n) ?? (n === self && !seen.has(n) ? '' : undefined);
  for (const a of assigns) {
    self = a.name;
    // most right-hand sides (objects, arrays, numbers, method calls) can never fold to a string
    const v = CAN_FOLD.test(a.expr) ? evalStringExpr(a.expr, resolve) : undefined;
    seen.add(a.name);
    if (v === undefined) {
      env.delete(a.name);
      VARYING.set(ever, (VARYING.get(ever) ?? new Set<string>()).add(a.name));
      continue;
    }
    const val = a.append ? (env.get(a.name) ?? '') + v : v;
    if (val.length > MAX_EVAL) continue;
    env.set(a.name, val);
    const list = ever.get(a.name);
    if (!list) ever.set(a.name, [val]);
    else if (list.length < 16) list.push(val);
  }
  return ever;
}

const BUILT_GATE = /['"]\s*\.\s*(?:['"]|chr)|chr\s*\(|\\x|\\[0-9]|strrev|str_rot13|base64_decode|hex2bin/;

/** Dangerous names assembled from pieces: 'as'.'sert', "\x73ystem", strrev('tressa'), chr(97).chr(115)... */
function builtNames(ctx: AnalyzerContext, xorFound?: number): void {
  const { code, ev } = ctx;
  const re = /(?:(?:strrev|str_rot13|base64_decode|hex2bin)\s*\(\s*)?(?:(?:'(?:[^'\\\n]|\\.){0,40}'|"(?:[^"\\$\n]|\\.){0,80}"|chr\s*\(\s*\d{1,3}\s*\))\s*\.?\s*){1,24}\)?/gi;
  let n = 0;
  // the long literal-chain regex only pays off where pieces can be assembled at all
  const pieces = BUILT_GATE.test(ctx.lower);
  for (const m of pieces ? matches(re, code, 20000) : []) {
    const raw = m[0];
    const assembled = /\.\s*(?:'|"|chr)|\\x|\\\d|strrev|str_rot13|base64_decode|hex2bin|chr\s*\(/i.test(raw);
    if (!assembled) continue;
    const v = evalStringExpr(raw);
    if (v === undefined) continue;
    const low = v.toLowerCase().trim();
    if (DANGEROUS_NAMES.has(low) && !/^(?:base64_decode|include|require)$/.test(low)) {
      ev.add('obfuscation', `function name "${low}" assembled from pieces or escapes`, 8, m.index, raw.length);
      if (++n > 3) break;
    }
  }
  // bitwise-NOT / XOR strings used as names: $f = ~"\x8c\x86..."; or "abc"^"..."
  const nott = code.includes('~') && /=\s*~\s*(['"])((?:[\x80-\xff]|\\x[89a-f][0-9a-f]){3,})\1/i.exec(code);
  if (nott) {
    const lit = nott[1] === '"' ? unescapeDq(nott[2]!) : nott[2]!;
    const v = [...lit].map((c) => String.fromCharCode(~c.charCodeAt(0) & 0xff)).join('');
    ev.add(
      'obfuscation',
      DANGEROUS_NAMES.has(v.toLowerCase()) ? `function name "${v.toLowerCase()}" hidden with bitwise NOT` : 'string hidden with bitwise NOT',
      DANGEROUS_NAMES.has(v.toLowerCase()) ? 9 : 5,
      nott.index,
      nott[0].length,
    );
  }
  const xorAt = xorFound ?? bareCode(ctx).search(/['"]\s*\^\s*['"]/);
  const xor = xorAt === -1 ? null : /(['"])[^'"\n]{2,40}\1\s*\^\s*(['"])[^'"\n]{2,40}\2/.exec(code.slice(Math.max(0, xorAt - 50), xorAt + 50));
  if (xor) xor.index += Math.max(0, xorAt - 50);
  if (xor) ev.add('obfuscation', 'string built by XOR of two literals', 5, xor.index, xor[0].length);
}

/** Hints typical of interactive shells (file managers, system info). Weak alone; capped. */
function shellUiHints(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  let w = 0;
  let first = -1;
  const hints: Array<[RegExp, number]> = [
    [/\b(?:posix_getpwuid|posix_getgrgid|posix_geteuid)\s*\(/i, 1],
    [/\bdisk_(?:free|total)_space\s*\(/i, 1],
    [/ini_get\s*\(\s*['"](?:safe_mode|disable_functions|open_basedir)['"]/i, 1],
    [/\/etc\/passwd|\/etc\/shadow|uname -a|net user|whoami|netstat -an|cmd\.exe \/c|ipconfig \/all|ls -la/i, 2],
    [/\bset_time_limit\s*\(\s*0\s*\)/i, 0.5],
    [/\bignore_user_abort\s*\(/i, 0.5],
    [/@?error_reporting\s*\(\s*0\s*\)/i, 0.5],
    [/\b(?:mysql_connect|mysqli_connect|pg_connect|mssql_connect)\s*\(\s*\$_(?:POST|GET|REQUEST)/i, 2],
    [/\bfunction_exists\s*\(\s*['"](?:system|passthru|shell_exec|proc_open|popen|exec)['"]\s*\)/i, 1],
    [/\b(?:chmod|touch)\s*\([^;]{0,80}\$_(?:POST|GET|REQUEST)/i, 1],
  ];
  for (const [re, weight] of hints) {
    const m = re.exec(code);
    if (m) {
      w += weight;
      if (first === -1) first = m.index;
    }
  }
  if (w >= 2) ev.add('capability', 'system reconnaissance / shell user-interface features', Math.min(w, 4), first);
}

/** Splits a call's argument text on top-level commas. */
export function splitTopArgs(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let q = 0;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args.charCodeAt(i);
    if (q) {
      if (c === 92) i++;
      else if (c === q) q = 0;
      continue;
    }
    if (c === 34 || c === 39) q = c;
    else if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (c === 44 && depth === 0) {
      out.push(args.slice(start, i));
      start = i + 1;
    }
  }
  out.push(args.slice(start));
  return out;
}

/** A single string literal's value (with concatenation/escapes folded), else undefined. */
function literalValue(expr: string): string | undefined {
  const v = evalStringExpr(expr);
  return v === undefined ? undefined : printable(v, 60);
}

/**
 * Payloads kept as constant strings and decoded at runtime: evaluate the arguments of code
 * sinks and decoders with constant propagation; decoded code becomes a layer to analyze.
 */
const DEOBFUSCATE_AT = [
  'eval',
  'assert',
  'create_function',
  'base64_decode',
  'gzinflate',
  'gzuncompress',
  'gzdecode',
  'str_rot13',
  'strrev',
  'str_replace',
  'hex2bin',
  'file_put_contents',
  'fwrite',
  'fputs',
];

function deobfuscate(ctx: AnalyzerContext, resolve: VarResolver): void {
  let n = 0;
  for (const m of callMatches(ctx, callIndex(ctx), DEOBFUSCATE_AT, '').slice(0, 400)) {
    const args = callArgs(ctx.code, m.open, MAX_EVAL);
    if (!/\$/.test(args) && m.name !== 'str_replace') continue; // pure literals are handled by the obfuscation analyzer
    const fn = m.name;
    const parts = splitTopArgs(args);
    const writes = fn === 'file_put_contents' || fn === 'fwrite' || fn === 'fputs';
    const target = fn === 'create_function' || writes ? parts[1] : fn === 'eval' || fn === 'assert' ? parts[0] : `${fn}(${args})`;
    if (!target) continue;
    const v = evalStringExpr(target, resolve);
    if (v === undefined || v.length < 8 || !looksLikeCode(v)) continue;
    if (writes && !/<\?|\$_(?:GET|POST|REQUEST|COOKIE)|eval|assert|system/i.test(v)) continue;
    ctx.layers.push({ text: v, offset: m.index, how: `constant folding of ${fn}()`, language: 'php' });
    ctx.ev.add('obfuscation', `code assembled from string pieces and handed to ${fn}()`, fn === 'str_replace' || fn === 'strrev' || writes ? 2 : 5, m.index, m[0].length);
    if (++n >= 6) break;
  }
}

/**
 * One level of interprocedural flow: functions/methods that pass a parameter into a code or
 * command sink are wrappers; calling a wrapper with request data is the same as calling the
 * sink (`function x($c){ system($c); } x($_POST['c']);`, method `nvoke($p){eval($p);}`).
 */
function wrapperFlows(ctx: AnalyzerContext, taint: Taint): void {
  const { code, lower, ev } = ctx;
  const calls = callIndex(ctx);
  // no sink anywhere means no function can wrap one
  if (!calls.hasAnyOf(SINK_NAMES) && !bareCode(ctx).includes('`')) return;
  const wrappers = new Map<string, string>();
  for (const m of matches(/\bfunction\s+&?\s*(\w{1,60})\s*\(([^)]{0,300})\)[^{;]{0,80}\{/g, code, 2000)) {
    const params = (m[2]!.match(/\$\w+/g) ?? []).filter((p) => p !== '$this');
    if (params.length === 0) continue;
    const bodyStart = m.index + m[0].length - 1;
    const body = braceBody(code, bodyStart, 50000);
    const refs = new RegExp(params.map((p) => p.replace('$', '\\$') + '\\b').join('|'));
    let sink: string | undefined;
    for (const s of callMatches(ctx, calls, SINK_NAMES, NOT_BEFORE_SINK, bodyStart, bodyStart + body.length)) {
      if (refs.test(callArgs(code, s.open))) {
        sink = s.name;
        break;
      }
    }
    if (!sink) {
      const bt = body.includes('`') ? /`([^`\n]{1,200})`/.exec(bareCode(ctx).slice(bodyStart, bodyStart + body.length)) : null;
      if (bt && refs.test(body.slice(bt.index, bt.index + bt[0].length))) sink = 'backtick shell';
    }
    if (sink) wrappers.set(m[1]!.toLowerCase(), sink);
  }
  if (wrappers.size === 0) return;
  const names = [...wrappers.keys()].map((n) => n.replace(/[^\w]/g, '')).join('|');
  for (const m of matches(new RegExp(`(?<![\\w$])(${names})\\s*\\(`, 'g'), lower, 2000)) {
    const before = code.slice(Math.max(0, m.index - 12), m.index);
    if (/function\s+&?\s*$/.test(before)) continue; // the definition itself
    const args = callArgs(code, m.index + m[0].length - 1);
    // in class-based application code one variable name spans many methods: only request data
    // one assignment away, inside the method making the call, counts there
    if (classBased(ctx) ? taint.touchesDirectly(args) && inEnclosingFunction(code, m.index, (body) => new Taint(body, taint.spec).touchesDirectly(args)) : taint.touches(args)) {
      ev.add('flow', `request input reaches ${wrappers.get(m[1]!)}() through a wrapper function`, 11, m.index, m[0].length);
      return;
    }
  }
}

/**
 * `test` applied to the body of the function or method around offset `at` (the whole code
 * when `at` is at the top level).
 */
function inEnclosingFunction(code: string, at: number, test: (body: string) => boolean): boolean {
  let body: string | undefined;
  for (const m of matches(/\bfunction\b[^{;]{0,400}\{/g, code.slice(0, at), 5000)) {
    const open = m.index + m[0].length - 1;
    const b = braceBody(code, open, 200000);
    if (open + b.length > at) body = b; // the innermost enclosing one is the last that still spans `at`
  }
  return test(body ?? code);
}

function braceBody(code: string, open: number, max: number): string {
  let depth = 0;
  const end = Math.min(code.length, open + max);
  let q = 0;
  for (let i = open; i < end; i++) {
    const c = code.charCodeAt(i);
    if (q) {
      if (c === 92) i++;
      else if (c === q) q = 0;
      continue;
    }
    if (c === 34 || c === 39) q = c;
    else if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return code.slice(open, i + 1);
  }
  return code.slice(open, end);
}

/** Code fetched from a URL and evaluated or included: a remote-controlled loader. */
function remoteCode(ctx: AnalyzerContext, consts: Map<string, string[]>): void {
  const { code, ev } = ctx;
  const urlVars = [...consts].filter(([, vs]) => vs.some((v) => /^(?:https?|ftp):\/\//i.test(v))).map(([n]) => n.replace('$', '\\$'));
  const fetchRe = new RegExp(
    `\\b(?:file_get_contents|fopen|file|curl_exec|stream_get_contents|fread)\\s*\\(\\s*[^;]{0,120}?(?:['"](?:https?|ftp):\\/\\/|\\$ch\\b|\\$curl\\b${urlVars.length ? `|(?:${urlVars.join('|')})\\b` : ''})`,
    'i',
  );
  const inc = code.includes('://') ? /(?<![\w>$])(?:include|require)(?:_once)?\s*\(?\s*['"](?:https?|ftp):\/\//i.exec(code) : null;
  if (inc) ev.add('flow', 'includes PHP code from a remote URL', 10, inc.index, inc[0].length);
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['eval', 'assert', 'create_function']) || !calls.hasAnyOf(['file_get_contents', 'fopen', 'file', 'curl_exec', 'stream_get_contents', 'fread'])) return;
  if (!fetchRe.test(code)) return;
  const vars = new Set<string>();
  for (const m of matches(/(\$\w{1,40})\s*=\s*([^;]{1,300})/g, code, 5000)) if (fetchRe.test(m[2]!) || /\bcurl_exec\s*\(/i.test(m[2]!)) vars.add(m[1]!);
  for (const m of matches(/(?<![\w>$:])(eval|assert|create_function)\s*\(/gi, code, 200)) {
    const args = callArgs(code, m.index + m[0].length - 1);
    if (fetchRe.test(args) || [...vars].some((v) => args.includes(v))) {
      ev.add('flow', `${m[1]!.toLowerCase()}() runs code downloaded from a URL`, 10, m.index, m[0].length);
      return;
    }
  }
}

/** Code organised in classes or a namespace (applications and libraries, rarely shells). */
const CLASS_CODE = /^[ \t]*(?:namespace\s+[\w\\]+\s*;|(?:abstract\s+|final\s+)?class\s+\w+)/m;
const CLASS_BASED = new WeakMap<AnalyzerContext, boolean>();

/** Whether the analyzed code is class-based, tested once per analyzed text. */
function classBased(ctx: AnalyzerContext): boolean {
  let v = CLASS_BASED.get(ctx);
  if (v === undefined) CLASS_BASED.set(ctx, (v = CLASS_CODE.test(ctx.code)));
  return v;
}

/** `code` with string contents blanked, computed once per analyzed text. */
function bareCode(ctx: AnalyzerContext): string {
  ctx.bare ??= blankStrings(ctx.code, '\'"');
  return ctx.bare;
}

/**
 * A remote-administration kit: command execution plus several of file management driven by
 * the request, uploads, database clients, sockets and system recon, in one script that reads
 * request input. Each part exists in real applications; all of them together in one page
 * (with OS commands) is how file-manager shells (c99/r57/WSO-class) look.
 */
function adminKit(ctx: AnalyzerContext, taint: Taint): void {
  const { code, ev } = ctx;
  const groups: Array<[string, RegExp]> = [
    ['file management', /\b(?:unlink|rmdir|rename|chmod|mkdir|touch)\s*\(\s*\$/i],
    ['uploads', /\bmove_uploaded_file\s*\(|\$_FILES\s*\[/i],
    ['database client', /\b(?:mysql_connect|mysqli_connect|mysqli\s*\(|pg_connect|mssql_connect|oci_connect|new\s+PDO)\s*\(?\s*\$/i],
    ['network sockets', /\b(?:fsockopen|socket_create|stream_socket_client|socket_bind|curl_init)\s*\(/i],
    ['system recon', /\b(?:php_uname|posix_getpwuid|getmyuid|disk_free_space|ini_get\s*\(\s*['"](?:safe_mode|disable_functions))/i],
    ['directory browsing', /\b(?:opendir|scandir|readdir|glob)\s*\(\s*\$/i],
    ['file editing', /\b(?:fwrite|file_put_contents|fputs)\s*\(\s*\$/i],
  ];
  // in a kit the request drives these operations; a big library merely contains them (utility
  // functions for its own use), so there each group needs a call fed by request data
  const big = ctx.size >= 65536;
  const driven = (re: RegExp): boolean => {
    for (const m of matches(re, code, 200)) {
      const open = code.indexOf('(', m.index);
      if (open !== -1 && taint.touches(callArgs(code, open))) return true;
    }
    return false;
  };
  // (recon calls take no input: they count as they are)
  const found = groups.filter(([n, re]) => re.test(code) && (!big || n === 'system recon' || driven(re))).map(([n]) => n);
  if (found.length >= 4) ev.add('capability', `remote administration kit: OS commands plus ${found.join(', ')}`, found.length >= 5 ? 8 : 6, -1);
}

/** Self-deleting, unkillable loops: a script that removes itself and keeps running. */
function persistence(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const selfDelete = /\bunlink\s*\(\s*(?:\$_SERVER\s*\[\s*['"]SCRIPT_FILENAME['"]\s*\]|__FILE__)\s*\)/i.exec(code);
  const immortal = ctx.lower.includes('_abo') && /\bignore_user_abort\s*\(\s*(?:true|1)\s*\)/i.test(code) && /\bwhile\s*\(\s*(?:true|1|\$\w+\s*=)/i.test(code);
  if (selfDelete) ev.add('capability', 'deletes its own file and keeps running (memory-resident loader)', immortal ? 7 : 4, selfDelete.index, selfDelete[0].length);
  else if (immortal && /\b(?:file_put_contents|fwrite|eval|include)\s*\(/i.test(code)) {
    const m = /\bignore_user_abort/i.exec(code)!;
    ev.add('capability', 'unkillable loop that keeps rewriting or running code', 3, m.index, 20);
  }
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

/**
 * eval(f('...long literal...')) where f is defined in the same file: a home-made decoder
 * (character shifting, XOR, base64 under another name) whose output is run as code.
 */
function customDecoders(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['eval', 'assert', 'create_function'])) return;
  for (const m of callMatches(ctx, calls, ['eval', 'assert'], NOT_BEFORE_SINK)) {
    const inner = /^\s*@?\s*([a-z_]\w{0,60})\s*\(\s*(['"])/i.exec(code.slice(m.open + 1, m.open + 200));
    if (!inner) continue;
    const fname = inner[1]!.toLowerCase();
    if (DANGEROUS_NAMES.has(fname) || /^(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|urldecode|rawurldecode|stripslashes|trim)$/.test(fname)) continue;
    const lit = callArgs(code, m.open + 1 + inner.index + inner[0].length - inner[2]!.length - 1, 200000);
    const def = new RegExp(`\\bfunction\\s+&?\\s*${fname}\\s*\\(`, 'i').exec(code);
    if (!def) continue;
    const body = braceBody(code, code.indexOf('{', def.index), 20000);
    const decodes = /\b(?:base64_decode|gzinflate|gzuncompress|str_rot13|strrev|chr|ord|hex2bin|pack|convert_uudecode)\s*\(|\^/i.test(body);
    if (lit.length >= 100 && decodes) {
      ev.add('obfuscation', `eval() of a long literal decoded by the file's own function ${inner[1]}()`, 10, m.index, m[0].length);
      return;
    }
  }
}

/** Variables holding a client-supplied file name: $n = $_FILES['f']['name']. */
function clientFileNames(code: string): string[] {
  const out: string[] = [];
  for (const m of matches(/(\$\w+)\s*=\s*(?:basename\s*\(\s*)?\$_FILES\s*\[[^\]]+\]\s*\[\s*['"]name['"]\s*\]/gi, code, 50)) out.push(m[1]!);
  return out;
}

/**
 * A function name produced at runtime by the file's own decoder and then called:
 * $f = dec('6A76..'); $f(dec('...')) — the decoder hides which function runs.
 */
function decodedCallees(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  // a decoder needs character arithmetic or a decoding builtin somewhere in the file
  if (!calls.has('$') || !calls.hasAnyOf(['chr', 'ord', 'hexdec', 'base64_decode', 'str_rot13', 'strrev', 'gzinflate', 'pack'])) return;
  for (const m of matches(/(\$\w{1,40})\s*=\s*([a-z_]\w{0,60})\s*\(\s*['"][^'"\n]{4,400}['"]/gi, code, 200)) {
    const fname = m[2]!;
    if (
      DANGEROUS_NAMES.has(fname.toLowerCase()) ||
      /^(?:base64_decode|str_rot13|strrev|hex2bin|gzinflate|gzuncompress|urldecode|trim|strtolower|strtoupper|sprintf|md5|sha1|__|_e|_x|esc_\w+)$/i.test(fname)
    )
      continue;
    const def = new RegExp(`\\bfunction\\s+&?\\s*${fname}\\s*\\(`, 'i').exec(code);
    if (!def) continue;
    const body = braceBody(code, code.indexOf('{', def.index), 20000);
    if (!/\b(?:chr|ord|hexdec|base64_decode|str_rot13|strrev|gzinflate|pack)\s*\(|\^/i.test(body) || !/\breturn\b/.test(body)) continue;
    const v = m[1]!.replace('$', '\\$');
    const call = new RegExp(`(?<![\\w>:$])${v}\\s*\\(`).exec(code.slice(m.index + m[0].length));
    if (call) {
      ev.add('obfuscation', `function name produced by the file's own decoder ${fname}() and then called`, 9, m.index, m[0].length);
      return;
    }
  }
}

/**
 * register_globals-era shells: system($cmd) where $cmd is never assigned, received or
 * declared anywhere in the file, so it can only come from the request (GET/POST/COOKIE
 * variables registered as globals by old PHP).
 */
function registerGlobals(ctx: AnalyzerContext, calls: CallIndex, taint: Taint): void {
  const { code, ev } = ctx;
  const sinks = calls.hasAnyOf(SINK_NAMES);
  const fsOps = ctx.size < 65536 && calls.hasAnyOf(RG_FILE_OPS);
  if ((!sinks && !fsOps) || /\b(?:extract|compact|parse_str|get_defined_vars)\s*\(|\$\$|\$\{/.test(code)) return;
  // parameters of functions, methods and closures (and closure `use` lists) are declared
  const params = new Set<string>();
  for (const m of matches(/\bfunction\b[^(]{0,80}\(([^)]{0,400})\)(?:\s*use\s*\(([^)]{0,200})\))?|\bfn\s*\(([^)]{0,300})\)|\bcatch\s*\(([^)]{0,200})\)/gi, code, 5000)) {
    for (const g of [m[1], m[2], m[3], m[4]]) for (const v of g?.match(/\$\w+/g) ?? []) params.add(v);
  }
  const verdicts = new Map<string, boolean>();
  let checks = 0;
  // the first variable of `args` that nothing in the file assigns, receives or declares
  const undefinedVar = (args: string, open: number): string | undefined => {
    const vars = (splitTopArgs(args)[0] ?? '').match(/\$[a-zA-Z_]\w*/g);
    if (!vars) return undefined;
    for (const v of vars) {
      // `$cmd = '';` only clears a registered variable: the value still comes from the request
      // and `$bk = $cmd; ... $cmd = $bk;` only restores it from its own backup
      const restoreOf = (r: string): boolean => {
        const src = /^\s*(\$\w+)\s*;?\s*$/.exec(r)?.[1];
        return src !== undefined && src !== v && (taint.assignments.get(src)?.every((b) => b.replace(/[\s;]/g, '') === v) ?? false);
      };
      const resetsOnly = taint.assignments.get(v)?.every((r) => RESET.test(r) || restoreOf(r)) ?? false;
      // PHP fills these itself (CLI arguments, last error, response headers)
      if (
        v === '$this' ||
        /^\$(?:_|GLOBALS\b|HTTP_|argv\b|argc\b|php_errormsg\b|http_response_header\b)/.test(v) ||
        taint.vars.has(v) ||
        (taint.assignments.has(v) && !resetsOnly) ||
        params.has(v)
      )
        continue;
      let known = verdicts.get(v);
      if (known === undefined) {
        if (++checks > 40) return undefined;
        const name = v.slice(1);
        let rest = code.slice(0, open) + code.slice(open + args.length + 1);
        if (resetsOnly) rest = rest.replace(new RegExp(`\\$${name}\\s*=\\s*(?:''|""|null|false|0|\\$\\w+)\\s*;`, 'gi'), ' ');
        known = new RegExp(
          `\\$${name}\\s*(?:\\[[^\\]]*\\]\\s*)*(?:[.+\\-*/|&^%]|\\?\\?)?=(?!=)|(?:\\bas|=>)\\s*&?\\$${name}\\b|\\b(?:global|static|list|unset)\\b[^;]{0,200}\\$${name}\\b|\\$${name}\\s*(?:\\+\\+|--)|(?:\\+\\+|--)\\s*\\$${name}\\b|\\[[^\\]=;]{0,200}\\$${name}\\b[^\\]=;]{0,200}\\]\\s*=(?!=)|\\bexec\\s*\\([^;,]{0,300},[^;]{0,300}\\$${name}\\b|\\b(?:preg_match(?:_all)?|parse_str|mb_parse_str|sscanf|str_replace|str_ireplace|preg_replace|similar_text|settype|openssl_\\w+|socket_\\w+|stream_\\w+|getimagesize|proc_open|fsockopen|dns_get_mx|getmxrr|list|each|array_\\w+)\\s*\\([^;]{0,300}\\$${name}\\b`,
        ).test(rest);
        verdicts.set(v, known);
      }
      if (!known) return v;
    }
    return undefined;
  };
  if (sinks) {
    for (const m of callMatches(ctx, calls, SINK_NAMES, NOT_BEFORE_SINK)) {
      const v = undefinedVar(callArgs(code, m.open), m.open);
      if (v) {
        ev.add('flow', `${m.name}() runs a variable that is never assigned (register_globals request variable ${v})`, CODE_SINKS.includes(m.name) ? 9 : 8, m.index, m[0].length);
        break;
      }
    }
  }
  // file manager of the same era: paths and names straight from registered request variables
  if (fsOps && !/\b(?:include|require)(?:_once)?\b/.test(code)) {
    const kinds = new Set<string>();
    let first = -1;
    for (const m of callMatches(ctx, calls, RG_FILE_OPS, NOT_BEFORE_CALLBACK)) {
      if (undefinedVar(callArgs(code, m.open), m.open)) {
        kinds.add(m.name);
        if (first === -1) first = m.index;
      }
    }
    if (kinds.size >= 2)
      ev.add(
        'flow',
        `file operations (${[...kinds].slice(0, 4).join(', ')}) on paths from never-assigned register_globals request variables (file manager)`,
        kinds.size >= 3 ? 8 : 6,
        first,
        20,
      );
  }
}

const RESET = /^\s*(?:''|""|null|false|0)\s*;?\s*$/i;

const RG_FILE_OPS = ['unlink', 'rmdir', 'mkdir', 'fopen', 'opendir', 'copy', 'rename', 'chmod', 'readfile', 'move_uploaded_file', 'file_put_contents'];

/**
 * A user function called with request data receives it in its parameters:
 * listDir($_GET['dir']) ... function listDir($d) { opendir($d) }. Small scripts only (one
 * name, one meaning).
 */
function taintParameters(ctx: AnalyzerContext, taint: Taint): void {
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

/** Mass mail and URL fetching driven by request parameters: spam and proxy/SSRF kits. */
function mailerAndProxy(ctx: AnalyzerContext, taint: Taint): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  for (const m of callMatches(ctx, calls, ['mail'], NOT_BEFORE_CALLBACK)) {
    const a = splitTopArgs(callArgs(code, m.open));
    if (a.length >= 3 && taint.touches(a[0]!) && (taint.touches(a[1]!) || taint.touches(a[2]!))) {
      const loop = /\b(?:foreach|while|for)\s*\(/.test(code);
      ev.add(
        'flow',
        loop ? 'sends mail to recipients, subject and body taken from the request in a loop (mass mailer)' : 'sends mail with recipient and content taken from the request',
        loop ? 6 : 4,
        m.index,
        m[0].length,
      );
      break;
    }
  }
  if (calls.has('curl_exec') || calls.has('file_get_contents')) {
    const url = /\bcurl_init\s*\(([^;]{1,200})\)|CURLOPT_URL\s*,\s*([^;]{1,200})\)|(?<![\w>$:])file_get_contents\s*\(([^;]{1,200})\)/i.exec(code);
    const target = url ? (url[1] ?? url[2] ?? url[3] ?? '') : '';
    // a file_get_contents() already counted as a request-chosen file path is one behaviour, not two
    const counted = url !== null && url[3] !== undefined && ev.has(fileOpReason('file_get_contents'));
    if (url && !counted && !/php:\/\//i.test(target) && ctx.size < 65536 && (taint.hasSource(target) || taint.touchesDirectly(target))) {
      ev.add('flow', 'request chooses a URL the server fetches (proxy / SSRF tool)', 3, url.index, 30);
    }
  }
}

/** Content fetched from a URL and written under the web root: defacement or a dropper. */
function webRootDropper(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['fopen', 'file_put_contents']) || !calls.hasAnyOf(['curl_exec', 'file_get_contents', 'fsockopen'])) return;
  if (!/\$_SERVER\s*\[\s*['"]DOCUMENT_ROOT['"]\s*\]/.test(code)) return;
  if (!/\bcurl_exec\s*\(|\bfile_get_contents\s*\(\s*['"]https?:|\bfile_get_contents\s*\(\s*\$\w*url/i.test(code)) return;
  const rootVars = new Set<string>();
  for (const m of matches(/(\$\w+)\s*=\s*\$_SERVER\s*\[\s*['"]DOCUMENT_ROOT['"]\s*\]/g, code, 50)) rootVars.add(m[1]!);
  for (const m of callMatches(ctx, calls, ['fopen', 'file_put_contents'], NOT_BEFORE_CALLBACK)) {
    const a = splitTopArgs(callArgs(code, m.open));
    const dest = a[0] ?? '';
    const writes = m.name === 'file_put_contents' || /['"][wax]\+?b?['"]/.test(a[1] ?? '');
    if (writes && (/DOCUMENT_ROOT/.test(dest) || [...rootVars].some((v) => dest.includes(v)))) {
      ev.add('capability', 'writes content fetched from the web into the web root (defacement / dropper)', 6, m.index, m[0].length);
      return;
    }
  }
}

/**
 * Logging in as an administrator with no credential check: pick an admin account and set
 * its auth cookie (WordPress), the classic CMS backdoor. The real login flow verifies a
 * password first.
 */
function authBypass(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  if (!calls.has('wp_set_auth_cookie')) return;
  if (/\bfunction\s+wp_set_auth_cookie\b|\b(?:wp_authenticate|wp_check_password|wp_signon|check_password_reset_key|wp_verify_nonce|check_admin_referer)\s*\(/i.test(code)) return;
  const admin = /user_can\s*\([^;]{0,80}['"]administrator['"]|role\s*=>?\s*['"]administrator['"]|get_users\s*\([^;]{0,120}administrator/i.exec(code);
  if (admin) ev.add('capability', 'logs in as an administrator without checking a password (authentication bypass)', 8, admin.index, 30);
}

/** String functions whose result, called straight away, is a function name computed in place. */
const NAME_MAKERS = [
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

/**
 * `base64_decode('...')($x)`, `file_get_contents('php'.$q)($_GET[2])`: since PHP 7 a call's
 * result can be called directly, so the function's name never sits in a variable at all.
 */
function computedCallees(ctx: AnalyzerContext, calls: CallIndex, taint: Taint): void {
  if (!calls.hasAnyOf(NAME_MAKERS)) return;
  const { code, lower, ev } = ctx;
  const bare = bareCode(ctx);
  // every `)` followed by `(`: walk back to its `(` and read the name before it
  for (const m of matches(/\)\s*\(/g, bare, 2000)) {
    const close = m.index;
    const open = matchingOpen(bare, close);
    if (open < 0) continue;
    let k = open - 1;
    while (k >= 0 && /\s/.test(bare[k]!)) k--;
    const end = k + 1;
    while (k >= 0 && /\w/.test(bare[k]!)) k--;
    const name = lower.slice(k + 1, end);
    if (!NAME_MAKERS.includes(name) || NOT_BEFORE_SINK.includes(bare[k] ?? ' ')) continue;
    const at = k + 1;
    const j = m.index + m[0].length - 1;
    const inner = code.slice(open + 1, close);
    const outer = code.slice(j + 1, j + 1 + callArgs(bare, j).length);
    if (taint.touches(inner) || taint.touches(outer)) ev.add('flow', `request input meets a function whose name ${name}() computes and calls in place`, 10, at, j - at + 1);
    else ev.add('obfuscation', `calls the function whose name ${name}() computes, in place`, 7, at, j - at + 1);
    return;
  }
}

/** The `(` matching the `)` at `close` in string-blanked code, or -1 (bounded walk). */
function matchingOpen(bare: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0 && close - i < 4000; i--) {
    const c = bare.charCodeAt(i);
    if (c === 41) depth++;
    else if (c === 40 && --depth === 0) return i;
  }
  return -1;
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
  for (const m of matches(/\b(?:\\?\w+\\)*(?:Server)?Request(?:Interface)?\s+\$(\w{1,40})/g, code, 50)) names.add(m[1]!);
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
 * Request data parked in an object property and run from a method (`$o->d = $_POST['d'];` with
 * `function __destruct() { eval($this->d); }`): the flow goes through `->d`, which variable
 * taint does not follow. Magic methods make the call implicit.
 */
function propertyFlows(ctx: AnalyzerContext, calls: CallIndex, taint: Taint): void {
  const { code, ev } = ctx;
  if (!code.includes('->')) return;
  const props = new Set<string>();
  for (const m of matches(/->\s*(\w{1,40})\s*=(?![=>])\s*([^;\n]{1,300})/g, code, 500)) if (taint.touchesDirectly(m[2]!)) props.add(m[1]!);
  if (props.size === 0) return;
  const uses = new RegExp(`->\\s*(?:${[...props].join('|')})\\b(?!\\s*=[^=])`);
  for (const m of callMatches(ctx, calls, SINK_NAMES, NOT_BEFORE_SINK)) {
    if (uses.test(callArgs(code, m.open))) {
      ev.add('flow', `request input reaches ${m.name}() through an object property`, 11, m.index, m[0].length);
      return;
    }
  }
}

/** Whether the file assigns `$name` a plain function name (`$cb = 'strtoupper';`): a fixed callback, not one chosen at runtime. */
function plainNameAssigned(code: string, name: string): boolean {
  return new RegExp(`\\$${escapeRegExp(name)}\\s*=\\s*(['"])[A-Za-z_]\\w*\\1\\s*;`).test(code);
}
