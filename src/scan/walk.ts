/**
 * Walks the given paths: files and folders, following symlinks but never into a folder
 * already visited (dev:ino), so link loops end. Unreadable entries become problems.
 * The file-system calls are synchronous on purpose: one async stat per file costs a
 * thread-pool round trip each, and on a tree of small scripts the walk, not the analysis,
 * became the bottleneck that kept the workers idle. For the same reason a folder is read
 * with its entries' types (one getdents, no stat per regular file): only folders, symlinks
 * and entries of unknown type are stat'ed. The reader fstat's each file anyway.
 */
import { readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '../errors.js';

export interface WalkedFile {
  path: string;
  /** Size in bytes when the walk had to stat the file; -1 when its type came from the folder listing. */
  size: number;
}

export async function* walk(roots: string[], onProblem: (p: Problem) => void): AsyncGenerator<WalkedFile> {
  const visited = new Set<string>();
  /** Paths still to visit; `true` in `known` marks one its folder listing says is a regular file. */
  const stack: string[] = [...roots].reverse();
  const known: boolean[] = stack.map(() => false);
  while (stack.length > 0) {
    const path = stack.pop()!;
    if (known.pop()) {
      yield { path, size: -1 };
      continue;
    }
    let st: Stats;
    try {
      st = statSync(path);
    } catch (e) {
      onProblem({ kind: 'scan', file: path, message: `cannot stat: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    if (st.isFile()) {
      yield { path, size: st.size };
      continue;
    }
    if (!st.isDirectory()) continue; // sockets, fifos, devices: never read
    const key = `${st.dev}:${st.ino}`;
    if (visited.has(key)) continue; // symlink loop or a folder reached twice
    visited.add(key);
    let entries: Dirent[];
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch (e) {
      onProblem({ kind: 'scan', file: path, message: `cannot open folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (let i = entries.length - 1; i >= 0; i--) {
      const d = entries[i]!;
      // sockets, fifos and devices are skipped here without a stat; symlinks and unknown types are resolved by stat
      if (d.isBlockDevice() || d.isCharacterDevice() || d.isFIFO() || d.isSocket()) continue;
      stack.push(join(path, d.name));
      known.push(d.isFile());
    }
  }
}
