/**
 * Exact substring tests tuned for lower-cased PHP, used as gates in front of whole-file regexes.
 * V8 finds a needle by scanning for its first character, so a needle starting with a common
 * letter (`unlink`, `strrev`) costs nearly a byte-by-byte pass; jumping between occurrences of
 * the needle's rarest character and comparing the whole needle there is several times cheaper.
 */

/** Printable ASCII in lower-cased PHP, rarest first (measured on the benign corpus). */
const BY_RARITY = '~^`@*+%|#z!798j65&4?<3/q2"\\1k0.x[]{}v:wybg=-,;>hfm_)(dp$uc\'loniraste';

/** Where a capital letter ranks among the lower-case table, for needles searched in code as written. */
const CAPITAL_RANK = BY_RARITY.indexOf('x');
const ANCHORS = new Map<string, number>();

function anchorOf(needle: string): number {
  let a = ANCHORS.get(needle);
  if (a === undefined) {
    a = 0;
    let best = Infinity;
    for (let i = 0; i < needle.length; i++) {
      const r = BY_RARITY.indexOf(needle[i]!);
      // missing from the table: spaces (common) and, in text not lower-cased, capitals (rare)
      const rank = r !== -1 ? r : /\s/.test(needle[i]!) ? BY_RARITY.length : CAPITAL_RANK;
      if (rank < best) {
        best = rank;
        a = i;
      }
    }
    ANCHORS.set(needle, a);
  }
  return a;
}

/** `hay.includes(needle)`, searched from the needle's rarest character. */
export function hasText(hay: string, needle: string): boolean {
  const a = anchorOf(needle);
  const ch = needle[a]!;
  for (let i = hay.indexOf(ch, a); i !== -1; i = hay.indexOf(ch, i + 1)) if (hay.startsWith(needle, i - a)) return true;
  return false;
}

/** `hay.indexOf(needle)` (first occurrence), searched the same way. */
export function textAt(hay: string, needle: string, from = 0): number {
  const a = anchorOf(needle);
  const ch = needle[a]!;
  for (let i = hay.indexOf(ch, from + a); i !== -1; i = hay.indexOf(ch, i + 1)) if (hay.startsWith(needle, i - a)) return i - a;
  return -1;
}

/** Whether `hay` holds any of `needles`. */
export function hasAnyText(hay: string, needles: readonly string[]): boolean {
  for (const n of needles) if (hasText(hay, n)) return true;
  return false;
}
