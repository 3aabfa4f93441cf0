/**
 * JetBrains TeamCity: external plugins in `<DataDir>/plugins/*.zip` (and what the server
 * unpacked from them into `plugins/.unpacked`), and the bundled plugins of the installation
 * (`webapps/ROOT/WEB-INF/plugins`). "TeamCity plugin modified" is a change to any of these.
 */
import { join } from 'node:path';
import { isDir, listDir, walkFiles } from '../paths.js';
import type { Candidate, Collector } from '../types.js';
import { dedupe } from './iis.js';
import { findHomes } from './homes.js';

const SERVER = 'teamcity';
const DATA_PLACES = ['root/.BuildServer', 'home/*/.BuildServer', 'opt/teamcity-data', 'var/lib/teamcity', 'data/teamcity_server/datadir', 'ProgramData/JetBrains/TeamCity'];
const INSTALL_PLACES = ['opt/teamcity', 'opt/TeamCity', 'opt/JetBrains/TeamCity', 'TeamCity'];
const BUNDLED = 'webapps/ROOT/WEB-INF/plugins';

export const teamcity: Collector = {
  server: SERVER,
  async collect(ctx) {
    const out: Candidate[] = [];
    const watch = new Set<string>();
    for (const data of findHomes(ctx.root, DATA_PLACES, (d) => isDir(join(d, 'plugins')) && isDir(join(d, 'config')))) {
      const dir = join(data, 'plugins');
      watch.add(dir);
      for (const e of listDir(dir))
        if (e.isFile() && /\.(zip|jar)$/i.test(e.name)) out.push({ kind: 'teamcity-plugin', server: SERVER, path: join(dir, e.name), file: true, signature: 'jar' });
      const unpacked = join(dir, '.unpacked');
      if (isDir(unpacked)) {
        const { files, dirs } = walkFiles(unpacked, ctx.hashSoon && ((fs) => ctx.hashSoon!(fs.filter((f) => !/\.jar$/i.test(f)))), ctx.list);
        for (const d of dirs) watch.add(d);
        for (const f of files) out.push({ kind: 'teamcity-unpacked-file', server: SERVER, path: f, file: true, signature: /\.jar$/i.test(f) ? 'jar' : 'none' });
      }
    }
    for (const inst of findHomes(ctx.root, INSTALL_PLACES, (d) => isDir(join(d, BUNDLED)))) {
      const dir = join(inst, BUNDLED);
      watch.add(dir);
      for (const e of listDir(dir)) {
        const p = join(dir, e.name);
        if (e.isFile() && /\.(zip|jar)$/i.test(e.name)) out.push({ kind: 'teamcity-bundled-plugin', server: SERVER, path: p, file: true, signature: 'jar' });
        else if (e.isDirectory()) {
          const { files, dirs } = walkFiles(p);
          for (const d of dirs) watch.add(d);
          for (const f of files) out.push({ kind: 'teamcity-bundled-plugin', server: SERVER, path: f, file: true, signature: /\.jar$/i.test(f) ? 'jar' : 'none' });
        }
      }
    }
    return dedupe(out, watch);
  },
};
