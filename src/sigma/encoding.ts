/**
 * Encoding modifiers (base64, base64offset, utf16le/wide, utf16be, utf16) and windash.
 * Values after a utf16 modifier are byte strings: one char per byte (0-255), which is
 * what base64 then encodes, like pySigma does.
 */
import { normalize, type SigmaStr, type StrPart } from './strings.js';

export interface StrValue {
  s: SigmaStr;
  /** Literal parts hold bytes (one char per byte), not text. */
  bytes: boolean;
}

function toBuffer(text: string, bytes: boolean): Buffer {
  return bytes ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}

function literalOnly(v: StrValue, modifier: string): string {
  if (v.s.parts.some((p) => typeof p !== 'string')) {
    throw new Error(`modifier '${modifier}' cannot encode a value containing wildcards`);
  }
  return v.s.parts.join('');
}

export function base64(v: StrValue): StrValue {
  const text = literalOnly(v, 'base64');
  return { s: normalize([toBuffer(text, v.bytes).toString('base64')]), bytes: false };
}

/**
 * The three encodings of a value that sits at byte offset 0, 1 or 2 of a larger
 * base64-encoded text: only the middle part that does not depend on the
 * neighbouring bytes is kept.
 */
export function base64offset(v: StrValue): StrValue[] {
  const buf = toBuffer(literalOnly(v, 'base64offset'), v.bytes);
  const startOffsets = [0, 2, 3];
  const endOffsets = [0, -3, -2]; // 0 = to the end
  const out: StrValue[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), buf]).toString('base64');
    const end = endOffsets[(buf.length + i) % 3]!;
    const piece = end === 0 ? enc.slice(startOffsets[i]) : enc.slice(startOffsets[i], end);
    out.push({ s: normalize([piece]), bytes: false });
  }
  return out;
}

function mapLiterals(v: StrValue, f: (lit: string) => string): StrValue {
  return { s: normalize(v.s.parts.map((p) => (typeof p === 'string' ? f(p) : p))), bytes: true };
}

function utf16leBytes(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += String.fromCharCode(c & 0xff, c >> 8);
  }
  return out;
}

function utf16beBytes(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += String.fromCharCode(c >> 8, c & 0xff);
  }
  return out;
}

function requireText(v: StrValue, modifier: string): void {
  if (v.bytes) throw new Error(`modifier '${modifier}' cannot be applied to an already encoded value`);
}

export function utf16le(v: StrValue, modifier = 'utf16le'): StrValue {
  requireText(v, modifier);
  return mapLiterals(v, utf16leBytes);
}

export function utf16be(v: StrValue): StrValue {
  requireText(v, 'utf16be');
  return mapLiterals(v, utf16beBytes);
}

/** UTF-16 with a byte order mark (little endian, as Windows writes it). */
export function utf16(v: StrValue): StrValue {
  requireText(v, 'utf16');
  const le = mapLiterals(v, utf16leBytes);
  return { s: normalize(['\xff\xfe', ...le.s.parts]), bytes: true };
}

export const WINDASH_CHARS = ['-', '/', '\u2013', '\u2014', '\u2015'] as const;
const MAX_WINDASH_VARIANTS = 4096;
const WORD = /[\p{L}\p{N}_]/u;

function isWord(c: string | undefined): boolean {
  return c !== undefined && WORD.test(c);
}

/**
 * Every variant of the value with each dash or slash that starts a command-line
 * option (not preceded by a word character, followed by one) replaced by each of
 * the five dash characters.
 */
export function windash(v: StrValue): StrValue[] {
  // Split literals into fixed text and option-dash slots.
  type Piece = StrPart | { slot: true };
  const pieces: Piece[] = [];
  let slots = 0;
  for (const p of v.s.parts) {
    if (typeof p !== 'string') {
      pieces.push(p);
      continue;
    }
    let lit = '';
    for (let i = 0; i < p.length; i++) {
      const c = p[i]!;
      if ((c === '-' || c === '/') && !isWord(p[i - 1]) && isWord(p[i + 1])) {
        if (lit) pieces.push(lit);
        lit = '';
        pieces.push({ slot: true });
        slots++;
      } else {
        lit += c;
      }
    }
    if (lit) pieces.push(lit);
  }
  if (slots === 0) return [v];
  if (WINDASH_CHARS.length ** slots > MAX_WINDASH_VARIANTS) {
    throw new Error(`modifier 'windash' would create more than ${MAX_WINDASH_VARIANTS} variants`);
  }
  let variants: StrPart[][] = [[]];
  for (const piece of pieces) {
    if (typeof piece === 'object') {
      const next: StrPart[][] = [];
      for (const prefix of variants) for (const d of WINDASH_CHARS) next.push([...prefix, d]);
      variants = next;
    } else {
      for (const prefix of variants) prefix.push(piece);
    }
  }
  return variants.map((parts) => ({ s: normalize(parts), bytes: v.bytes }));
}
