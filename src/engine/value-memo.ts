/**
 * What a field group of the rule index found in a value, remembered by the value's text.
 *
 * Logs repeat themselves: the same images, parents, command lines, hashes, descriptions
 * and companies come back event after event. Which rule requirements a group's literals
 * hold for a value depends on nothing but the value, so the second time a value is seen
 * the group replays the requirement slots it marked instead of lower-casing, hashing and
 * scanning the value again.
 *
 * A small direct-mapped table: a value's place comes from its length and its last few
 * characters (no pass over the whole text), and a hit is confirmed by comparing the whole
 * text, so a replay is only ever for the very same text. A value is stored the second time
 * its place sees its signature: values that never repeat (times, GUIDs, temporary names)
 * cost a signature each and never push out the ones that do.
 */

/** Entries per table (a power of two). */
export const MEMO_SIZE = 256;

/** Longer values are not remembered (bounds the memory a table holds). */
export const MEMO_MAX_CHARS = 512;

/** Characters a signature reads at most: the last ones, and one from the middle. */
const SIGNATURE_TAIL = 12;

/**
 * A hash of the length, the last SIGNATURE_TAIL characters and the middle one: what varies
 * between values that differ (temporary names, addresses, record numbers) sits at their end,
 * and a value's place costs a dozen characters however long it is.
 */
export function signature(v: string): number {
  const n = v.length;
  let h = Math.imul(n ^ 0x5bd1e995, 0x9e3779b1);
  if (n > 0) h = Math.imul(h ^ v.charCodeAt(n >> 1), 0x85ebca6b);
  for (let i = n > SIGNATURE_TAIL ? n - SIGNATURE_TAIL : 0; i < n; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  return Math.imul(h, 0xc2b2ae35) ^ (h >>> 13);
}

/**
 * A copy of `v` that holds no reference to a larger string. Text decoders hand out slices of
 * a read chunk; a remembered slice would keep its whole chunk alive. Concatenation makes a
 * pair, and taking a part of the pair copies it into one flat string first (V8), which the
 * part then refers to — a string of `v`'s own length plus one character.
 */
function ownCopy(v: string): string {
  return `${v}\u0000`.slice(0, -1);
}

export class ValueMemo {
  private readonly texts: (string | undefined)[] = new Array<string | undefined>(MEMO_SIZE).fill(undefined);
  private readonly found: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(MEMO_SIZE).fill(undefined);
  /** Per place: the signature of the last value that missed there. */
  private readonly pending = new Int32Array(MEMO_SIZE);
  /** The last lookup's signature and place (set by `get`, used by `wants` and `set`). */
  private sig = 0;
  private at = 0;

  /** The slots remembered for exactly this text, or undefined. */
  get(v: string): Int32Array | undefined {
    const sig = signature(v);
    const at = sig & (MEMO_SIZE - 1);
    this.sig = sig;
    this.at = at;
    return this.texts[at] === v ? this.found[at] : undefined;
  }

  /**
   * After a `get` of `v` that missed: whether `v` should be stored now (its place saw its
   * signature before). Otherwise the place notes the signature for next time.
   */
  wants(v: string): boolean {
    if (v.length > MEMO_MAX_CHARS) return false;
    const at = this.at;
    if (this.pending[at] === this.sig) return true;
    this.pending[at] = this.sig;
    return false;
  }

  /** Remembers `slots` for `v` (after a `get` of `v`). */
  set(v: string, slots: Int32Array): void {
    const at = this.at;
    this.texts[at] = ownCopy(v);
    this.found[at] = slots;
    this.pending[at] = 0;
  }
}
