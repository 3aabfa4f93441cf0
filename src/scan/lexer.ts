/**
 * Comment removal that keeps offsets: comments become spaces (newlines kept), so a match in
 * the cleaned text has the same offset and line as in the file. Shells hide calls behind
 * comments (`assert(/*x*\/$_POST[1])`) and benign code mentions `eval(` in comments; both
 * are handled by analyzing code without comments. Text outside server-code regions
 * (HTML around `<?php ... ?>` or `<% ... %>`) is blanked the same way.
 */
import { escapeRegExp } from './text.js';

export interface LexSpec {
  /** `//`-style and `#`-style line comments. */
  slash: boolean;
  hash: boolean;
  /** VBScript: `'` starts a comment, strings are "..." with "" escapes. */
  vb: boolean;
  /** Quotes that open strings (in which comment markers are literal). */
  quotes: string;
  /** Server-code region delimiters; text outside them is blanked. Empty: all is code. */
  regions: Array<[string, string]>;
}

const SPACES = ' '.repeat(65536);

function spaces(n: number): string {
  return n <= SPACES.length ? SPACES.slice(0, n) : ' '.repeat(n);
}

/** Start/end offsets of server-code regions; null if no delimiter occurs (treat all as code). */
function codeRegions(text: string, regions: Array<[string, string]>): Array<[number, number]> | null {
  if (regions.length === 0) return null;
  const out: Array<[number, number]> = [];
  let pos = 0;
  // each opener's next position, kept until passed: an opener the rest of the text lacks is
  // searched for once, not once per region of another kind (quadratic on many small regions)
  const nextOpen = regions.map(() => -2);
  for (;;) {
    let best = -1;
    let which = -1;
    for (let r = 0; r < regions.length; r++) {
      if (nextOpen[r] !== -1 && nextOpen[r]! < pos) nextOpen[r] = indexOfCi(text, regions[r]![0], pos);
      const i = nextOpen[r]!;
      if (i !== -1 && (best === -1 || i < best)) {
        best = i;
        which = r;
      }
    }
    if (best === -1) break;
    const [open, close] = regions[which]!;
    const start = best + open.length;
    const end0 = close === '?>' ? closeOutsideStrings(text, close, start, '\'"') : close === '%>' ? aspCloseOutsideStrings(text, start) : indexOfCi(text, close, start);
    const end = end0 === -1 ? text.length : end0;
    out.push([start, end]);
    pos = end0 === -1 ? text.length : end + close.length;
    if (pos >= text.length) break;
  }
  return out.length === 0 ? null : out;
}

/**
 * The closing delimiter that is not inside a string literal: `eval("?>" . $x)` must not end
 * the PHP block. Strings never span more than 64 KiB here, so a stray quote cannot hide the
 * rest of a file; past that the plain search is used. PHP's own rules for `?>` also apply:
 * it ends the block inside a `//` or `#` comment (where quotes are just text) but not inside
 * a block comment or a heredoc/nowdoc body. (`%>` has its own walk: aspCloseOutsideStrings.)
 */
function closeOutsideStrings(text: string, close: string, from: number, quotes: string): number {
  const c0 = close.charCodeAt(0);
  const c1 = close.charCodeAt(1);
  const q1 = quotes.includes("'") ? 39 : -1;
  const q2 = quotes.includes('"') ? 34 : -1;
  const php = close === '?>';
  // every way out below returns a position of `close` (or -1): with none left, skip the walk
  if (text.indexOf(close, from) === -1) return -1;
  // jump between the only characters that matter instead of visiting every one
  const stops = PHP_STOPS;
  let i = from;
  const n = text.length;
  // the next `?>` and the heredoc labels known to have no end, kept across the walk: each
  // comment or heredoc searching the rest of the text again would be quadratic
  let nextClose = -2;
  const unclosed = new Set<string>();
  while (i < n) {
    stops.lastIndex = i;
    if (!stops.test(text)) return -1;
    i = stops.lastIndex - 1;
    const c = text.charCodeAt(i);
    if (c === c0 && text.charCodeAt(i + 1) === c1) return i;
    if (php) {
      const d = text.charCodeAt(i + 1);
      if (c === 47 /* / */ && d === 42 /* * */) {
        const end = text.indexOf('*/', i + 2);
        if (end === -1) return -1;
        i = end + 2;
        continue;
      }
      if ((c === 47 && d === 47) || c === 35 /* # */) {
        // a line comment runs to the end of the line or to `?>`, whichever comes first
        const nl = text.indexOf('\n', i);
        if (nextClose !== -1 && nextClose < i) nextClose = text.indexOf('?>', i);
        const qa = nextClose;
        if (qa !== -1 && (nl === -1 || qa < nl)) return qa;
        if (nl === -1) return -1;
        i = nl + 1;
        continue;
      }
      if (c === 60 /* < */ && d === 60 && text.charCodeAt(i + 2) === 60) {
        const end = heredocEnd(text, i, unclosed);
        if (end > 0) {
          i = end;
          continue;
        }
      }
    }
    if (c === q1 || c === q2) {
      let j = i + 1;
      const limit = Math.min(n, i + 65536);
      while (j < limit) {
        const d = text.charCodeAt(j);
        if (d === 92 && q1 !== -1) {
          j += 2;
          continue;
        }
        if (d === c) break;
        j++;
      }
      if (j >= limit) return text.indexOf(close, i + 1);
      i = j + 1;
      continue;
    }
    i++;
  }
  return -1;
}

/**
 * closeOutsideStrings for `%>` with VBScript strings ("..." ending at their line, no escapes):
 * jumps between the next `%>`, the next quote and the quote or line break that ends each
 * string with indexOf, where a character-class regex stopped at every `%` and a loop read
 * every character of every string.
 */
function aspCloseOutsideStrings(text: string, from: number): number {
  const n = text.length;
  let i = from;
  // the next `%>`, quote and line break at or after the walk, each kept until passed
  let close = -2;
  let q = -2;
  let nl = -2;
  for (;;) {
    if (close < i) close = text.indexOf('%>', i);
    if (close === -1) return -1;
    if (q !== -1 && q < i) q = text.indexOf('"', i);
    if (q === -1 || close < q) return close;
    // a string: it ends at its closing quote or at the line's end, searched 64 KiB at most
    const limit = Math.min(n, q + 65536);
    const end = text.indexOf('"', q + 1);
    if (nl !== -1 && nl <= q) nl = text.indexOf('\n', q + 1);
    let j = end === -1 ? n : end;
    if (nl !== -1 && nl < j) j = nl;
    if (j >= limit) return text.indexOf('%>', q + 1);
    i = j + 1;
  }
}

const PHP_STOPS = /[?'"/#<]/g;

const HEREDOC_OPEN = /<<<[ \t]*(["']?)([A-Za-z_]\w{0,60})\1\r?\n/y;

/** Past the end of the heredoc/nowdoc opened at `at` (`<<< ID`, `<<<"ID"`, `<<<'ID'`), or -1. */
function heredocEnd(text: string, at: number, unclosed: Set<string>): number {
  HEREDOC_OPEN.lastIndex = at;
  const m = HEREDOC_OPEN.exec(text);
  if (!m || unclosed.has(m[2]!)) return -1;
  // the closing identifier starts a line (PHP 7.3+ allows indentation) and is not followed by a word character
  const close = new RegExp(`\\n[ \\t]*${m[2]}(?!\\w)`, 'g');
  close.lastIndex = at + m[0].length - 1;
  const e = close.exec(text);
  if (!e) unclosed.add(m[2]!); // no end after here means none after any later opening either
  return e ? e.index + e[0].length : -1;
}

/** Case-blind searches for the few delimiters that have letters, compiled once each (not once per call). */
const CI_SEARCH = new Map<string, RegExp>();

function indexOfCi(text: string, needle: string, from: number): number {
  // delimiters are short ASCII; only `<script runat` style ones need case-folding
  if (!/[a-z]/i.test(needle)) return text.indexOf(needle, from);
  // one that opens with a non-letter (`<script`, `</script>`): jump between occurrences of that
  // character and compare the rest, folding ASCII letters only, as the case-blind regex does
  // (without the u flag no other character matches an ASCII letter)
  if (!isAsciiLetter(needle.charCodeAt(0))) return indexOfAsciiCi(text, needle, from);
  let re = CI_SEARCH.get(needle);
  if (!re) {
    if (CI_SEARCH.size >= 64) CI_SEARCH.clear();
    re = new RegExp(escapeRegExp(needle), 'ig');
    CI_SEARCH.set(needle, re);
  }
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? m.index : -1;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** `indexOfCi` for a needle whose first character is not a letter. */
function indexOfAsciiCi(text: string, needle: string, from: number): number {
  const n = needle.length;
  const low = needle.toLowerCase();
  for (let i = text.indexOf(needle[0]!, from); i !== -1; i = text.indexOf(needle[0]!, i + 1)) {
    if (i + n > text.length) return -1;
    let k = 1;
    for (; k < n; k++) {
      const want = low.charCodeAt(k);
      const c = text.charCodeAt(i + k);
      if (c !== want && !(isAsciiLetter(want) && (c | 0x20) === want)) break;
    }
    if (k === n) return i;
  }
  return -1;
}

/**
 * Where the lexers write their result. Most texts hold only characters up to U+00FF (files are
 * read byte per character), and for those a byte copy of the text is blanked in place with
 * native fills and read back once; joining thousands of slices and space runs cost more than
 * the walk that found them. Other texts (UTF-16 pages, some decoded layers) take the slices.
 */
interface Sink {
  /** `text[from, to)` as it is (ranges come in ascending order, each after the last). */
  keep(from: number, to: number): void;
  /** `text[from, to)` blanked: line breaks kept, everything else a space. */
  blank(from: number, to: number): void;
  /** A kept template edge (see keptEdge). */
  edge(from: number, to: number, end: boolean): void;
  result(): string;
}

/** A character that does not fit a byte (V8 rules it out at once in a one-byte string). */
const WIDE = /[^\x00-\xff]/;

/** `nl`: the text's line-break cursor, shared with the walk that calls the sink (ascending offsets). */
function sinkFor(text: string, nl: NextText): Sink {
  return WIDE.test(text) ? new JoinSink(text, nl) : new ByteSink(text, nl);
}

class JoinSink implements Sink {
  private readonly out: string[] = [];
  constructor(
    private readonly text: string,
    private readonly nl: NextText,
  ) {}
  keep(from: number, to: number): void {
    if (to > from) this.out.push(this.text.slice(from, to));
  }
  blank(from: number, to: number): void {
    pushBlank(this.out, from, to, this.nl);
  }
  edge(from: number, to: number, end: boolean): void {
    this.out.push(keptEdge(this.text.slice(from, to), end));
  }
  result(): string {
    return this.out.join('');
  }
}

/**
 * The bytes a ByteSink blanks in, kept between texts: a fresh buffer per text cost more than
 * the blanking (a large one is new memory the system must map and zero). One sink holds it at
 * a time, from its first change to its result; a sink that finds it held, or a text too large
 * to keep the memory for, takes a buffer of its own.
 */
let scratch = Buffer.allocUnsafe(0);
let scratchHeld = false;
const SCRATCH_MAX = 8 << 20;

class ByteSink implements Sink {
  /** A byte copy of the text, made at the first change (a text with nothing to blank is returned as it is). */
  private bytes: Buffer | undefined;
  private holdsScratch = false;
  private done: string | undefined;
  constructor(
    private readonly text: string,
    private readonly nl: NextText,
  ) {}
  private copy(): Buffer {
    this.bytes ??= this.fresh();
    return this.bytes;
  }
  private fresh(): Buffer {
    const n = this.text.length;
    if (scratchHeld || n > SCRATCH_MAX) return Buffer.from(this.text, 'latin1');
    if (scratch.length < n) scratch = Buffer.allocUnsafe(Math.max(n, Math.min(SCRATCH_MAX, scratch.length * 2)));
    scratchHeld = true;
    this.holdsScratch = true;
    // (every byte of [0, n) is written: the text is all one-byte characters, see sinkFor)
    scratch.write(this.text, 0, n, 'latin1');
    return scratch.subarray(0, n);
  }
  keep(): void {}
  blank(from: number, to: number): void {
    if (to <= from) return;
    // one fill for the range, then its line breaks put back (Uint8Array's fill: a builtin,
    // where Buffer's own checks and converts its arguments)
    const b = this.copy();
    U8_FILL.call(b, 32, from, to);
    for (let p = this.nl.from(from); p !== -1 && p < to; p = this.nl.from(p + 1)) b[p] = 10;
  }
  edge(from: number, to: number, end: boolean): void {
    const t = this.text;
    for (let k = from; k < to; k++) {
      const c = t.charCodeAt(k);
      if (c === 34 || c === 39 || c === 96) this.copy()[k] = 32;
    }
    // (a quote just blanked before the `>` is a space now, as in keptEdge)
    if (end && to - from >= 2 && t.charCodeAt(to - 1) === 62) {
      const p = t.charCodeAt(to - 2);
      if (p !== 37 && p !== 63) this.copy()[to - 1] = 32;
    }
  }
  result(): string {
    if (this.done !== undefined) return this.done;
    if (!this.bytes) return this.text;
    this.done = this.bytes.toString('latin1');
    // the result is the sink's last step: the shared bytes go back for the next text
    if (this.holdsScratch) scratchHeld = false;
    return this.done;
  }
}

const U8_FILL = Uint8Array.prototype.fill;

/** Returns `text` with comments (and non-code regions) replaced by spaces. */
export function stripComments(text: string, spec: LexSpec): string {
  const regions = codeRegions(text, spec.regions);
  // one cursor for all regions: they come in order, and a character missing from the rest of
  // the text is then searched for once, not once per region
  const next = new NextOf(text, interestingChars(spec));
  const bs = new NextText(text, '\\');
  const closeTag = new NextText(text, '?>');
  const nl = new NextText(text, '\n');
  const out = sinkFor(text, nl);
  if (!regions) {
    stripRange(out, text, 0, text.length, spec, next, bs, closeTag, nl);
    return out.result();
  }
  let pos = 0;
  for (const [s, e] of regions) {
    if (s > pos) blankKeepDelims(out, pos, s);
    stripRange(out, text, s, e, spec, next, bs, closeTag, nl);
    pos = e;
  }
  if (pos < text.length) blankKeepDelims(out, pos, text.length);
  return out.result();
}

/**
 * Pushes `text[from, to)` blanked (see Sink.blank) onto `out`. Calls come at ascending offsets,
 * so the line breaks are found with one forward cursor (`nl`), never searched past again.
 */
function pushBlank(out: string[], from: number, to: number, nl: NextText): void {
  for (let p = nl.from(from); p !== -1 && p < to; p = nl.from(from)) {
    out.push(spaces(p - from), '\n');
    from = p + 1;
  }
  out.push(spaces(to - from));
}

/** Template text `text[from, to)` blanked, but the delimiters themselves kept visible (`<?php`, `%>`). */
function blankKeepDelims(out: Sink, from: number, to: number): void {
  // quotes in the kept edges (`"><?php`) would open a string in the code that follows, and
  // the `>` ending an opener tag (`<script language="php">`) would read as `->` before a call
  // (closing delimiters `%>` and `?>` stay: analyzers read statement ends from them)
  if (to - from < 12) {
    out.edge(from, to, true);
    return;
  }
  out.edge(from, from + 5, false);
  out.blank(from + 5, to - 5);
  out.edge(to - 5, to, true);
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

function stripRange(out: Sink, text: string, from: number, to: number, spec: LexSpec, next: NextOf, bs: NextText, closeTag: NextText, nl: NextText): void {
  let copyFrom = from;
  let i = from;
  const q1 = spec.quotes.includes("'") && !spec.vb;
  const q2 = spec.quotes.includes('"');
  const qb = spec.quotes.includes('`');
  while (i < to) {
    // jump to the next character that can open a string or a comment
    i = next.from(i);
    if (i === -1 || i >= to) break;
    const c = text.charCodeAt(i);
    // strings
    if ((c === 34 && q2) || (c === 39 && q1) || (c === 96 && qb)) {
      i = skipString(text, i, to, c, spec.vb, bs, nl);
      continue;
    }
    let commentEnd = -1;
    if (spec.slash && c === 47) {
      const n = text.charCodeAt(i + 1);
      if (n === 47) commentEnd = lineEnd(text, i, to, spec, closeTag);
      else if (n === 42) {
        const e = text.indexOf('*/', i + 2);
        commentEnd = e === -1 || e + 2 > to ? to : e + 2;
      }
    } else if (spec.hash && c === 35) {
      commentEnd = lineEnd(text, i, to, spec, closeTag);
    } else if (spec.vb && c === 39) {
      commentEnd = lineEnd(text, i, to, spec, closeTag);
    }
    if (commentEnd !== -1) {
      out.keep(copyFrom, i);
      out.blank(i, commentEnd);
      i = commentEnd;
      copyFrom = i;
      continue;
    }
    i++;
  }
  out.keep(copyFrom, to);
}

/**
 * The next position of any of a few characters, from positions that only move forward: each
 * character's next occurrence is found with indexOf and kept until passed, so a text with
 * thousands of strings costs a few native scans instead of one regex call per string.
 */
class NextOf {
  private readonly at: number[];
  constructor(
    private readonly text: string,
    private readonly chars: string,
  ) {
    this.at = new Array<number>(chars.length).fill(-2);
  }

  /** Smallest position >= i holding one of the characters, or -1. */
  from(i: number): number {
    let best = -1;
    for (let k = 0; k < this.chars.length; k++) {
      let p = this.at[k]!;
      if (p !== -1 && p < i) {
        p = this.text.indexOf(this.chars[k]!, i);
        this.at[k] = p;
      }
      if (p !== -1 && (best === -1 || p < best)) best = p;
    }
    return best;
  }
}

const NEXT = new Map<string, string>();

/** The characters that can open a quote or a comment under `spec` (one string per spec shape). */
function interestingChars(spec: LexSpec): string {
  const key = `${spec.quotes}|${spec.slash}|${spec.hash}|${spec.vb}`;
  let chars = NEXT.get(key);
  if (chars === undefined) {
    const set = new Set<string>(spec.vb ? spec.quotes.replace("'", '') : spec.quotes);
    if (spec.slash) set.add('/');
    if (spec.hash) set.add('#');
    if (spec.vb) set.add("'");
    chars = [...set].join('');
    NEXT.set(key, chars);
  }
  return chars;
}

function lineEnd(text: string, i: number, to: number, spec: LexSpec, closeTag: NextText): number {
  let e = text.indexOf('\n', i);
  if (e === -1 || e > to) e = to;
  // PHP: `?>` ends a line comment
  if (spec.hash && spec.slash) {
    const t = closeTag.from(i);
    if (t !== -1 && t < e) e = t;
  }
  return e;
}

function quoteChar(c: number): string {
  return c === 34 ? '"' : c === 39 ? "'" : '`';
}

/**
 * The next occurrence of a needle (a backslash, PHP's `?>`) at or after a position, for
 * positions that only move forward, kept until passed: re-searching from every string or
 * comment would rescan the rest of a file that has none left (quadratic). One cursor per text
 * and pass; a cache shared between texts would have to compare whole strings to know whether
 * it still applies (quadratic again).
 */
class NextText {
  private pos = -2;
  constructor(
    private readonly text: string,
    private readonly needle: string,
  ) {}
  from(i: number): number {
    if (this.pos === -1 || this.pos >= i) return this.pos;
    this.pos = this.text.indexOf(this.needle, i);
    return this.pos;
  }
}

function skipString(text: string, i: number, to: number, quote: number, vb: boolean, bs: NextText, nl: NextText): number {
  let j = i + 1;
  const limit = Math.min(to, i + 200000);
  const qc = quoteChar(quote);
  // jump with indexOf: strings are long and escapes rare
  while (j < limit) {
    const q = text.indexOf(qc, j);
    if (vb) {
      // the string ends at its quote (a doubled one is an escaped quote) or at the line's end
      const e = nl.from(j);
      if (e !== -1 && e < limit && (q === -1 || e < q)) return e; // VB strings never span lines
      if (q === -1 || q >= limit) return limit;
      if (text.charCodeAt(q + 1) === quote) {
        j = q + 2;
        continue;
      }
      return q + 1;
    }
    if (q === -1 || q >= limit) return limit;
    const b = bs.from(j);
    if (b === -1 || b > q) return q + 1;
    j = b + 2;
  }
  return limit;
}

export const PHP_LEX: LexSpec = {
  slash: true,
  hash: true,
  vb: false,
  quotes: '\'"`',
  // PHP 5 also ran `<script language="php">` blocks
  regions: [
    ['<?', '?>'],
    ['<script language="php">', '</script>'],
    ["<script language='php'>", '</script>'],
    ['<script language=php>', '</script>'],
  ],
};
export const CLIKE_LEX: LexSpec = { slash: true, hash: false, vb: false, quotes: '\'"', regions: [] };
export const JS_LEX: LexSpec = { slash: true, hash: false, vb: false, quotes: '\'"`', regions: [] };
export const VB_LEX: LexSpec = { slash: false, hash: false, vb: true, quotes: '"', regions: [] };
export const HASH_LEX: LexSpec = { slash: false, hash: true, vb: false, quotes: '\'"', regions: [] };

/**
 * `code` with the contents of string literals blanked (quotes kept), same offsets: lets
 * statement-level regexes ignore code-looking text stored inside strings (payload pieces).
 */
export function blankStrings(code: string, quotes: string): string {
  const n = code.length;
  const dq = quotes.includes('"');
  const sq = quotes.includes("'");
  if (!dq && !sq) return code;
  const out = sinkFor(code, new NextText(code, '\n'));
  let copyFrom = 0;
  const next = new NextOf(code, dq && sq ? '"\'' : dq ? '"' : "'");
  const bs = new NextText(code, '\\');
  let i = 0;
  while (i < n) {
    i = next.from(i);
    if (i === -1) break;
    const c = code.charCodeAt(i);
    const close = c === 34 ? '"' : "'";
    let j = i + 1;
    for (;;) {
      const q = code.indexOf(close, j);
      if (q === -1) {
        j = n;
        break;
      }
      const b = bs.from(j);
      if (b === -1 || b > q) {
        j = q;
        break;
      }
      j = b + 2;
      if (j > n) {
        j = n;
        break;
      }
    }
    if (j - i > 1) {
      out.keep(copyFrom, i + 1);
      out.blank(i + 1, Math.min(j, n));
      copyFrom = Math.min(j, n);
    }
    i = j + 1;
  }
  out.keep(copyFrom, n);
  return out.result();
}
