/**
 * What a test found in a field's value, remembered by the value's text.
 *
 * Logs repeat themselves: the same images, parents, command lines, hashes, descriptions
 * and companies come back event after event. Whatever depends on nothing but a value's text
 * (which rule requirements a field group's literals hold, whether a rule's list of patterns
 * matches) is worked out once per text: the second time a value is seen, its answer is
 * replayed instead of lower-casing, hashing and scanning the value again.
 *
 * A small direct-mapped table: a value's place comes from its length and its last few
 * characters (no pass over the whole text), and a hit is confirmed by comparing the whole
 * text, so an answer is only ever replayed for the very same text. A value is stored the
 * second time its place sees its signature: values that never repeat (times, GUIDs,
 * temporary names) cost a signature each and never push out the ones that do.
 */

import { detached } from './detached.js';

/** Entries of a table unless told otherwise (a power of two). */
export const MEMO_SIZE = 256;

/** Longer values are not remembered unless told otherwise (bounds the memory a table holds). */
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
 * Bytes the memos of one owner may hold together (tables, noted signatures and remembered
 * texts): hostile input (thousands of logsource combinations, each with its field groups)
 * cannot make memos grow without bound. Past it, memos stop taking new texts (speed only).
 */
export class MemoBudget {
  used = 0;
  constructor(readonly max: number) {}
  take(bytes: number): boolean {
    if (this.used + bytes > this.max) return false;
    this.used += bytes;
    return true;
  }
  give(bytes: number): void {
    this.used -= bytes;
  }
}

/** What a remembered text is counted for (two bytes a character, and its entry). */
function textCost(v: string): number {
  return 2 * v.length + 32;
}

export class ValueMemo<T> {
  /** Allocated at the first text stored, the noted signatures at the first miss: most memos of a rare logsource never need them. */
  private texts: (string | undefined)[] | null = null;
  private found: (T | undefined)[] | null = null;
  /** Per place: the signature of the last value that missed there. */
  private pending: Int32Array | null = null;
  private readonly mask: number;
  /** The last lookup's signature and place (set by `get`, used by `wants` and `set`). */
  private sig = 0;
  private at = 0;

  /** `size`: entries, a power of two; `maxChars`: longer values are never stored; `budget`: shared with the owner's other memos. */
  constructor(
    private readonly size: number = MEMO_SIZE,
    private readonly maxChars: number = MEMO_MAX_CHARS,
    private readonly budget: MemoBudget = new MemoBudget(Number.POSITIVE_INFINITY),
  ) {
    if (size < 1 || (size & (size - 1)) !== 0) throw new RangeError(`memo size ${size} is not a power of two`);
    this.mask = size - 1;
  }

  /** The answer remembered for exactly this text, or undefined. */
  get(v: string): T | undefined {
    const sig = signature(v);
    const at = sig & this.mask;
    this.sig = sig;
    this.at = at;
    const texts = this.texts;
    return texts !== null && texts[at] === v ? this.found![at] : undefined;
  }

  /**
   * After a `get` of `v` that missed: whether `v` should be stored now (its place saw its
   * signature before). Otherwise the place notes the signature for next time.
   */
  wants(v: string): boolean {
    if (v.length > this.maxChars) return false;
    let pending = this.pending;
    if (pending === null) {
      if (!this.budget.take(4 * this.size)) return false;
      pending = this.pending = new Int32Array(this.size);
    }
    const at = this.at;
    if (pending[at] === this.sig) return true;
    pending[at] = this.sig;
    return false;
  }

  /** Remembers `answer` for `v` (after a `get` of `v`), if the budget allows. */
  set(v: string, answer: T): void {
    let texts = this.texts;
    if (texts === null) {
      if (!this.budget.take(16 * this.size)) return;
      texts = this.texts = new Array<string | undefined>(this.size).fill(undefined);
      this.found = new Array<T | undefined>(this.size).fill(undefined);
    }
    const at = this.at;
    const old = texts[at];
    if (old !== undefined) {
      this.budget.give(textCost(old));
      texts[at] = undefined;
      this.found![at] = undefined;
    }
    if (!this.budget.take(textCost(v))) return;
    // decoders hand out slices of a read chunk: a remembered slice would keep its whole chunk alive
    texts[at] = detached(v);
    this.found![at] = answer;
    if (this.pending !== null) this.pending[at] = 0;
  }
}
