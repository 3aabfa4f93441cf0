/**
 * Multi-pattern search that skips (Wu–Manber, over the prefilter's character classes),
 * for literal sets whose shortest literal is long: instead of stepping through every
 * character, it looks at the pair of characters ending each window of that length and
 * jumps ahead as far as no literal can start in between. Reports the same literals as
 * the Aho–Corasick scanner (class sequences, so case-insensitive and a filter: possible
 * false hits, never a miss).
 *
 * Why it never misses: let a literal occur with its first `m` characters (m = shortest
 * literal length) ending at e. From any i < e the jump is at most e - i (the pair at i
 * lies inside that prefix, or i is before it and jumps are at most m - 1), so i lands on
 * e, where the pair's jump is 0 and the literal is verified.
 */

const CLASSES = 64;

export class SkipScanner {
  private readonly classOf: Uint8Array;
  private readonly m: number;
  /** Jump for the class pair (a * 64 + b) ending the current window. */
  private readonly shift: Uint8Array;
  /** Literals whose first m characters end in a pair: bucketStart[pair]..bucketStart[pair+1] of bucketIds. */
  private readonly bucketStart: Int32Array;
  private readonly bucketIds: Int32Array;
  /** Each literal as classes, for verification. */
  private readonly pats: Uint8Array[];
  /** Most literals sharing one final pair: bounds the verification work per position. */
  readonly maxBucket: number;

  /** `patterns` must all be at least `m` >= 2 characters long (m <= 256). */
  constructor(patterns: readonly string[], classOf: Uint8Array, m: number) {
    this.classOf = classOf;
    this.m = m;
    this.pats = patterns.map((p) => {
      const a = new Uint8Array(p.length);
      for (let i = 0; i < p.length; i++) a[i] = classOf[p.charCodeAt(i)]!;
      return a;
    });
    const shift = new Uint8Array(CLASSES * CLASSES).fill(m - 1);
    const buckets: number[][] = Array.from({ length: CLASSES * CLASSES }, () => []);
    this.pats.forEach((p, id) => {
      for (let q = 1; q < m; q++) {
        const h = p[q - 1]! * CLASSES + p[q]!;
        const s = m - 1 - q;
        if (s < shift[h]!) shift[h] = s;
      }
      buckets[p[m - 2]! * CLASSES + p[m - 1]!]!.push(id);
    });
    this.shift = shift;
    let maxBucket = 0;
    for (const b of buckets) maxBucket = Math.max(maxBucket, b.length);
    this.maxBucket = maxBucket;
    this.bucketStart = new Int32Array(CLASSES * CLASSES + 1);
    let total = 0;
    for (let h = 0; h < CLASSES * CLASSES; h++) {
      this.bucketStart[h] = total;
      total += buckets[h]!.length;
    }
    this.bucketStart[CLASSES * CLASSES] = total;
    this.bucketIds = new Int32Array(total);
    for (let h = 0, k = 0; h < CLASSES * CLASSES; h++) for (const id of buckets[h]!) this.bucketIds[k++] = id;
  }

  scan(text: string, hit: (id: number) => void): void {
    const classOf = this.classOf;
    const shift = this.shift;
    const m = this.m;
    const n = text.length;
    for (let i = m - 1; i < n; ) {
      const h = classOf[text.charCodeAt(i - 1)]! * CLASSES + classOf[text.charCodeAt(i)]!;
      const s = shift[h]!;
      if (s !== 0) {
        i += s;
        continue;
      }
      const start = i - m + 1;
      const b = this.bucketStart[h + 1]!;
      for (let k = this.bucketStart[h]!; k < b; k++) {
        const id = this.bucketIds[k]!;
        const p = this.pats[id]!;
        if (start + p.length > n) continue;
        let j = 0;
        while (j < p.length && classOf[text.charCodeAt(start + j)] === p[j]) j++;
        if (j === p.length) hit(id);
      }
      i++;
    }
  }
}
