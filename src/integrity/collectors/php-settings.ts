/**
 * PHP's `auto_prepend_file` and `auto_append_file`: a script PHP runs before (after) every
 * script it serves, wherever the setting is made (php.ini, conf.d, `.user.ini`, PHP-FPM pools,
 * Apache's `php_value`). The named file is the component, scanned like any script, with two
 * facts rules need: whether it lies in a web root and whether the web server can write its
 * folder (either way, anyone who can upload a file owns every request).
 */
import type { Candidate, CollectContext } from '../types.js';
import type { ApacheDirective } from './apache.js';
import { asServerPath, isUnder, serverPath, writableFolder } from './unixconf.js';

export interface PhpFlags {
  webRoots: readonly string[];
  ids: { uids: Set<number>; gids: Set<number> };
}

const AUTO = new Set(['auto_prepend_file', 'auto_append_file']);

/** The component a setting names, or undefined when it is not one of the two or is off. */
export function autoFileCandidate(ctx: CollectContext, server: string, setting: string, value: string, source: string, baseDir: string, flags: PhpFlags): Candidate | undefined {
  const key = setting.trim().toLowerCase();
  const v = value.trim().replace(/^(["'])(.*)\1$/, '$2');
  if (!AUTO.has(key) || v === '' || /^none$/i.test(v)) return undefined;
  const path = serverPath(ctx.root, v, asServerPath(ctx.root, baseDir));
  return {
    kind: key === 'auto_prepend_file' ? 'php-auto-prepend' : 'php-auto-append',
    server,
    path,
    name: key,
    source,
    detail: {
      value: v,
      writable: writableFolder(ctx.root, path, flags.ids) ? 'true' : 'false',
      webRoot: isUnder(path, flags.webRoots) ? 'true' : 'false',
    },
    file: true,
    signature: 'none',
    scan: true,
  };
}

/** `php_value`/`php_admin_value auto_prepend_file ...` in Apache configuration or `.htaccess`. */
export function phpAutoFile(ctx: CollectContext, server: string, d: ApacheDirective, baseDir: string, flags: PhpFlags): Candidate | undefined {
  if ((d.name !== 'php_value' && d.name !== 'php_admin_value') || d.args.length < 2) return undefined;
  return autoFileCandidate(ctx, server, d.args[0]!, d.args[1]!, d.file, baseDir, flags);
}
