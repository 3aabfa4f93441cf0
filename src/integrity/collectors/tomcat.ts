/**
 * Apache Tomcat: every CATALINA_BASE (a folder with conf/server.xml). Components: the
 * webapps (folders and .war files) and every file inside deployed webapps (a dropped JSP is a
 * component change), the valves and listeners of server.xml and context.xml (memory shells
 * and backdoors register there), and the jars of lib/.
 */
import { join } from 'node:path';
import { isDir, isFile, listDir, walkFiles } from '../paths.js';
import type { Candidate, Collector } from '../types.js';
import { attr, attrs, descendants, readXml } from '../xml.js';
import { dedupe } from './iis.js';
import { findHomes } from './homes.js';

const SERVER = 'tomcat';
const PLACES = ['opt/tomcat*', 'opt/apache-tomcat*', 'usr/share/tomcat*', 'var/lib/tomcat*', 'usr/local/tomcat*', 'opt/*/tomcat*'];

function jarLike(p: string): boolean {
  return /\.(jar|war)$/i.test(p);
}

export const tomcat: Collector = {
  server: SERVER,
  async collect(ctx) {
    const out: Candidate[] = [];
    const watch = new Set<string>();
    for (const home of findHomes(ctx.root, PLACES, (d) => isFile(join(d, 'conf/server.xml')))) {
      watch.add(join(home, 'conf'));
      for (const name of ['server.xml', 'context.xml', 'web.xml']) {
        const cfg = join(home, 'conf', name);
        if (!isFile(cfg)) continue;
        out.push({ kind: 'tomcat-config', server: SERVER, path: cfg, file: true, signature: 'none' });
        if (name === 'web.xml') continue;
        const doc = readXml(ctx, cfg);
        if (!doc) continue;
        for (const [el, kind] of [
          ['Valve', 'tomcat-valve'],
          ['Listener', 'tomcat-listener'],
        ] as const)
          for (const v of descendants(doc, el)) {
            const cls = attr(v, 'className');
            if (cls) out.push({ kind, server: SERVER, path: cfg, name: cls, source: cfg, detail: attrs(v, ['className']), file: false, signature: 'none' });
          }
      }
      const lib = join(home, 'lib');
      if (isDir(lib)) {
        watch.add(lib);
        for (const e of listDir(lib)) if (e.isFile() && jarLike(e.name)) out.push({ kind: 'tomcat-lib', server: SERVER, path: join(lib, e.name), file: true, signature: 'jar' });
      }
      const webapps = join(home, 'webapps');
      watch.add(webapps);
      for (const e of listDir(webapps)) {
        const p = join(webapps, e.name);
        if (e.isFile() && jarLike(e.name)) out.push({ kind: 'tomcat-webapp', server: SERVER, path: p, file: true, signature: 'jar' });
        else if (e.isDirectory()) {
          out.push({ kind: 'tomcat-webapp', server: SERVER, path: p, file: false, signature: 'none' });
          const { files, dirs } = walkFiles(p, ctx.hashSoon && ((fs) => ctx.hashSoon!(fs.filter((f) => !jarLike(f)))), ctx.list);
          for (const d of dirs) watch.add(d);
          for (const f of files) out.push({ kind: 'tomcat-webapp-file', server: SERVER, path: f, file: true, signature: jarLike(f) ? 'jar' : 'none' });
        }
      }
    }
    return dedupe(out, watch);
  },
};
