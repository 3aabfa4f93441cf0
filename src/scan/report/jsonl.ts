/** One JSON object per finding per line: stable keys, evidence inline. */
import type { Finding } from '../types.js';

export function findingToJsonLine(f: Finding): string {
  return JSON.stringify({
    path: f.path,
    verdict: f.verdict,
    score: f.score,
    language: f.language,
    family: f.family ?? null,
    sha256: f.sha256,
    size: f.size,
    evidence: f.evidence,
  });
}
