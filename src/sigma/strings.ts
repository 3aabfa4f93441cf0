/**
 * Sigma string values (spec "String Wildcard" and "Escape Character"): a value is a
 * sequence of literal text and the wildcards `*` (any run) and `?` (one character).
 * A backslash escapes `*`, `?` and itself; before anything else it is a plain backslash.
 */

export const ANY = 1;
export const ONE = 2;
export type Wildcard = typeof ANY | typeof ONE;
export type StrPart = string | Wildcard;

/** A parsed Sigma string. Adjacent literal parts are always merged. */
export interface SigmaStr {
  parts: StrPart[];
}

export function parseSigmaString(raw: string): SigmaStr {
  const parts: StrPart[] = [];
  let lit = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      const n = raw[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
      } else {
        lit += c;
      }
    } else if (c === '*' || c === '?') {
      if (lit) parts.push(lit);
      lit = '';
      parts.push(c === '*' ? ANY : ONE);
    } else {
      lit += c;
    }
  }
  if (lit) parts.push(lit);
  return { parts };
}

/** A string made of literal text only (no wildcards). */
export function literalString(text: string): SigmaStr {
  return { parts: text ? [text] : [] };
}

export function normalize(parts: StrPart[]): SigmaStr {
  const out: StrPart[] = [];
  for (const p of parts) {
    if (typeof p === 'string') {
      if (!p) continue;
      const last = out[out.length - 1];
      if (typeof last === 'string') out[out.length - 1] = last + p;
      else out.push(p);
    } else {
      out.push(p);
    }
  }
  return { parts: out };
}

export function hasWildcards(s: SigmaStr): boolean {
  return s.parts.some((p) => typeof p !== 'string');
}

/** The text of a wildcard-free string; undefined when it has wildcards. */
export function plainText(s: SigmaStr): string | undefined {
  if (hasWildcards(s)) return undefined;
  return s.parts.join('');
}

/** Back to Sigma notation (wildcards as `*`/`?`, literal specials escaped). */
export function toSigmaNotation(s: SigmaStr): string {
  return s.parts.map((p) => (p === ANY ? '*' : p === ONE ? '?' : p.replace(/[\\*?]/g, (c) => '\\' + c))).join('');
}

export function startsWithAny(s: SigmaStr): boolean {
  return s.parts[0] === ANY;
}

export function endsWithAny(s: SigmaStr): boolean {
  return s.parts[s.parts.length - 1] === ANY;
}

export function prependAny(s: SigmaStr): SigmaStr {
  return startsWithAny(s) ? s : { parts: [ANY, ...s.parts] };
}

export function appendAny(s: SigmaStr): SigmaStr {
  return endsWithAny(s) ? s : { parts: [...s.parts, ANY] };
}

/** The longest literal run: every match of the pattern contains it. */
export function longestLiteral(s: SigmaStr): string {
  let best = '';
  for (const p of s.parts) if (typeof p === 'string' && p.length > best.length) best = p;
  return best;
}

/** Lower-cases the literal parts (wildcards unchanged). */
export function lowerStr(s: SigmaStr): SigmaStr {
  return { parts: s.parts.map((p) => (typeof p === 'string' ? p.toLowerCase() : p)) };
}
