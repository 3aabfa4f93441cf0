/**
 * WordPress: installations in the web roots (a folder with wp-config.php or
 * wp-includes/version.php, at most two levels down). Components: plugins (each plugin's main
 * file, the one whose header names it, with its Name and Version), every other PHP file of a
 * plugin, must-use plugins (loaded on every request without being listed anywhere in the
 * admin pages), drop-ins (wp-content files WordPress loads in place of its own code), theme
 * PHP files, PHP files in uploads, and wp-config.php. Every one is scanned.
 */
import { join } from 'node:path';
import { isDir, isFile, listDir, walkFiles } from '../paths.js';
import type { Candidate } from '../types.js';
import { cmsCollector, installations as cmsInstallations, head } from './cms.js';
import { PHP_FILE } from './unixconf.js';

const SERVER = 'wordpress';
/** Files of wp-content that WordPress loads in place of its own code when present. */
export const DROP_INS = [
  'advanced-cache.php',
  'object-cache.php',
  'db.php',
  'db-error.php',
  'install.php',
  'maintenance.php',
  'sunrise.php',
  'blog-deleted.php',
  'blog-inactive.php',
  'blog-suspended.php',
  'php-error.php',
  'fatal-error-handler.php',
];
/** A header field as WordPress reads it (`Plugin Name: X` in a comment line). */
export function headerField(text: string, field: string): string | undefined {
  const m = new RegExp(`^[ \\t/*#@]*${field}:(.*)$`, 'mi').exec(text);
  if (!m) return undefined;
  const v = m[1]!.replace(/\s*(?:\*\/|\?>).*$/, '').trim();
  return v === '' ? undefined : v;
}

function pluginDetail(text: string): Record<string, string> {
  const d: Record<string, string> = {};
  const name = headerField(text, 'Plugin Name');
  const version = headerField(text, 'Version');
  if (name !== undefined) d['plugin'] = name;
  if (version !== undefined) d['version'] = version;
  return d;
}

function isInstall(dir: string): boolean {
  return isDir(join(dir, 'wp-content')) && (isFile(join(dir, 'wp-config.php')) || isFile(join(dir, 'wp-includes/version.php')));
}

/** WordPress installations in and up to two levels below the web roots. */
export function installations(roots: readonly string[]): string[] {
  return cmsInstallations(roots, isInstall);
}

export const wordpress = cmsCollector(SERVER, isInstall, (site, add, watch) => {
  // every WordPress component is PHP the site runs: all are scanned
  const script = (kind: string, path: string, extra: Partial<Candidate> = {}): void => add(kind, path, { scan: true, ...extra });
  const content = join(site, 'wp-content');
  watch.add(content);
  if (isFile(join(site, 'wp-config.php'))) script('wordpress-config', join(site, 'wp-config.php'));
  for (const name of DROP_INS) if (isFile(join(content, name))) script('wordpress-dropin', join(content, name), { name });
  const plugins = join(content, 'plugins');
  if (isDir(plugins)) {
    watch.add(plugins);
    for (const e of listDir(plugins)) {
      const p = join(plugins, e.name);
      if (e.isFile() && PHP_FILE.test(e.name)) {
        // a single-file plugin is a plugin only when its header names it; otherwise it is still a script WordPress serves
        const detail = pluginDetail(head(p));
        if (detail['plugin'] !== undefined) script('wordpress-plugin', p, { name: e.name.replace(/\.php$/i, ''), detail });
        else script('wordpress-plugin-file', p);
      } else if (e.isDirectory()) {
        const { files, dirs } = walkFiles(p);
        for (const d of dirs) watch.add(d);
        const top = files.filter((f) => f.lastIndexOf('/') === p.length && /\.php$/i.test(f));
        const main = top.map((f) => ({ f, detail: pluginDetail(head(f)) })).find((x) => x.detail['plugin'] !== undefined);
        if (main) script('wordpress-plugin', main.f, { name: e.name, detail: main.detail });
        for (const f of files) if (PHP_FILE.test(f) && f !== main?.f) script('wordpress-plugin-file', f, { detail: { plugin: e.name } });
      }
    }
  }
  const mu = join(content, 'mu-plugins');
  if (isDir(mu)) {
    const { files, dirs } = walkFiles(mu);
    for (const d of dirs) watch.add(d);
    for (const f of files) {
      if (!PHP_FILE.test(f)) continue;
      // WordPress loads the PHP files directly in mu-plugins; those in subfolders only when one of them includes them
      if (f.lastIndexOf('/') === mu.length && /\.php$/i.test(f)) script('wordpress-mu-plugin', f, { detail: pluginDetail(head(f)) });
      else script('wordpress-plugin-file', f, { detail: { plugin: 'mu-plugins' } });
    }
  }
  for (const [sub, kind] of [
    ['themes', 'wordpress-theme-file'],
    ['uploads', 'wordpress-upload-script'],
  ] as const) {
    const dir = join(content, sub);
    if (!isDir(dir)) continue;
    const { files, dirs } = walkFiles(dir);
    for (const d of dirs) watch.add(d);
    for (const f of files) if (PHP_FILE.test(f)) script(kind, f);
  }
});
