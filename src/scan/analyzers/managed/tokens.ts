/**
 * A tokenizer for the C-like server languages (Java/JSP, C#, JScript.NET) used by the managed
 * data-flow pass: identifiers, string and char literals with their escapes decoded, numbers and
 * operators. It reads the analyzer's `code` (comments and template text already blanked), and
 * still skips any comment it meets so it is total on its own. One forward pass, no
 * backtracking, output capped: hostile input (unterminated strings, millions of tokens) costs
 * time linear in its size.
 */
import { checkBudget } from '../../budget.js';

export type TokKind = 'id' | 'str' | 'num' | 'op';

export interface Tok {
  k: TokKind;
  /** id: the name; str: the decoded value (capped); num: the literal; op: the operator. */
  v: string;
  /** Offset in the text. */
  at: number;
}

/** Two-character operators the data-flow pass must tell from their one-character prefixes. */
const OPS2 = new Set(['==', '!=', '<=', '>=', '+=', '-=', '=>', '->', '&&', '||', '::', '<%', '%>', '++', '--', '??']);
/** Decoded string values are capped: the pass needs names and short payload markers, not megabytes. */
const STR_MAX = 65536;
/** Token cap: past it the rest of the file is not tokenized (the regex passes still see it). */
export const TOKEN_CAP = 400000;

function isIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 128;
}

function isIdPart(c: number): boolean {
  return isIdStart(c) || (c >= 48 && c <= 57);
}

const ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0', a: '\x07', v: '\v', s: ' ' };

/**
 * Reads a quoted literal starting at `i` (the quote). `verbatim`: C# `@"..."`, where `""` is a
 * quote and backslashes are literal. Returns the decoded value and the offset after the close
 * (the text's end when unterminated). Java and C# escapes: `\n`-style, octal, `\xHH..`, `\uHHHH`.
 */
function readString(text: string, i: number, verbatim: boolean): [string, number] {
  const q = text.charCodeAt(i);
  const n = text.length;
  let j = i + 1;
  const out: string[] = [];
  let len = 0;
  let from = j;
  const push = (s: string): void => {
    if (len < STR_MAX) {
      out.push(s);
      len += s.length;
    }
  };
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === q) {
      if (verbatim && text.charCodeAt(j + 1) === q) {
        push(text.slice(from, j + 1));
        j += 2;
        from = j;
        continue;
      }
      push(text.slice(from, j));
      return [out.join('').slice(0, STR_MAX), j + 1];
    }
    // a plain (non-verbatim, non-text-block) string ends at the line's end even unclosed
    if (c === 10 && !verbatim) break;
    if (c === 92 && !verbatim) {
      push(text.slice(from, j));
      const e = text[j + 1] ?? '';
      if (e === 'x' || e === 'u') {
        const m = /^[0-9a-fA-F]{1,4}/.exec(text.slice(j + 2, j + 6));
        if (m) {
          push(String.fromCharCode(Number.parseInt(m[0], 16)));
          j += 2 + m[0].length;
        } else j += 2;
      } else if (e >= '0' && e <= '7' && /^[0-7]{2}/.test(text.slice(j + 1, j + 3))) {
        const m = /^[0-7]{1,3}/.exec(text.slice(j + 1, j + 4))!;
        push(String.fromCharCode(Number.parseInt(m[0], 8) & 0xff));
        j += 1 + m[0].length;
      } else {
        push(ESC[e] ?? e);
        j += 2;
      }
      from = j;
      continue;
    }
    j++;
  }
  push(text.slice(from, Math.min(j, n)));
  return [out.join('').slice(0, STR_MAX), Math.min(j, n)];
}

/** Tokens of `text` (see the file comment). */
export function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  const n = text.length;
  let i = 0;
  while (i < n && toks.length < TOKEN_CAP) {
    if ((toks.length & 1023) === 0) checkBudget();
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 160) {
      i++;
      continue;
    }
    if (c === 47 /* / */) {
      const d = text.charCodeAt(i + 1);
      if (d === 47) {
        const nl = text.indexOf('\n', i);
        i = nl === -1 ? n : nl + 1;
        continue;
      }
      if (d === 42) {
        const end = text.indexOf('*/', i + 2);
        i = end === -1 ? n : end + 2;
        continue;
      }
    }
    // C# verbatim and interpolated strings: @"..", $"..", $@"..", @$".."
    if ((c === 64 || c === 36) && (text.charCodeAt(i + 1) === 34 || ((text.charCodeAt(i + 1) === 64 || text.charCodeAt(i + 1) === 36) && text.charCodeAt(i + 2) === 34))) {
      const q = text.charCodeAt(i + 1) === 34 ? i + 1 : i + 2;
      const verbatim = text.slice(i, q).includes('@');
      const [v, next] = readString(text, q, verbatim);
      toks.push({ k: 'str', v, at: i });
      i = next;
      continue;
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < n && isIdPart(text.charCodeAt(j))) j++;
      toks.push({ k: 'id', v: text.slice(i, j), at: i });
      i = j;
      continue;
    }
    if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < n && (isIdPart(text.charCodeAt(j)) || (text.charCodeAt(j) === 46 && /[0-9]/.test(text[j + 1] ?? '')))) j++;
      toks.push({ k: 'num', v: text.slice(i, j), at: i });
      i = j;
      continue;
    }
    if (c === 34 || c === 39) {
      // Java text blocks `"""..."""`: read to the closing triple quote
      if (c === 34 && text.startsWith('"""', i)) {
        const end = text.indexOf('"""', i + 3);
        const stop = end === -1 ? n : end;
        toks.push({ k: 'str', v: text.slice(i + 3, Math.min(stop, i + 3 + STR_MAX)), at: i });
        i = end === -1 ? n : end + 3;
        continue;
      }
      const [v, next] = readString(text, i, false);
      toks.push({ k: 'str', v, at: i });
      i = next;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (OPS2.has(two)) {
      toks.push({ k: 'op', v: two, at: i });
      i += 2;
      continue;
    }
    toks.push({ k: 'op', v: text[i]!, at: i });
    i++;
  }
  return toks;
}

/**
 * For every `(`, `[`, `{` the index of its match (and back), in one stack pass; -1 when it has
 * none. Unbalanced closers are ignored, an opener left open matches nothing.
 */
export function matchBrackets(toks: readonly Tok[]): Int32Array {
  const match = new Int32Array(toks.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.k !== 'op') continue;
    const v = t.v;
    if (v === '(' || v === '[' || v === '{') stack.push(i);
    else if (v === ')' || v === ']' || v === '}') {
      const want = v === ')' ? '(' : v === ']' ? '[' : '{';
      // pop to the nearest opener of the same kind: one stray bracket cannot unbalance the rest
      for (let k = stack.length - 1; k >= 0 && k >= stack.length - 8; k--) {
        const o = stack[k]!;
        if (toks[o]!.v === want) {
          match[o] = i;
          match[i] = o;
          stack.length = k;
          break;
        }
      }
    }
  }
  return match;
}
