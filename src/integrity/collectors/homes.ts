/** Finding a server's home folders under a root: the usual install locations, one level of globbing. */
import { join } from 'node:path';
import { isDir, listDir } from '../paths.js';

/**
 * Folders matching any pattern (relative to root; a `*` segment matches any subfolder) that
 * pass `is`, plus the root itself when it passes (a collected home given as --root).
 */
export function findHomes(root: string, patterns: readonly string[], is: (dir: string) => boolean): string[] {
  const found = new Set<string>();
  if (is(root)) found.add(root);
  for (const pat of patterns) {
    let dirs = [root];
    for (const seg of pat.split('/')) {
      const next: string[] = [];
      for (const d of dirs) {
        if (seg === '*') {
          for (const e of listDir(d)) if (e.isDirectory()) next.push(join(d, e.name));
        } else if (seg.endsWith('*')) {
          const prefix = seg.slice(0, -1);
          for (const e of listDir(d)) if (e.isDirectory() && e.name.startsWith(prefix)) next.push(join(d, e.name));
        } else if (isDir(join(d, seg))) next.push(join(d, seg));
      }
      dirs = next;
    }
    for (const d of dirs) if (is(d)) found.add(d);
  }
  return [...found].sort();
}
