/**
 * Joomla: installations in the web roots (administrator/, libraries/ and includes/defines.php).
 * Components: every extension — components (site and administrator halves), modules, plugins
 * (by group), templates — declared by its XML manifest (name, version, type), every PHP file of
 * each, configuration.php (PHP run on every request), and scripts in images/ and tmp/ (uploads
 * and the installer's scratch folder: Joomla never runs code from there, web shells hide there).
 * Core extensions sit beside third-party ones in the same folders; both are listed, as a
 * baseline approves what an update changes.
 */
import { join } from 'node:path';
import { isDir, isFile, listDir } from '../paths.js';
import type { CollectContext } from '../types.js';
import { childText, readXml } from '../xml.js';
import { cmsCollector, filesUnder, head } from './cms.js';
import { PHP_FILE } from './unixconf.js';

const SERVER = 'joomla';

function isInstall(dir: string): boolean {
  return isDir(join(dir, 'administrator')) && isDir(join(dir, 'libraries')) && isFile(join(dir, 'includes/defines.php'));
}

/** The extension's manifest: `preferred` when it exists, else the first top-level XML whose root is <extension> (or Joomla 1.5's <install>). */
function manifest(dir: string, preferred: string[]): string | undefined {
  for (const p of preferred) if (isFile(join(dir, p))) return join(dir, p);
  for (const e of listDir(dir)) if (/\.xml$/i.test(e.name) && /<(?:extension|install)\b/.test(head(join(dir, e.name), 4096))) return join(dir, e.name);
  return undefined;
}

function manifestDetail(ctx: CollectContext, file: string | undefined): Record<string, string> | undefined {
  if (file === undefined) return undefined;
  const doc = readXml(ctx, file);
  if (!doc) return undefined;
  const d: Record<string, string> = {};
  const title = childText(doc, 'name');
  const version = childText(doc, 'version');
  if (title !== undefined) d['title'] = title;
  if (version !== undefined) d['version'] = version;
  return Object.keys(d).length ? d : undefined;
}

interface Extension {
  kind: 'joomla-component' | 'joomla-module' | 'joomla-plugin' | 'joomla-template';
  name: string;
  /** Its folders (a component has a site and an administrator half). */
  dirs: string[];
  manifest?: string;
}

function extensions(site: string, watch: Set<string>): Extension[] {
  const out: Extension[] = [];
  const admin = join(site, 'administrator');
  const sub = (dir: string): string[] => {
    // only folders that exist are watched (a site may lack administrator/modules, say)
    if (!isDir(dir)) return [];
    watch.add(dir);
    return listDir(dir)
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name);
  };
  const components = new Map<string, string[]>();
  for (const base of [join(site, 'components'), join(admin, 'components')]) for (const n of sub(base)) components.set(n, [...(components.get(n) ?? []), join(base, n)]);
  for (const [name, dirs] of [...components].sort()) {
    const short = name.replace(/^com_/, '');
    // the manifest lives in the administrator half
    const adminDir = join(admin, 'components', name);
    out.push({ kind: 'joomla-component', name, dirs, manifest: isDir(adminDir) ? manifest(adminDir, [`${short}.xml`, `${name}.xml`]) : undefined });
  }
  for (const base of [join(site, 'modules'), join(admin, 'modules')])
    for (const n of sub(base)) out.push({ kind: 'joomla-module', name: n, dirs: [join(base, n)], manifest: manifest(join(base, n), [`${n}.xml`]) });
  for (const group of sub(join(site, 'plugins')))
    for (const n of sub(join(site, 'plugins', group))) {
      const dir = join(site, 'plugins', group, n);
      out.push({ kind: 'joomla-plugin', name: `plg_${group}_${n}`, dirs: [dir], manifest: manifest(dir, [`${n}.xml`]) });
    }
  for (const base of [join(site, 'templates'), join(admin, 'templates')])
    for (const n of sub(base)) {
      const dir = join(base, n);
      out.push({ kind: 'joomla-template', name: n, dirs: [dir], manifest: manifest(dir, ['templateDetails.xml']) });
    }
  return out;
}

export const joomla = cmsCollector(SERVER, isInstall, (site, add, watch, ctx) => {
  if (isFile(join(site, 'configuration.php'))) add('joomla-config', join(site, 'configuration.php'), { scan: true });
  for (const ext of extensions(site, watch)) {
    const detail = manifestDetail(ctx, ext.manifest);
    let main: string | undefined;
    if (ext.manifest !== undefined) add(ext.kind, ext.manifest, { name: ext.name, ...(detail ? { detail } : {}) });
    else {
      // no manifest: not installed through Joomla's installer (a folder dropped in by hand); its entry script stands for it
      main = ext.dirs.flatMap((d) =>
        listDir(d)
          .filter((e) => e.isFile() && PHP_FILE.test(e.name))
          .map((e) => join(d, e.name)),
      )[0];
      if (main !== undefined) add(ext.kind, main, { name: ext.name, scan: true, detail: { manifest: 'none' } });
    }
    for (const dir of ext.dirs) for (const f of filesUnder(dir, PHP_FILE, watch)) if (f !== main) add(`${ext.kind}-file`, f, { scan: true, detail: { extension: ext.name } });
  }
  for (const d of ['images', 'tmp']) {
    const dir = join(site, d);
    if (!isDir(dir)) continue;
    watch.add(dir);
    for (const f of filesUnder(dir, PHP_FILE, watch)) add('joomla-upload-script', f, { scan: true });
  }
});
