/**
 * Confluence and Jira: user-installed apps in `<home>/plugins/installed-plugins` (Jira) or
 * `<home>/plugins-cache` and `<home>/bundled-plugins` (Confluence); the server is told apart
 * by its home's marker file.
 */
import { join } from 'node:path';
import { isDir, isFile, listDir } from '../paths.js';
import type { Candidate, Collector } from '../types.js';
import { findHomes } from './homes.js';

const PLACES = ['var/atlassian/application-data/*', 'var/atlassian/*', 'opt/atlassian/*/home', 'var/lib/confluence', 'var/lib/jira'];
const PLUGIN_DIRS = ['plugins/installed-plugins', 'plugins-cache', 'plugins/.bundled-plugins', 'bundled-plugins'];

function serverOf(home: string): string {
  if (isFile(join(home, 'confluence.cfg.xml'))) return 'confluence';
  if (isFile(join(home, 'dbconfig.xml')) || isFile(join(home, 'jira-config.properties'))) return 'jira';
  return /confluence/i.test(home) ? 'confluence' : 'jira';
}

export const atlassian: Collector = {
  server: 'atlassian',
  async collect(ctx) {
    const out: Candidate[] = [];
    const watch: string[] = [];
    for (const home of findHomes(ctx.root, PLACES, (d) => PLUGIN_DIRS.some((p) => isDir(join(d, p))))) {
      const server = serverOf(home);
      for (const rel of PLUGIN_DIRS) {
        const dir = join(home, rel);
        if (!isDir(dir)) continue;
        watch.push(dir);
        const kind = rel.includes('bundled') ? `${server}-bundled-plugin` : rel === 'plugins-cache' ? `${server}-cached-plugin` : `${server}-plugin`;
        for (const e of listDir(dir)) if (e.isFile() && /\.(jar|obr)$/i.test(e.name)) out.push({ kind, server, path: join(dir, e.name), file: true, signature: 'jar' });
      }
    }
    return { candidates: out, watch };
  },
};
