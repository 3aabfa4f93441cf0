/**
 * Where Warden keeps its caches (parsed rule files, compiled rule sets, rule file digests)
 * and how it writes them. Its own module so that a warm start, which only reads a compiled
 * rule set, does not load the YAML reader.
 *
 * Location: $WARDEN_CACHE_DIR, else $XDG_CACHE_HOME/warden, else <tmpdir>/warden-cache-<uid>.
 * WARDEN_CACHE_DIR set to an empty string (or `off`) disables it.
 */
import { mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';

/**
 * Writes a cache file atomically (a temporary file renamed over it, readable by this user
 * only); false when it could not be written, which a cache may ignore.
 */
export function writeCacheFile(file: string, value: unknown): boolean {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(tmp, serialize(value), { mode: 0o600 });
    renameSync(tmp, file);
    return true;
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
    return false;
  }
}

/** Where the cache lives, or undefined when disabled. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const own = env['WARDEN_CACHE_DIR'];
  if (own !== undefined) return own === '' || own === 'off' ? undefined : own;
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg) return join(xdg, 'warden');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return join(tmpdir(), `warden-cache-${uid}`);
}

/** True when the folder is ours and nobody else can write to it (a shared tmp must not feed us rules). */
export function privateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    if (!st.isDirectory()) return false;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return false;
    return (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}
