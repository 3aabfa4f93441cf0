/**
 * Cheap preconditions for whole-text patterns. Most pages hold none of the words a shell
 * pattern needs, and a regex costs a scan of the whole page even when it fails: a native
 * substring search rules the page out first, and a pattern that opens with a literal runs
 * anchored at that literal's occurrences only.
 *
 * Why a word gate in the lower-cased code (`ctx.lower`) is exact: without the `u` flag a
 * case-blind regex matches an ASCII letter only with an ASCII letter, and lower-casing turns
 * every ASCII letter into its lower case. So every match of a pattern whose text must hold a
 * word (in any case) puts that word, lower-cased, into `lower`.
 */
import { checkBudget } from './budget.js';

/**
 * Printable ASCII, tab and line breaks by how often they occur in the analyzed code of the
 * benign corpus, rarest first (measured: upper-case letters in the text as it is, the rest in
 * the lower-cased code). A search that opens with a rare character jumps between few
 * candidates; the blank, the commonest character of any page, comes last.
 */
const RARITY = '^~Z`XJKY|+!QVG?HWz97U846\\B#@j5][L3MON}{PFq%2ADR&:kCETIxS1v0;*wy-,$/._<b\r\'g)(>hf=mup"dc\tl\noniarste ';

/** RARITY's rank of each ASCII character; -1 for one outside the table (a control character), rarer still. */
const RANK = new Int8Array(128).fill(-1);
for (let i = RARITY.length - 1; i >= 0; i--) RANK[RARITY.charCodeAt(i)] = i;

/** Per word: where its rarest character is, and the probe (up to 6 characters) that starts there. */
const PROBES = new Map<string, { at: number; probe: string }>();

function probeOf(word: string): { at: number; probe: string } {
  let p = PROBES.get(word);
  if (!p) {
    let at = 0;
    let best = Infinity;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      // (a non-ASCII character is outside the table too)
      const rank = c < 128 ? RANK[c]! : -1;
      if (rank < best) {
        best = rank;
        at = i;
      }
    }
    // V8 finds a needle of up to 6 characters by jumping between occurrences of its first one
    p = { at, probe: word.slice(at, at + 6) };
    if (PROBES.size < 1024) PROBES.set(word, p);
  }
  return p;
}

/**
 * `hay.includes(word)`, faster on code: the word's rarest character is searched for (with the
 * few characters after it), and each hit is compared with the whole word in place. A plain
 * search jumps between occurrences of the word's first character, which in `eval` or `session`
 * is one of the commonest letters of any page.
 */
export function containsWord(hay: string, word: string): boolean {
  const { at, probe } = probeOf(word);
  if (probe.length === word.length) return hay.includes(word);
  for (let i = hay.indexOf(probe, at); i !== -1; i = hay.indexOf(probe, i + 1)) if (hay.startsWith(word, i - at)) return true;
  return false;
}

/** Whether `hay` holds any of `words` (see containsWord). */
export function anyWord(hay: string, words: readonly string[]): boolean {
  for (const w of words) if (containsWord(hay, w)) return true;
  return false;
}

function isIdent(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (c >= 65 && c <= 90) || c >= 128;
}

function isCallSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 160;
}

/**
 * `new CallIndex(lower).hasAnyOf(names)` without indexing every call of the page: whether some
 * name (identifier characters only) stands as a whole identifier, not after `$`, before blanks
 * and `(`. The index files each `(` under the identifier run before it (blanks between), so a
 * name is filed exactly where it occurs so.
 */
export function callsAnyOf(lower: string, names: readonly string[]): boolean {
  for (const name of names) {
    const { at, probe } = probeOf(name);
    for (let i = lower.indexOf(probe, at); i !== -1; i = lower.indexOf(probe, i + 1)) {
      const p = i - at;
      if (!lower.startsWith(name, p)) continue;
      const before = p > 0 ? lower.charCodeAt(p - 1) : -1;
      if (before === 36 || (before !== -1 && isIdent(before))) continue;
      let k = p + name.length;
      while (k < lower.length && isCallSpace(lower.charCodeAt(k))) k++;
      if (lower.charCodeAt(k) === 40) return true;
    }
  }
  return false;
}

/**
 * Ascending offsets of `literal` in `text` (occurrences may overlap), at most `cap`. Found from
 * the literal's probe (see containsWord): `sub`, `function` and `request` open with letters a
 * page is full of, and each occurrence of the probe is one of the literal's at most.
 */
export function literalOffsets(text: string, literal: string, cap = 100000): number[] {
  const out: number[] = [];
  const { at, probe } = probeOf(literal);
  if (probe.length === literal.length) {
    for (let i = text.indexOf(literal); i !== -1 && out.length < cap; i = text.indexOf(literal, i + 1)) out.push(i);
    return out;
  }
  // (each occurrence holds its probe at `at`, and no two share that probe occurrence: ascending and complete)
  for (let i = text.indexOf(probe, at); i !== -1 && out.length < cap; i = text.indexOf(probe, i + 1)) if (text.startsWith(literal, i - at)) out.push(i - at);
  return out;
}

/** Ascending, distinct offsets of any of `words` in `lower`. */
export function wordOffsets(lower: string, words: readonly string[]): number[] {
  if (words.length === 1) return literalOffsets(lower, words[0]!);
  const all = new Set<number>();
  for (const w of words) for (const i of literalOffsets(lower, w)) all.add(i);
  return [...all].sort((a, b) => a - b);
}

const STICKY = new WeakMap<RegExp, RegExp>();

function stickyOf(re: RegExp): RegExp {
  let y = STICKY.get(re);
  if (!y) {
    y = new RegExp(re.source, `${re.flags.replace(/[gy]/g, '')}y`);
    STICKY.set(re, y);
  }
  return y;
}

/**
 * `re.exec(text)` (first match) when every match of `re` starts at one of `starts`
 * (ascending): the leftmost start where the anchored pattern matches gives the match a scan
 * from the text's start finds, with the same groups (same backtracking order at that offset).
 */
export function firstAt(re: RegExp, text: string, starts: readonly number[]): RegExpExecArray | null {
  const y = stickyOf(re);
  for (const s of starts) {
    checkBudget();
    y.lastIndex = s;
    const m = y.exec(text);
    if (m) return m;
  }
  return null;
}

/**
 * Ascending offsets where `needle` (lower case, opening with a non-letter) occurs with its ASCII
 * letters in any case: where a case-blind regex (no `u` flag) can match it, since such a regex
 * matches an ASCII letter only with that letter in either case.
 */
export function asciiCiOffsets(text: string, needle: string, cap = 100000): number[] {
  const out: number[] = [];
  const n = needle.length;
  for (let i = text.indexOf(needle[0]!); i !== -1 && out.length < cap; i = text.indexOf(needle[0]!, i + 1)) {
    if (i + n > text.length) break;
    let k = 1;
    for (; k < n; k++) {
      const want = needle.charCodeAt(k);
      const c = text.charCodeAt(i + k);
      if (c !== want && !(want >= 97 && want <= 122 && (c | 0x20) === want)) break;
    }
    if (k === n) out.push(i);
  }
  return out;
}

/** Two ascending lists merged into one (distinct offsets kept once). */
export function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (out.length === 0 || out[out.length - 1] !== v) out.push(v);
  }
  return out;
}
