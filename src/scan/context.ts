/**
 * What every language analyzer receives: the text, the same text without comments, where
 * to put evidence, and where to hand decoded payloads for another round of analysis.
 */
import type { EvidenceCollector } from './evidence.js';
import type { Language } from './types.js';
import { checkBudget } from './budget.js';
import { escapeRegExp } from './text.js';
import { containsWord } from './words.js';

export interface DecodedLayer {
  text: string;
  /** Offset in the outer text where the encoded payload starts (for line numbers). */
  offset: number;
  /** How it was decoded, e.g. "base64 > gzinflate". */
  how: string;
  /** Language to analyze the payload as (PHP payloads usually lack `<?php`). */
  language: Language;
  /** Made by running the file's code (offset: the sink call), not by decoding the literal at `offset`. */
  ran?: boolean;
}

export interface AnalyzerContext {
  text: string;
  /** `text` with comments (and template text) blanked; same offsets. */
  code: string;
  /** `code` lower-cased (same offsets): case-insensitive names without the slow `i` flag. */
  lower: string;
  /** `code` with string contents blanked (lazily computed, see bareCode()). */
  bare?: string;
  ev: EvidenceCollector;
  layers: DecodedLayer[];
  /** Small files are where one-liner shells live; family rules use it. */
  size: number;
  /** Call sites by function name (lazily built, see callIndex()). */
  calls?: CallIndex;
  /** Which `$` pairs `code` holds (lazily computed, see dollarPairs()). */
  dollars?: DollarPairs;
}

export type Analyzer = (ctx: AnalyzerContext) => void;

const GATES = new Map<string, RegExp>();

/**
 * Cheap substring gate: true if `hay` contains any of `needles`. One alternation regex
 * (compiled once per needle list) scans the text once; n indexOf calls would scan it n times.
 */
export function hasAny(hay: string, needles: readonly string[]): boolean {
  return gateOf(needles, '').test(hay);
}

/**
 * The alternation of `needles` with the needles that share a first character grouped under
 * it (`n(?:et user|etstat)|x...`): the same strings match, but the engine tries each group
 * once per position instead of every needle (about a sixth faster on 28 words).
 */
export function gateOf(needles: readonly string[], flags: string): RegExp {
  const key = `${flags}\u0000${needles.join('\u0000')}`;
  let re = GATES.get(key);
  if (!re) {
    const byFirst = new Map<string, string[]>();
    for (const n of needles) {
      const rest = byFirst.get(n.charAt(0));
      if (rest) rest.push(n.slice(1));
      else byFirst.set(n.charAt(0), [n.slice(1)]);
    }
    const groups = [...byFirst].map(([c, rest]) => escapeRegExp(c) + (rest.length === 1 ? escapeRegExp(rest[0]!) : `(?:${rest.map(escapeRegExp).join('|')})`));
    re = new RegExp(groups.join('|'), flags);
    GATES.set(key, re);
  }
  return re;
}

/**
 * `hay.includes(needle)`, several times faster on most texts: see containsWord (the needle is
 * looked for from its rarest character, not from its first, which in most words is one of the
 * commonest letters of any page).
 */
export function includesText(hay: string, needle: string): boolean {
  return containsWord(hay, needle);
}

/** One call site: `name(` with the offset of the name and of its opening parenthesis. */
export interface CallSite {
  at: number;
  open: number;
}

/**
 * Every `identifier(` in the lower-cased code, by name, found in one pass that jumps from
 * parenthesis to parenthesis with indexOf. Checks of the form "is function X called, and
 * with what" become map look-ups instead of one whole-text regex each; `$name(` (a call
 * through a variable) is filed under "$".
 */
export class CallIndex {
  /**
   * Per name, the offsets of its calls as flat pairs (at, open): most names are only asked
   * whether they occur, so the site objects are made for the few that are read (see get()).
   */
  private readonly byName = new Map<string, number[]>();
  private readonly read = new Map<string, readonly CallSite[]>();

  constructor(readonly lower: string) {
    const s = lower;
    let i = s.indexOf('(');
    while (i !== -1) {
      let j = i - 1;
      while (j >= 0 && isSpace(s.charCodeAt(j))) j--;
      const end = j + 1;
      while (j >= 0 && isIdent(s.charCodeAt(j))) j--;
      if (j + 1 < end) {
        const dollar = s.charCodeAt(j) === 36;
        const key = dollar ? '$' : s.slice(j + 1, end);
        const list = this.byName.get(key);
        if (list) list.push(dollar ? j : j + 1, i);
        else this.byName.set(key, [dollar ? j : j + 1, i]);
      }
      i = s.indexOf('(', i + 1);
    }
  }

  /** The calls of `name` in text order (one array per name, made on first request). */
  get(name: string): readonly CallSite[] {
    let sites = this.read.get(name);
    if (sites === undefined) {
      const flat = this.byName.get(name);
      if (flat === undefined) return NONE;
      const list: CallSite[] = [];
      for (let k = 0; k < flat.length; k += 2) list.push({ at: flat[k]!, open: flat[k + 1]! });
      this.read.set(name, (sites = list));
    }
    return sites;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  hasAnyOf(names: readonly string[]): boolean {
    for (const n of names) if (this.byName.has(n)) return true;
    return false;
  }

  /** Calls of any of `names`, in text order. */
  sites(names: readonly string[]): Array<CallSite & { name: string }> {
    const out: Array<CallSite & { name: string }> = [];
    let lists = 0;
    for (const n of names) {
      const flat = this.byName.get(n);
      if (flat === undefined) continue;
      lists++;
      for (let k = 0; k < flat.length; k += 2) out.push({ at: flat[k]!, open: flat[k + 1]!, name: n });
    }
    // one name's calls are in text order already
    return lists > 1 ? out.sort((a, b) => a.at - b.at) : out;
  }
}

const NONE: readonly CallSite[] = [];

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 160;
}

function isIdent(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (c >= 65 && c <= 90) || c >= 128;
}

/** Whether `code` holds `$$`, `${` and `$ ` (variable variables and their spellings). */
export interface DollarPairs {
  dollar: boolean;
  brace: boolean;
  space: boolean;
}

/**
 * The `$` pairs of `ctx.code`, found in one walk over its `$` signs: several checks need
 * them, and PHP has so many `$` that each separate search costs nearly a full scan.
 */
export function dollarPairs(ctx: AnalyzerContext): DollarPairs {
  if (ctx.dollars) return ctx.dollars;
  const code = ctx.code;
  const d: DollarPairs = { dollar: false, brace: false, space: false };
  for (let i = code.indexOf('$'); i !== -1; i = code.indexOf('$', i + 1)) {
    const c = code.charCodeAt(i + 1);
    if (c === 36) d.dollar = true;
    else if (c === 123) d.brace = true;
    else if (c === 32) d.space = true;
    else continue;
    if (d.dollar && d.brace && d.space) break;
  }
  ctx.dollars = d;
  return d;
}

/** Whether the code uses variable variables (`$$x`, `${$x}`): the gate of every `$$` check. */
export function hasVariableVariables(ctx: AnalyzerContext): boolean {
  const d = dollarPairs(ctx);
  return d.dollar || (d.brace && /\$\{\s*\$/.test(ctx.code));
}

/** The call index of `ctx.lower`, built on first use. */
export function callIndex(ctx: AnalyzerContext): CallIndex {
  ctx.calls ??= new CallIndex(ctx.lower);
  return ctx.calls;
}

const STICKY = new WeakMap<RegExp, RegExp>();

/**
 * The matches a global scan of `re` would find, when every position where `re` can match is
 * in `starts` (ascending): `re` runs anchored at each start not inside an earlier match. A
 * cheap native search for the pattern's literal part finds the starts; the regex then no
 * longer tries every `$` or letter of the file.
 */
export function matchesAt(re: RegExp, text: string, starts: readonly number[], cap = 5000): RegExpExecArray[] {
  let sticky = STICKY.get(re);
  if (!sticky) {
    sticky = new RegExp(re.source, re.flags.replace('g', '') + 'y');
    STICKY.set(re, sticky);
  }
  const out: RegExpExecArray[] = [];
  let end = 0;
  for (const s of starts) {
    if (s < end) continue;
    checkBudget();
    sticky.lastIndex = s;
    const m = sticky.exec(text);
    if (!m) continue;
    out.push(m);
    if (out.length >= cap) break;
    end = m.index + Math.max(1, m[0].length);
  }
  return out;
}

/** An ASCII word character (`\w` without the `u` flag). */
export function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (c >= 65 && c <= 90);
}

/** Whether `c` is a character regex `\s` matches. */
export function isRegexSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 160 ||
    c === 0xfeff ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/**
 * Offsets of the `$` of every `$name \s* = \s* word` in `code` (name 1-40 word characters):
 * the possible starts of `(\$\w{1,40})\s*=\s*word...`, found from the occurrences of the word.
 */
export function assignedFrom(code: string, word: string): number[] {
  const out: number[] = [];
  for (let r = code.indexOf(word); r !== -1; r = code.indexOf(word, r + word.length)) {
    let j = r - 1;
    while (j >= 0 && isRegexSpace(code.charCodeAt(j))) j--;
    if (code.charCodeAt(j) !== 61) continue; // '='
    const d = dollarWordBefore(code, j - 1, 40);
    if (d >= 0) out.push(d);
    if (out.length >= 100000) break;
  }
  return out;
}

/**
 * The offset of the `$` of `$word` followed by spaces, read backwards from `j`, or -1; the
 * word has 1 to `maxWord` word characters.
 */
function dollarWordBefore(text: string, j: number, maxWord: number): number {
  while (j >= 0 && isRegexSpace(text.charCodeAt(j))) j--;
  const end = j;
  while (j >= 0 && isWordChar(text.charCodeAt(j))) j--;
  const len = end - j;
  return len >= 1 && len <= maxWord && text.charCodeAt(j) === 36 ? j : -1;
}

/**
 * Offsets where `$name`, `$name[...]` assignments may start: for every `=` that is not part
 * of `==` or `=>`, walk back over an optional `.` (`.=`), spaces, at most one `[...]` group
 * (up to `bracketMax` characters, no `]` inside, and no newline if `oneLine`; every `[` that
 * could open it counts), spaces and a word of 1-40 characters to its `$`. Each assignment
 * pattern is then run anchored at these starts only, instead of at every `$` of the file.
 */
export function assignmentStarts(text: string, bracket: 'optional' | 'required', bracketMax: number, oneLine: boolean, dotOp: boolean): number[] {
  const out: number[] = [];
  for (let q = text.indexOf('='); q !== -1; q = text.indexOf('=', q + 1)) {
    const after = text.charCodeAt(q + 1);
    if (after === 61 || after === 62) {
      q++;
      continue;
    }
    let j = q - 1;
    if (dotOp && text.charCodeAt(j) === 46) j--;
    while (j >= 0 && isRegexSpace(text.charCodeAt(j))) j--;
    if (text.charCodeAt(j) === 93) {
      // every `[` within reach could open the group: `$a[x[y] =` has two candidates
      const close = j;
      for (let k = close - 1; k >= 0 && close - k - 1 <= bracketMax; k--) {
        const c = text.charCodeAt(k);
        if (c === 93 || (c === 10 && oneLine)) break;
        if (c !== 91) continue;
        const d = dollarWordBefore(text, k - 1, Infinity);
        if (d >= 0) out.push(d);
      }
    } else if (bracket === 'optional') {
      const d = dollarWordBefore(text, j, 40);
      if (d >= 0) out.push(d);
    }
    if (out.length >= 200000) break;
  }
  return out.sort((a, b) => a - b);
}
