/**
 * bench/holdout.txt, read by every bench that walks the corpus: the files it names are scanned
 * for the held-out table of eval-scan only, and left out of anything printed per file.
 */
import { readFileSync } from 'node:fs';

export interface HoldoutRule {
  prefix: string;
  /** Hex digits one of which the sha256 must start with; empty: every file under the prefix. */
  shaFirst: string;
}

/** bench/holdout.txt: `path-prefix [hex-digits]` per line, `#` comments. */
export function loadHoldout(file: string): HoldoutRule[] {
  const rules: HoldoutRule[] = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [prefix, sha] = line.split(/\s+/);
    if (sha !== undefined && !/^[0-9a-f]+$/.test(sha)) throw new Error(`${file}: bad sha256 digits ${JSON.stringify(sha)} in line ${JSON.stringify(raw)}`);
    rules.push({ prefix: prefix!, shaFirst: sha ?? '' });
  }
  return rules;
}

export function isHeldOut(rules: HoldoutRule[], path: string, sha256: string): boolean {
  return rules.some((r) => path.startsWith(r.prefix) && (r.shaFirst === '' || r.shaFirst.includes(sha256[0] ?? '')));
}
