/**
 * Reverses the Microsoft Script Encoder (screnc, `VBScript.Encode` / `JScript.Encode`): classic
 * ASP pages, .vbe and .jse files carry their code as `#@~^LLLLLL==` data `CCCCCC==^#~@`, where
 * LLLLLL is the data length and CCCCCC a checksum (both 32-bit numbers in a base64 variant).
 * The encoding is a substitution: each printable ASCII character is replaced through one of
 * three tables, chosen by the character's position modulo 64 through a fixed pattern; `<`,
 * `>`, `@`, CR and LF are written as `@!`, `@*`, `@$`, `@#`, `@&`. Shells use it to hide every
 * keyword from text search; analyzed on the decoded text, they are judged by what they do.
 *
 * Characters outside ASCII (GBK or UTF-8 text in strings) are copied as they are and do not
 * advance the position; measured on encoded shells, a double-byte character's trail byte
 * (which can be below 0x80 in GBK) must be copied with its lead byte. Whether the page is
 * double-byte (rather than single-byte or UTF-8) is read from the length field, which counts
 * characters, not bytes.
 */

/** Which of the three tables codes the character at position i (mod 64). */
export const PICK = [
  1, 2, 0, 1, 2, 0, 2, 0, 0, 2, 0, 2, 1, 0, 2, 0, 1, 0, 2, 0, 1, 1, 2, 0, 0, 2, 1, 0, 2, 0, 0, 2, 1, 1, 0, 2, 0, 2, 0, 1, 0, 1, 1, 2, 0, 1, 0, 2, 1, 0, 2, 0, 1, 1, 2, 0, 0, 1, 1,
  2, 0, 1, 0, 2,
] as const;

/**
 * For each encoded character from 0x20 to 0x7f (tab is listed apart): what it decodes to in
 * tables 0, 1 and 2, three hex digit pairs per entry. `<`, `>` and `@` never occur encoded ("").
 */
const TABLE_HEX = [
  '322e2d',
  '304775',
  '217a52',
  '295660',
  '5b4271',
  '386a5e',
  '332f49',
  '3d265c', // 20-27
  '584962',
  '3a417d',
  '353429',
  '653236',
  '395b20',
  '5c767c',
  '56727a',
  '73437f', // 28-2f
  '66386b',
  '4e3963',
  '457033',
  '6b452b',
  '626868',
  '597151',
  '784f66',
  '5e0976', // 30-37
  '7d6231',
  '4a4464',
  '6d2354',
  '717543',
  '',
  '607e3a',
  '',
  '535e7e', // 38-3f
  '',
  '427745',
  '274a2c',
  '48612a',
  '725d74',
  '752227',
  '314b37',
  '376f44', // 40-47
  '4d4e79',
  '523b59',
  '224c2f',
  '54506f',
  '6a6726',
  '472a72',
  '647d6a',
  '2d7439', // 48-4f
  '20547b',
  '7f2b3f',
  '2e2d38',
  '4c2c77',
  '5d3067',
  '7e6e53',
  '6c6b47',
  '6f6634', // 50-57
  '793578',
  '74255d',
  '432130',
  '266423',
  '764d5a',
  '25525b',
  '24636c',
  '2b3f48', // 58-5f
  '287b55',
  '237870',
  '412969',
  '34282e',
  '09734c',
  '2a5921',
  '443324',
  '3f7f4e', // 60-67
  '776d50',
  '3b5509',
  '555356',
  '697c73',
  '613a35',
  '635f61',
  '50654b',
  '674658', // 68-6f
  '51583b',
  '493157',
  '4f6922',
  '466c6d',
  '685a4d',
  '7c4825',
  '362728',
  '705c46', // 70-77
  '6e3d4a',
  '7a2432',
  '2f7941',
  '5f373d',
  '4b605f',
  '5a514f',
  '2c2042',
  '573665', // 78-7f
];
const TAB_ENTRY = '7b576e';

/** DECODE[t][c]: the character that encoded character c stands for in table t (c itself when not coded). */
export const DECODE: ReadonlyArray<Uint8Array> = [0, 1, 2].map((t) => {
  const row = new Uint8Array(128);
  for (let c = 0; c < 128; c++) row[c] = c;
  row[9] = Number.parseInt(TAB_ENTRY.slice(t * 2, t * 2 + 2), 16);
  TABLE_HEX.forEach((hex, k) => {
    if (hex) row[0x20 + k] = Number.parseInt(hex.slice(t * 2, t * 2 + 2), 16);
  });
  return row;
});

const ESCAPES: Record<string, string> = { '#': '\r', '&': '\n', '!': '<', '*': '>', $: '@' };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The 32-bit number of a length or checksum field (`6poBAA==`), or -1. The field is the
 * number's four little-endian bytes in base64.
 */
export function readField(s: string): number {
  if (s.length < 8 || s[6] !== '=' || s[7] !== '=') return -1;
  const b = Buffer.from(s.slice(0, 6) + '==', 'base64');
  if (b.length < 4 || ![...s.slice(0, 6)].every((c) => B64.includes(c))) return -1;
  return b.readUInt32LE(0);
}

export interface DecodedScript {
  /** The text with every encoded block replaced by its decoded code. */
  text: string;
  /** Blocks decoded. */
  blocks: number;
  /** Blocks whose checksum matched (only checkable when the block is all ASCII). */
  verified: number;
  /**
   * Blocks that cannot be what the encoder wrote: no end marker, or an all-ASCII block whose
   * checksum does not match (copied through a tool that ate tabs or DEL characters, or edited).
   */
  damaged: number;
  /** Offset in the original text of the first block. */
  firstOffset: number;
}

const START = '#@~^';
const END = '^#~@';

/**
 * Decodes every encoded block of `text` (read byte-per-char, as the scanner reads files).
 * Returns undefined when there is none. A block cut short (no end marker) is decoded up to
 * its declared length or the first `<`/`>`, which encoded data never holds. At most
 * `maxBlocks` blocks; the output is never longer than the input.
 */
export function decodeScriptEncoder(text: string, maxBlocks = 200): DecodedScript | undefined {
  let at = text.indexOf(START);
  if (at === -1) return undefined;
  const parts: string[] = [];
  let from = 0;
  let blocks = 0;
  let verified = 0;
  let damaged = 0;
  const firstOffset = at;
  while (at !== -1 && blocks < maxBlocks) {
    const len = readField(text.slice(at + 4, at + 12));
    if (len < 0) {
      at = text.indexOf(START, at + 4);
      continue;
    }
    const dataStart = at + 12;
    const end = text.indexOf(END, dataStart);
    // without an end marker the data runs to the first angle bracket (or the text's end)
    let stop = end;
    if (stop === -1) {
      const lt = text.slice(dataStart).search(/[<>]/);
      stop = lt === -1 ? text.length : dataStart + lt;
    }
    const block = decodeBlock(text, dataStart, end === -1 ? stop : Math.max(dataStart, end - 8), len);
    parts.push(text.slice(from, at), block.code);
    blocks++;
    if (end !== -1 && block.ascii && readField(text.slice(end - 8, end)) === block.sum) verified++;
    else if (end === -1 || block.ascii) damaged++;
    from = end === -1 ? block.next : end + 4;
    at = text.indexOf(START, from);
  }
  parts.push(text.slice(from));
  return { text: parts.join(''), blocks, verified, damaged, firstOffset };
}

/**
 * How many characters of text[from, to) have `c >> 6` within [lo, hi] (from 2 up: high bytes; 2..2:
 * UTF-8 continuation bytes). A loop of its own: optimized on the stack (OSR) inside decodeBlock,
 * the code after it had no type feedback and sent every later block back to the bytecode interpreter.
 */
function countBytes(text: string, from: number, to: number, lo: number, hi: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const top = text.charCodeAt(i) >> 6;
    n += top >= lo && top <= hi ? 1 : 0;
  }
  return n;
}

/**
 * Decodes text[from, to) as one block of `len` characters. Double-byte pages are told apart
 * from single-byte and UTF-8 ones by the length: if counting each high byte as a character
 * reaches `len` exactly, they are single characters; otherwise a high byte leads a pair.
 */
function decodeBlock(text: string, from: number, to: number, len: number): { code: string; sum: number; ascii: boolean; next: number } {
  const high = countBytes(text, from, to, 2, 0xffff);
  const continuation = countBytes(text, from, to, 2, 2);
  // UTF-8 (a page re-saved after encoding) counts each multi-byte sequence as one character
  // and never puts an ASCII byte inside one: its high bytes are copied one by one too
  const utf8 = high > 0 && to - from !== len && to - from - continuation === len;
  const pairs = high > 0 && to - from !== len && !utf8;
  // a block of bytes (the scanner's text) decodes into bytes: one string at the end instead of
  // one piece per character joined
  if (high === 0 || !WIDE.test(text.slice(from, to))) {
    const i = decodeBytes(text, from, to, len, pairs, utf8);
    return { code: Buffer.from(bytes.buffer, 0, decodedLength).toString('latin1'), sum: decodedSum >>> 0, ascii: high === 0, next: i };
  }
  const out: string[] = [];
  const i = decodeChars(text, from, to, len, pairs, utf8, out);
  return { code: out.join(''), sum: decodedSum >>> 0, ascii: high === 0, next: i };
}

/** A character that does not fit a byte (a page read as UTF-16). */
const WIDE = /[^\x00-\xff]/;

/** ESCAPES by the code of the character after `@` (-1: none). */
const ESCAPE_CODES = new Int16Array(128).fill(-1);
for (const [k, v] of Object.entries(ESCAPES)) ESCAPE_CODES[k.charCodeAt(0)] = v.charCodeAt(0);

/** decodeBytes' output, kept from block to block (a block decodes to at most its own length). */
let bytes = new Uint8Array(4096);
/** How many bytes decodeBytes wrote last. */
let decodedLength = 0;

/**
 * decodeChars for a block whose characters all fit a byte, writing them into `bytes` (the same
 * characters, and the same stopping place and checksum).
 */
function decodeBytes(text: string, from: number, to: number, len: number, pairs: boolean, utf8: boolean): number {
  if (bytes.length < to - from) bytes = new Uint8Array(Math.max(to - from, bytes.length * 2));
  const out = bytes;
  let w = 0;
  let pos = 0;
  let sum = 0;
  let chars = 0;
  let i = from;
  for (; i < to && chars < len; i++, chars++) {
    const c = text.charCodeAt(i);
    if (c === 0x40) {
      // (the escaped character may lie past `to`, as in decodeChars)
      const n = text.charCodeAt(i + 1);
      const e = n < 128 ? ESCAPE_CODES[n]! : -1;
      if (e === -1) {
        out[w++] = 0x40;
        sum += 0x40;
      } else {
        out[w++] = e;
        sum += e;
        i++;
        chars++;
      }
      pos++;
    } else if (c < 0x80) {
      const d = DECODE[PICK[pos % 64]!]![c]!;
      out[w++] = d;
      sum += d;
      pos++;
    } else if (pairs && c >= 0x81 && i + 1 < to) {
      out[w++] = c;
      out[w++] = text.charCodeAt(i + 1);
      i++;
    } else {
      out[w++] = c;
      if (utf8 && c < 0xc0) chars--;
    }
  }
  decodedSum = sum;
  decodedLength = w;
  return i;
}

/** The checksum of the characters decodeChars decoded last (a module slot: stored without type feedback). */
let decodedSum = 0;

/**
 * Decodes up to `len` characters of text[from, to) into `out`; returns where it stopped. A
 * function of its own for the same reason as countBytes: nothing after its loop needs feedback.
 */
function decodeChars(text: string, from: number, to: number, len: number, pairs: boolean, utf8: boolean, out: string[]): number {
  let pos = 0;
  let sum = 0;
  let chars = 0;
  let i = from;
  for (; i < to && chars < len; i++, chars++) {
    const c = text.charCodeAt(i);
    if (c === 0x40) {
      const e = ESCAPES[text[i + 1] ?? ''];
      if (e === undefined) {
        out.push('@');
        sum += 0x40;
      } else {
        out.push(e);
        sum += e.charCodeAt(0);
        i++;
        chars++;
      }
      pos++;
    } else if (c < 0x80) {
      const d = DECODE[PICK[pos % 64]!]![c]!;
      out.push(String.fromCharCode(d));
      sum += d;
      pos++;
    } else if (pairs && c >= 0x81 && i + 1 < to) {
      out.push(text.slice(i, i + 2));
      i++;
    } else {
      out.push(text[i]!);
      if (utf8 && c < 0xc0) chars--;
    }
  }
  decodedSum = sum;
  return i;
}
