/**
 * What the PHP CMS collectors (WordPress, Drupal, Joomla) share: finding installations below
 * the web roots, reading a file's head (CMSes read extension headers from the first bytes),
 * and listing the scripts of a folder while noting the folders to watch.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { listDir, walkFiles } from '../paths.js';
import type { Candidate, CollectContext, Collector } from '../types.js';
import { dedupe } from './iis.js';
import { allWebRoots } from './webroots.js';

/** Adds one file component of the CMS (not signed; `extra` sets scan, name, detail). */
export type AddComponent = (kind: string, path: string, extra?: Partial<Candidate>) => void;

/**
 * A collector for a PHP CMS: every installation below the web roots is handed to `site` with
 * an `add` for its components and the set of folders to watch (the installation is watched).
 */
export function cmsCollector(
  server: string,
  isInstall: (dir: string) => boolean,
  site: (dir: string, add: AddComponent, watch: Set<string>, ctx: CollectContext) => void,
): Collector {
  return {
    server,
    async collect(ctx) {
      const out: Candidate[] = [];
      const watch = new Set<string>();
      const add: AddComponent = (kind, path, extra = {}) => {
        const c: Candidate = { kind, server, path, file: true, signature: 'none', ...extra };
        if (c.detail !== undefined && Object.keys(c.detail).length === 0) delete c.detail;
        out.push(c);
      };
      for (const dir of installations(allWebRoots(ctx), isInstall)) {
        watch.add(dir);
        site(dir, add, watch, ctx);
      }
      return dedupe(out, watch);
    },
  };
}

/** Installations in and up to `depth` levels below the roots (a site is often one folder down: /var/www/html/blog). */
export function installations(roots: readonly string[], isInstall: (dir: string) => boolean, depth = 2): string[] {
  const found = new Set<string>();
  for (const r of roots) {
    let level = [r];
    for (let d = 0; d <= depth; d++) {
      const next: string[] = [];
      for (const dir of level) {
        if (isInstall(dir)) found.add(dir);
        if (d < depth) for (const e of listDir(dir)) if (e.isDirectory() && !e.name.startsWith('.')) next.push(join(dir, e.name));
      }
      level = next;
    }
  }
  return [...found].sort();
}

/** The first `bytes` of a file as UTF-8 ('' when it cannot be read). */
export function head(file: string, bytes = 8192): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}

/** The files under `dir` whose names pass `test`; every folder walked is added to `watch` (a new file appears there). */
export function filesUnder(dir: string, test: RegExp, watch: Set<string>): string[] {
  const { files, dirs } = walkFiles(dir);
  for (const d of dirs) watch.add(d);
  return files.filter((f) => test.test(f));
}
