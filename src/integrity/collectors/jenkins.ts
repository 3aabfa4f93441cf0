/**
 * Jenkins: JENKINS_HOME/plugins/*.jpi|*.hpi. A plugin is disabled by a `<file>.disabled`
 * marker and kept at its version by `<file>.pinned`; both are part of the item, so enabling a
 * plugin is a change.
 */
import { join } from 'node:path';
import { isDir, isFile, listDir } from '../paths.js';
import type { Candidate, Collector } from '../types.js';
import { findHomes } from './homes.js';

const SERVER = 'jenkins';
const PLACES = ['var/lib/jenkins', 'var/jenkins_home', 'opt/jenkins', 'home/*/.jenkins', 'root/.jenkins', 'ProgramData/Jenkins/.jenkins'];

export const jenkins: Collector = {
  server: SERVER,
  async collect(ctx) {
    const out: Candidate[] = [];
    const watch: string[] = [];
    const homes = findHomes(
      ctx.root,
      PLACES,
      (d) => isDir(join(d, 'plugins')) && (isFile(join(d, 'config.xml')) || isFile(join(d, 'jenkins.install.UpgradeWizard.state')) || isDir(join(d, 'jobs'))),
    );
    for (const home of homes) {
      const dir = join(home, 'plugins');
      watch.push(dir);
      const names = new Set(listDir(dir).map((e) => e.name));
      for (const e of listDir(dir)) {
        if (!e.isFile() || !/\.(jpi|hpi)$/i.test(e.name)) continue;
        const detail: Record<string, string> = {
          plugin: e.name.slice(0, -4),
          disabled: names.has(`${e.name}.disabled`) || names.has(`${e.name.slice(0, -4)}.disabled`) ? 'true' : 'false',
          pinned: names.has(`${e.name}.pinned`) ? 'true' : 'false',
        };
        out.push({ kind: 'jenkins-plugin', server: SERVER, path: join(dir, e.name), detail, file: true, signature: 'jar' });
      }
    }
    return { candidates: out, watch };
  },
};
