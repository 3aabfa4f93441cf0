/**
 * The web roots of a Unix host: what Apache and nginx serve (their configurations read again,
 * quietly: their own collectors report the problems) and the distributions' default folders.
 * PHP settings are judged against them and WordPress is looked for in them.
 */
import type { CollectContext } from '../types.js';
import { apacheMainConfigs, readApache } from './apache.js';
import { nginxMainConfigs, nginxWebRoots, readNginx } from './nginx.js';
import { DEFAULT_WEB_ROOTS, folder, outermost, serverPath } from './unixconf.js';

/** Every web root that exists, after links, nested ones folded into the outer. */
export function webRoots(ctx: CollectContext): string[] {
  return outermost(allWebRoots(ctx));
}

/** Every web root that exists, after links, nested ones kept (installations are looked for below each). */
export function allWebRoots(ctx: CollectContext): string[] {
  const quiet: CollectContext = { root: ctx.root, problems: { report: () => undefined } };
  const roots: string[] = DEFAULT_WEB_ROOTS.map((r) => serverPath(ctx.root, r));
  for (const main of apacheMainConfigs(ctx.root)) roots.push(...readApache(quiet, main).webRoots.map((r) => r.path));
  for (const main of nginxMainConfigs(ctx.root)) roots.push(...nginxWebRoots(ctx.root, readNginx(quiet, main)));
  return [...new Set(roots.flatMap((r) => folder(ctx.root, r) ?? []))].sort();
}
