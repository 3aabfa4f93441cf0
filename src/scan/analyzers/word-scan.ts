/**
 * Whether a text holds any of a list of words, ASCII letters in either case: what a case-blind
 * alternation of the words (no `u` flag) answers, in one pass that skips ahead several characters
 * at a time. The regex tries every position of the page, and most of the words open with a
 * letter every page is full of; here a window of WINDOW characters is judged by its last two,
 * which in most windows rule out every word whose first WINDOW characters could end there
 * (Wu-Manber). On a lower-cased text (no ASCII capitals) it answers what `hasAny` does.
 */

/**
 * Each UTF-16 unit folded: an ASCII capital to its lower case, any other ASCII character to
 * itself, and every other unit to 0, which no word holds. A case-blind regex without the `u`
 * flag matches an ASCII letter only with that letter in either case, and any other ASCII
 * character only with itself, so a word matches at a place exactly where the folded text
 * equals the word.
 */
const FOLD = new Uint8Array(65536);
for (let c = 1; c < 128; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c;

/** The length of the prefix each window is matched against (words shorter are searched apart). */
const WINDOW = 6;

/** Letters by how common they are in English and code, commonest first: a short word is searched for from its rarest. */
const LETTER_ORDER = 'etaoinsrhldcumfpgwybvkxjqz';

export class CaseBlindWords {
  /** Per block (two folded characters), how far the window's end may move on. */
  private readonly shift = new Uint8Array(128 * 128).fill(WINDOW - 1);
  /** Per block that ends some word's prefix, those words. */
  private readonly ends: Array<string[] | undefined> = new Array(128 * 128).fill(undefined);
  /** Words shorter than the window: each with the offset of its probe character and the probe in both cases. */
  private readonly short: Array<{ word: string; at: number; probes: string[] }> = [];

  /** `words`: ASCII, lower case, none empty. */
  constructor(words: readonly string[]) {
    for (const w of words) {
      if (w.length < WINDOW) {
        this.short.push(shortWord(w));
        continue;
      }
      for (let j = 1; j < WINDOW; j++) {
        const b = w.charCodeAt(j - 1) * 128 + w.charCodeAt(j);
        const s = WINDOW - 1 - j;
        if (s < this.shift[b]!) this.shift[b] = s;
        if (s === 0) {
          const list = this.ends[b];
          if (list) list.push(w);
          else this.ends[b] = [w];
        }
      }
    }
  }

  /** Whether `text` holds one of the words with its ASCII letters in any case. */
  test(text: string): boolean {
    const n = text.length;
    const shift = this.shift;
    // every occurrence of a long word is found when the window ends where the word's prefix
    // does: a block inside that prefix moves the end at most up to it, and a block before the
    // prefix starts moves it WINDOW - 1 at most, which is short of it too
    for (let i = WINDOW - 1; i < n; ) {
      const b = FOLD[text.charCodeAt(i - 1)]! * 128 + FOLD[text.charCodeAt(i)]!;
      const s = shift[b]!;
      if (s !== 0) {
        i += s;
        continue;
      }
      const start = i - (WINDOW - 1);
      for (const w of this.ends[b]!) if (foldedAt(text, start, w)) return true;
      i++;
    }
    for (const { word, at, probes } of this.short) {
      for (const p of probes) {
        for (let i = text.indexOf(p, at); i !== -1; i = text.indexOf(p, i + 1)) {
          if (i - at + word.length > n) break;
          if (foldedAt(text, i - at, word)) return true;
        }
      }
    }
    return false;
  }
}

/** Whether the folded text at `start` reads `word`. */
function foldedAt(text: string, start: number, word: string): boolean {
  if (start + word.length > text.length) return false;
  for (let q = 0; q < word.length; q++) if (FOLD[text.charCodeAt(start + q)] !== word.charCodeAt(q)) return false;
  return true;
}

/** A short word's probe: a character other than a letter if it has one (found in one case), else its rarest letter. */
function shortWord(word: string): { word: string; at: number; probes: string[] } {
  let at = 0;
  let best = -2;
  for (let k = 0; k < word.length; k++) {
    const c = word[k]!;
    const rank = c >= 'a' && c <= 'z' ? LETTER_ORDER.indexOf(c) : LETTER_ORDER.length;
    if (rank > best) {
      best = rank;
      at = k;
    }
  }
  const c = word[at]!;
  return { word, at, probes: c >= 'a' && c <= 'z' ? [c, c.toUpperCase()] : [c] };
}
