/**
 * Bypass techniques of recent PHP one-liners that keep the dangerous name out of the places
 * the other passes read: a call's or an array literal's result called with request data, a
 * static call whose class and method the request names, LD_PRELOAD set for the children that
 * mail() or error_log() start (or in a child's environment array), GCONV_PATH pointed at
 * charset modules of the caller's, and sendmail options that write a file anywhere.
 */
import { isRegexSpace, matchesAt } from '../../context.js';
import { matches } from '../../flow.js';
import { callArgs } from '../../text.js';
import { splitTopArgs } from './code.js';
import { hasText } from './probe.js';
import { CMD_SINKS, CODE_SINKS, NOT_BEFORE_CALLBACK, callMatches } from './signatures.js';
import type { PhpScan } from './sources.js';

/** A call of what an expression gives back: `f('system')(...)`, `[$_GET['f']][0](...)`. */
const CALLED_RESULT = /[)\]]\s*\(/g;
/** Names that run code or commands when called by name. */
const RUNNERS = new Set([...CODE_SINKS, ...CMD_SINKS]);

export function bypassTechniques(s: PhpScan): void {
  const { ctx } = s;
  if (calledResultAt(ctx.code)) calledResults(s);
  const statics = staticCallStarts(ctx.code);
  if (statics.length > 0) staticDynamicCalls(s, statics);
  // each reports from a putenv() call site, or (LD_PRELOAD) with proc_open/pcntl_exec called:
  // the call index answers that before the text is searched for the variable's name
  const putenv = s.calls.has('putenv');
  if ((putenv || s.calls.hasAnyOf(['proc_open', 'pcntl_exec'])) && hasText(ctx.lower, 'ld_preload')) preloadedChildren(s);
  if (putenv && hasText(ctx.lower, 'gconv_path')) gconvModules(s);
  if (s.calls.hasAnyOf(['mail', 'mb_send_mail'])) sendmailOptions(s);
}

/**
 * Whether CALLED_RESULT matches anywhere: a `(` whose previous non-space character is `)` or
 * `]`. Walked from the `(` signs, which a native search finds faster than the regex tries
 * every offset.
 */
export function calledResultAt(code: string): boolean {
  for (let i = code.indexOf('('); i !== -1; i = code.indexOf('(', i + 1)) {
    let j = i - 1;
    while (j >= 0 && isRegexSpace(code.charCodeAt(j))) j--;
    const c = code.charCodeAt(j);
    if (c === 41 || c === 93) return true;
  }
  return false;
}

/** The expression a call at `open` calls: back from the `(` to the start of the statement. */
function calleeBefore(code: string, open: number): string {
  const from = Math.max(0, open - 300);
  const before = code.slice(from, open);
  const stop = Math.max(before.lastIndexOf(';'), before.lastIndexOf('{'), before.lastIndexOf('}'), before.lastIndexOf('='));
  return before
    .slice(stop + 1)
    .replace(/^\s*<\?(?:php)?/i, '')
    .trim();
}

/**
 * PHP 7 calls whatever an expression gives back. An array literal holding request input and
 * then called (`[$_GET['f']][0]($_GET['c'])`) runs the function the requester names; a helper
 * handed a code or command sink's name whose result is called with request data runs that
 * sink. A router calling `$handlers[$_GET['a']]()` picks among its own handlers (the request
 * is an index there, not the callee) and is not this.
 */
function calledResults(s: PhpScan): void {
  const { ctx, taint } = s;
  const { code, ev } = ctx;
  for (const m of matches(CALLED_RESULT, code, 200)) {
    const open = m.index + m[0].length - 1;
    const callee = calleeBefore(code, m.index + 1);
    if (!callee) continue;
    const args = callArgs(code, open);
    if (/^\(?\s*\[/.test(callee) && taint.hasSource(callee.replace(/\]\s*\[[^\]]{0,40}\]\s*$/, ']'))) {
      ev.add('flow', 'request input is called as a function (array element or expression result)', 12, m.index, m[0].length);
      return;
    }
    const inner = /^[A-Za-z_]\w*\s*\(([\s\S]*)\)$/.exec(callee);
    if (!inner || !taint.touches(args)) continue;
    for (const a of splitTopArgs(inner[1]!)) {
      const lit = /^\s*['"](\w{2,20})['"]\s*$/.exec(a)?.[1]?.toLowerCase();
      if (lit && RUNNERS.has(lit)) {
        ev.add('flow', `${lit}() reached through a helper's return value and called with request data`, 11, m.index, m[0].length);
        return;
      }
    }
  }
}

/**
 * `$cls::$m($_GET['a'])` with both the class and the method from the request calls any static
 * method of any class: Closure::fromCallable, a gadget's, or a framework's command runner.
 */
function staticDynamicCalls(s: PhpScan, starts: readonly number[]): void {
  const { ctx, taint } = s;
  const { code, ev } = ctx;
  for (const m of matchesAt(STATIC_DYNAMIC_CALL, code, starts, 100)) {
    if (taint.touches(m[1]!) && taint.touches(m[2]!)) {
      ev.add('flow', 'request chooses both the class and the static method called', 11, m.index, m[0].length);
      return;
    }
  }
}

export const STATIC_DYNAMIC_CALL = /(\$\w+)\s*::\s*(\$\w+|\{[^}\n]{1,100}\})\s*\(/g;

/**
 * Where STATIC_DYNAMIC_CALL can match, ascending: the `$` of the `$name` (spaces after it)
 * before every `::` that is followed, after spaces, by `$` or `{`. None at all unless some
 * `::$` or `::{` is written without a space (the pass's gate): most files have none, and the
 * regex would otherwise be tried at every `$`.
 */
export function staticCallStarts(code: string): number[] {
  const out: number[] = [];
  let tight = false;
  for (let k = code.indexOf('::'); k !== -1; k = code.indexOf('::', k + 1)) {
    let j = k + 2;
    while (j < code.length && isRegexSpace(code.charCodeAt(j))) j++;
    const next = code.charCodeAt(j);
    if (next !== 36 && next !== 123) continue;
    if (j === k + 2) tight = true;
    let b = k - 1;
    while (b >= 0 && isRegexSpace(code.charCodeAt(b))) b--;
    const end = b;
    while (b >= 0 && isWord(code.charCodeAt(b))) b--;
    if (b < end && code.charCodeAt(b) === 36) out.push(b);
  }
  return tight ? out : [];
}

function isWord(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** Functions whose work starts a child process (sendmail, ImageMagick delegates, the mail of error_log). */
const CHILD_STARTERS = ['mail', 'mb_send_mail', 'error_log', 'imap_mail', 'imagick', 'gnupg_init'];

/**
 * putenv("LD_PRELOAD=...") makes the next child process load a library of the caller's choice
 * before anything else: with mail() or error_log() after it, the library runs commands where
 * disable_functions forbids every exec function (the Chankro-style bypass). Web applications
 * have no reason to set it.
 */
function preloadedChildren(s: PhpScan): void {
  const { ctx, calls } = s;
  const { code, ev } = ctx;
  for (const m of callMatches(ctx, calls, ['putenv'], NOT_BEFORE_CALLBACK)) {
    if (!/LD_PRELOAD\s*=/i.test(callArgs(code, m.open))) continue;
    const child = calls.hasAnyOf(CHILD_STARTERS) || /\bnew\s+Imagick\b/i.test(code);
    ev.add(
      'flow',
      child ? 'sets LD_PRELOAD and then starts a child process (mail/error_log): library injection past disable_functions' : 'sets LD_PRELOAD for child processes',
      child ? 10 : 6,
      m.index,
      m[0].length,
    );
    return;
  }
  // the same library handed to the child in the environment array of proc_open() / pcntl_exec()
  const env = /['"]LD_PRELOAD(?:['"]\s*=>|=)/i.exec(code);
  if (env && calls.hasAnyOf(['proc_open', 'pcntl_exec']))
    ev.add('flow', 'starts a child process with LD_PRELOAD in its environment array: library injection past disable_functions', 10, env.index, env[0].length);
}

/** Calls that convert between character sets through iconv (and so load gconv modules). */
const CHARSET_CONVERTERS = ['iconv', 'iconv_strlen', 'iconv_substr', 'iconv_strpos', 'mb_convert_encoding'];

/**
 * GCONV_PATH names the folder glibc's iconv loads its charset modules from: set to a writable
 * folder holding a gconv-modules file and a library, the next charset conversion runs that
 * library inside PHP (a disable_functions bypass needing no exec function and no child).
 * Applications never set it.
 */
function gconvModules(s: PhpScan): void {
  const { ctx, calls } = s;
  const { code, ev } = ctx;
  for (const m of callMatches(ctx, calls, ['putenv'], NOT_BEFORE_CALLBACK)) {
    if (!/GCONV_PATH\s*=/i.test(callArgs(code, m.open))) continue;
    const converts = calls.hasAnyOf(CHARSET_CONVERTERS) || /convert\.iconv\./i.test(code);
    ev.add(
      'flow',
      converts ? 'sets GCONV_PATH and then converts a charset: loads a library of its choice past disable_functions' : 'sets GCONV_PATH (where iconv loads charset modules from)',
      converts ? 10 : 6,
      m.index,
      m[0].length,
    );
    return;
  }
}

/**
 * mail()'s fifth argument goes to sendmail's command line: `-X file` logs the whole message
 * (with its PHP) to any file, `-C` reads another configuration, `-O QueueDirectory=` moves the
 * queue. Applications pass `-f sender` there, nothing else.
 */
function sendmailOptions(s: PhpScan): void {
  const { ctx, calls, taint } = s;
  const { code, ev } = ctx;
  for (const m of callMatches(ctx, calls, ['mail', 'mb_send_mail'], NOT_BEFORE_CALLBACK)) {
    const args = callArgs(code, m.open, 2000);
    const extra = splitTopArgs(args)[4];
    if (!extra || !/['"][^'"\n]{0,40}-(?:X\s*\S|C\s*\S|O\s*QueueDirectory)/.test(extra)) continue;
    const fromRequest = taint.touches(args);
    ev.add('flow', `sendmail options that write or reconfigure files passed to ${m.name}()${fromRequest ? ' with request data' : ''}`, fromRequest ? 10 : 7, m.index, m[0].length);
    return;
  }
}
