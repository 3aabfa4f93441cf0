/**
 * The content scanner's verdict on a script component: the worst outcome over the file and
 * anything inside it, with `warden scan`'s analyzers and limits. A module of its own so that
 * hashing threads load the scanner only when a collector asked for a script to be scanned.
 */
import { scanBytesIsolated } from '../scan/scan-file.js';
import { DEFAULT_LIMITS, verdictRank } from '../scan/types.js';
import type { ScanVerdict } from './types.js';

export function scanVerdict(path: string, buf: Buffer): ScanVerdict {
  let worst: ScanVerdict = { verdict: 'clean' };
  for (const o of scanBytesIsolated(path, buf, { limits: DEFAULT_LIMITS })) {
    const f = o.finding;
    if (!f || verdictRank(f.verdict) < verdictRank(worst.verdict) || (f.verdict === worst.verdict && f.score <= (worst.score ?? 0))) continue;
    worst = { verdict: f.verdict, score: f.score };
    if (f.family !== undefined) worst.family = f.family;
  }
  return worst;
}
