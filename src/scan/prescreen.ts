/**
 * Files ruled out from their bytes, before any text is made of them. Half the bytes of a web
 * root are files that end up skipped (stylesheets, data, browser bundles, binary blobs named
 * .txt), and making a string of a large file is its costliest step (V8 puts it in fresh
 * large-object pages). The tests here are the ones scanBytes makes on the text, read from the
 * bytes: the text of a file without a UTF-16 byte-order mark is its bytes one per character,
 * so a byte search finds what the same search on the text finds, at the same offsets. Where a
 * test here cannot rule a file out, the file takes the text path and gets the answer it always got.
 */
import { phpOpensFirst } from './language.js';

/** Why a file is skipped without being read as text (scanBytes words the reason). */
export type UnreadSkip = 'no-marker' | 'not-server-js';

/**
 * What scanBytes would decide about the text of `buf` before analysis, when it is a skip that
 * the bytes prove: 'no-marker' for a file of another type with no server-code marker,
 * 'not-server-js' for a .js/.mjs/.cjs file that detectLanguage calls unknown and that holds no
 * marker either. `serverExt` is isServerExtension(ext). Undefined: read the text.
 */
export function unreadSkip(bytes: Uint8Array, ext: string, serverExt: boolean): UnreadSkip | undefined {
  // (a view, as bytesToText takes it: its searches are Buffer's)
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) return undefined;
  if (!serverExt) {
    // (an .xml file may be a plugin descriptor, decided from its text)
    if (ext === 'xml') return undefined;
    return markerPossible(buf) ? undefined : 'no-marker';
  }
  if (ext !== 'js' && ext !== 'mjs' && ext !== 'cjs') return undefined;
  // detectLanguage: PHP opening first, then a .js file without `#!` and without the server
  // words is unknown; scanBytes then looks for a marker further on
  const head = buf.toString('latin1', 0, Math.min(buf.length, 16384));
  if (phpOpensFirst(head) || head.startsWith('#!') || serverSideJsBytes(buf)) return undefined;
  return markerPossible(buf) ? undefined : 'not-server-js';
}

/** `\s` of a regex without the u flag, among byte values (the rest of it lies above U+00FF). */
function isSpace(c: number): boolean {
  return (c >= 9 && c <= 13) || c === 32 || c === 160;
}

/** `\w`, which the i flag leaves as it is without the u flag. */
function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Whether `buf` holds `word` (lower-case ASCII letters) at `at` in either case of each letter:
 * without the u flag a case-blind regex folds an ASCII letter with its other case only.
 */
function foldedAt(buf: Buffer, at: number, word: string): boolean {
  if (at + word.length > buf.length) return false;
  // (only a letter and its other case give the lower-case letter when bit 5 is set)
  for (let k = 0; k < word.length; k++) if ((buf[at + k]! | 32) !== word.charCodeAt(k)) return false;
  return true;
}

function skipSpaces(buf: Buffer, k: number): number {
  while (k < buf.length && isSpace(buf[k]!)) k++;
  return k;
}

/**
 * After `=\s*` at `k`: `["']?word` (case-blind), the end or -1. A quote taken that is not
 * followed by the word leaves nothing else to try: the word cannot start with a quote.
 */
function quotedWord(buf: Buffer, k: number, word: string): number {
  const c = buf[k];
  if (c === 34 || c === 39) k++;
  return foldedAt(buf, k, word) ? k + word.length : -1;
}

const CF_TAGS = ['set', 'execute', 'file', 'output', 'script', 'component', 'function'];

/**
 * Where a match of language.ts's SERVER_MARKERS that starts with the `<` at `i` ends, or -1.
 * Each part of the pattern has one way to match: its alternatives differ in their first
 * character, and every repeated class stops before a character the next part cannot take.
 */
function markerEndAtLt(buf: Buffer, i: number): number {
  const n = buf.length;
  const c1 = buf[i + 1];
  if (c1 === 63) {
    // <\?(?:php|=|[ \t\r\n]+(?:\$|@?[a-z_]\w*\s*\())
    const c2 = buf[i + 2];
    if (c2 === 61) return i + 3;
    if (foldedAt(buf, i + 2, 'php')) return i + 5;
    if (c2 !== 32 && c2 !== 9 && c2 !== 13 && c2 !== 10) return -1;
    let k = i + 3;
    while (k < n && (buf[k] === 32 || buf[k] === 9 || buf[k] === 13 || buf[k] === 10)) k++;
    if (buf[k] === 36) return k + 1;
    if (buf[k] === 64) k++;
    const c = buf[k];
    if (c === undefined || !(isLetter(c) || c === 95)) return -1;
    k++;
    while (k < n && isWord(buf[k]!)) k++;
    k = skipSpaces(buf, k);
    return buf[k] === 40 ? k + 1 : -1;
  }
  if (c1 === 37) {
    // <%[@=\s!]
    const c2 = buf[i + 2];
    return c2 !== undefined && (c2 === 64 || c2 === 61 || c2 === 33 || isSpace(c2)) ? i + 3 : -1;
  }
  if (foldedAt(buf, i + 1, 'script')) {
    // <script\s+language\s*=\s*["']?php
    const k = skipSpaces(buf, i + 7);
    if (k === i + 7 || !foldedAt(buf, k, 'language')) return -1;
    const eq = skipSpaces(buf, k + 8);
    return buf[eq] === 61 ? quotedWord(buf, skipSpaces(buf, eq + 1), 'php') : -1;
  }
  if (foldedAt(buf, i + 1, 'cf')) {
    // <cf(?:set|...)\b: a tag name ends where no word character follows
    for (const tag of CF_TAGS) {
      const end = i + 3 + tag.length;
      if (foldedAt(buf, i + 3, tag) && (end >= n || !isWord(buf[end]!))) return end;
    }
  }
  return -1;
}

/** Where a `runat\s*=\s*["']?server` match starting at `i` (a case-blind `runat`) ends, or -1. */
function runatEnd(buf: Buffer, i: number): number {
  const eq = skipSpaces(buf, i + 5);
  return buf[eq] === 61 ? quotedWord(buf, skipSpaces(buf, eq + 1), 'server') : -1;
}

/** serverMarkerAt's test on what follows a marker: no control byte in the next 24 (BINARY_BYTES). */
function followedByText(buf: Buffer, end: number): boolean {
  const stop = Math.min(buf.length, end + 24);
  for (let k = end; k < stop; k++) {
    const c = buf[k]!;
    if (c <= 8 || c === 11 || (c >= 14 && c <= 31) || c === 127) return false;
  }
  return true;
}

const RUNAT = /runat/gi;
/** Text made of the bytes a window at a time: small strings stay in the young generation. */
const WINDOW = 65536;

/**
 * False only when serverMarkerAt finds nothing in the text of `buf` (-1): no place in it
 * starts a marker that text follows. Every place is tried, where serverMarkerAt's search
 * skips over each marker it turned down, so true may also mean a marker it never reaches
 * (the caller then reads the text and asks serverMarkerAt). Markers start with `<` (found
 * with a byte search) or a case-blind `runat` (a regex on the text a window at a time).
 */
export function markerPossible(buf: Buffer): boolean {
  for (let i = buf.indexOf(60); i !== -1; i = buf.indexOf(60, i + 1)) {
    const end = markerEndAtLt(buf, i);
    if (end !== -1 && followedByText(buf, end)) return true;
  }
  // windows overlap by four bytes: each `runat` lies whole in the window where it starts
  for (let from = 0; from < buf.length; from += WINDOW) {
    const piece = buf.toString('latin1', from, Math.min(buf.length, from + WINDOW + 4));
    RUNAT.lastIndex = 0;
    for (let m = RUNAT.exec(piece); m !== null; m = RUNAT.exec(piece)) {
      const end = runatEnd(buf, from + m.index);
      if (end !== -1 && followedByText(buf, end)) return true;
    }
  }
  return false;
}

/**
 * After `req` at `i`: whether `(?:uest)?\s*\.\s*(?:query|body|params|headers|url)\b` follows
 * (language.ts's REQUEST_READ, case as written). Taking `uest` is the only way: without it a
 * `u` stands where the pattern needs a blank or a dot.
 */
function requestReadAt(buf: Buffer, i: number): boolean {
  let k = i + 3;
  if (buf[k] === 117 && buf[k + 1] === 101 && buf[k + 2] === 115 && buf[k + 3] === 116) k += 4;
  k = skipSpaces(buf, k);
  if (buf[k] !== 46) return false;
  k = skipSpaces(buf, k + 1);
  for (const w of REQUEST_PARTS) {
    if (k + w.length > buf.length) continue;
    let same = true;
    for (let j = 0; j < w.length && same; j++) same = buf[k + j] === w.charCodeAt(j);
    if (same && (k + w.length === buf.length || !isWord(buf[k + w.length]!))) return true;
  }
  return false;
}

const REQUEST_PARTS = ['query', 'body', 'params', 'headers', 'url'];

/** language.ts's serverSideJs on the text of `buf`, searched in the bytes. */
export function serverSideJsBytes(buf: Buffer): boolean {
  if (buf.includes('child_process')) return true;
  const evals = buf.includes('Function') || buf.includes('vm.') || buf.includes('eval');
  if (!evals && !(buf.includes('net.') || buf.includes("require('net')") || buf.includes('require("net")'))) return false;
  for (let i = buf.indexOf('req'); i !== -1; i = buf.indexOf('req', i + 3)) {
    if (!requestReadAt(buf, i)) continue;
    const before = i > 0 ? buf[i - 1]! : 32;
    if (!isWord(before)) return true;
  }
  return false;
}
