/**
 * Where the PHP assignment pattern of the taint (`PHP_FLOW.assign`,
 * `(\$\w{1,40})(?:\s*\[[^\]\n]{0,60}\])*\s*(?:\.|\?\?)?=(?![=>])...`) can match: walked back
 * from each `=` instead of trying the pattern at every `$` of the file. Every offset the pattern
 * can match at is returned (more is fine: the taint runs the pattern anchored at each).
 */
import { isRegexSpace, isWordChar } from '../../context.js';

/**
 * Offsets of every `$` that can start `PHP_FLOW.assign` in `code`, ascending. The pattern's
 * `=` is not followed by `=` or `>`, and is preceded by its optional operator (`.` or `??`,
 * which must then be there: nothing else of the pattern ends in them), spaces, any number of
 * `[...]` groups (up to 60 characters each, no `]` or line break inside, so every `[` within
 * reach may open one) with spaces before each, and `$` plus 1-40 word characters (the whole
 * word: the pattern cannot stop inside one, a space, `[`, `.`, `?` or `=` must follow it). A
 * walk that takes more steps than a linear bound (hostile bracket runs) gives up and every `$`
 * is returned instead.
 */
export function phpAssignStarts(code: string): number[] {
  const out: number[] = [];
  let budget = 8 * code.length + 1024;
  const stack: number[] = [];
  for (let q = code.indexOf('='); q !== -1; q = code.indexOf('=', q + 1)) {
    const after = code.charCodeAt(q + 1);
    if (after === 61 || after === 62) {
      // the next `=` follows this one, and nothing of the pattern ends in `=`
      q++;
      continue;
    }
    let j = q - 1;
    const op = code.charCodeAt(j);
    if (op === 46) j--;
    else if (op === 63) {
      if (code.charCodeAt(j - 1) !== 63) continue;
      j -= 2;
    }
    stack.push(j);
    while (stack.length > 0) {
      let k = stack.pop()!;
      while (k >= 0 && isRegexSpace(code.charCodeAt(k))) {
        k--;
        budget--;
      }
      if (k < 0) continue;
      const c = code.charCodeAt(k);
      if (c === 93) {
        // every `[` within reach of this `]` may open its group; before it, another group or the name
        for (let b = k - 1; b >= 0 && k - b - 1 <= 60; b--) {
          budget--;
          const d = code.charCodeAt(b);
          if (d === 93 || d === 10) break;
          if (d === 91) stack.push(b - 1);
        }
      } else if (isWordChar(c)) {
        let w = k;
        while (w >= 0 && k - w < 41 && isWordChar(code.charCodeAt(w))) w--;
        budget -= k - w;
        if (k - w <= 40 && w >= 0 && code.charCodeAt(w) === 36) out.push(w);
      }
      if (budget < 0) return everyDollar(code);
    }
  }
  return out.sort((a, b) => a - b);
}

/** Every `$` of `code`: where the pattern could start when the walk gave up. */
function everyDollar(code: string): number[] {
  const out: number[] = [];
  for (let i = code.indexOf('$'); i !== -1; i = code.indexOf('$', i + 1)) out.push(i);
  return out;
}
