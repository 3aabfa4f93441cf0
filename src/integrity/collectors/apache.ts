/**
 * Apache httpd: the main configuration (Debian's apache2.conf, Red Hat's httpd.conf, ...) and
 * everything it includes (`Include`/`IncludeOptional`, wildcards, mods-enabled links), and the
 * `.htaccess` files of its web roots. Components: modules (`LoadModule`, `LoadFile`: shared
 * objects loaded into every worker), handler mappings that make files run as scripts
 * (`AddHandler`/`AddType`/`SetHandler`/`ForceType`; one that makes images run is how an
 * uploaded picture becomes a shell), PHP's `auto_prepend_file`/`auto_append_file` set with
 * `php_value`, and the web roots themselves.
 */
import { dirname } from 'node:path';
import { isDir, walkFiles } from '../paths.js';
import type { Candidate, CollectContext, Collector } from '../types.js';
import { dedupe } from './iis.js';
import { type PhpFlags, phpAutoFile } from './php-settings.js';
import { asServerPath, DEFAULT_WEB_ROOTS, expandInclude, folder, namesImage, outermost, readConfig, regularFile, serverPath, webServerIds } from './unixconf.js';

const SERVER = 'apache';
const MAIN_CONFIGS = [
  'etc/apache2/apache2.conf',
  'etc/httpd/conf/httpd.conf',
  'etc/apache2/httpd.conf',
  'usr/local/apache2/conf/httpd.conf',
  'usr/local/etc/apache24/httpd.conf',
  'opt/lampp/etc/httpd.conf',
];
const MAX_DEPTH = 16;

export interface ApacheDirective {
  name: string;
  args: string[];
  /** The directive as written (continuations joined, spaces collapsed). */
  text: string;
  file: string;
  line: number;
  /** The innermost `<Files>`/`<FilesMatch>` section around it, as written. */
  files?: string;
}

/** Arguments split as Apache does: whitespace, with double- or single-quoted strings kept whole. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** One file's directives in order, with the `<Files*>` section each sits in. */
export function parseApache(text: string, file: string): ApacheDirective[] {
  const out: ApacheDirective[] = [];
  const sections: { name: string; files?: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i]!;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) line = line.replace(/\\\s*$/, ' ') + lines[++i]!;
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const close = /^<\/\s*([\w:.-]+)\s*>$/.exec(t);
    if (close) {
      sections.pop();
      continue;
    }
    const open = /^<\s*([\w:.-]+)(.*?)>$/.exec(t);
    if (open) {
      const name = open[1]!.toLowerCase();
      const inherited = sections.at(-1)?.files;
      const files = name === 'files' || name === 'filesmatch' ? t : inherited;
      sections.push(files === undefined ? { name } : { name, files });
      continue;
    }
    const m = /^(\S+)\s*(.*)$/.exec(t)!;
    const d: ApacheDirective = { name: m[1]!.toLowerCase(), args: splitArgs(m[2]!), text: t.replace(/\s+/g, ' '), file, line: start };
    const files = sections.at(-1)?.files;
    if (files !== undefined) d.files = files;
    out.push(d);
  }
  return out;
}

/** What a handler or MIME type makes Apache do with a file, when it runs it as code. */
export function runsAs(handler: string): string | undefined {
  const h = handler.toLowerCase();
  // php-source handlers show a file's source highlighted; they run nothing
  if (/php-?source/.test(h)) return undefined;
  if (/php/.test(h)) return 'php';
  if (/proxy:(?:unix|fcgi)|fcgid|fastcgi/.test(h)) return 'fastcgi';
  if (/cgi-script|^cgi$|x-httpd-cgi/.test(h)) return 'cgi';
  if (/perl/.test(h)) return 'perl';
  if (/python|wsgi/.test(h)) return 'python';
  if (/server-parsed|x-server-parsed/.test(h)) return 'ssi';
  return undefined;
}

/**
 * A handler directive as a component, when it makes files run: the declaration names the
 * extensions (or the `<Files>` section) it applies to, and whether images are among them.
 */
export function handlerCandidate(server: string, kind: string, d: ApacheDirective): Candidate | undefined {
  let handler: string | undefined;
  let exts: string[] = [];
  if (d.name === 'addhandler' || d.name === 'addtype') {
    handler = d.args[0];
    exts = d.args.slice(1);
  } else if (d.name === 'sethandler' || d.name === 'forcetype') handler = d.args[0];
  if (handler === undefined) return undefined;
  const runs = runsAs(handler);
  if (runs === undefined) return undefined;
  const detail: Record<string, string> = { directive: d.text.split(' ')[0]!, handler, runs };
  if (exts.length > 0) detail['extensions'] = exts.join(' ');
  if (d.files !== undefined) detail['files'] = d.files;
  // SetHandler/ForceType outside a <Files> section applies to every file, images included
  const everything = exts.length === 0 && d.files === undefined;
  if (everything) detail['scope'] = 'every file';
  detail['imageExecutable'] = everything || namesImage(exts.join(' ')) || (d.files !== undefined && namesImage(d.files)) ? 'true' : 'false';
  const name = d.files !== undefined ? `${d.files} ${d.text}` : d.text;
  return { kind, server, path: d.file, name, source: d.file, detail, file: false, signature: 'none' };
}

export interface ApacheConfig {
  main: string;
  files: string[];
  directives: ApacheDirective[];
  serverRoot: string;
  /** Folders named by DocumentRoot, Alias and ScriptAlias, with the file that names each. */
  webRoots: { path: string; source: string }[];
}

/** The main configuration and every file it includes, directives in reading order. */
export function readApache(ctx: CollectContext, main: string): ApacheConfig {
  const mainDir = dirname(asServerPath(ctx.root, main));
  // the compiled-in ServerRoot: the folder above conf/ (Red Hat, source builds) or the config's own (Debian)
  let serverRoot = mainDir.endsWith('/conf') ? dirname(mainDir) : mainDir;
  const files: string[] = [];
  const directives: ApacheDirective[] = [];
  const seen = new Set<string>();
  const read = (file: string, depth: number): void => {
    if (seen.has(file) || depth > MAX_DEPTH) return;
    seen.add(file);
    files.push(file);
    const text = readConfig(ctx, file);
    if (text === undefined) return;
    for (const d of parseApache(text, file)) {
      if (d.name === 'serverroot' && d.args[0]) serverRoot = d.args[0];
      if ((d.name === 'include' || d.name === 'includeoptional') && d.args[0]) {
        const pattern = d.args[0].startsWith('/') ? d.args[0] : `${serverRoot}/${d.args[0]}`;
        for (const f of expandInclude(ctx.root, pattern)) read(f, depth + 1);
        continue;
      }
      directives.push(d);
    }
  };
  read(main, 0);
  const roots = new Map<string, string>();
  for (const d of directives) {
    const target = d.name === 'documentroot' ? d.args[0] : d.name === 'alias' || d.name === 'scriptalias' ? d.args[1] : undefined;
    const path = target ? serverPath(ctx.root, target, serverRoot) : undefined;
    if (path !== undefined && !roots.has(path)) roots.set(path, d.file);
  }
  const webRoots = [...roots].map(([path, source]) => ({ path, source })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { main, files, directives, serverRoot, webRoots };
}

export function apacheMainConfigs(root: string): string[] {
  const out: string[] = [];
  for (const rel of MAIN_CONFIGS) {
    const f = regularFile(root, serverPath(root, rel));
    if (f !== undefined && !out.includes(f)) out.push(f);
  }
  return out;
}

export const apache: Collector = {
  server: SERVER,
  async collect(ctx) {
    const out: Candidate[] = [];
    const watch = new Set<string>();
    for (const main of apacheMainConfigs(ctx.root)) {
      const cfg = readApache(ctx, main);
      const walked = outermost([...cfg.webRoots.map((r) => r.path), ...DEFAULT_WEB_ROOTS.map((r) => serverPath(ctx.root, r))].flatMap((r) => folder(ctx.root, r) ?? []));
      const flags: PhpFlags = { webRoots: walked, ids: webServerIds(ctx.root) };
      for (const f of cfg.files) {
        watch.add(dirname(f));
        out.push({ kind: 'apache-config', server: SERVER, path: f, file: true, signature: 'none' });
      }
      for (const d of cfg.directives) {
        if ((d.name === 'loadmodule' && d.args.length >= 2) || (d.name === 'loadfile' && d.args.length >= 1)) {
          const so = d.name === 'loadmodule' ? d.args[1]! : d.args[0]!;
          const c: Candidate = {
            kind: d.name === 'loadmodule' ? 'apache-module' : 'apache-library',
            server: SERVER,
            path: serverPath(ctx.root, so, cfg.serverRoot),
            source: d.file,
            file: true,
            signature: 'none',
          };
          if (d.name === 'loadmodule') c.name = d.args[0]!;
          out.push(c);
          if (isDir(dirname(c.path))) watch.add(dirname(c.path));
          continue;
        }
        const h = handlerCandidate(SERVER, 'apache-handler', d);
        if (h) out.push(h);
        const auto = phpAutoFile(ctx, SERVER, d, dirname(d.file), flags);
        if (auto) {
          out.push(auto);
          if (isDir(dirname(auto.path))) watch.add(dirname(auto.path));
        }
      }
      for (const r of cfg.webRoots) out.push({ kind: 'apache-web-root', server: SERVER, path: r.path, source: r.source, file: false, signature: 'none' });
      for (const dir of walked) {
        const { files, dirs } = walkFiles(dir);
        for (const d of dirs) watch.add(d);
        for (const f of files) {
          if (!f.endsWith('/.htaccess')) continue;
          out.push({ kind: 'apache-htaccess', server: SERVER, path: f, file: true, signature: 'none' });
          const text = readConfig(ctx, f);
          if (text === undefined) continue;
          for (const d of parseApache(text, f)) {
            const h = handlerCandidate(SERVER, 'apache-handler', d);
            if (h) out.push(h);
            const auto = phpAutoFile(ctx, SERVER, d, dirname(f), flags);
            if (auto) out.push(auto);
          }
        }
      }
    }
    return dedupe(out, watch);
  },
};
