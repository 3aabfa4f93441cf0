/**
 * The quoted fields of access logs: where a quote closes one, and the server's escapes
 * (`\"`, `\\`, `\n`, `\t`, `\r`, `\xHH`) undone.
 */
import { bytesToText } from './common.js';

/** A quoted field's text and the index just past its closing quote. */
interface Quoted {
  value: string;
  end: number;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** The escape at s[i] === '\\': how many characters it spans (0: not one of the server's escapes). */
function escapeLength(s: string, i: number): number {
  const next = s.charCodeAt(i + 1);
  if (next === 120 /* x */) return isHex(s.charCodeAt(i + 2)) && isHex(s.charCodeAt(i + 3)) ? 4 : 0;
  return next === 34 || next === 92 || next === 110 || next === 116 || next === 114 ? 2 : 0;
}

/** Index of the first quote after s[pos] that no backslash escapes, or -1. */
export function closingQuote(s: string, pos: number): number {
  for (let i = pos + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) return i;
    if (c === 92) {
      const n = escapeLength(s, i);
      if (n > 0) i += n - 1;
    }
  }
  return -1;
}

/** s[start, end) with the server's escapes (`\"`, `\\`, `\n`, `\t`, `\r`, `\xHH`) undone; quotes in it are kept as they are. */
export function unescapeRange(s: string, start: number, end: number): string {
  const slash = s.indexOf('\\', start);
  if (slash < 0 || slash >= end) return s.slice(start, end);
  // Collect pieces, never single characters.
  const parts: string[] = [];
  let run = start;
  let i = slash;
  let bytes: number[] | undefined;
  const flushBytes = (): void => {
    if (bytes) {
      parts.push(bytesToText(bytes));
      bytes = undefined;
    }
  };
  while (i < end) {
    if (s.charCodeAt(i) !== 92 /* \ */) {
      i++;
      continue;
    }
    const n = escapeLength(s, i);
    if (n === 0 || i + n > end) {
      i++;
      continue;
    }
    if (n === 4) {
      if (i > run) {
        flushBytes();
        parts.push(s.slice(run, i));
      }
      (bytes ??= []).push(parseInt(s.slice(i + 2, i + 4), 16));
    } else {
      const next = s.charCodeAt(i + 1);
      flushBytes();
      parts.push(s.slice(run, i), next === 110 ? '\n' : next === 116 ? '\t' : next === 114 ? '\r' : next === 34 ? '"' : '\\');
    }
    i += n;
    run = i;
  }
  flushBytes();
  parts.push(s.slice(run, end));
  return parts.join('');
}

/** Reads `"..."` starting at s[pos] === '"', undoing the server's escapes. */
export function readQuoted(s: string, pos: number): Quoted | undefined {
  const close = closingQuote(s, pos);
  if (close < 0) return undefined;
  return { value: unescapeRange(s, pos + 1, close), end: close + 1 };
}
