/**
 * Where comment stripping (lexer.ts) writes its result: the text with some ranges blanked (spaces,
 * newlines kept) and the edges of template text around code cleaned of quotes. Two ways of
 * building the same string: a text whose every character fits a byte (what the scanner reads)
 * is copied into a reused byte buffer once, blanked there in place, and read back as one string;
 * any other text is assembled from pieces joined once. The pieces cost an allocation each (a
 * page of HTML around `<% %>` tags gives a few hundred) plus the join; the buffer costs two
 * native copies.
 */

/** The next offset at or after `i` of a needle (a line break here), from offsets that only move forward. */
export interface Cursor {
  from(i: number): number;
}

/** The ranges of one text, in ascending order and together covering it, each passed once. */
export interface Sink {
  /** `text[from, to)` as it is. */
  copy(from: number, to: number): void;
  /** `text[from, to)` as spaces, its line breaks kept. */
  blank(from: number, to: number): void;
  /** `text[from, to)` with its quotes as spaces and (if `end`) a closing `>` not after `%` or `?` as a space. */
  edge(from: number, to: number, end: boolean): void;
  /** The text built. */
  finish(): string;
}

const SPACES = ' '.repeat(65536);

export function spaces(n: number): string {
  return n <= SPACES.length ? SPACES.slice(0, n) : ' '.repeat(n);
}

/** A character that does not fit a byte (a page read as UTF-16, a decoded layer). */
const WIDE = /[^\x00-\xff]/;

export function sinkFor(text: string, nl: Cursor): Sink {
  return WIDE.test(text) ? new PieceSink(text, nl) : new ByteSink(text, nl);
}

/** Texts up to this size share one buffer, kept between calls; a larger one gets its own. */
const SHARED_MAX = 8 * 1024 * 1024;
let shared = Buffer.alloc(0);

class ByteSink implements Sink {
  private readonly buf: Buffer;
  /** The same bytes as a plain typed array, whose fill takes no argument checks (Buffer's does, once per line). */
  private readonly bytes: Uint8Array;
  constructor(
    private readonly text: string,
    private readonly nl: Cursor,
  ) {
    let b = shared;
    if (b.length < text.length) {
      b = Buffer.allocUnsafe(text.length > SHARED_MAX ? text.length : Math.min(SHARED_MAX, Math.max(text.length, 2 * shared.length, 65536)));
      if (text.length <= SHARED_MAX) shared = b;
    }
    b.write(text, 0, text.length, 'latin1');
    this.buf = b;
    this.bytes = new Uint8Array(b.buffer, b.byteOffset, text.length);
  }

  copy(): void {
    // the buffer holds the text already
  }

  blank(from: number, to: number): void {
    for (let p = this.nl.from(from); p !== -1 && p < to; p = this.nl.from(from)) {
      this.bytes.fill(32, from, p);
      from = p + 1;
    }
    this.bytes.fill(32, from, to);
  }

  edge(from: number, to: number, end: boolean): void {
    const b = this.bytes;
    for (let k = from; k < to; k++) {
      const c = b[k];
      if (c === 34 || c === 39 || c === 96) b[k] = 32;
    }
    if (end && to - from >= 2 && b[to - 1] === 62 && b[to - 2] !== 37 && b[to - 2] !== 63) b[to - 1] = 32;
  }

  finish(): string {
    return this.buf.toString('latin1', 0, this.text.length);
  }
}

class PieceSink implements Sink {
  private readonly out: string[] = [];
  constructor(
    private readonly text: string,
    private readonly nl: Cursor,
  ) {}

  copy(from: number, to: number): void {
    this.out.push(this.text.slice(from, to));
  }

  blank(from: number, to: number): void {
    for (let p = this.nl.from(from); p !== -1 && p < to; p = this.nl.from(from)) {
      this.out.push(spaces(p - from), '\n');
      from = p + 1;
    }
    this.out.push(spaces(to - from));
  }

  edge(from: number, to: number, end: boolean): void {
    this.out.push(keptEdge(this.text.slice(from, to), end));
  }

  finish(): string {
    return this.out.join('');
  }
}

/**
 * `s.replace(/["'`]/g, ' ')`, then (if `end`) `.replace(/([^%?])>$/, '$1 ')`, read character by
 * character: edges are a few characters each, and ASP pages have thousands of them.
 */
function keptEdge(s: string, end: boolean): string {
  let out = s;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 34 || c === 39 || c === 96) {
      out = s.replace(/["'`]/g, ' ');
      break;
    }
  }
  const n = out.length;
  if (end && n >= 2 && out.charCodeAt(n - 1) === 62) {
    const b = out.charCodeAt(n - 2);
    if (b !== 37 && b !== 63) out = `${out.slice(0, n - 1)} `;
  }
  return out;
}
