/**
 * Walks the given paths: files and folders, never into a folder already visited (dev:ino), so
 * link loops end. Unreadable entries become problems. The web root being scanned may be the
 * attacker's: a symlink in it can point anywhere on the host (`/proc/<pid>/cwd` is every
 * process's working folder). So a symlink is followed only when its target stays inside the
 * scanned roots, or anywhere when `followSymlinks` is set, and never into /proc, /sys or /dev;
 * the links not followed are reported as skipped. Only folders and regular files are yielded
 * (sockets, FIFOs and devices are never opened; the reader checks the type again on the open
 * handle, since a file can be swapped for a FIFO after the walk saw it).
 * The file-system calls are synchronous on purpose: one async stat per file costs a
 * thread-pool round trip each, and on a tree of small scripts the walk, not the analysis,
 * became the bottleneck that kept the workers idle. For the same reason a folder is read
 * with its entries' types (one getdents, no stat per regular file): only folders, symlinks
 * and entries of unknown type are stat'ed.
 */
import { readdirSync, readlinkSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { Problem } from '../errors.js';

export interface WalkedFile {
  path: string;
  /** Size in bytes when the walk had to stat the file; -1 when its type came from the folder listing. */
  size: number;
}

export interface WalkOptions {
  /** Follow symlinks whose targets lie outside the scanned roots (never into /proc, /sys, /dev). */
  followSymlinks?: boolean;
  /** Told about every entry not walked into on purpose, with the reason. */
  onSkip?: (path: string, reason: string) => void;
}

/** Pseudo file systems of the host: never scanned through a link. */
const HOST_TREES = ['/proc', '/sys', '/dev'];

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** What the folder listing says about an entry before any stat. */
enum Known {
  Unknown = 0,
  File = 1,
  Link = 2,
}

export async function* walk(roots: string[], onProblem: (p: Problem) => void, opts: WalkOptions = {}): AsyncGenerator<WalkedFile> {
  const visited = new Set<string>();
  const realRoots: string[] = [];
  for (const r of roots) {
    try {
      realRoots.push(realpathSync(r));
    } catch {
      realRoots.push(resolve(r)); // reported as unreadable below
    }
  }
  /** Paths still to visit, with what their folder listing said about them. */
  const stack: string[] = [...roots].reverse();
  const known: Known[] = stack.map(() => Known.Unknown);
  while (stack.length > 0) {
    const path = stack.pop()!;
    const kind = known.pop();
    if (kind === Known.File) {
      yield { path, size: -1 };
      continue;
    }
    if (kind === Known.Link) {
      let target: string;
      try {
        target = realpathSync(path);
      } catch (e) {
        opts.onSkip?.(path, `symlink target missing (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        continue;
      }
      // the link's own text counts too: /proc/<pid>/cwd resolves to an ordinary folder elsewhere
      let named = target;
      try {
        named = resolve(dirname(path), readlinkSync(path));
      } catch {
        // not a link any more: its real path decides
      }
      if (HOST_TREES.some((t) => within(target, t) || within(named, t))) {
        opts.onSkip?.(path, 'symlink into /proc, /sys or /dev');
        continue;
      }
      if (!opts.followSymlinks && !realRoots.some((r) => within(target, r))) {
        opts.onSkip?.(path, 'symlink leaves the scanned roots');
        continue;
      }
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
    if (!st.isDirectory()) {
      opts.onSkip?.(path, 'not a regular file');
      continue;
    }
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
      if (d.isBlockDevice() || d.isCharacterDevice() || d.isFIFO() || d.isSocket()) {
        opts.onSkip?.(join(path, d.name), 'not a regular file');
        continue;
      }
      stack.push(join(path, d.name));
      known.push(d.isFile() ? Known.File : d.isSymbolicLink() ? Known.Link : Known.Unknown);
    }
  }
}
