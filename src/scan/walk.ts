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

/**
 * File names need not be UTF-8 (a name in latin1 or random bytes is a fine Linux name and a
 * place to hide). A path that cannot round-trip through a string travels as a token: a NUL
 * (never part of a real path) and the path's bytes in base64. `fsPathOf` turns it back into
 * the bytes for file-system calls, `displayPathOf` into a printable name with the bad bytes
 * as `\xNN`.
 */
export function fsPathOf(p: string): string | Buffer {
  return p.charCodeAt(0) === 0 ? Buffer.from(p.slice(1), 'base64') : p;
}

export function displayPathOf(p: string): string {
  if (p.charCodeAt(0) !== 0) return p;
  const b = Buffer.from(p.slice(1), 'base64');
  let out = '';
  let i = 0;
  while (i < b.length) {
    const n = utf8Length(b, i);
    if (n > 0) {
      out += b.toString('utf8', i, i + n);
      i += n;
    } else out += `\\x${b[i++]!.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Length of the valid UTF-8 sequence at `i`, or 0. */
function utf8Length(b: Buffer, i: number): number {
  const c = b[i]!;
  const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n === 0 || i + n > b.length) return 0;
  for (let k = 1; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return 0;
  return Buffer.from(b.toString('utf8', i, i + n)).equals(b.subarray(i, i + n)) ? n : 0;
}

/**
 * The string that `join(parent, name)` starts with for any one-segment name, so the children
 * of a folder cost one `join` per folder rather than one per entry (a name from the listing
 * has no '/' and is never '.' or '..', so joining it only appends it).
 */
function childPrefix(parent: string): string {
  return parent.charCodeAt(0) === 0 ? parent : join(parent, 'x').slice(0, -1);
}

/** `parent/name` as a string, or as a token when either cannot be a string; `prefix` is `childPrefix(parent)`. */
function childPath(parent: string, prefix: string, name: Buffer): string {
  const s = name.toString('utf8');
  // decoding substitutes U+FFFD for every byte that is not UTF-8, and valid UTF-8 encodes back
  // to the same bytes: only a name with a U+FFFD in it needs the round trip checked
  if (parent.charCodeAt(0) !== 0 && (!s.includes('\uFFFD') || Buffer.from(s).equals(name))) return prefix + s;
  // under a string parent, the token is spelled like its string siblings (a root given as 'dir/' gave 'dir//name' before)
  const base = parent.charCodeAt(0) === 0 ? Buffer.concat([fsPathOf(parent) as Buffer, Buffer.from('/')]) : Buffer.from(prefix);
  return `\0${Buffer.concat([base, name]).toString('base64')}`;
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
        target = realpathSync(fsPathOf(path), 'utf8');
      } catch (e) {
        opts.onSkip?.(displayPathOf(path), `symlink target missing (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        continue;
      }
      // the link's own text counts too: /proc/<pid>/cwd resolves to an ordinary folder elsewhere
      let named = target;
      try {
        named = resolve(dirname(displayPathOf(path)), readlinkSync(fsPathOf(path), 'utf8'));
      } catch {
        // not a link any more: its real path decides
      }
      if (HOST_TREES.some((t) => within(target, t) || within(named, t))) {
        opts.onSkip?.(displayPathOf(path), 'symlink into /proc, /sys or /dev');
        continue;
      }
      if (!opts.followSymlinks && !realRoots.some((r) => within(target, r))) {
        opts.onSkip?.(displayPathOf(path), 'symlink leaves the scanned roots');
        continue;
      }
    }
    let st: Stats;
    try {
      st = statSync(fsPathOf(path));
    } catch (e) {
      onProblem({ kind: 'scan', file: displayPathOf(path), message: `cannot stat: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    if (st.isFile()) {
      yield { path, size: st.size };
      continue;
    }
    if (!st.isDirectory()) {
      opts.onSkip?.(displayPathOf(path), 'not a regular file');
      continue;
    }
    const key = `${st.dev}:${st.ino}`;
    if (visited.has(key)) continue; // symlink loop or a folder reached twice
    visited.add(key);
    let entries: Dirent<Buffer>[];
    try {
      entries = readdirSync(fsPathOf(path), { withFileTypes: true, encoding: 'buffer' });
    } catch (e) {
      onProblem({ kind: 'scan', file: displayPathOf(path), message: `cannot open folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    const prefix = childPrefix(path);
    for (let i = entries.length - 1; i >= 0; i--) {
      const d = entries[i]!;
      // sockets, fifos and devices are skipped here without a stat; symlinks and unknown types are resolved by stat
      if (d.isBlockDevice() || d.isCharacterDevice() || d.isFIFO() || d.isSocket()) {
        opts.onSkip?.(displayPathOf(childPath(path, prefix, d.name)), 'not a regular file');
        continue;
      }
      stack.push(childPath(path, prefix, d.name));
      known.push(d.isFile() ? Known.File : d.isSymbolicLink() ? Known.Link : Known.Unknown);
    }
  }
}
