/**
 * Scalar casts in the token data flow: `(int)$_GET['n']` is a number, whatever the request
 * sent, so the cast's operand is skipped when an expression is read for request data.
 */
import type { Tok } from './tokens.js';

/** What the walk needs of the flow: its tokens and bracket matching. */
interface Tokens {
  readonly toks: readonly Tok[];
  close(i: number): number;
}

/** Just past the operand a cast applies to when it starts at token `i` (`$v[..]->p`, `( .. )`, `f( .. )`, a literal), or -1; never past `e`. */
export function castOperandEnd(f: Tokens, i: number, e: number): number {
  const t = f.toks;
  if (i >= e) return -1;
  let j = i;
  if (t[j]!.v === '(') {
    const c = f.close(j);
    return c === -1 || c >= e ? -1 : c + 1;
  }
  if (t[j]!.k !== 'var' && t[j]!.k !== 'id' && t[j]!.k !== 'num' && t[j]!.k !== 'str') return -1;
  j++;
  for (;;) {
    const v = t[j]?.v;
    if (j < e && (v === '[' || (v === '(' && t[j - 1]!.k === 'id'))) {
      const c = f.close(j);
      if (c === -1 || c >= e) return -1;
      j = c + 1;
    } else if (j + 1 < e && (v === '->' || v === '?->' || v === '::') && (t[j + 1]!.k === 'id' || t[j + 1]!.k === 'var')) j += 2;
    else return j;
  }
}
