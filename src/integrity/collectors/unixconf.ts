/**
 * Unix server configuration under a root: server paths (`/etc/apache2/...`) resolved under the
 * root, symbolic links followed by hand so a link to `/etc/...` inside a mounted image lands in
 * the image and never on the inspecting host, wildcard includes expanded, and the facts the
 * web collectors share (who the web server runs as, which folders it can write).
 */
import { lstatSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { listDir, underRoot } from '../paths.js';
import type { CollectContext } from '../types.js';

/** A server path (absolute, or relative to `base`, itself a server path) under the root. */
export function serverPath(root: string, p: string, base = '/'): string {
  const abs = p.startsWith('/') ? p : posix.join(base, p);
  return underRoot(root, abs);
}

/** The server path of a file under the root (`/etc/x` for `<root>/etc/x`). */
export function asServerPath(root: string, p: string): string {
  if (root === '/') return p;
  return p === root ? '/' : p.startsWith(`${root}/`) ? p.slice(root.length) : p;
}

/**
 * Follows symbolic links (at most 8) with targets resolved under the root; the final path, or
 * undefined when the chain is broken or loops.
 */
export function resolveLink(root: string, p: string): string | undefined {
  let cur = p;
  for (let hops = 0; hops < 8; hops++) {
    let st: Stats;
    try {
      st = lstatSync(cur);
    } catch {
      return undefined;
    }
    if (!st.isSymbolicLink()) return cur;
    let target: string;
    try {
      target = readlinkSync(cur);
    } catch {
      return undefined;
    }
    cur = target.startsWith('/') ? underRoot(root, target) : underRoot(root, posix.join(asServerPath(root, dirname(cur)), target));
  }
  return undefined;
}

/** A regular file, after links; undefined for anything else. */
export function regularFile(root: string, p: string): string | undefined {
  const r = resolveLink(root, p);
  if (r === undefined) return undefined;
  try {
    return lstatSync(r).isFile() ? r : undefined;
  } catch {
    return undefined;
  }
}

/** A folder, after links (a web root may be a link into the image); undefined for anything else. */
export function folder(root: string, p: string): string | undefined {
  const r = resolveLink(root, p);
  if (r === undefined) return undefined;
  try {
    return lstatSync(r).isDirectory() ? r : undefined;
  } catch {
    return undefined;
  }
}

function segmentMatcher(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = seg
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The files an include pattern names (a server path, wildcards in any segment), sorted, after
 * links; a folder stands for every file in it and below, as Apache reads it. Names starting
 * with a dot are matched only by patterns that start with one.
 */
export function expandInclude(root: string, pattern: string): string[] {
  const segs = posix
    .normalize(pattern)
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  let cur = [root];
  for (const seg of segs) {
    const next: string[] = [];
    if (!/[*?[]/.test(seg)) {
      for (const d of cur) next.push(join(d, seg));
    } else {
      const m = segmentMatcher(seg);
      for (const d of cur) {
        const real = folder(root, d);
        if (real === undefined) continue;
        for (const e of listDir(real)) if ((seg.startsWith('.') || !e.name.startsWith('.')) && m.test(e.name)) next.push(join(real, e.name));
      }
    }
    cur = next;
  }
  const files: string[] = [];
  const add = (p: string, depth: number): void => {
    const f = regularFile(root, p);
    if (f !== undefined) {
      files.push(f);
      return;
    }
    const d = folder(root, p);
    if (d === undefined || depth > 8) return;
    for (const e of listDir(d)) add(join(d, e.name), depth + 1);
  };
  for (const p of cur) add(p, 0);
  return [...new Set(files)].sort();
}

/** A configuration file's text, or a problem naming it. */
export function readConfig(ctx: CollectContext, file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    ctx.problems.report({ kind: 'input', file, message: `cannot read: ${(e as Error).message}` });
    return undefined;
  }
}

/** Accounts web servers and PHP run as on common distributions. */
const WEB_USERS = new Set(['www-data', 'apache', 'nginx', 'http', 'wwwrun', 'www', 'httpd', 'lighttpd', 'nobody']);

/** The uids and gids of the web-server accounts, from the root's /etc/passwd. */
export function webServerIds(root: string): { uids: Set<number>; gids: Set<number> } {
  const uids = new Set<number>();
  const gids = new Set<number>();
  let text = '';
  try {
    text = readFileSync(join(root, 'etc/passwd'), 'utf8');
  } catch {
    return { uids, gids };
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || !WEB_USERS.has(f[0]!)) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (Number.isInteger(uid) && uid !== 0) uids.add(uid);
    if (Number.isInteger(gid) && gid !== 0) gids.add(gid);
  }
  return { uids, gids };
}

const TEMP_FOLDERS = /^\/(?:tmp|var\/tmp|dev\/shm|run\/shm)(?:\/|$)/;

/**
 * Whether the web server (or anyone) can write the folder holding `file`: world-writable,
 * writable by a web-server account or group, or a temporary folder. A file that runs on every
 * request from such a folder can be replaced through any upload or file-write bug.
 */
export function writableFolder(root: string, file: string, ids: { uids: Set<number>; gids: Set<number> }): boolean {
  const dir = dirname(file);
  if (TEMP_FOLDERS.test(asServerPath(root, dir))) return true;
  for (const p of [dir, file]) {
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.mode & 0o002) return true;
    if (ids.uids.has(st.uid) && st.mode & 0o200) return true;
    if (ids.gids.has(st.gid) && st.mode & 0o020) return true;
  }
  return false;
}

/** Whether `p` is one of the folders or below one. */
export function isUnder(p: string, folders: readonly string[]): boolean {
  return folders.some((f) => p === f || p.startsWith(f.endsWith('/') ? f : `${f}/`));
}

/** Folders with nested ones dropped (a walk of the outer one covers them), sorted. */
export function outermost(folders: Iterable<string>): string[] {
  const sorted = [...new Set(folders)].sort();
  const out: string[] = [];
  for (const f of sorted) if (!isUnder(f, out)) out.push(f);
  return out;
}

/** Image extensions: a handler that makes one of these run is how an uploaded "picture" becomes a shell. */
export const IMAGE_EXTS = ['jpg', 'jpeg', 'png', 'gif', 'bmp', 'ico', 'webp', 'svg', 'tif', 'tiff'];

/** Whether an extension list or a file pattern (`\.(jpg|png)$`, `*.gif`) names an image type. */
export function namesImage(text: string): boolean {
  const t = text.toLowerCase();
  return IMAGE_EXTS.some((e) => new RegExp(`(?:^|[^a-z0-9])${e}(?:$|[^a-z0-9])`).test(t));
}

/** PHP source extensions PHP-FPM and mod_php are commonly set to run. */
export const PHP_FILE = /\.(?:php\d?|pht|phtml|phar|inc)$/i;

/** Where distributions put web content when no configuration says otherwise. */
export const DEFAULT_WEB_ROOTS = ['/var/www', '/srv/www', '/srv/http', '/usr/share/nginx/html'];
