/**
 * Text helpers for evidence: offset -> line, short printable snippets, entropy.
 */

import { checkBudget } from './budget.js';

/** `s` as a regex that matches it literally. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Offsets of line starts, built once per analyzed text so line lookups are O(log n). */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    let i = text.indexOf('\n');
    while (i !== -1) {
      this.starts.push(i + 1);
      i = text.indexOf('\n', i + 1);
    }
  }
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

const SNIPPET_MAX = 120;

/** A short, single-line, printable excerpt around `offset` (control bytes become '.'). */
export function snippetAt(text: string, offset: number, length = 0): string {
  const from = Math.max(0, offset - 20);
  const to = Math.min(text.length, Math.max(offset + length, offset) + 80);
  return printable(asUtf8(text.slice(from, to)), SNIPPET_MAX);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Analyzed text holds one character per byte (latin1), so UTF-8 text (a Chinese comment) would
 * show as mojibake: a piece that is valid UTF-8 is shown decoded. The window may cut a
 * character at either end; those partial bytes are dropped. Anything else stays as it was.
 */
export function asUtf8(piece: string): string {
  let high = false;
  for (let i = 0; i < piece.length; i++) {
    const c = piece.charCodeAt(i);
    if (c > 0xff) return piece;
    if (c >= 0x80) high = true;
  }
  if (!high) return piece;
  const bytes = Buffer.from(piece, 'latin1');
  // Skip continuation bytes at the start (a character cut by the window) and a cut sequence at the end.
  let start = 0;
  while (start < bytes.length && start < 3 && (bytes[start]! & 0xc0) === 0x80) start++;
  let end = bytes.length;
  for (let k = 1; k <= 3 && end - k >= start; k++) {
    const b = bytes[end - k]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > k) end -= k;
    break;
  }
  const decoded = utf8.decode(bytes.subarray(start, end));
  return decoded.includes('\ufffd') ? piece : decoded;
}

export function printable(s: string, max = SNIPPET_MAX): string {
  // eslint-disable-next-line no-control-regex
  let out = s
    .replace(/\s+/g, ' ')
    .replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, '.')
    .trim();
  if (out.length > max) out = out.slice(0, max - 1) + '…';
  return out;
}

/** Counts of the latin1 range, reused between calls (entropy runs on many lines per file). */
const LOW_COUNTS = new Uint32Array(256);

/** Shannon entropy in bits per character of `s` (sampled up to 64 KiB). */
export function entropy(s: string): number {
  const n = Math.min(s.length, 65536);
  if (n === 0) return 0;
  // analyzed text is latin1 (one char per byte); wider chars appear only in decoded layers
  let high: Map<number, number> | undefined;
  LOW_COUNTS.fill(0);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 256) LOW_COUNTS[c]!++;
    else (high ??= new Map()).set(c, (high.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (let c = 0; c < 256; c++) {
    const k = LOW_COUNTS[c]!;
    if (k === 0) continue;
    const p = k / n;
    h -= p * Math.log2(p);
  }
  if (high) {
    for (const k of high.values()) {
      const p = k / n;
      h -= p * Math.log2(p);
    }
  }
  return h;
}

/**
 * Bytes -> string the analyzers work on. latin1 keeps one char per byte, so offsets match
 * the file and no invalid UTF-8 sequence can throw or grow the string.
 */
export function bytesToText(buf: Uint8Array): string {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  // UTF-16 pages (JSP and ASPX allow them) are decoded by their byte-order mark first: read
  // byte by byte, every other character would be a NUL and no marker or call would match
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return b.subarray(2, b.length - (b.length % 2)).toString('utf16le');
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    const le = Buffer.from(b.subarray(2, b.length - (b.length % 2)));
    le.swap16();
    return le.toString('utf16le');
  }
  return b.toString('latin1');
}

/** Starting from the '(' at `open`, the text up to its matching ')' (bounded). */
export function callArgs(text: string, open: number, max = 600): string {
  // analyzers call this once per call site they look at: the budget check here bounds loops
  // over call sites the way `matches()` bounds loops over regex matches
  checkBudget();
  let depth = 0;
  const end = Math.min(text.length, open + max);
  for (let i = open; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41) {
      depth--;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  return text.slice(open + 1, end);
}

/**
 * The [start, end) of each line of `text` at least `min` characters long. Line breaks are found
 * with indexOf, so ordinary code costs one native scan: passes that only care about one-line
 * payloads look at those lines alone.
 */
export function* longLines(text: string, min: number): Generator<[number, number]> {
  for (let s = 0; s < text.length; ) {
    let e = text.indexOf('\n', s);
    if (e === -1) e = text.length;
    if (e - s >= min) yield [s, e];
    s = e + 1;
  }
}

/**
 * Where the bracket at `open` closes, looking no further than `end` (-1: not in reach). The
 * closing character pairs with the opening one (`(`/`)`, `[`/`]`, else `{`/`}`); brackets
 * inside '...' and "..." strings, backslash escapes included, do not count.
 */
export function matchingClose(text: string, open: number, end = text.length): number {
  // anything but `(` or `[` at `open` counts braces (braceBody's callers may point before a `{`)
  const at = text.charCodeAt(open);
  const opener = at === 40 || at === 91 ? at : 123;
  const closer = opener === 40 ? 41 : opener === 91 ? 93 : 125;
  let depth = 0;
  let q = 0;
  for (let i = open; i < end; i++) {
    const c = text.charCodeAt(i);
    if (q) {
      if (c === 92) i++;
      else if (c === q) q = 0;
      continue;
    }
    if (c === 34 || c === 39) q = c;
    else if (c === opener) depth++;
    else if (c === closer && --depth === 0) return i;
  }
  return -1;
}

/**
 * The text from the `{` at `open` to its matching `}` (see matchingClose), or up to `max`
 * characters when it does not close in reach.
 */
export function braceBody(code: string, open: number, max: number): string {
  const end = Math.min(code.length, open + max);
  const close = matchingClose(code, open, end);
  return code.slice(open, close === -1 ? end : close + 1);
}

/** Splits a call's argument text (or any list) on commas outside brackets and quotes. */
export function splitTopArgs(args: string): string[] {
  return splitTopLevel(args, ',');
}

/** `text` split at `sep` (one or two characters: `,`, `||`) where it stands outside quotes and brackets. */
export function splitTopLevel(text: string, sep: string): string[] {
  const out: string[] = [];
  const c0 = sep.charCodeAt(0);
  const c1 = sep.length > 1 ? sep.charCodeAt(1) : -1;
  let depth = 0;
  let q = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (q) {
      if (c === 92) i++;
      else if (c === q) q = 0;
      continue;
    }
    if (c === 34 || c === 39) q = c;
    else if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (c === c0 && depth === 0 && (c1 === -1 || text.charCodeAt(i + 1) === c1)) {
      out.push(text.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(text.slice(start));
  return out;
}
