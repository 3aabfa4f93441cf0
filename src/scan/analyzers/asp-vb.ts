/**
 * VBScript tokens and values for the page interpreter (asp-interp.ts): the page's server code
 * with offsets kept, its tokens, the Variant values (strings, numbers, booleans, Empty, arrays,
 * and UNKNOWN for what the page cannot know) and the built-in functions decoders use.
 */

export type Val = string | number | boolean | null | Val[] | typeof UNKNOWN;
export const UNKNOWN = Symbol('unknown');

export interface Tok {
  k: 'str' | 'num' | 'id' | 'op' | 'nl';
  v: string;
  at: number;
}

export const MAX_TEXT = 1 << 20;
export const MAX_ARRAY = 100_000;
const MAX_TOKENS = 200_000;

/** The VBScript of a page: code inside `<% %>` (directives and `<%= %>` output left out), the rest blanked, offsets kept. */
export function serverCode(code: string): string {
  const out: string[] = [];
  let from = 0;
  for (;;) {
    const open = code.indexOf('<%', from);
    if (open === -1) break;
    const close = code.indexOf('%>', open + 2);
    const end = close === -1 ? code.length : close;
    out.push(blankLine(code, from, open));
    const c = code[open + 2];
    const body = code.slice(open + 2, end);
    // `<%@ ... %>` and `<%= ... %>` are not statements
    out.push(c === '@' || c === '=' ? `  ${blankLine(code, open + 2, end)}` : `: ${body}`);
    if (close === -1) return out.join('');
    out.push(': ');
    from = close + 2;
  }
  out.push(blankLine(code, from, code.length));
  return out.join('');
}

const SPACES = ' '.repeat(4096);

/**
 * `code.slice(from, to)` with every character but `\n` made a space: runs of spaces cut from
 * one long string between the line breaks (found with indexOf), not a regex replacement per
 * character of the page's HTML.
 */
function blankLine(code: string, from: number, to: number): string {
  const parts: string[] = [];
  let i = from;
  while (i < to) {
    let nl = code.indexOf('\n', i);
    if (nl === -1 || nl > to) nl = to;
    for (let k = i; k < nl; k += SPACES.length) parts.push(SPACES.slice(0, Math.min(SPACES.length, nl - k)));
    if (nl < to) parts.push('\n');
    i = nl + 1;
  }
  return parts.join('');
}

export function tokenize(s: string): Tok[] | undefined {
  const out: Tok[] = [];
  const n = s.length;
  let i = 0;
  let nextNl = s.indexOf('\n');
  while (i < n) {
    if (out.length > MAX_TOKENS) return undefined;
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    if (c === 10 || c === 58 /* : */) {
      // one break token for a run of them; `\n` when a newline is among them (a single-line If ends there)
      const prev = out[out.length - 1];
      if (prev && prev.k === 'nl') {
        if (c === 10) prev.v = '\n';
      } else if (prev) out.push({ k: 'nl', v: c === 10 ? '\n' : ':', at: i });
      i++;
      continue;
    }
    // `_` at a line end continues the statement
    if (c === 95 && continuesLine(s, i)) {
      i = s.indexOf('\n', i) + 1;
      continue;
    }
    if (c === 39 /* ' */) {
      const e = s.indexOf('\n', i);
      i = e === -1 ? n : e;
      continue;
    }
    if (c === 34 /* " */) {
      let j = i + 1;
      const parts: string[] = [];
      for (;;) {
        const q = s.indexOf('"', j);
        // the next newline, found once per line (searching from every string of a long line is quadratic)
        if (nextNl !== -1 && nextNl < j) nextNl = s.indexOf('\n', j);
        const nl = nextNl;
        if (q === -1 || (nl !== -1 && nl < q)) {
          // unterminated (a `"` in HTML-looking text inside the region): the rest of the line
          const stop = nl === -1 ? n : nl;
          parts.push(s.slice(j, stop));
          j = stop;
          break;
        }
        parts.push(s.slice(j, q));
        if (s.charCodeAt(q + 1) === 34) {
          parts.push('"');
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      out.push({ k: 'str', v: parts.join(''), at: i });
      i = j;
      continue;
    }
    const numEnd = numberEnd(s, i);
    if (numEnd !== -1) {
      out.push({ k: 'num', v: String(numberValue(s, i, numEnd)), at: i });
      i = numEnd;
      continue;
    }
    const idEnd = identifierEnd(s, i);
    if (idEnd !== -1) {
      out.push({ k: 'id', v: s.slice(i, idEnd).toLowerCase(), at: i });
      i = idEnd;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (two === '<>' || two === '<=' || two === '>=') {
      out.push({ k: 'op', v: two, at: i });
      i += 2;
      continue;
    }
    out.push({ k: 'op', v: s[i]!, at: i });
    i++;
  }
  return out;
}

// The scanners below read what the tokenizer's patterns matched when each was run on a window
// of the text (40 characters for numbers and `_` continuations, 120 for names): a slice and a
// regex per token cost more than the page's interpretation. The windows are kept, so a name or
// number longer than its window is cut where the pattern cut it.

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || isDigit(c);
}

/** Whether the `_` at `i` is followed by blanks and a line break within 40 characters (`/^_[ \t]*\r?\n/`). */
function continuesLine(s: string, i: number): boolean {
  const w = Math.min(s.length, i + 40);
  let j = i + 1;
  while (j < w && (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9)) j++;
  if (j < w && s.charCodeAt(j) === 13) j++;
  return j < w && s.charCodeAt(j) === 10;
}

/** End of a run of characters `ok` accepts from `j`, stopping at `w`. */
function runEnd(s: string, j: number, w: number, ok: (c: number) => boolean): number {
  while (j < w && ok(s.charCodeAt(j))) j++;
  return j;
}

function isOctalDigit(c: number): boolean {
  return c >= 48 && c <= 55;
}

/**
 * End of the number at `i` (`&H1F&`, `&O17`, `12.5e-3`) within a 40-character window, or -1
 * (`/^(?:&H([0-9a-f]+)&?|&O([0-7]+)&?|(\d+(?:\.\d+)?(?:e[+-]?\d+)?))/i`).
 */
function numberEnd(s: string, i: number): number {
  const w = Math.min(s.length, i + 40);
  const c = s.charCodeAt(i);
  if (c === 38 /* & */) {
    const k = s.charCodeAt(i + 1) | 0x20;
    if (i + 1 >= w || (k !== 104 && k !== 111)) return -1;
    const j = runEnd(s, i + 2, w, k === 104 ? isHexDigit : isOctalDigit);
    if (j === i + 2) return -1;
    return j < w && s.charCodeAt(j) === 38 ? j + 1 : j;
  }
  if (!isDigit(c)) return -1;
  let j = runEnd(s, i + 1, w, isDigit);
  if (j + 1 < w && s.charCodeAt(j) === 46 && isDigit(s.charCodeAt(j + 1))) j = runEnd(s, j + 2, w, isDigit);
  if (j < w && (s.charCodeAt(j) | 0x20) === 101 /* e */) {
    let k = j + 1;
    if (k < w && (s.charCodeAt(k) === 43 || s.charCodeAt(k) === 45)) k++;
    if (k < w && isDigit(s.charCodeAt(k))) j = runEnd(s, k + 1, w, isDigit);
  }
  return j;
}

/** The value of the number numberEnd found in [i, end). */
function numberValue(s: string, i: number, end: number): number {
  if (s.charCodeAt(i) !== 38) return Number(s.slice(i, end));
  const digits = s.slice(i + 2, s.charCodeAt(end - 1) === 38 ? end - 1 : end);
  return Number.parseInt(digits, (s.charCodeAt(i + 1) | 0x20) === 104 ? 16 : 8);
}

/** End of the (dotted) name at `i` within a 120-character window, or -1 (`/^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\/`). */
function identifierEnd(s: string, i: number): number {
  const w = Math.min(s.length, i + 120);
  if (!isNameStart(s.charCodeAt(i))) return -1;
  let j = runEnd(s, i + 1, w, isNameChar);
  while (j + 1 < w && s.charCodeAt(j) === 46 && isNameStart(s.charCodeAt(j + 1))) j = runEnd(s, j + 2, w, isNameChar);
  return j;
}

export const CONSTANTS: Record<string, Val> = {
  vbcrlf: '\r\n',
  vbnewline: '\r\n',
  vbcr: '\r',
  vblf: '\n',
  vbtab: '\t',
  vbnullstring: '',
  vbnullchar: '\0',
  vbbinarycompare: 0,
  vbtextcompare: 1,
  true: true,
  false: false,
  empty: null,
  null: null,
  nothing: null,
};

export const OBJECTS = new Set(['request', 'response', 'session', 'server', 'application', 'err', 'now', 'date', 'time', 'timer', 'rnd']);
export const BUILTIN_NAMES = new Set(['chr', 'asc', 'len', 'mid', 'left', 'right', 'split', 'array']);

export function truthy(v: Val): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.toLowerCase() === 'true' || (num(v) ?? 0) !== 0;
  return false;
}

export function num(v: Val): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? -1 : 0;
  if (v === null) return 0;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  const h = /^&H([0-9a-f]{1,8})&?$/i.exec(s);
  if (h) return Number.parseInt(h[1]!, 16);
  if (s === '' || !/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(s)) return undefined;
  return Number(s);
}

export function str(v: Val): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

export function joinText(a: string, b: string): Val {
  return a.length + b.length > MAX_TEXT ? UNKNOWN : a + b;
}

export function arith(a: Val, b: Val, op: (x: number, y: number) => number): Val {
  const x = num(a);
  const y = num(b);
  if (a === UNKNOWN || b === UNKNOWN || x === undefined || y === undefined) return UNKNOWN;
  const r = op(x, y);
  return Number.isFinite(r) ? r : UNKNOWN;
}

export function bitwise(a: Val, b: Val, op: (x: number, y: number) => number): Val {
  if (typeof a === 'boolean' && typeof b === 'boolean') return op(a ? 1 : 0, b ? 1 : 0) !== 0;
  return arith(a, b, (x, y) => op(Math.round(x), Math.round(y)));
}

export function compare(a: Val, b: Val): number {
  const x = typeof a === 'number' ? a : undefined;
  const y = typeof b === 'number' ? b : undefined;
  if ((x !== undefined || y !== undefined) && num(a) !== undefined && num(b) !== undefined) return Math.sign(num(a)! - num(b)!);
  const s = str(a);
  const t = str(b);
  return s < t ? -1 : s > t ? 1 : 0;
}

/** The built-in functions decoders use; anything else is unknown. */
/** Characters the built-ins have walked in this run (a Replace over 1 MB in a loop is work the step count does not see). */
export const work = { chars: 0 };

const CONSTANT_TIME = new Set(['mid', 'midb', 'left', 'right', 'len', 'lenb', 'asc', 'ascw', 'ascb', 'instr', 'instrrev']);

export function builtin(name: string, a: Val[]): Val {
  if (a.some((x) => x === UNKNOWN)) return UNKNOWN;
  // slicing and measuring do not walk the string (V8 slices share it): a decoder's Mid over a
  // 7 KB payload per character is linear work, not 7 KB a step (InStr counts what it searched)
  if (!CONSTANT_TIME.has(name)) for (const x of a) if (typeof x === 'string') work.chars += x.length;
  const s = (k: number) => str(a[k] ?? null);
  const n = (k: number) => num(a[k] ?? null);
  switch (name) {
    case 'chr':
    case 'chrw':
    case 'chrb': {
      const c = n(0);
      return c !== undefined && c >= 0 && c < 0x10000 ? String.fromCharCode(Math.floor(c)) : UNKNOWN;
    }
    case 'asc':
    case 'ascw':
    case 'ascb':
      return s(0).length > 0 ? s(0).charCodeAt(0) : UNKNOWN;
    case 'len':
    case 'lenb':
      return s(0).length;
    case 'mid':
    case 'midb': {
      const st = n(1);
      if (st === undefined || st < 1) return UNKNOWN;
      const ln = a.length > 2 ? n(2) : undefined;
      if (a.length > 2 && (ln === undefined || ln < 0)) return UNKNOWN;
      return s(0).substr(Math.floor(st) - 1, ln === undefined ? undefined : Math.floor(ln));
    }
    case 'left':
      return (n(1) ?? -1) < 0 ? UNKNOWN : s(0).slice(0, Math.floor(n(1)!));
    case 'right': {
      const k = n(1);
      return k === undefined || k < 0 ? UNKNOWN : k === 0 ? '' : s(0).slice(-Math.floor(k));
    }
    case 'instr':
    case 'instrrev': {
      // InStr([start,] s, sub[, compare])
      const hasStart = a.length >= 3 && typeof a[0] === 'number';
      const hay = s(hasStart ? 1 : 0);
      const needle = s(hasStart ? 2 : 1);
      const from = hasStart ? (n(0) ?? 1) - 1 : name === 'instr' ? 0 : hay.length;
      const at = name === 'instr' ? hay.indexOf(needle, from) : hay.lastIndexOf(needle, from);
      // the search walks up to the match; one character is found by a vectorized scan (a
      // substitution table looked up per character of a payload costs a sixteenth of a walk)
      const walked = at === -1 ? hay.length : Math.abs(at - from) + needle.length;
      work.chars += needle.length === 1 ? walked >> 4 : walked;
      return at + 1;
    }
    case 'replace': {
      const f = s(1);
      if (f === '') return s(0);
      const out = s(0).split(f).join(s(2));
      return out.length > MAX_TEXT ? UNKNOWN : out;
    }
    case 'strreverse':
      return s(0).split('').reverse().join('');
    case 'split': {
      const d = a.length > 1 ? s(1) : ' ';
      const parts = d === '' ? [s(0)] : s(0).split(d);
      return parts.length > MAX_ARRAY ? UNKNOWN : parts;
    }
    case 'join':
      return Array.isArray(a[0]) ? joinText('', a[0].map(str).join(a.length > 1 ? s(1) : ' ')) : UNKNOWN;
    case 'array':
      return a.slice();
    case 'ubound':
      return Array.isArray(a[0]) ? a[0].length - 1 : UNKNOWN;
    case 'lbound':
      return Array.isArray(a[0]) ? 0 : UNKNOWN;
    case 'lcase':
      return s(0).toLowerCase();
    case 'ucase':
      return s(0).toUpperCase();
    case 'trim':
      return s(0).trim();
    case 'ltrim':
      return s(0).trimStart();
    case 'rtrim':
      return s(0).trimEnd();
    case 'cstr':
      return s(0);
    case 'cint':
    case 'clng':
    case 'cbyte':
      return n(0) === undefined ? UNKNOWN : Math.round(n(0)!);
    case 'cdbl':
    case 'csng':
    case 'val':
      return n(0) ?? UNKNOWN;
    case 'int':
      return n(0) === undefined ? UNKNOWN : Math.floor(n(0)!);
    case 'fix':
      return n(0) === undefined ? UNKNOWN : Math.trunc(n(0)!);
    case 'abs':
      return n(0) === undefined ? UNKNOWN : Math.abs(n(0)!);
    case 'hex':
      return n(0) === undefined ? UNKNOWN : Math.round(n(0)!).toString(16).toUpperCase();
    case 'oct':
      return n(0) === undefined ? UNKNOWN : Math.round(n(0)!).toString(8);
    case 'isnumeric':
      return num(a[0] ?? null) !== undefined && a[0] !== null;
    case 'isempty':
      return a[0] === null || a[0] === '';
    case 'isarray':
      return Array.isArray(a[0]);
    case 'space':
      return (n(0) ?? -1) < 0 || n(0)! > MAX_TEXT ? UNKNOWN : ' '.repeat(n(0)!);
    case 'string': {
      const k = n(0);
      const c = typeof a[1] === 'number' ? String.fromCharCode(a[1]) : s(1).charAt(0);
      return k === undefined || k < 0 || k > MAX_TEXT ? UNKNOWN : c.repeat(k);
    }
    case 'unescape':
      return s(0).replace(/%u([0-9a-f]{4})|%([0-9a-f]{2})/gi, (_m, u: string | undefined, h: string | undefined) => String.fromCharCode(Number.parseInt(u ?? h!, 16)));
    default:
      return UNKNOWN;
  }
}
