/**
 * Cheap, bounded decoders for obfuscation layers: base64, hex, rot13, reversal, zlib
 * (raw deflate / zlib / gzip), chr()-lists, XOR with a short key. Every function returns
 * undefined instead of throwing and never produces more than `maxOut` characters.
 */
import { inflateRawSync, inflateSync, gunzipSync } from 'node:zlib';

export const MAX_DECODED = 2 * 1024 * 1024;

export function b64(s: string, maxOut = MAX_DECODED): Buffer | undefined {
  const clean = s.replace(/\\[rn]|[\s"'.]/g, '');
  if (clean.length < 8 || clean.length * 0.75 > maxOut) return undefined;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(clean)) return undefined;
  return Buffer.from(clean.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

export function hexDecode(s: string, maxOut = MAX_DECODED): Buffer | undefined {
  const clean = s.replace(/\s/g, '');
  if (clean.length < 8 || clean.length % 2 !== 0 || clean.length / 2 > maxOut || !/^[0-9a-fA-F]+$/.test(clean)) return undefined;
  return Buffer.from(clean, 'hex');
}

export function rot13(s: string): string {
  return s.replace(/[a-zA-Z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

export function reverse(s: string): string {
  return s.split('').reverse().join('');
}

/** Tries raw deflate, zlib and gzip; returns the first that inflates within bounds. */
export function inflateAny(buf: Buffer, maxOut = MAX_DECODED): Buffer | undefined {
  for (const f of [inflateRawSync, inflateSync, gunzipSync]) {
    try {
      return f(buf, { maxOutputLength: maxOut });
    } catch {
      // not this format, or over the cap
    }
  }
  return undefined;
}

/** Decodes PHP/C-style escapes in a double-quoted literal body: \xNN, \NNN, \u{..}. */
export function unescapeDq(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|u\{[0-9a-fA-F]{1,6}\}|.)/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e[0] === 'u' && e[1] === '{') return String.fromCodePoint(Math.min(parseInt(e.slice(2, -1), 16), 0x10ffff));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    if (e === 'n') return '\n';
    if (e === 't') return '\t';
    if (e === 'r') return '\r';
    return e;
  });
}

/** Fraction of printable ASCII (plus whitespace) in a buffer: decoded code is mostly printable. */
export function printableRatio(buf: Buffer | string): number {
  const n = Math.min(buf.length, 8192);
  if (n === 0) return 0;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const c = typeof buf === 'string' ? buf.charCodeAt(i) : buf[i]!;
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13) ok++;
  }
  return ok / n;
}

/** Decoded bytes as analyzable text: printable as-is, else try to inflate. */
export function asText(buf: Buffer | undefined, maxOut = MAX_DECODED): { text: string; inflated: boolean } | undefined {
  if (!buf || buf.length === 0) return undefined;
  if (printableRatio(buf) > 0.9) return { text: buf.toString('latin1'), inflated: false };
  const inf = inflateAny(buf, maxOut);
  if (inf && printableRatio(inf) > 0.85) return { text: inf.toString('latin1'), inflated: true };
  return undefined;
}

/** Looks like program text (not prose or random bytes). */
export function looksLikeCode(s: string): boolean {
  return (
    /[;{}()$=]/.test(s.slice(0, 4096)) &&
    /\b(?:eval|function|echo|return|if|exec|system|assert|print|var|request|Response|import|use|my|def|\$_)\b|\$_(?:GET|POST|REQUEST|COOKIE|SERVER|FILES)\b|\b(?:gzinflate|gzuncompress|base64_decode|str_rot13)\s*\(/i.test(
      s.slice(0, 65536),
    )
  );
}
