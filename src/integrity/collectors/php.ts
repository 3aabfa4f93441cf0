/**
 * PHP: every php.ini and conf.d/*.ini of the usual layouts (Debian's per-SAPI folders, Red
 * Hat's php.d, the official images' /usr/local/etc/php), PHP-FPM pool files, and `.user.ini`
 * files in the web roots (read per directory by PHP-FPM and CGI). Components: the files named
 * by `auto_prepend_file`/`auto_append_file` (run around every request), the extensions
 * loaded with `extension=`/`zend_extension=` (shared objects), and the configuration files.
 */
import { dirname } from 'node:path';
import { isDir, walkFiles } from '../paths.js';
import type { Candidate, CollectContext, Collector } from '../types.js';
import { dedupe } from './iis.js';
import { autoFileCandidate, type PhpFlags } from './php-settings.js';
import { asServerPath, expandInclude, readConfig, serverPath, webServerIds } from './unixconf.js';
import { webRoots } from './webroots.js';

const SERVER = 'php';
const INI_PATTERNS = [
  '/etc/php.ini',
  '/etc/php.d/*.ini',
  '/etc/php/*/*/php.ini',
  '/etc/php/*/*/conf.d/*.ini',
  '/etc/php[57]/*/php.ini',
  '/etc/php[57]/*/conf.d/*.ini',
  '/etc/php[0-9]*/php.ini',
  '/etc/php[0-9]*/conf.d/*.ini',
  '/usr/local/etc/php/php.ini',
  '/usr/local/etc/php/conf.d/*.ini',
  '/usr/local/lib/php.ini',
  '/etc/opt/remi/*/php.ini',
  '/etc/opt/remi/*/php.d/*.ini',
];
const POOL_PATTERNS = [
  '/etc/php/*/fpm/pool.d/*.conf',
  '/etc/php-fpm.d/*.conf',
  '/usr/local/etc/php-fpm.d/*.conf',
  '/etc/php[0-9]*/php-fpm.d/*.conf',
  '/etc/opt/remi/*/php-fpm.d/*.conf',
];
/** Where extensions given by name live when no extension_dir says. */
const EXTENSION_DIRS = ['/usr/lib/php/*', '/usr/lib64/php/modules', '/usr/local/lib/php/extensions/*', '/usr/lib/php/modules', '/usr/lib/php[0-9]*/modules'];

export interface IniSetting {
  key: string;
  value: string;
  line: number;
}

/**
 * `key = value` lines of an ini file (php.ini syntax; PHP-FPM's `php_value[key] = value` and
 * `php_admin_value[key]` read as `key`). Sections are ignored: PHP applies [PATH=]/[HOST=]
 * sections only to some requests, and a setting there is still a component.
 */
export function parseIni(text: string): IniSetting[] {
  const out: IniSetting[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '' || t.startsWith(';') || t.startsWith('#') || t.startsWith('[')) continue;
    const eq = t.indexOf('=');
    if (eq <= 0) continue;
    let key = t.slice(0, eq).trim();
    const fpm = /^php_(?:admin_)?(?:value|flag)\[([^\]]+)\]$/i.exec(key);
    if (fpm) key = fpm[1]!;
    let value = t.slice(eq + 1).trim();
    const q = /^"([^"]*)"|^'([^']*)'/.exec(value);
    value = q ? (q[1] ?? q[2]!) : value.replace(/\s;.*$/, '').trim();
    out.push({ key: key.toLowerCase(), value, line: i + 1 });
  }
  return out;
}

function extensionCandidate(ctx: CollectContext, s: IniSetting, source: string, extensionDir: string | undefined): Candidate {
  const base = { kind: 'php-extension', server: SERVER, name: s.value, source, detail: { setting: s.key } };
  let file: string | undefined;
  if (s.value.startsWith('/')) file = serverPath(ctx.root, s.value);
  else {
    const name = /\.(?:so|dll)$/i.test(s.value) ? s.value : `${s.value}.so`;
    const dirs = extensionDir !== undefined ? [extensionDir] : EXTENSION_DIRS;
    for (const d of dirs) {
      const found = expandInclude(ctx.root, `${d}/${name}`)[0];
      if (found !== undefined) {
        file = found;
        break;
      }
    }
  }
  // an extension whose file cannot be found is kept as its declaration
  if (file === undefined) return { ...base, path: source, file: false, signature: 'none' };
  return { ...base, path: file, file: true, signature: 'none' };
}

export const php: Collector = {
  server: SERVER,
  async collect(ctx) {
    const out: Candidate[] = [];
    const watch = new Set<string>();
    const roots = webRoots(ctx);
    const flags: PhpFlags = { webRoots: roots, ids: webServerIds(ctx.root) };
    const configs: { file: string; kind: string; settings: IniSetting[] }[] = [];
    const seen = new Set<string>();
    const take = (file: string, kind: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readConfig(ctx, file);
      configs.push({ file, kind, settings: text === undefined ? [] : parseIni(text) });
    };
    for (const p of INI_PATTERNS) for (const f of expandInclude(ctx.root, p)) take(f, 'php-ini');
    for (const p of POOL_PATTERNS) for (const f of expandInclude(ctx.root, p)) take(f, 'php-fpm-pool');
    for (const dir of roots) {
      const { files, dirs } = walkFiles(dir);
      for (const d of dirs) watch.add(d);
      for (const f of files) if (f.endsWith('/.user.ini')) take(f, 'php-user-ini');
    }
    // extension_dir applies to every extension loaded by name; the last one set wins, as in PHP
    let extensionDir: string | undefined;
    for (const c of configs) for (const s of c.settings) if (s.key === 'extension_dir' && s.value !== '') extensionDir = asServerPath(ctx.root, serverPath(ctx.root, s.value));
    for (const c of configs) {
      if (c.kind !== 'php-user-ini') watch.add(dirname(c.file));
      out.push({ kind: c.kind, server: SERVER, path: c.file, file: true, signature: 'none' });
      for (const s of c.settings) {
        const auto = autoFileCandidate(ctx, SERVER, s.key, s.value, c.file, dirname(c.file), flags);
        if (auto) out.push(auto);
        // .user.ini files cannot load extensions (PHP_INI_SYSTEM settings)
        else if ((s.key === 'extension' || s.key === 'zend_extension') && s.value !== '' && c.kind !== 'php-user-ini') out.push(extensionCandidate(ctx, s, c.file, extensionDir));
      }
    }
    // the files PHP loads can sit anywhere: their folders are watched too
    for (const c of out) if (c.file && c.kind !== 'php-user-ini' && isDir(dirname(c.path))) watch.add(dirname(c.path));
    return dedupe(out, watch);
  },
};
