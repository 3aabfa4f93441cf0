/**
 * Walks the given paths: files and folders, following symlinks but never into a folder
 * already visited (dev:ino), so link loops end. Unreadable entries become problems.
 * The file-system calls are synchronous on purpose: one async stat per file costs a
 * thread-pool round trip each, and on a tree of small scripts the walk, not the analysis,
 * became the bottleneck that kept the workers idle.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '../errors.js';

export interface WalkedFile {
  path: string;
  size: number;
}

export async function* walk(roots: string[], onProblem: (p: Problem) => void): AsyncGenerator<WalkedFile> {
  const visited = new Set<string>();
  const stack: string[] = [...roots].reverse();
  while (stack.length > 0) {
    const path = stack.pop()!;
    let st;
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
    let names: string[];
    try {
      names = readdirSync(path);
    } catch (e) {
      onProblem({ kind: 'scan', file: path, message: `cannot open folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    const children = names.map((n) => join(path, n));
    children.sort();
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}
