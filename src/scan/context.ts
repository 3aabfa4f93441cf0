/**
 * What every language analyzer receives: the text, the same text without comments, where
 * to put evidence, and where to hand decoded payloads for another round of analysis.
 */
import type { EvidenceCollector } from './evidence.js';
import type { Language } from './types.js';

export interface DecodedLayer {
  text: string;
  /** Offset in the outer text where the encoded payload starts (for line numbers). */
  offset: number;
  /** How it was decoded, e.g. "base64 > gzinflate". */
  how: string;
  /** Language to analyze the payload as (PHP payloads usually lack `<?php`). */
  language: Language;
}

export interface AnalyzerContext {
  text: string;
  /** `text` with comments (and template text) blanked; same offsets. */
  code: string;
  /** `code` lower-cased (same offsets): case-insensitive names without the slow `i` flag. */
  lower: string;
  /** `code` with string contents blanked (lazily computed, see bareCode()). */
  bare?: string;
  ev: EvidenceCollector;
  layers: DecodedLayer[];
  /** Small files are where one-liner shells live; family rules use it. */
  size: number;
}

export type Analyzer = (ctx: AnalyzerContext) => void;

const GATES = new Map<string, RegExp>();

/**
 * Cheap substring gate: true if `hay` contains any of `needles`. One alternation regex
 * (compiled once per needle list) scans the text once; n indexOf calls would scan it n times.
 */
export function hasAny(hay: string, needles: readonly string[]): boolean {
  const key = needles.join('\u0000');
  let re = GATES.get(key);
  if (!re) {
    re = new RegExp(needles.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
    GATES.set(key, re);
  }
  return re.test(hay);
}
