/**
 * Locating ../shared (third-party test data beside the repo). CI has it; a user's fresh
 * clone does not, so tests over it skip with this message.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repo root: compiled tests live in dist/test/<area>/, sources in test/<area>/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

export function sharedDir(): string {
  return resolve(repoRoot(), '..', 'shared');
}

/** `undefined` when ../shared/<sub> exists, else the skip message for node:test. */
export function skipWithoutShared(sub = ''): string | undefined {
  const p = join(sharedDir(), sub);
  return existsSync(p) ? undefined : `needs ${p} (third-party test data beside the repo; present in CI, absent in a fresh clone)`;
}
