/**
 * Where constant folding finds the file's whole assignments: the matches of FULL_ASSIGN over
 * the string-blanked code, read back from each `=` by the pattern's own shape instead of
 * running the pattern.
 */
import { assignmentStarts, isRegexSpace, matchesAt } from '../../context.js';

/** `$name = ` or `$name['key'] .= `: the left-hand side and the operator of a whole assignment (read on string-blanked code). */
export const FULL_ASSIGN = /(\$\w{1,40}(?:\s*\[\s*(?:'[^'\n]{0,40}'|"[^"\n]{0,40}"|\d{1,6})\s*\])?)\s*(\.?)=(?![=>])/g;

/** FULL_ASSIGN's matches as offsets: where each starts (`$`), where its left-hand side ends, where its `=` is. */
export interface AssignSites {
  at: number[];
  lhsEnd: number[];
  eq: number[];
}

/** At most this many, as the global scan of the pattern takes. */
const CAP = 20000;

/**
 * The matches `matchesAt(FULL_ASSIGN, bare, assignmentStarts(bare, 'optional', 2000, false,
 * true), 20000)` returns. From each `=` the walk back reads an optional `.`, spaces, at most
 * one bracket holding one literal, spaces, and `$` with a 1-40 character word: every such shape
 * is a match of the pattern ending at that `=` (the pattern tries its bracket first and the
 * literal closes at its first quote), and each of its matches has one. assignmentStarts took
 * every `[` up to 2000 characters back from a `]`; an array-heavy file paid that at every
 * `$a['k'] =`, and the pattern ran again at each start.
 */
export function fullAssignSites(bare: string): AssignSites {
  const at: number[] = [];
  const lhsEnd: number[] = [];
  const eq: number[] = [];
  // assignmentStarts stops after 200000 offsets, each from a `[` or an `=`: only a text with that many reaches it
  if (bare.length >= 200000 && countOf(bare, '[') + countOf(bare, '=') >= 200000) return byPattern(bare);
  let end = 0;
  for (let q = bare.indexOf('='); q !== -1 && at.length < CAP; q = bare.indexOf('=', q + 1)) {
    const after = bare.charCodeAt(q + 1);
    if (after === 61 || after === 62) {
      q++;
      continue;
    }
    let j = q - 1;
    if (bare.charCodeAt(j) === 46) j--;
    while (j >= 0 && isRegexSpace(bare.charCodeAt(j))) j--;
    const lhs = j + 1;
    if (bare.charCodeAt(j) === 93) j = literalBracketOpen(bare, j);
    const d = j < 0 ? -1 : dollarWordEnding(bare, j);
    if (d < 0) continue;
    // a start inside the previous match is passed over, as matchesAt does; one before it means
    // a walk reached back over an earlier `=` (odd quoting): the pattern decides then
    if (d < end) {
      if (d < at[at.length - 1]!) return byPattern(bare);
      continue;
    }
    at.push(d);
    lhsEnd.push(lhs);
    eq.push(q);
    end = q + 1;
  }
  return { at, lhsEnd, eq };
}

/** The sites by running the pattern where assignmentStarts says it may match. */
function byPattern(bare: string): AssignSites {
  const at: number[] = [];
  const lhsEnd: number[] = [];
  const eq: number[] = [];
  for (const m of matchesAt(FULL_ASSIGN, bare, assignmentStarts(bare, 'optional', 2000, false, true), CAP)) {
    at.push(m.index);
    lhsEnd.push(m.index + m[1]!.length);
    eq.push(m.index + m[0].length - 1);
  }
  return { at, lhsEnd, eq };
}

function countOf(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/**
 * For the `]` at `close`: the offset just before the `[` of `[ 'lit' ]`, `[ "lit" ]` or
 * `[ 123 ]` (FULL_ASSIGN's bracket) ending there, else -1. A `]` inside the literal or a `[`
 * more than 2000 characters back is refused, as assignmentStarts refuses them.
 */
function literalBracketOpen(bare: string, close: number): number {
  let k = close - 1;
  while (k >= 0 && isRegexSpace(bare.charCodeAt(k))) k--;
  const c = bare.charCodeAt(k);
  if (c === 39 || c === 34) {
    // the opening quote is the nearest one before: the literal holds none, nor a line break
    let o = k - 1;
    for (; o >= 0 && k - o - 1 <= 40; o--) {
      const x = bare.charCodeAt(o);
      if (x === c) break;
      if (x === 10 || x === 93) return -1;
    }
    if (o < 0 || k - o - 1 > 40) return -1;
    k = o - 1;
  } else if (c >= 48 && c <= 57) {
    const last = k;
    while (k >= 0 && bare.charCodeAt(k) >= 48 && bare.charCodeAt(k) <= 57) k--;
    if (last - k > 6) return -1;
  } else return -1;
  while (k >= 0 && isRegexSpace(bare.charCodeAt(k))) k--;
  return k >= 0 && bare.charCodeAt(k) === 91 && close - k - 1 <= 2000 ? k - 1 : -1;
}

/** The `$` of `$word` (1-40 word characters) ending at `j`, spaces after it allowed, else -1. */
function dollarWordEnding(text: string, j: number): number {
  while (j >= 0 && isRegexSpace(text.charCodeAt(j))) j--;
  const last = j;
  while (j >= 0 && isWordCode(text.charCodeAt(j))) j--;
  const len = last - j;
  return len >= 1 && len <= 40 && text.charCodeAt(j) === 36 ? j : -1;
}

function isWordCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (c >= 65 && c <= 90);
}
