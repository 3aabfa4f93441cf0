/**
 * Where the classic ASP assignment pattern (ASP_FLOW.assign in asp.ts) can start, found from the
 * page's `=` signs: the pattern then runs anchored there instead of at every separator.
 */
import { isRegexSpace, isWordChar } from '../context.js';

/**
 * Where `[^\S\n]*` before offset `p` begins, the anchor of ASP_FLOW.assign must end: the
 * anchor's start (a line break, `:`, `;`, `<%`, or the last letter of `then`/`else`) is added.
 */
function anchorBefore(code: string, p: number, out: number[]): void {
  let h = p - 1;
  while (h >= 0 && code.charCodeAt(h) !== 10 && isRegexSpace(code.charCodeAt(h))) h--;
  if (h < 0) return; // the text's start: offset 0 is always tried
  const c = code.charCodeAt(h);
  if (c === 10 || c === 58 || c === 59) out.push(h);
  else if (c === 37 && code.charCodeAt(h - 1) === 60) out.push(h - 1);
  else if (h >= 3 && (c | 0x20) === 110 /* n */) out.push(h - 3);
  else if (h >= 3 && (c | 0x20) === 101 /* e */) out.push(h - 3);
}

/**
 * Every offset where ASP_FLOW.assign can start, from the `=` signs: each match holds one `=` right
 * after its name and blanks, and before that name come blanks, optionally `Set`/`var` and blanks,
 * then its anchor (see anchorBefore) or the text's start. Anchored at these offsets the pattern
 * finds the assignments a global scan finds, without being tried at every separator of the page.
 */
export function aspAssignStarts(code: string): number[] {
  const out: number[] = [0];
  for (let k = code.indexOf('='); k !== -1; k = code.indexOf('=', k + 1)) {
    let j = k - 1;
    while (j >= 0 && isRegexSpace(code.charCodeAt(j))) j--;
    // `name(index) =`: an element; the name is before the index and same-line blanks
    if (code.charCodeAt(j) === 41) j = beforeIndex(code, j);
    const end = j;
    while (j >= 0 && isWordChar(code.charCodeAt(j))) j--;
    const name = j + 1;
    if (name > end) continue;
    anchorBefore(code, name, out);
    // `Set x =` / `var x =`: the anchor comes before the keyword
    let b = name - 1;
    if (b < 0 || !isRegexSpace(code.charCodeAt(b))) continue;
    while (b >= 0 && isRegexSpace(code.charCodeAt(b))) b--;
    if (b < 2) continue;
    // `set` / `var` in any case (ASCII letters only: `c | 0x20` folds exactly those)
    const k0 = code.charCodeAt(b - 2) | 0x20;
    const k1 = code.charCodeAt(b - 1) | 0x20;
    const k2 = code.charCodeAt(b) | 0x20;
    if ((k0 === 115 && k1 === 101 && k2 === 116) || (k0 === 118 && k1 === 97 && k2 === 114)) anchorBefore(code, b - 2, out);
  }
  return ascendingDistinct(out);
}

/**
 * For the `)` at `close` of an element's index (`(` then 1 to 60 characters that are not a
 * bracket, a quote or a line break), the offset before the blanks that precede its `(`;
 * -1 when the parentheses are not an index of that shape.
 */
function beforeIndex(code: string, close: number): number {
  let j = close - 1;
  while (j >= 0 && close - j <= 61) {
    const c = code.charCodeAt(j);
    if (c === 40) break;
    if (c === 41 || c === 10 || c === 34) return -1;
    j--;
  }
  if (j < 0 || code.charCodeAt(j) !== 40 || close - j < 2 || close - j > 61) return -1;
  j--;
  while (j >= 0 && code.charCodeAt(j) !== 10 && isRegexSpace(code.charCodeAt(j))) j--;
  return j;
}

/** `out` sorted ascending without repeats (in place; the walk above nearly always yields it in order already). */
export function ascendingDistinct(out: number[]): number[] {
  let sorted = true;
  for (let i = 1; i < out.length; i++)
    if (out[i]! < out[i - 1]!) {
      sorted = false;
      break;
    }
  if (!sorted) out.sort((x, y) => x - y);
  let n = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[n - 1]) out[n++] = out[i]!;
  out.length = n;
  return out;
}
