/** The EVTX tests' view of ../shared (third-party data, never copied into the repo) and its formats. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot as findRepoRoot, sharedDir as findSharedDir } from '../helpers/shared.js';

export const repoRoot = findRepoRoot();
export const sharedDir = findSharedDir();
export const evtxSamplesDir = join(sharedDir, 'logs', 'evtx');
export const regressionDir = join(sharedDir, 'sigma', 'regression_data');

/** Skip reason when `path` is absent (a fresh clone has no ../shared), else false. */
export function missing(path: string): string | false {
  return existsSync(path) ? false : `needs ${path} (third-party test data beside the repo; absent in a fresh clone)`;
}

export function* walkFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walkFiles(p);
    else yield p;
  }
}

export function sampleFiles(): string[] {
  return readdirSync(evtxSamplesDir)
    .filter((f) => f.endsWith('.evtx'))
    .sort()
    .map((f) => join(evtxSamplesDir, f));
}

/** The regression .json twins hold pretty-printed objects one after another. */
export function parseConcatenatedJson(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return out;
}
