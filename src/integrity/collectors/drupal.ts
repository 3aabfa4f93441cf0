/**
 * Drupal: installations in the web roots (Drupal 8+ by core/lib/Drupal.php, Drupal 7 by
 * includes/bootstrap.inc with modules/system). Components: contributed and custom modules and
 * themes (each declared by its NAME.info.yml, or NAME.info in Drupal 7, with name, version and
 * type), every PHP file of them (.module, .inc, .install, .theme and the rest are PHP Drupal
 * includes), each site's settings.php (PHP run on every request), scripts in a site's public
 * or private files folder (uploads: Drupal never puts code there) and the .htaccess Drupal
 * writes there to stop scripts from running (an attacker removes or rewrites it), and the
 * Twig templates Drupal compiles to PHP there (scanned; they change on every cache rebuild). Core's own
 * modules are core: they change with a Drupal update, which a baseline approves.
 */
import type { Dirent } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { isDir, isFile, listDir } from '../paths.js';
import { cmsCollector, filesUnder, head } from './cms.js';

const SERVER = 'drupal';
/** File types Drupal loads as PHP. */
export const DRUPAL_PHP = /\.(?:php\d?|phtml|module|inc|install|theme|engine|profile|test)$/i;
const INFO = /\.info(?:\.yml)?$/;

function isInstall(dir: string): boolean {
  if (!isDir(join(dir, 'sites'))) return false;
  return isFile(join(dir, 'core/lib/Drupal.php')) || (isFile(join(dir, 'includes/bootstrap.inc')) && isDir(join(dir, 'modules/system')));
}

/** `name`, `version`, `type` of an info file (YAML `key: value` in 8+, INI `key = value` in 7); only top-level scalar keys. */
export function infoFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^(name|version|type|core_version_requirement|core)\s*[:=]\s*(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
    if (v !== '' && out[m[1]!] === undefined) out[m[1]!] = v;
  }
  return out;
}

/** Folders where a site's extensions live, outside core (in Drupal 7 the top modules/ and themes/ are core's). */
function extensionRoots(site: string): string[] {
  const d7 = !isFile(join(site, 'core/lib/Drupal.php'));
  const roots = (d7 ? ['profiles'] : ['modules', 'themes', 'profiles']).map((d) => join(site, d));
  for (const e of listDir(join(site, 'sites'))) {
    if (!e.isDirectory()) continue;
    for (const d of ['modules', 'themes']) roots.push(join(site, 'sites', e.name, d));
  }
  return roots.filter(isDir);
}

/** An extension is a folder holding NAME.info.yml / NAME.info (given its entries, sorted); its name is the file's. */
function extensionInfo(dir: string, entries: readonly Dirent[]): string | undefined {
  const base = basename(dir);
  const infos = entries.filter((e) => INFO.test(e.name)).map((e) => e.name);
  // the folder's own name first: a module folder may hold submodules' info files only in subfolders, but tests and bundles sit beside it
  const pick = infos.find((n) => n.replace(INFO, '') === base) ?? infos[0];
  return pick !== undefined ? join(dir, pick) : undefined;
}

export const drupal = cmsCollector(SERVER, isInstall, (site, add, watch) => {
  // extensions: every folder with an info file, below the extension roots (contrib/ and custom/ are common groupings)
  for (const root of extensionRoots(site)) {
    watch.add(root);
    const stack = [root];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      // one listing per folder: it tells whether the folder is an extension and, if not, where to go on
      const entries = listDir(dir);
      const info = dir === root ? undefined : extensionInfo(dir, entries);
      if (info === undefined) {
        for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) stack.push(join(dir, e.name));
        continue;
      }
      const f = infoFields(head(info, 16384));
      const type = f['type'] ?? (/[\\/]themes[\\/]/.test(dir.slice(site.length)) ? 'theme' : 'module');
      const kind = type === 'theme' ? 'drupal-theme' : type === 'profile' ? 'drupal-profile' : 'drupal-module';
      const name = basename(info).replace(INFO, '');
      const detail: Record<string, string> = {};
      if (f['name'] !== undefined) detail['title'] = f['name'];
      if (f['version'] !== undefined) detail['version'] = f['version'];
      add(kind, info, { name, ...(Object.keys(detail).length ? { detail } : {}) });
      // its files, submodules included (they are part of what the project ships)
      for (const file of filesUnder(dir, DRUPAL_PHP, watch)) add(`${kind}-file`, file, { scan: true, detail: { [type === 'theme' ? 'theme' : 'module']: name } });
    }
  }
  const sites = join(site, 'sites');
  watch.add(sites);
  for (const e of listDir(sites)) {
    if (!e.isDirectory()) continue;
    const dir = join(sites, e.name);
    for (const n of ['settings.php', 'settings.local.php']) if (isFile(join(dir, n))) add('drupal-settings', join(dir, n), { scan: true, name: `${e.name}/${n}` });
    for (const files of ['files', 'private']) {
      const fdir = join(dir, files);
      if (!isDir(fdir)) continue;
      watch.add(fdir);
      if (isFile(join(fdir, '.htaccess'))) add('drupal-files-htaccess', join(fdir, '.htaccess'));
      // Drupal 8+ compiles Twig templates to PHP under files/php/twig: code Drupal wrote, rewritten on every cache rebuild
      const twig = join(fdir, 'php', 'twig');
      for (const f of filesUnder(fdir, DRUPAL_PHP, watch)) add(f.startsWith(twig + sep) ? 'drupal-compiled-template' : 'drupal-upload-script', f, { scan: true });
    }
  }
});
