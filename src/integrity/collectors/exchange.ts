/**
 * Exchange: transport agents from agents.config (each a .NET assembly loaded into the
 * transport service, the extension point of LightNeuron-style backdoors) and the script files
 * of the OWA, ECP and aspnet_client folders (where ProxyShell-era web shells were dropped).
 */
import { dirname, join } from 'node:path';
import { isDir, isFile, listDir, walkFiles, windowsPath } from '../paths.js';
import type { Candidate, Collector } from '../types.js';
import { attr, attrs, descendants, readXml } from '../xml.js';
import { dedupe } from './iis.js';

const SERVER = 'exchange';
const SCRIPT = /\.(aspx|asp|ashx|asmx|ascx|asax|svc|js|config)$/i;
const AGENT_CONFIGS = ['TransportRoles/Shared/agents.config', 'TransportRoles/Shared/fetagents.config', 'TransportRoles/Shared/mseagents.config'];
const WEB_FOLDERS = ['FrontEnd/HttpProxy/owa/auth', 'FrontEnd/HttpProxy/ecp/auth', 'ClientAccess/Owa/auth', 'ClientAccess/ecp/auth'];

export const exchange: Collector = {
  server: SERVER,
  async collect(ctx) {
    const out: Candidate[] = [];
    const watch = new Set<string>();
    const base = windowsPath(ctx.root, '%ProgramFiles%/Microsoft/Exchange Server');
    const installs = listDir(base)
      .filter((d) => d.isDirectory() && /^v\d+$/i.test(d.name))
      .map((d) => join(base, d.name));
    if (installs.length === 0) return { candidates: [], watch: [] };
    for (const inst of installs) {
      for (const rel of AGENT_CONFIGS) {
        const cfg = join(inst, rel);
        if (!isFile(cfg)) continue;
        watch.add(dirname(cfg));
        out.push({ kind: 'exchange-agents-config', server: SERVER, path: cfg, file: true, signature: 'none' });
        const doc = readXml(ctx, cfg);
        if (!doc) continue;
        for (const a of descendants(doc, 'agent')) {
          const asm = attr(a, 'assemblyPath');
          const detail = attrs(a, ['baseType', 'classFactory', 'enabled']);
          if (asm)
            out.push({
              kind: 'exchange-transport-agent',
              server: SERVER,
              path: windowsPath(ctx.root, asm),
              name: attr(a, 'name') ?? '',
              source: cfg,
              detail,
              file: true,
              signature: 'pe',
            });
        }
      }
      for (const rel of WEB_FOLDERS) scripts(join(inst, rel), out, watch);
    }
    scripts(windowsPath(ctx.root, '%SystemDrive%/inetpub/wwwroot/aspnet_client'), out, watch);
    return dedupe(out, watch);
  },
};

function scripts(dir: string, out: Candidate[], watch: Set<string>): void {
  if (!isDir(dir)) return;
  const { files, dirs } = walkFiles(dir);
  for (const d of dirs) watch.add(d);
  for (const f of files) if (SCRIPT.test(f)) out.push({ kind: 'exchange-web-file', server: SERVER, path: f, file: true, signature: 'none' });
}
