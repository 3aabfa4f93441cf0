/**
 * Flows the plain variable taint does not follow: through wrapper functions, object
 * properties, unserialize() gadgets, and register_globals request variables.
 */
import { callIndex, type AnalyzerContext, type CallIndex } from '../../context.js';
import { Taint, matches } from '../../flow.js';
import { braceBody, callArgs } from '../../text.js';
import { bareCode, classBased, inEnclosingFunction, plainLiteral, splitTopArgs } from './code.js';
import { CODE_SINKS, NOT_BEFORE_CALLBACK, NOT_BEFORE_SINK, SINK_NAMES, callMatches } from './signatures.js';
import type { PhpScan } from './sources.js';
import { hasText } from './probe.js';

/**
 * One level of interprocedural flow: functions/methods that pass a parameter into a code or
 * command sink are wrappers; calling a wrapper with request data is the same as calling the
 * sink (`function x($c){ system($c); } x($_POST['c']);`, method `nvoke($p){eval($p);}`).
 */
export function wrapperFlows(ctx: AnalyzerContext, taint: Taint): void {
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
 * Request data parked in an object property and run from a method (`$o->d = $_POST['d'];` with
 * `function __destruct() { eval($this->d); }`): the flow goes through `->d`, which variable
 * taint does not follow. Magic methods make the call implicit.
 */
export function propertyFlows(ctx: AnalyzerContext, calls: CallIndex, taint: Taint): void {
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

/** Request data unserialized, worst when a magic method of the file runs code. */
export function unserializeGadgets(s: PhpScan): void {
  const { ctx } = s;
  const { code, ev } = ctx;
  // (a method of that name, defined or called, is not PHP's: `function unserialize($data)`, `$s->unserialize($d)`)
  const unser = ctx.lower.includes('unser') ? /(?<!\bfunction\s{1,20}|->\s{0,20}|::\s{0,20})\bunserialize\s*\(([^;]{0,200})/i.exec(code) : null;
  if (unser && s.scopes.touches(unser[1]!, unser.index)) {
    const runs = /function\s+__(?:destruct|wakeup|toString|call)\s*\([^)]*\)\s*\{[^}]{0,400}?\b(?:eval|assert|system|exec|passthru|shell_exec|call_user_func)\s*\(/i.test(code);
    // a magic method writing a file whose path and content are the object's own properties: the
    // injected object names both, so it drops a shell
    const writes =
      !runs &&
      /function\s+__(?:destruct|wakeup|toString|call)\s*\([^)]*\)\s*\{[^}]{0,400}?\b(?:file_put_contents|fwrite|fputs)\s*\(\s*\$this\s*->\s*\w+\s*,\s*\$this\s*->/i.test(code);
    ev.add(
      'flow',
      runs
        ? 'request data unserialized into a class whose magic method runs code (object-injection backdoor)'
        : writes
          ? 'request data unserialized into a class whose magic method writes the file its properties name (object-injection backdoor)'
          : 'request data passed to unserialize()',
      runs || writes ? 11 : 2,
      unser.index,
      20,
    );
  }
}

/**
 * register_globals-era shells: system($cmd) where $cmd is never assigned, received or
 * declared anywhere in the file, so it can only come from the request (GET/POST/COOKIE
 * variables registered as globals by old PHP).
 */
export function registerGlobals(ctx: AnalyzerContext, calls: CallIndex, taint: Taint): void {
  const { code, ev } = ctx;
  const sinks = calls.hasAnyOf(SINK_NAMES);
  const fsOps = ctx.size < 65536 && calls.hasAnyOf(RG_FILE_OPS);
  if (!sinks && !fsOps) return;
  // extract($_POST) sets the same variables register_globals did: still request variables. Any
  // other import (a database row, an options array, variable variables) may set them instead.
  // (every match names extract or parse_str, found in the lower-cased code wherever the pattern's
  // ASCII-caseless reading finds it: without either, the replacement leaves the code as it is)
  const unimported = hasText(ctx.lower, 'extract') || hasText(ctx.lower, 'parse_str') ? code.replace(REQUEST_IMPORT, ' ') : code;
  const imported = unimported !== code;
  if (/\b(?:extract|compact|parse_str|get_defined_vars)\s*\(|\$\$|\$\{/.test(unimported)) return;
  const origin = imported ? 'request variable set by extract()' : 'register_globals request variable';
  // parameters of functions, methods and closures (and closure `use` lists) are declared
  // (read on the first variable the cheaper tests leave: most pages' sink arguments never get there)
  let paramSet: Set<string> | undefined;
  const params = (): Set<string> => {
    if (paramSet === undefined) {
      paramSet = new Set<string>();
      for (const m of matches(/\bfunction\b[^(]{0,80}\(([^)]{0,400})\)(?:\s*use\s*\(([^)]{0,200})\))?|\bfn\s*\(([^)]{0,300})\)|\bcatch\s*\(([^)]{0,200})\)/gi, code, 5000)) {
        for (const g of [m[1], m[2], m[3], m[4]]) for (const v of g?.match(/\$\w+/g) ?? []) paramSet.add(v);
      }
    }
    return paramSet;
  };
  const verdicts = new Map<string, boolean>();
  // whether the file's assignments of a variable only clear, restore, append to or default it:
  // read by whole-file searches, so worked out once per name and only when a check needs it
  const resets = new Map<string, boolean>();
  const resetsOnly = (v: string): boolean => {
    let r = resets.get(v);
    if (r !== undefined) return r;
    // `$cmd = '';` only clears a registered variable: the value still comes from the request
    // and `$bk = $cmd; ... $cmd = $bk;` only restores it from its own backup
    const restoreOf = (rhs: string): boolean => {
      const src = /^\s*(\$\w+)\s*;?\s*$/.exec(rhs)?.[1];
      return src !== undefined && src !== v && (taint.assignments.get(src)?.every((b) => b.replace(/[\s;]/g, '') === v) ?? false);
    };
    // `$cmd .= ' 2>&1'` only appends to the request's value (the taint counts it as an assignment)
    const appendsOnly = taint.assignments.has(v) && !new RegExp(`\\${v}\\s*(?:\\[[^\\]\\n]{0,60}\\]\\s*)*=(?![=>])`).test(code);
    r = appendsOnly || (taint.assignments.get(v)?.every((x) => RESET.test(x) || restoreOf(x)) ?? false) || defaultsOnly(code, v.slice(1));
    resets.set(v, r);
    return r;
  };
  let checks = 0;
  // the first variable of `args` that nothing in the file assigns, receives or declares
  const undefinedVar = (args: string, open: number, arg = 0, own?: ReadonlySet<string>): string | undefined => {
    const vars = (splitTopArgs(args)[arg] ?? '').match(/\$[a-zA-Z_]\w*/g);
    if (!vars) return undefined;
    for (const v of vars) {
      if (own?.has(v)) continue;
      // PHP fills these itself (CLI arguments, last error, response headers)
      if (
        v === '$this' ||
        /^\$(?:_|GLOBALS\b|HTTP_|argv\b|argc\b|php_errormsg\b|http_response_header\b)/.test(v) ||
        taint.vars.has(v) ||
        (taint.assignments.has(v) && !resetsOnly(v)) ||
        params().has(v)
      )
        continue;
      let known = verdicts.get(v);
      if (known === undefined) {
        if (++checks > 40) return undefined;
        const name = v.slice(1);
        let rest = code.slice(0, open) + code.slice(open + args.length + 1);
        // `$cmd .= ' -F'` appends to the request's value and `unset($cmd)` ends its use: neither
        // gives it a value of the page's own
        rest = rest.replace(guardedDefault(name), ' ');
        if (resetsOnly(v)) rest = rest.replace(new RegExp(`\\$${name}\\s*=\\s*(?:''|""|null|false|0|\\$\\w+)\\s*;`, 'gi'), ' ');
        known = new RegExp(
          `\\$${name}\\s*(?:\\[[^\\]]*\\]\\s*)*(?:[+\\-*/|&^%]|\\?\\?)?=(?!=)|(?:\\bas|=>)\\s*&?\\$${name}\\b|\\b(?:global|static|list)\\b[^;]{0,200}\\$${name}\\b|\\$${name}\\s*(?:\\+\\+|--)|(?:\\+\\+|--)\\s*\\$${name}\\b|\\[[^\\]=;]{0,200}\\$${name}\\b[^\\]=;]{0,200}\\]\\s*=(?!=)|\\bexec\\s*\\([^;,]{0,300},[^;]{0,300}\\$${name}\\b|\\b(?:preg_match(?:_all)?|parse_str|mb_parse_str|sscanf|str_replace|str_ireplace|preg_replace|similar_text|settype|openssl_\\w+|socket_\\w+|stream_\\w+|getimagesize|proc_open|fsockopen|dns_get_mx|getmxrr|list|each|array_\\w+)\\s*\\([^;]{0,300}\\$${name}\\b`,
        ).test(rest);
        verdicts.set(v, known);
      }
      if (!known) return v;
    }
    return undefined;
  };
  if (sinks) {
    for (const m of callMatches(ctx, calls, SINK_NAMES, NOT_BEFORE_SINK)) {
      const args = callArgs(code, m.open);
      // create_function('$a,$b', 'return $a - $b;'): the first argument names the function's
      // own parameters, which its body reads; neither is a variable of the page
      const v = m.name === 'create_function' ? undefinedVar(args, m.open, 1, createdParams(args)) : undefinedVar(args, m.open);
      if (v) {
        ev.add('flow', `${m.name}() runs a variable that is never assigned (${origin} ${v})`, CODE_SINKS.includes(m.name) ? 9 : 8, m.index, m[0].length);
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
    const path = kinds.size >= 2 ? registeredWrite(ctx, calls, undefinedVar) : -1;
    if (path !== -1)
      ev.add(
        'flow',
        `request chooses both the file written and its content (${imported ? 'request variables set by extract()' : 'register_globals request variables'})`,
        10,
        path,
        20,
      );
    if (kinds.size >= 2)
      ev.add(
        'flow',
        `file operations (${[...kinds].slice(0, 4).join(', ')}) on paths from never-assigned ${imported ? 'request variables set by extract()' : 'register_globals request variables'} (file manager)`,
        kinds.size >= 3 ? 8 : 6,
        first,
        20,
      );
  }
}

/**
 * Where a file opened for writing at a path from a never-assigned variable gets content from
 * another one (`fopen("$dir/$name", 'w')` then `fwrite($fp, $text)`), or file_put_contents()
 * takes both: the uploader of a register_globals file manager. -1 when there is none.
 */
function registeredWrite(ctx: AnalyzerContext, calls: CallIndex, undefinedVar: (args: string, open: number, arg?: number) => string | undefined): number {
  const { code } = ctx;
  for (const m of callMatches(ctx, calls, ['file_put_contents'], NOT_BEFORE_CALLBACK)) {
    const a = callArgs(code, m.open);
    if (undefinedVar(a, m.open) && undefinedVar(a, m.open, 1)) return m.index;
  }
  let opened = -1;
  for (const m of callMatches(ctx, calls, ['fopen'], NOT_BEFORE_CALLBACK)) {
    const a = callArgs(code, m.open);
    if (/^\s*['"][wax]/i.test(splitTopArgs(a)[1] ?? '') && undefinedVar(a, m.open)) {
      opened = m.index;
      break;
    }
  }
  if (opened === -1) return -1;
  for (const m of callMatches(ctx, calls, ['fwrite', 'fputs'], NOT_BEFORE_CALLBACK)) {
    if (undefinedVar(callArgs(code, m.open), m.open, 1)) return opened;
  }
  return -1;
}

/** One-argument imports of a whole request array into the variable scope. */
// the server's variables (`extract($_SERVER)`, old shells do it next to the request's) set only
// names of their own (`$HTTP_HOST`, `$PATH`), never a page variable like `$cmd`
// EXTR_SKIP keeps a name the page set first and EXTR_OVERWRITE is the default: either way the
// request's names arrive as they were sent (a prefix flag would rename them)
const REQUEST_IMPORT =
  /\b(?:extract|parse_str|mb_parse_str)\s*\(\s*(?:\$_(?:GET|POST|REQUEST|COOKIE|SERVER|ENV)|\$HTTP_(?:GET|POST|COOKIE|SERVER|ENV)_VARS|\$HTTP_POST_FILES)\s*(?:,\s*EXTR_(?:SKIP|OVERWRITE)\s*)?\)/gi;

/**
 * `if ($cmd == "") { $cmd = 'dir'; }`: a value given only when the variable arrived empty is a
 * default; otherwise it holds what the request registered.
 */
function guardedDefault(name: string): RegExp {
  const v = `\\$${name}`;
  return new RegExp(
    `\\bif\\s*\\(\\s*(?:${v}\\s*==?=?\\s*(?:""|''|null|false|0)|(?:""|''|null)\\s*==?=?\\s*${v}|!\\s*${v}|empty\\s*\\(\\s*${v}\\s*\\)|!\\s*isset\\s*\\(\\s*${v}\\s*\\))\\s*\\)\\s*\\{?\\s*${v}\\s*=(?!=)[^;]{0,300};`,
    'gi',
  );
}

/** Whether every assignment of `$name` in the file is such a default. */
function defaultsOnly(code: string, name: string): boolean {
  const all = code.match(new RegExp(`\\$${name}\\s*(?:\\[[^\\]\\n]{0,60}\\]\\s*)*=(?![=>])`, 'g'))?.length ?? 0;
  return all > 0 && (code.match(guardedDefault(name))?.length ?? 0) === all;
}

const RESET = /^\s*(?:''|""|null|false|0)\s*;?\s*$/i;

const RG_FILE_OPS = ['unlink', 'rmdir', 'mkdir', 'fopen', 'opendir', 'copy', 'rename', 'chmod', 'readfile', 'move_uploaded_file', 'file_put_contents'];

/** The parameters create_function's first argument declares, when it is a literal list. */
function createdParams(args: string): ReadonlySet<string> {
  const list = plainLiteral(splitTopArgs(args)[0] ?? '');
  return new Set(list?.match(/\$[a-zA-Z_]\w*/g) ?? []);
}
