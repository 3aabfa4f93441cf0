/**
 * IIS: applicationHost.config and the web.config of every application. Extension points:
 * globalModules (native DLLs loaded into w3wp.exe), modules (managed types), isapiFilters,
 * handlers (script processors), and the physical paths of sites and virtual directories,
 * which are web roots: their scripts and bin/ assemblies are components too.
 */
import { dirname } from 'node:path';
import { isDir, isFile, walkFiles, windowsPath } from '../paths.js';
import type { Candidate, CollectContext, Collected, Collector } from '../types.js';
import { attr, attrs, children, descendants, readXml, type XmlElement } from '../xml.js';

const SERVER = 'iis';
const SCRIPT = /\.(aspx|asp|ashx|asmx|ascx|asax|axd|cshtml|vbhtml|svc|config|php|cer|cdx|asa|soap|rem|shtml|stm)$/i;

export function applicationHostPath(root: string): string {
  return windowsPath(root, '%windir%/System32/inetsrv/config/applicationHost.config');
}

/** The sections of system.webServer that load code, from applicationHost.config or a web.config. */
function webServerSections(ctx: CollectContext, doc: XmlElement, source: string, out: Candidate[]): void {
  for (const g of descendants(doc, 'globalModules'))
    for (const a of children(g, 'add')) {
      const image = attr(a, 'image');
      if (!image) continue;
      out.push({
        kind: 'iis-global-module',
        server: SERVER,
        path: windowsPath(ctx.root, image),
        name: attr(a, 'name') ?? '',
        source,
        detail: attrs(a, ['preCondition']),
        file: true,
        signature: 'pe',
      });
    }
  for (const m of descendants(doc, 'modules'))
    for (const a of children(m, 'add')) {
      const type = attr(a, 'type');
      // an <add> without a type enables a global module already listed
      if (!type) continue;
      out.push({
        kind: 'iis-managed-module',
        server: SERVER,
        path: source,
        name: attr(a, 'name') ?? '',
        source,
        detail: attrs(a, ['type', 'preCondition']),
        file: false,
        signature: 'none',
      });
    }
  for (const f of descendants(doc, 'isapiFilters'))
    for (const a of children(f, 'filter')) {
      const p = attr(a, 'path');
      if (!p) continue;
      out.push({
        kind: 'iis-isapi-filter',
        server: SERVER,
        path: windowsPath(ctx.root, p),
        name: attr(a, 'name') ?? '',
        source,
        detail: attrs(a, ['enabled', 'preCondition']),
        file: true,
        signature: 'pe',
      });
    }
  for (const h of descendants(doc, 'handlers'))
    for (const a of children(h, 'add')) {
      const proc = attr(a, 'scriptProcessor');
      const detail = attrs(a, ['path', 'verb', 'modules', 'type', 'resourceType', 'preCondition']);
      if (proc && /\.dll$/i.test(proc.trim()))
        out.push({ kind: 'iis-handler', server: SERVER, path: windowsPath(ctx.root, proc), name: attr(a, 'name') ?? '', source, detail, file: true, signature: 'pe' });
      else {
        if (proc) detail['scriptProcessor'] = proc;
        out.push({ kind: 'iis-handler', server: SERVER, path: source, name: attr(a, 'name') ?? '', source, detail, file: false, signature: 'none' });
      }
    }
}

/** A web root's own web.config, bin/ assemblies and scripts. */
function webRoot(ctx: CollectContext, dir: string, out: Candidate[], watch: Set<string>): void {
  const { files, dirs } = walkFiles(dir);
  for (const d of dirs) watch.add(d);
  for (const f of files) {
    const base = f.slice(f.lastIndexOf('/') + 1).toLowerCase();
    if (base === 'web.config') {
      const doc = readXml(ctx, f);
      if (doc) webServerSections(ctx, doc, f, out);
    }
    if (/\/bin\/[^/]+\.dll$/i.test(f)) out.push({ kind: 'iis-bin-assembly', server: SERVER, path: f, file: true, signature: 'pe' });
    else if (SCRIPT.test(f)) out.push({ kind: 'iis-webroot-script', server: SERVER, path: f, file: true, signature: 'none' });
  }
}

export const iis: Collector = {
  server: SERVER,
  async collect(ctx) {
    const out: Candidate[] = [];
    const watch = new Set<string>();
    const config = applicationHostPath(ctx.root);
    if (!isFile(config)) return { candidates: [], watch: [] };
    watch.add(dirname(config));
    out.push({ kind: 'iis-config', server: SERVER, path: config, file: true, signature: 'none' });
    const doc = readXml(ctx, config);
    if (doc) {
      webServerSections(ctx, doc, config, out);
      const roots = new Set<string>();
      for (const site of descendants(doc, 'site')) {
        const siteName = attr(site, 'name') ?? '';
        for (const app of children(site, 'application')) {
          const appPath = attr(app, 'path') ?? '/';
          for (const vd of children(app, 'virtualDirectory')) {
            const phys = attr(vd, 'physicalPath');
            if (!phys) continue;
            const vpath = attr(vd, 'path') ?? '/';
            const dir = windowsPath(ctx.root, phys);
            const url = (appPath === '/' ? '' : appPath) + (vpath === '/' ? '' : vpath) || '/';
            out.push({
              kind: 'iis-web-root',
              server: SERVER,
              path: dir,
              name: `${siteName}${url}`,
              source: config,
              detail: { site: siteName, application: appPath, virtualDirectory: vpath },
              file: false,
              signature: 'none',
            });
            if (isDir(dir)) roots.add(dir);
          }
        }
      }
      for (const dir of roots) webRoot(ctx, dir, out, watch);
    }
    return dedupe(out, watch);
  },
};

/** The same component declared twice (nested web roots) is one item. */
export function dedupe(out: Candidate[], watch: Set<string>): Collected {
  const seen = new Map<string, Candidate>();
  for (const c of out) {
    const k = `${c.kind}|${c.path}|${c.name ?? ''}`;
    if (!seen.has(k)) seen.set(k, c);
  }
  return { candidates: [...seen.values()], watch: [...watch] };
}
