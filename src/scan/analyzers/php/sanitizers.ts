/**
 * PHP expressions whose value the request cannot steer: a number cast or parsed from request
 * text, a hash of it, a length or a yes/no test. A page that reads `(int)$_GET['n']` and builds a
 * command or a path from it has handed the client a number, not the command or the path; taint
 * that only passes through these stops there. Sink-specific escaping (escapeshellarg) is left to
 * the sinks, because it protects only some positions of some sinks.
 */
import { RUNS_ITS_ARGUMENT } from '../../argv.js';
import { blankCalls, blankPieces } from '../../sanitize.js';
import { matchingClose } from '../../text.js';

/** Functions whose result carries no request-chosen text (numbers, hashes, booleans); every `ctype_*` test too. */
const NUMERIC_OR_HASH = new Set([
  'intval',
  'floatval',
  'boolval',
  'abs',
  'count',
  'sizeof',
  'strlen',
  'mb_strlen',
  'md5',
  'sha1',
  'crc32',
  'hash',
  'hash_hmac',
  'is_numeric',
  'is_int',
  'is_string',
  'is_array',
  'isset',
  'empty',
  'in_array',
  'array_key_exists',
]);

/** Where a sanitizer may start: one of the names above (or a `ctype_*`) before `(`, or a scalar cast. */
const HINT = new RegExp(`\\b(?:${[...NUMERIC_OR_HASH].join('|')}|ctype_\\w+)\\s*\\(|\\(\\s*(?:int|integer|float|double|bool|boolean)\\s*\\)`, 'i');
const HINT_ALL = new RegExp(HINT.source, 'gi');

/** Just past the bracket that closes the one at `open` (matchingClose), or -1. */
function pastClose(s: string, open: number): number {
  const close = matchingClose(s, open);
  return close === -1 ? -1 : close + 1;
}

/** End of the operand a cast applies to: `$v['k']->p`, `(expr)`, `name(args)`, `-1`. */
function operandEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '@' || s[i] === '-' || s[i] === '+')) i++;
  if (s[i] === '(') return pastClose(s, i);
  const m = /^\$?[A-Za-z_\x80-\xff][\w\x80-\xff]*/.exec(s.slice(i, i + 64));
  if (!m) return -1;
  i += m[0].length;
  // calls, indexes and property reads belong to the operand
  for (;;) {
    const end = i;
    while (s[i] === ' ') i++;
    if (s[i] === '(' || s[i] === '[') {
      const close = pastClose(s, i);
      if (close === -1) return -1;
      i = close;
    } else if (s.startsWith('->', i)) {
      const p = /^->\s*\$?\w+/.exec(s.slice(i, i + 64));
      if (!p) return end;
      i += p[0].length;
    } else return end;
  }
}

/**
 * `expr` with every sanitized piece replaced by `0`, so that reading it for request sources and
 * tainted variables finds only what reaches the sink as text. Unchanged when nothing applies.
 */
export function phpUnsanitized(expr: string): string {
  // every HINT match holds a `(` (a call's or a cast's): most expressions have none, and a
  // native search answers before the case-blind alternation is entered
  return expr.includes('(') && HINT.test(expr) ? blankPieces(expr, HINT_ALL, sanitizedEnd, '0') : expr;
}

/** Where the sanitized piece starting at `m` ends, or -1 where `m` is not one. */
function sanitizedEnd(expr: string, m: RegExpExecArray): number {
  // a method or a variable function of that name is not PHP's function
  const before = expr[m.index - 1];
  if (before === '>' || before === '$' || before === ':') return -1;
  if (m[0].startsWith('(')) return operandEnd(expr, m.index + m[0].length);
  const name = m[0].slice(0, m[0].indexOf('(')).trim().toLowerCase();
  if (!NUMERIC_OR_HASH.has(name) && !name.startsWith('ctype_')) return -1;
  return pastClose(expr, m.index + m[0].length - 1);
}

/** `escapeshellarg(...)` calls, each replaced by an empty quoted argument. */
const SHELL_QUOTING = /\bescapeshellarg\s*\(/gi;
const withoutShellQuoting = (expr: string): string => blankCalls(expr, SHELL_QUOTING, "''");

/** A command that starts with a fixed program: a literal, or sprintf's literal format, opening with a program name. */
const FIXED_PROGRAM = /^\s*(?:sprintf\s*\(\s*)?(['"])\s*[\w./-]/i;
/** What a taint can answer about an expression (the Taint class, kept structural for tests). */
export interface TaintView {
  touches(expr: string): boolean;
  readonly assignments: ReadonlyMap<string, readonly string[]>;
}

/**
 * Whether the request reaches the command `cmd` (a PHP expression) only as arguments quoted by
 * `escapeshellarg()` after a fixed program that does not run its arguments: `'convert ' .
 * escapeshellarg($f)` lets the client name a file, not a command. A variable is followed through
 * every assignment it has (up to three steps); anything unsure answers false.
 */
export function shellQuotedOnly(cmd: string, taint: TaintView, depth = 0): boolean {
  const e = cmd.trim();
  if (/^\$\w+$/.test(e)) {
    if (depth >= 3) return false;
    const rhs = taint.assignments.get(e);
    if (!rhs || rhs.length === 0) return false;
    // a variable tainted some other way (register_globals, a foreach, an import) is not explained by its assignments
    const tainting = rhs.filter((r) => taint.touches(r));
    return tainting.length > 0 && tainting.every((r) => shellQuotedOnly(r, taint, depth + 1));
  }
  if (!FIXED_PROGRAM.test(e)) return false;
  const bare = withoutShellQuoting(e);
  return bare !== e && !RUNS_ITS_ARGUMENT.test(bare) && !taint.touches(bare);
}
