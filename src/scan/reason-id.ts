/**
 * Stable reason ids for evidence: `analyzer/slug`, where the slug is the reason's wording with
 * what varies from file to file taken out (parenthesised details such as counts, lists of
 * calls, addresses and paths; `$variables`; numbers; the file's own function names), so the
 * same behaviour found in two files carries the same id. Dashboards and allowlists key on it;
 * the free-text reason stays for people.
 */
import type { Evidence } from './types.js';

/** Reason fragments that name something the scanned file chose (its own functions, decoders, wrappers). */
const FILE_NAMED = /\b(own (?:function|decoder|method)) [\w$]+\(\)/g;

export function reasonId(analyzer: string, reason: string): string {
  const slug = reason
    .replace(FILE_NAMED, '$1')
    .replace(/\s*\([^()]*\)(?!\w)/g, (m) => (m.trim() === '()' ? '' : ' '))
    .replace(/\$\{?\w+\}?/g, ' ')
    .replace(/\d+/g, ' ')
    .toLowerCase()
    .replace(/[^a-z_]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 96)
    .replace(/-+$/, '');
  return `${analyzer}/${slug || 'unnamed'}`;
}

/** The evidence with ids filled in (the same objects, for the report). */
export function withReasonIds(evidence: Evidence[]): Evidence[] {
  for (const e of evidence) e.id ??= reasonId(e.analyzer, e.reason);
  return evidence;
}
