/**
 * Request data reaching PHP code and command sinks directly: eval/assert/system-style calls,
 * backticks, preg_replace /e, and the callback takers (array_map, usort, filter_var, yaml
 * tags...) whose callee the request or a dangerous name chooses.
 */
import { callArgs, printable } from '../../text.js';
import { matches } from '../../flow.js';
import { bareCode, classBased, plainNameAssigned, splitTopArgs } from './code.js';
import { evalStringExpr, literalValue, partialModifiersE } from './fold.js';
import { shellQuotedOnly } from './sanitizers.js';
import { fixedNameTable } from './tables.js';
import {
  CALLBACK_NAMES,
  CODE_SINKS,
  DANGEROUS_NAMES,
  ownFunctionPrefix,
  DECODERS,
  INDIRECT,
  NOT_BEFORE_CALLBACK,
  NOT_BEFORE_SINK,
  SINK_NAMES,
  TINY_DYNAMIC_CALL,
  TINY_SCRIPT,
  callMatches,
} from './signatures.js';
import type { PhpScan } from './sources.js';

/** An inline callback: `function (params) use (...) {` or `fn (params) =>`. */
const CLOSURE_HEAD = /^\s*(?:static\s+)?(?:function\s*\(([^)]*)\)[^{]{0,200}\{|fn\s*\(([^)]*)\)\s*=>)/i;
/** `name: ` before an argument (PHP 8 named arguments; `::` is a static call, not a name). */
const NAMED_ARG = /^\s*[a-z_]\w*\s*:(?!:)\s*/i;
/** A callback expression that builds the name with string functions instead of naming it. */
const COMPUTED_NAME =
  /^\s*(?:strrev|substr_replace|str_replace|str_ireplace|implode|join|strtolower|strtoupper|ucfirst|trim|sprintf|str_rot13|base64_decode|hex2bin|chr|substr|str_repeat|strtr|preg_replace)\s*\(/i;

/** Whether `$name` is assigned an expression that XORs strings (a function name hidden bit by bit). */
function xorAssigned(code: string, name: string): boolean {
  const re = new RegExp(`\\$${name}\\s*=(?!=)([^;]{1,400});`, 'g');
  for (const m of code.matchAll(re)) if (/(?:['")\]]|\$\w+)\s*\^\s*(?:['"(]|\$?\w)/.test(m[1]!)) return true;
  return false;
}

const VARIABLE_IMPORTS = /\b(?:extract|parse_str|mb_parse_str|import_request_variables)\s*\(|\$\$|\$\{/i;

/** Whether every variable `expr` names is a plain one assigned in the file, and none carries request data. */
function ownValuesOnly(expr: string, taint: PhpScan['taint'], code: string): boolean {
  // properties and methods carry values this taint does not follow (references, containers),
  // and a file that imports variables by name (extract, $$n) may overwrite any of them
  if (/->|::/.test(expr) || VARIABLE_IMPORTS.test(code)) return false;
  for (const [v] of expr.matchAll(/\$\w+/g)) if (v === '$this' || taint.vars.has(v) || !taint.assignments.has(v)) return false;
  return !taint.touches(expr);
}

/** A command-running call site (name, offset, argument text). */
export interface CmdCall {
  name: string;
  at: number;
  /** The command argument (all arguments for pcntl_exec). */
  args: string;
  /** Request values reach it only quoted as arguments of a fixed program. */
  quoted?: boolean;
}

/** Code and command sinks fed by the request, decoded payloads or folded constants; backticks. Returns the command calls. */
export function directSinks(s: PhpScan): CmdCall[] {
  const { ctx, taint, resolve, hasRequest, calls } = s;
  const { code, ev } = ctx;
  const cmdCalls: CmdCall[] = [];
  for (const m of callMatches(ctx, calls, SINK_NAMES, NOT_BEFORE_SINK)) {
    const name = m.name;
    const args = callArgs(code, m.open);
    const isCode = CODE_SINKS.includes(name);
    // the command itself: exec's and system's other arguments receive output, proc_open's pipes
    const command = name === 'pcntl_exec' ? args : (splitTopArgs(args)[0] ?? args);
    if (!isCode && taint.touches(command) && shellQuotedOnly(command, taint)) {
      // a fixed program given request values as escapeshellarg()-quoted arguments: not a command the client picks
      cmdCalls.push({ name, at: m.index, args, quoted: true });
      continue;
    }
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
    if (!isCode) cmdCalls.push({ name, at: m.index, args: command });
  }
  // backticks are shell_exec
  const bare = bareCode(ctx);
  // a native search for the backtick rules out most files before the regex walks them
  for (const m of bare.includes('`') ? matches(/`([^`\n]{1,300})`/g, bare, 200) : []) {
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
    // a command built only from variables the file fills with its own values (`$lines = (int)..`)
    // is the page's command; one with a parameter or an unknown variable may be anyone's
    const dynamic = cmdCalls.find((c) => !c.quoted && /\$/.test(c.args) && !ownValuesOnly(c.args, taint, code));
    // applications organised in classes read the request in one method and run a converter in
    // another; in a procedural script the two meet
    if (dynamic && hasRequest) ev.add('flow', 'OS command built from variables in a script that reads request input', classBased(ctx) ? 1.5 : 3, dynamic.at, dynamic.name.length);
  }
  return cmdCalls;
}

/** preg_replace with the /e modifier evaluates the replacement. */
export function pregReplaceE(s: PhpScan): void {
  const { ctx, taint, resolve, calls } = s;
  const { code, ev } = ctx;
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
}

/** Callbacks: the function to call named by the request or by a dangerous string. */
export function callbackTakers(s: PhpScan, names: ReadonlySet<string>): void {
  const { ctx, taint, resolve, calls } = s;
  const { code, ev } = ctx;
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
    // an inline function is the page's own code, whatever data it is handed
    if (closure) continue;
    if (/^\s*\.\.\.\s*\$/.test(args) && taint.hasSource(args)) {
      // usort(...$_GET): the request spreads into every argument, the callback included
      ev.add('flow', `request input spread into the arguments of ${fn}() chooses its callback`, 12, m.index, m[0].length);
    } else if (lit && DANGEROUS_NAMES.has(lit.toLowerCase()) && !/^(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|include|require)$/i.test(lit)) {
      ev.add('flow', `${fn}() calls ${lit.toLowerCase()} as a callback`, 11, m.index, m[0].length);
    } else if (taint.hasSource(cb)) {
      ev.add('flow', `request input chooses the function ${fn}() calls`, 12, m.index, m[0].length);
    } else if (/^\s*(?:\[|array\s*\()\s*\$this\s*,/i.test(cb) && !ctx.lower.includes('__call')) {
      // [$this, $m]: one of the object's own methods (a __call that forwards names is magic-call.ts's)
    } else if (ownPrefixCallee(cb)) {
      // 'plugin_action_' . $a: only the page's own functions carry that prefix
    } else if (s.scopes.touchesDirectly(cb.replace(/\[[^\]]*\]/g, '[]'), m.index) && !/->|::/.test(cb)) {
      // $e = $_REQUEST['e']; array_filter($arr, $e): the client names the callback
      const argsToo = parts.some((p, i) => i !== cbIndex && taint.touches(p));
      ev.add('flow', `request-derived variable chooses the function ${fn}() calls`, argsToo ? 11 : 8, m.index, m[0].length);
    } else if (s.scopes.touches(cb, m.index) && !fixedNameTable(code, cb, taint)) {
      const argsToo = parts.some((p, i) => i !== cbIndex && taint.touches(p));
      // a few lines that route request data into a callback slot are a loader, not a router
      ev.add('flow', INDIRECT, (argsToo ? 4 : 3) + (ctx.size < 4096 ? 2 : 0), m.index, m[0].length);
    } else if (names.has(cb.trim())) {
      ev.add('flow', `${fn}() calls a variable holding a dangerous function name`, 11, m.index, m[0].length);
    } else if (ctx.size < 4096 && parts.some((p, i) => i !== cbIndex && taint.touches(p))) {
      // a few lines that hand request data to a callback computed at runtime: a variable the
      // file never fills with a plain function name, or a name built by string functions
      // a variable the page's allowlist confines holds one of its listed names, and a list
      // that names a dangerous function is no allowlist (guards.ts): the page chose the callee
      if (taint.confined?.has(cb.trim())) continue;
      const runtime = /^\s*\$\w+\s*$/.test(cb) && !plainNameAssigned(ctx.code, cb.trim().slice(1)) && !registeredCallable(ctx.code, cb.trim(), taint);
      const direct = parts.some((p, i) => i !== cbIndex && taint.touchesDirectly(p));
      if ((runtime || COMPUTED_NAME.test(cb)) && ctx.size < TINY_SCRIPT && direct) ev.add('flow', TINY_DYNAMIC_CALL, 10, m.index, m[0].length);
      // a name only a bitwise mix of strings spells (`pack('H*', ..) ^ $k`) is a name hidden on purpose
      else if (runtime && direct && xorAssigned(ctx.code, cb.trim().slice(1)))
        ev.add('flow', `request input passed to a callback whose name is computed by XOR of strings (${fn})`, 10, m.index, m[0].length);
      else if (runtime) ev.add('flow', `request input passed to a callback chosen at runtime (${fn})`, 6, m.index, m[0].length);
      else if (COMPUTED_NAME.test(cb)) ev.add('flow', `request input passed to a callback whose name ${fn}() computes with string functions`, 8, m.index, m[0].length);
    }
  }
}

/** filter_var(..., FILTER_CALLBACK, ['options' => 'assert']) is a callback taker too. */
export function filterCallbacks(s: PhpScan): void {
  const { ctx, taint, calls } = s;
  const { code, ev } = ctx;
  for (const m of callMatches(ctx, calls, ['filter_var', 'filter_var_array', 'filter_input', 'filter_input_array'], NOT_BEFORE_CALLBACK)) {
    const args = callArgs(code, m.open);
    if (!/FILTER_CALLBACK/i.test(args)) continue;
    const opt = /['"]options['"]\s*=>\s*([^,)\]]{1,80})/i.exec(args);
    const lit = opt ? literalValue(opt[1]!) : undefined;
    if (lit && DANGEROUS_NAMES.has(lit.toLowerCase())) ev.add('flow', `${m.name}() calls ${lit.toLowerCase()} as a callback`, 11, m.index, m[0].length);
    else if (opt && taint.touches(opt[1]!)) ev.add('flow', `request input chooses the function ${m.name}() calls`, 11, m.index, m[0].length);
  }
}

/** YAML tags mapped to callbacks: yaml_parse($y, 0, $n, ['!tag' => 'preg_replace']). */
export function yamlCallbacks(s: PhpScan): void {
  const { ctx, calls } = s;
  const { code, ev } = ctx;
  for (const m of callMatches(ctx, calls, ['yaml_parse', 'yaml_parse_file', 'yaml_parse_url'], NOT_BEFORE_CALLBACK)) {
    const cb = /=>\s*['"](\w+)['"]/.exec(callArgs(code, m.open));
    if (cb && DANGEROUS_NAMES.has(cb[1]!.toLowerCase())) ev.add('flow', `${m.name}() maps a YAML tag to ${cb[1]!.toLowerCase()}() as a callback`, 11, m.index, m[0].length);
  }
}

/**
 * A callee the page takes from its own registry or API, not one computed at runtime: a
 * parameter declared `callable` (the function's callers pass it), or the value variable of a
 * `foreach` over a registry the file fills by appending variables (`$hooks[$name][] = $fn;` in
 * an add_hook(), then `foreach ($hooks[$name] ?? [] as $fn)`), where the request fills nothing.
 * A loop over a literal or decoded list (`foreach (["sys"."tem"] as $f)`) stays computed.
 */
function registeredCallable(code: string, v: string, taint: PhpScan['taint']): boolean {
  const name = v.slice(1);
  if (new RegExp(`\\bcallable\\s+&?\\$${name}\\b`).test(code)) return true;
  let loops = 0;
  for (const m of code.matchAll(new RegExp(`\\bforeach\\s*\\(([^;{]{1,200}?)\\s+as\\s+(?:\\$\\w+\\s*=>\\s*)?\\$${name}\\s*\\)`, 'g'))) {
    const registry = /^\s*(\$(?:this->)?\w+)\s*(?:\[[^\]]{0,60}\]\s*)*(?:\?\?\s*(?:\[\s*\]|array\s*\(\s*\))\s*)?$/.exec(m[1]!)?.[1];
    if (!registry || taint.touches(m[1]!)) return false;
    const appended = new RegExp(`${registry.replace(/\$/g, '\\$')}\\s*(?:\\[[^\\]]{0,60}\\]\\s*)*\\[\\s*\\]\\s*=\\s*\\$\\w+\\s*;`);
    if (!appended.test(code)) return false;
    loops++;
  }
  // only a loop gives it values: no assignment of its own
  return loops > 0 && !new RegExp(`\\$${name}\\s*(?:\\[[^\\]]*\\]\\s*)?=(?!=|>)`).test(code);
}

/** A callback named by a fixed literal prefix and a variable part (`'plugin_action_' . $a`) whose prefix only the page's own functions carry. */
function ownPrefixCallee(cb: string): boolean {
  const prefix = /^\s*(['"])([A-Za-z_]\w{2,60})\1\s*\./.exec(cb)?.[2];
  return prefix !== undefined && ownFunctionPrefix(prefix);
}
