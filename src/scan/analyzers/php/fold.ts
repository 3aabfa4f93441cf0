/**
 * Constant folding of PHP string expressions: literals, escapes, concatenation, chr(),
 * bitwise string operators and the string functions shells hide names and payloads with,
 * plus constant propagation over the file's assignments.
 */
import { checkBudget } from '../../budget.js';
import { blankStrings } from '../../lexer.js';
import { escapeRegExp, matchingClose, printable } from '../../text.js';
import { b64, inflateAny, rot13, reverse, unescapeDq } from '../../decode.js';
import { splitTopArgs } from './code.js';
import { fullAssignSites } from './fold-sites.js';

export { FULL_ASSIGN } from './fold-sites.js';

/** `$a['k'] = <value>`: an array slot assigned. */
export const SLOT_ASSIGN = /(\$\w+\s*\[[^\]\n]{0,40}\])\s*=(?![=>])\s*([^;\n]{1,200})/g;
/** Resolves `$name` to a known constant string value (constant propagation), if any. */
export type VarResolver = ((name: string) => string | undefined) & {
  /** Names that also hold non-constant values somewhere: not trusted for "$var" interpolation. */
  varying?: ReadonlySet<string>;
};

export const MAX_EVAL = 1024 * 1024;

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

/** The functions evalPiece folds a call of. */
const FOLDED_CALLS = new Set([
  'strrev',
  'str_rot13',
  'strtolower',
  'strtoupper',
  'trim',
  'ltrim',
  'rtrim',
  'base64_decode',
  'hex2bin',
  'gzinflate',
  'gzuncompress',
  'gzdecode',
  'urldecode',
  'rawurldecode',
  'str_replace',
  'str_ireplace',
  'substr',
  'substr_replace',
  'implode',
  'join',
]);
/** Those whose value is made from their first argument's (str_replace and implode read theirs apart). */
const FIRST_ARG_FOLDED = new Set([...FOLDED_CALLS].filter((f) => !/^(?:str_i?replace|implode|join)$/.test(f)));

function evalPiece(p: string, resolve: VarResolver | undefined, depth: number): string | undefined {
  let m: RegExpExecArray | null;
  if (p.length === 0) return undefined;
  while (p.startsWith('(') && p.endsWith(')') && matchingClose(p, 0) === p.length - 1) p = p.slice(1, -1).trim();
  if (p.startsWith('@')) p = p.slice(1).trim();
  const c = p[0];
  // a single literal only when its closing quote is the last character ("a"^"b" is two)
  const single = (c === "'" || c === '"') && closingQuote(p) === p.length - 1;
  // a literal without a backslash has nothing to unescape (most of them)
  if (c === "'" && single) return p.includes('\\') ? p.slice(1, -1).replace(/\\(['\\])/g, '$1') : p.slice(1, -1);
  if (c === '"' && single) {
    const body = p.slice(1, -1);
    if (!body.includes('$') && !body.includes('\\')) return body;
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
  // the patterns below open with `chr` or `$`: a piece that opens otherwise skips them
  const dollar = c === '$';
  if ((c === 'c' || c === 'C') && (m = /^chr\s*\(\s*(\d{1,3}|0x[0-9a-f]{1,2})\s*\)$/i.exec(p))) return String.fromCharCode(Number(m[1]) & 0xff);
  if (dollar && (m = /^\$(\w{1,40})$/.exec(p))) return resolve?.('$' + m[1]);
  if (dollar && (m = /^\$\w{1,40}\s*\[\s*(?:'[^'\n]{0,40}'|"[^"\n]{0,40}"|\d{1,6})\s*\]$/.exec(p)) && resolve) {
    const slot = resolve(slotName(p));
    if (slot !== undefined) return slot;
  }
  if (dollar && (m = /^\$(\w{1,40})\s*(?:\[\s*(\d{1,5})\s*\]|\{\s*(\d{1,5})\s*\})$/.exec(p)) && resolve) {
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
  if (dollar && (m = /^\$(\w{1,40})\s*\(/.exec(p)) && resolve) {
    const fname = resolve('$' + m[1]);
    if (fname && /^\w{2,30}$/.test(fname)) return evalPiece(fname + p.slice(m[0].length - 1), resolve, depth + 1);
  }
  if ((m = /^(\w{2,30})\s*\(/.exec(p))) {
    const fn = m[1]!.toLowerCase();
    // a call of any other function, or one followed by more, folds to nothing: its arguments are not read
    if (!FOLDED_CALLS.has(fn) || matchingClose(p, m[0].length - 1) !== p.length - 1) return undefined;
    const args = splitTopArgs(p.slice(m[0].length, -1));
    const a0 = args[0] === undefined || !FIRST_ARG_FOLDED.has(fn) ? undefined : evalStringExpr(args[0], resolve, depth + 1);
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
export function splitConcat(expr: string): string[] | undefined {
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

/** `$a[ 'k' ]` / `$a["k"]` / `$a[0]` as one canonical key `$a[k]` (plain `$a` unchanged). */
function slotName(ref: string): string {
  if (!ref.includes('[')) return ref;
  const m = /^(\$\w+)\s*\[\s*(?:'([^']*)'|"([^"]*)"|(\d+))\s*\]$/.exec(ref);
  return m ? `${m[1]}[${m[2] ?? m[3] ?? m[4]}]` : ref;
}

/** Every `$var = expr;` / `$var .= expr;` with the full expression (strings may hold `;`). */
export function fullAssignments(code: string, bare = blankStrings(code, '\'"')): Array<{ name: string; append: boolean; expr: string; at: number }> {
  const out: Array<{ name: string; append: boolean; expr: string; at: number }> = [];
  const { at, lhsEnd, eq } = fullAssignSites(bare);
  for (let k = 0; k < at.length; k++) {
    checkBudget();
    const from = eq[k]! + 1;
    out.push({ name: slotName(code.slice(at[k], lhsEnd[k])), append: bare.charCodeAt(from - 2) === 46, expr: code.slice(from, exprEnd(code, from)), at: at[k]! });
  }
  return out;
}

/** Where the right-hand side starting at `from` ends: a `;` or an unbalanced `)`/`]` outside strings, at most MAX_EVAL on. */
function exprEnd(code: string, from: number): number {
  // each right-hand side may run to MAX_EVAL when no `;` ends it: thousands of them are quadratic
  let i = from;
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
  return i;
}

/** The functions CAN_FOLD lets through (the names evalPiece folds a call of, and chr). */
const FOLD_NAMES =
  'chr|strrev|str_rot13|strtolower|strtoupper|trim|ltrim|rtrim|base64_decode|hex2bin|gzinflate|gzuncompress|gzdecode|urldecode|rawurldecode|str_i?replace|substr|substr_replace|implode|join';
const CAN_FOLD = new RegExp(`^\\s*(?:['"(~@$]|(?:${FOLD_NAMES})\\s*\\()`, 'i');

// names of each result map that constantStrings() also saw assigned a non-constant value
const VARYING = new WeakMap<Map<string, string[]>, Set<string>>();

export function varyingNames(consts: Map<string, string[]>): ReadonlySet<string> {
  return VARYING.get(consts) ?? new Set<string>();
}

/**
 * Constant propagation in program order (straight-line approximation): returns every
 * constant value each variable ever held, so `$_="s"."s"."e"."r"; $_="a".$_."t";` yields
 * "assert" for `$_`.
 */
export function constantStrings(code: string, bare = blankStrings(code, '\'"')): Map<string, string[]> {
  const env = new Map<string, string>();
  const ever = new Map<string, string[]>();
  // every name assigned so far, in order, and those assigned something that did not fold: kept
  // as lists (most assignments fold nothing, and a set would hash every name of the file)
  const names: string[] = [];
  const unfolded: string[] = [];
  let seen: Set<string> | undefined;
  let self = '';
  // `$x = $x . 'abc'` before any other assignment of $x appends to PHP's empty undefined value
  const assignedBefore = (n: string): boolean => (seen ??= new Set(names)).has(n);
  const resolve: VarResolver = (n) => env.get(n) ?? (n === self && !assignedBefore(n) ? '' : undefined);
  const sites = fullAssignSites(bare);
  for (let k = 0; k < sites.at.length; k++) {
    checkBudget();
    const name = slotName(code.slice(sites.at[k], sites.lhsEnd[k]));
    const from = sites.eq[k]! + 1;
    self = name;
    // most right-hand sides (objects, arrays, numbers, method calls) can never fold to a string:
    // their expression is not even cut out
    const v = mayFold(code, from) ? evalStringExpr(code.slice(from, exprEnd(code, from)), resolve) : undefined;
    names.push(name);
    seen?.add(name);
    if (v === undefined) {
      if (env.size > 0) env.delete(name);
      unfolded.push(name);
      continue;
    }
    const val = bare.charCodeAt(from - 2) === 46 ? (env.get(name) ?? '') + v : v;
    if (val.length > MAX_EVAL) continue;
    env.set(name, val);
    const list = ever.get(name);
    if (!list) ever.set(name, [val]);
    else if (list.length < 16) list.push(val);
  }
  // only names that also hold a constant are ever looked up (a name without one resolves to
  // nothing, varying or not)
  if (ever.size > 0) {
    const varying = new Set<string>();
    for (const n of unfolded) if (ever.has(n)) varying.add(n);
    if (varying.size > 0) VARYING.set(ever, varying);
  }
  return ever;
}

const CAN_FOLD_AT = new RegExp(CAN_FOLD.source.slice(1), 'iy');
/** `$obj->...` / `$cls::...`: a first piece no rule of evalPiece folds, so the whole expression never does. */
const MEMBER_AT = /\s*\$\w+\s*(?:->|::)/y;

/**
 * CAN_FOLD of the right-hand side starting at `from`, read in place, minus member reads. Either
 * match lies within the expression fullAssignments() cuts (it holds no `;` and no closing
 * bracket) when it ends within MAX_EVAL of `from`.
 */
function mayFold(code: string, from: number): boolean {
  if (!mayOpenFold(code, from)) return false;
  CAN_FOLD_AT.lastIndex = from;
  if (!CAN_FOLD_AT.test(code) || CAN_FOLD_AT.lastIndex > from + MAX_EVAL) return false;
  MEMBER_AT.lastIndex = from;
  return !(MEMBER_AT.test(code) && MEMBER_AT.lastIndex <= from + MAX_EVAL);
}

/**
 * Whether the first character after the spaces at `from` can open a CAN_FOLD match: one of
 * `'"(~@$` or the first letter of a folded function. Most right-hand sides (numbers, arrays,
 * `new`, other calls) are ruled out here without entering the case-blind alternation; a
 * character past ASCII (a space the regex may skip) is left to the pattern.
 */
function mayOpenFold(code: string, from: number): boolean {
  let i = from;
  let c = code.charCodeAt(i);
  while (c === 32 || (c >= 9 && c <= 13)) c = code.charCodeAt(++i);
  return !(c < 128) || FOLD_OPENERS.includes(String.fromCharCode(c | (c >= 65 && c <= 90 ? 32 : 0)));
}

/** CAN_FOLD's possible first characters (lower case). */
const FOLD_OPENERS = `'"(~@$${[...new Set(FOLD_NAMES.split('|').map((w) => w[0]!))].join('')}`;

/** A single string literal's value (with concatenation/escapes folded), else undefined. */
export function literalValue(expr: string): string | undefined {
  const v = evalStringExpr(expr);
  return v === undefined ? undefined : printable(v, 60);
}

/**
 * A regex built by concatenation whose closing delimiter and modifiers fold to constants even
 * when the middle does not: chr(47).$token.chr(47).chr(101) is "/.../e".
 */
export function partialModifiersE(expr: string, resolve: VarResolver): boolean {
  const pieces = splitConcat(expr.trim());
  if (!pieces || pieces.length < 2) return false;
  const vals = pieces.map((p) => evalStringExpr(p, resolve) ?? '\u0000');
  const joined = vals.join('');
  const m = /^([/#~!|@%+])[\s\S]*\1([a-zA-Z]*)$/.exec(joined);
  return !!m && m[2]!.includes('e') && !vals.at(-1)!.includes('\u0000');
}

/** `${$a}` / `${'na'.'me'}` as the variable it names (`$name`), when the braces fold to a constant. */
export function varVarName(callee: string, resolve: VarResolver): string {
  const m = /^\$\{([^}]{1,80})\}$/.exec(callee.trim());
  const v = m ? evalStringExpr(m[1]!, resolve) : undefined;
  return v !== undefined && /^\w{1,40}$/.test(v) ? '$' + v : '';
}
