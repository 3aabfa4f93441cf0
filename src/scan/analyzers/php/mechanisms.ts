/**
 * PHP mechanisms that hide which function runs or where code comes from: superglobals named
 * by a computed string, names folded from exploded/sliced literals, code kept in doc comments
 * or image metadata, callbacks registered through methods (SQLite functions, ArrayObject
 * sorts, Closure::fromCallable), eval of literals that hide calls, request content written
 * to a file and then included, code without letters or digits, goto-scrambled control flow.
 */
import { assignedFrom, callIndex, matchesAt, type AnalyzerContext, type DollarPairs } from '../../context.js';
import { Taint, matches } from '../../flow.js';
import { callArgs, escapeRegExp } from '../../text.js';
import { looksLikeCode } from '../../decode.js';
import { splitTopArgs } from './code.js';
import { evalStringExpr, type VarResolver } from './fold.js';
import { PHP_FLOW } from './signatures.js';

const SUPERGLOBAL = /^_(?:GET|POST|REQUEST|COOKIE|SERVER|FILES)$/;
const RUNS_CODE = new Set([
  'eval',
  'assert',
  'create_function',
  'system',
  'exec',
  'passthru',
  'shell_exec',
  'popen',
  'proc_open',
  'pcntl_exec',
  'call_user_func',
  'call_user_func_array',
  'preg_replace',
]);

/**
 * `${'_REQUEST'}`, `${"_P"."OST"}`, `$ {chr(95).'GET'}`, `${$a.$b}`: a superglobal reached
 * by a name the parser folds at runtime. Returns regex sources matching those exact spellings.
 */
export function superglobalSpellings(code: string, resolve: VarResolver, d: DollarPairs): string[] {
  if (!d.brace && !(d.space && /\$\s+\{/.test(code))) return [];
  const out = new Set<string>();
  for (const m of matches(/\$\s*\{([^{}\n;]{1,160})\}/g, code, 500)) {
    const inner = m[1]!.trim();
    if (/^\$\w+$/.test(inner) && resolve.varying?.has(inner)) continue;
    const v = evalStringExpr(inner, resolve);
    if (v !== undefined && SUPERGLOBAL.test(v)) out.add(escapeRegExp(m[0]));
    if (out.size >= 20) break;
  }
  return [...out];
}

const SPLIT_CALL = /(\$\w{1,40})\s*=\s*(explode|str_split)\s*\(/gi;

/**
 * `$p = explode('.', 'a.ass.b.ert')` (or str_split of a literal): each slot is a constant
 * string, so `$p[1].$p[3]` folds to a name. Adds `$p[i]` entries to `consts`.
 */
export function addSplitSlots(ctx: AnalyzerContext, consts: Map<string, string[]>, resolve: VarResolver): void {
  const calls = callIndex(ctx);
  // `$a = array('6','n',')','_',...)`: a literal list of single characters is an alphabet names are spelled from
  if (calls.has('array')) addCharArraySlots(ctx, consts);
  if (!calls.hasAnyOf(['explode', 'str_split'])) return;
  for (const m of splitCalls(ctx)) {
    const args = splitTopArgs(callArgs(ctx.code, m.index + m[0].length - 1, 20000));
    let parts: string[] | undefined;
    if (m[2]!.toLowerCase() === 'explode' && args.length === 2) {
      const sep = evalStringExpr(args[0]!, resolve);
      const s = evalStringExpr(args[1]!, resolve);
      if (sep && s !== undefined) parts = s.split(sep);
    } else if (m[2]!.toLowerCase() === 'str_split' && args.length <= 2) {
      const s = evalStringExpr(args[0]!, resolve);
      const n = args[1] === undefined ? 1 : Number(args[1].trim());
      if (s !== undefined && n >= 1 && n <= 64) parts = s.match(new RegExp(`[\\s\\S]{1,${n}}`, 'g')) ?? [];
    }
    if (!parts || parts.length > 256) continue;
    parts.forEach((p, i) => {
      const key = `${m[1]}[${i}]`;
      const list = consts.get(key);
      if (list) list.push(p);
      else consts.set(key, [p]);
    });
  }
}

/**
 * The matches of SPLIT_CALL a global scan finds (at most 200), read where `= explode` and
 * `= str_split` occur: the pattern starts at a `$`, and PHP is full of them.
 */
export function splitCalls(ctx: AnalyzerContext): Iterable<RegExpExecArray> {
  const { code, lower } = ctx;
  // lower-case offsets match the code's (no U+0130), and no list stopped at its cap
  if (lower.length === code.length) {
    const a = assignedFrom(lower, 'explode');
    const b = assignedFrom(lower, 'str_split');
    if (a.length < 100000 && b.length < 100000) return matchesAt(SPLIT_CALL, code, b.length === 0 ? a : a.concat(b).sort((x, y) => x - y), 200);
  }
  return matches(SPLIT_CALL, code, 200);
}

/** `$a = array('6','n',')',...)`: eight or more one- or two-character literals. */
export const CHAR_ARRAY =
  /(\$\w{1,40})\s*=\s*array\s*\(((?:\s*(?:'(?:[^'\\\n]|\\.){1,2}'|"(?:[^"\\\n$]|\\.){1,2}")\s*,){8,400}\s*(?:'(?:[^'\\\n]|\\.){1,2}'|"(?:[^"\\\n$]|\\.){1,2}")\s*)\)/g;
function addCharArraySlots(ctx: AnalyzerContext, consts: Map<string, string[]>): void {
  // the list starts right after `$name = array(`: only the places the literal word occurs are tried
  for (const m of matchesAt(CHAR_ARRAY, ctx.code, assignedFrom(ctx.code, 'array'), 50)) {
    const items = [...m[2]!.matchAll(/'((?:[^'\\\n]|\\.){1,2})'|"((?:[^"\\\n$]|\\.){1,2})"/g)].map((x) => (x[1] ?? x[2] ?? '').replace(/\\(.)/g, '$1'));
    items.forEach((v, i) => {
      const key = `${m[1]}[${i}]`;
      const list = consts.get(key);
      if (list) list.push(v);
      else consts.set(key, [v]);
    });
  }
}

/**
 * Code kept where scanners do not look and read back at runtime: the script's own doc
 * comments (Reflection getDocComment) or image metadata (exif_read_data), reaching eval,
 * a regex replacement, or a variable function.
 */
export function hiddenCodeChannels(ctx: AnalyzerContext): void {
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['getdoccomment', 'exif_read_data', 'read_exif_data'])) return;
  const { code, ev } = ctx;
  const hidden = new Taint(code, { ...PHP_FLOW, source: /\b(?:getDocComment|exif_read_data|read_exif_data)\s*\(/i });
  const what = /getDocComment/i.test(code) ? 'its own doc comments (Reflection)' : 'image metadata (EXIF)';
  for (const name of ['eval', 'assert', 'create_function', 'preg_replace', 'preg_filter', 'call_user_func', 'call_user_func_array', '$']) {
    for (const c of calls.get(name)) {
      const args = splitTopArgs(callArgs(code, c.open));
      const callee = name === '$' ? (/^\$\w+/.exec(code.slice(c.at, c.open))?.[0] ?? '') : '';
      // only the argument that is code: eval's text, create_function's body, the callback's
      // name, a regex's pattern (its modifiers); a doc comment parsed as data is not run
      const codeArg = name === '$' ? undefined : name === 'create_function' ? args[args.length - 1] : args[0];
      if ((codeArg !== undefined && hidden.touches(codeArg)) || (callee && hidden.vars.has(callee))) {
        ev.add('flow', `code read from ${what} is run`, 11, c.at, c.open - c.at + 1);
        return;
      }
    }
  }
}

/** Methods that register a callback: the function name given as a string. */
const METHOD_CALLBACKS: Array<[string, number]> = [
  ['uasort', 0],
  ['uksort', 0],
  ['createfunction', 1],
  ['sqlitecreatefunction', 1],
  ['sqlitecreateaggregate', 1],
  ['fromcallable', 0],
];

/**
 * `$db->createFunction('f', $_REQUEST['e'])`, `$arrayObject->uksort('assert')`,
 * `Closure::fromCallable($name)`: callback takers reached as methods.
 */
export function methodCallbacks(ctx: AnalyzerContext, taint: Taint, resolve: VarResolver, names: ReadonlySet<string>): void {
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(METHOD_CALLBACKS.map(([n]) => n))) return;
  const { code, lower, ev } = ctx;
  for (const [name, slot] of METHOD_CALLBACKS) {
    for (const c of calls.get(name)) {
      const before = lower.slice(Math.max(0, c.at - 12), c.at);
      if (name === 'fromcallable' ? !/closure\s*::\s*$/.test(before) : !/->\s*$/.test(before)) continue;
      const parts = splitTopArgs(callArgs(code, c.open));
      const cb = parts[slot] ?? '';
      const lit = evalStringExpr(cb, resolve)?.toLowerCase().trim();
      const label = code.slice(c.at, c.open);
      if (lit !== undefined && RUNS_CODE.has(lit)) {
        ev.add('flow', `${label}() registers ${lit} as a callback`, 11, c.at, c.open - c.at + 1);
        return;
      }
      const argsTainted = parts.some((p, i) => i !== slot && taint.touches(p)) || (name !== 'fromcallable' && taint.hasSource(code.slice(c.open, c.open + 600)));
      if (taint.touches(cb) || names.has(cb.trim())) {
        ev.add('flow', `${label}() registers a callback named by ${names.has(cb.trim()) ? 'a dangerous string' : 'the request'}`, 11, c.at, c.open - c.at + 1);
        return;
      }
      if (name === 'fromcallable' && /^\s*\$\w+\s*$/.test(cb) && (argsTainted || taint.hasSource(code.slice(c.open, c.open + 300)))) {
        ev.add('flow', 'Closure::fromCallable() of a computed name, invoked with request input', 8, c.at, c.open - c.at + 1);
        return;
      }
    }
  }
}

/**
 * eval("function f(){ echo system('id'); }"): the literal is code; analyze it as a layer,
 * and a literal that hides a call to a command or code function is itself an evasion.
 */
export function evalLiterals(ctx: AnalyzerContext): void {
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['eval', 'assert'])) return;
  const { code, ev } = ctx;
  let n = 0;
  for (const c of calls.sites(['eval', 'assert'])) {
    const prev = code[c.at - 1] ?? ' ';
    if (/[\w>$:\\]/.test(prev)) continue;
    const args = callArgs(code, c.open, 65536);
    if (!/^\s*['"]/.test(args)) continue;
    const v = evalStringExpr(args);
    if (v === undefined || v.length < 8 || !looksLikeCode(v)) continue;
    ctx.layers.push({ text: v, offset: c.at, how: `string literal run by ${c.name}()`, language: 'php' });
    const inner = /(?<![\w>$:])(system|exec|passthru|shell_exec|popen|proc_open|eval|assert)\s*\(/i.exec(v);
    if (inner) ev.add('obfuscation', `${c.name}() of a string literal that calls ${inner[1]!.toLowerCase()}()`, 6, c.at, c.open - c.at + 1);
    if (++n >= 4) return;
  }
}

/**
 * A file written with request content and then included: the request body becomes code
 * (`file_put_contents('x', $_GET['c']); require 'x';`).
 */
export function writeThenInclude(ctx: AnalyzerContext, taint: Taint): void {
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['file_put_contents', 'fwrite', 'fputs'])) return;
  const { code, ev } = ctx;
  if (!/\b(?:include|require)/.test(ctx.lower)) return;
  let includes: string[] | undefined;
  let handles: Map<string, string> | undefined;
  for (const c of calls.sites(['file_put_contents', 'fwrite', 'fputs'])) {
    const parts = splitTopArgs(callArgs(code, c.open, 4000));
    if (parts.length < 2 || !taint.touches(parts[1]!) || exportedLiteralFile(parts[1]!) || readsOwnFiles(parts[1]!, taint)) continue;
    let dest = parts[0]!.trim();
    if (c.name !== 'file_put_contents') {
      if (!handles) {
        handles = new Map<string, string>();
        for (const m of matches(/(\$\w+)\s*=\s*@?\s*fopen\s*\(\s*([^,;]{1,200}),/gi, code, 200)) handles.set(m[1]!, m[2]!.trim());
        // a tmpfile() has no name in the code: it is included by the path its stream reports
        // (`$m = stream_get_meta_data($f); include $m['uri'];`)
        for (const m of matches(/(\$\w+)\s*=\s*@?\s*tmpfile\s*\(\s*\)/gi, code, 50)) {
          const meta = new RegExp(`(\\$\\w+)\\s*=\\s*@?\\s*stream_get_meta_data\\s*\\(\\s*\\$${m[1]!.slice(1)}\\s*\\)`, 'i').exec(code);
          // (the include pattern's capture stops at the call's `)`)
          handles.set(m[1]!, meta ? meta[1]! : `stream_get_meta_data(${m[1]!}`);
        }
      }
      dest = handles.get(dest) ?? '';
    }
    if (!dest) continue;
    includes ??= [...matches(/(?<![\w>$])(?:include|require)(?:_once)?\b\s*\(?\s*([^;\n)]{1,200})/gi, code, 200)].map((m) => m[1]!.trim());
    const target = dest;
    const bare = target.replace(/\s+/g, '');
    if (includes.some((i) => i === target || ((/^\$\w+$/.test(target) || target.startsWith('stream_get_meta_data')) && i.replace(/\s+/g, '').startsWith(bare)))) {
      ev.add('flow', 'request content written to a file that is then included as code', 11, c.at, c.open - c.at + 1);
      return;
    }
  }
}

/** A file read whose path is the first argument. */
const FILE_READ = /\bfile_get_contents\s*\(/gi;
/** A path under a directory the page names itself: `__DIR__ . '/t/'`, `$this->dir . '/'`, `BASE . '/'`. */
const ANCHORED_PATH = /^\s*(__DIR__|dirname\s*\(\s*__FILE__\s*\)|\$this->\w+|self::\$?\w+|[A-Z][A-Z0-9_]*|\$\w+)\s*\.\s*(['"])\/[^'"]*\2/;

/**
 * Whether the request reaches the written content only through the paths of files read from
 * a directory the page names (a template compiler: `file_put_contents($c, compile(
 * file_get_contents($this->dir . '/' . basename($n) . '.tpl')))`, then `include $c`). What is
 * written is the server's own file, transformed; the request chose which one, not its code.
 * A path that is a variable is read through its assignments, one level deep.
 */
function readsOwnFiles(content: string, taint: Taint): boolean {
  let rest = '';
  let from = 0;
  let reads = 0;
  FILE_READ.lastIndex = 0;
  for (let m = FILE_READ.exec(content); m !== null; m = FILE_READ.exec(content)) {
    const open = m.index + m[0].length - 1;
    const args = callArgs(content, open, content.length);
    const path = (splitTopArgs(args)[0] ?? '').trim();
    const paths = /^\$\w+$/.test(path) ? (taint.assignments.get(path) ?? []) : [path];
    const own =
      paths.length > 0 &&
      paths.every((p) => {
        const head = ANCHORED_PATH.exec(p)?.[1];
        return head !== undefined && !taint.touches(head);
      });
    if (!own) return false;
    reads++;
    rest += content.slice(from, m.index);
    from = open + args.length + 2;
    FILE_READ.lastIndex = from;
  }
  return reads > 0 && !taint.touches(rest + content.slice(from));
}

/** `var_export(..., true)`: a PHP literal of the value, every string in it quoted and escaped. */
const VAR_EXPORT = /\bvar_export\s*\(/gi;
/** What is left of a file that only returns or assigns one exported literal (`\0` marks it). */
const EXPORT_FILE = /^(['"])<\?php(?:\s|\\[nrt])+(?:return|\\?\$\w+\s*=)(?:\s|\\[nrt])*\1\s*\.\s*\0\s*\.\s*(['"])\s*;(?:\s|\\[nrt])*\2$/;

/**
 * Whether the content written is `'<?php return ' . var_export($v, true) . ';'` (or assigns
 * the literal to a variable): the cache and config files of frameworks. The request may fill
 * the value, but var_export writes it as a quoted literal, so including the file runs no
 * request-chosen code. Any other code around the literal (an eval, a call) still counts.
 */
function exportedLiteralFile(content: string): boolean {
  const pieces: string[] = [];
  let from = 0;
  VAR_EXPORT.lastIndex = 0;
  for (let m = VAR_EXPORT.exec(content); m !== null; m = VAR_EXPORT.exec(content)) {
    const open = m.index + m[0].length - 1;
    const args = callArgs(content, open, content.length);
    const parts = splitTopArgs(args);
    if (parts.length !== 2 || !/^\s*true\s*$/i.test(parts[1]!)) return false;
    pieces.push(content.slice(from, m.index), '\0');
    from = open + args.length + 2;
    VAR_EXPORT.lastIndex = from;
  }
  if (pieces.length !== 2) return false;
  pieces.push(content.slice(from));
  return EXPORT_FILE.test(pieces.join('').trim());
}

/**
 * Code written without letters or digits (`$_[@-_]($_[@!+_])`): names built from the
 * characters of error strings and arithmetic, then called. No application is written so.
 */
export function nonAlphanumericCode(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  if (ctx.size > 20000 || (!code.includes('$_[') && !code.includes('$__'))) return;
  const body = code.replace(/<\?(?:php)?|\?>/gi, '').replace(/\s+/g, '');
  if (body.length < 120) return;
  const alnum = body.replace(/[^A-Za-z0-9]/g, '').length;
  if (alnum / body.length > 0.12) return;
  const call = /\$_*(?:\s*\[[^\]\n]{1,40}\])*\s*\(/.exec(code);
  if (call) ev.add('obfuscation', 'code written almost without letters or digits, calling a computed name', 10, call.index, call[0].length);
}

/**
 * Scrambled control flow: statements cut into pieces and chained with `goto` between random
 * labels (YAK-Pro-style obfuscators). Hand-written state machines use a few readable labels.
 */
export function gotoScramble(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  if (!code.includes('goto')) return;
  let n = 0;
  let random = 0;
  let first = -1;
  // scrambled code jumps to a new label almost every time; `goto FAIL` repeated is error handling
  const labels = new Set<string>();
  for (const m of matches(/\bgoto\s+([A-Za-z_]\w{0,30})\s*;/g, code, 2000)) {
    n++;
    if (first === -1) first = m.index;
    labels.add(m[1]!);
    // random labels mix letters and digits or cases inside the name: mk0QS, Xow7W, tO7zU (not FAIL or retry2)
    if (/[a-z][A-Z]|[A-Z]{2}[a-z\d]|[a-z\d][A-Z]{2}|\d[A-Za-z]|[A-Za-z]\d[A-Za-z]/.test(m[1]!) && !/_/.test(m[1]!)) random++;
  }
  if (n >= 8 && labels.size >= 8 && random / n >= 0.6) ev.add('obfuscation', `control flow scrambled with ${n} goto jumps between random labels`, 6, first, 10);
}

/**
 * `$_SESSION['x'] = base64_decode($_COOKIE['y'])` in a script of a few lines: decoded request
 * text parked in the session, where a second page of the backdoor picks it up and runs it.
 * Logins keep user names and ids in the session; they do not decode what the client sends.
 */
export function sessionStash(ctx: AnalyzerContext): void {
  if (ctx.size >= 1024 || !ctx.code.includes('$_SESSION')) return;
  const m =
    /\$_SESSION\s*\[[^\]\n]{1,60}\]\s*=\s*@?\s*(?:base64_decode|gzinflate|gzuncompress|str_rot13|hex2bin|strrev|convert_uudecode)\s*\(\s*@?\s*\$_(?:GET|POST|REQUEST|COOKIE|SERVER)\s*\[/i.exec(
      ctx.code,
    );
  if (m) ctx.ev.add('flow', 'tiny script stores decoded request data in the session (the loader half of a session-carried backdoor)', 5, m.index, m[0].length);
}
