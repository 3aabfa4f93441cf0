/**
 * Traces PHP encoders leave in the code they emit, whatever payload they wrap: identifiers
 * made of random bytes (PHPJiaMi/EnPHP style: names that are not text in any encoding) and
 * variable names written as escaped string literals (`${"\x47L\x4f\x42ALS"}[...]`, which no
 * author types by hand). Each is weak alone; with dynamic evaluation it is an encoded shell.
 */
import type { AnalyzerContext } from '../context.js';
import { matches } from '../flow.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function isText(latin1: string): boolean {
  try {
    UTF8.decode(Buffer.from(latin1, 'latin1'));
    return true;
  } catch {
    return false;
  }
}

export function analyzeEncoderTraces(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  // identifiers of high bytes that do not decode as UTF-8: names generated from random bytes
  if (/[\x80-\xff]/.test(code)) {
    const names = new Set<string>();
    let first = -1;
    for (const m of matches(/(?:\$|\bfunction\s+)([\x80-\xff][\x80-\xff\w]{1,40})/g, code, 2000)) {
      const name = m[1]!;
      if (names.has(name) || isText(name)) continue;
      names.add(name);
      if (first < 0) first = m.index;
      if (names.size >= 10) break;
    }
    if (names.size >= 10) ev.add('obfuscation', 'identifiers made of random bytes (encoder output)', 5, first, 20);
  }
  // variable names spelled as escaped strings: ${"\x47..."} 
  if (code.includes('${"\\x') || code.includes("${'\\x")) {
    let n = 0;
    let first = -1;
    for (const m of matches(/\$\{\s*"(?:[^"\\\n]|\\x[0-9a-fA-F]{2}){0,40}\\x[0-9a-fA-F]{2}(?:[^"\\\n]|\\x[0-9a-fA-F]{2}){0,40}"\s*\}/g, code, 200)) {
      if (first < 0) first = m.index;
      if (++n >= 5) break;
    }
    if (n >= 5) ev.add('obfuscation', 'variable names written as escaped string literals (encoder output)', 5, first, 20);
  }
}
