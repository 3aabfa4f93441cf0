/**
 * nginx: nginx.conf and every file it includes (wildcards, sites-enabled and modules-enabled
 * links). Components: dynamic modules (`load_module`: shared objects loaded into every worker,
 * the way NGINX backdoor modules are planted), `location` blocks that hand files to a script
 * runner (`fastcgi_pass`, `uwsgi_pass`, `scgi_pass`; one whose pattern takes images runs an
 * uploaded picture), and the web roots (`root`, `alias`).
 */
import { dirname } from 'node:path';
import { isDir } from '../paths.js';
import type { Candidate, CollectContext, Collector } from '../types.js';
import { dedupe } from './iis.js';
import { asServerPath, expandInclude, folder, namesImage, readConfig, regularFile, serverPath } from './unixconf.js';

const SERVER = 'nginx';
const MAIN_CONFIGS = ['etc/nginx/nginx.conf', 'usr/local/nginx/conf/nginx.conf', 'usr/local/etc/nginx/nginx.conf', 'opt/nginx/conf/nginx.conf'];
/** Where a relative `load_module` path is looked for: the usual compiled-in prefixes. */
const MODULE_PREFIXES = ['/usr/share/nginx', '/usr/lib/nginx', '/usr/lib64/nginx', '/etc/nginx', '/usr/local/nginx'];
const RUNNERS = new Set(['fastcgi_pass', 'uwsgi_pass', 'scgi_pass']);
const MAX_DEPTH = 16;

export interface NginxDirective {
  name: string;
  args: string[];
  file: string;
  line: number;
  /** The block's directives, for block directives (`http`, `server`, `location`). */
  block?: NginxDirective[];
}

/** Tokens of nginx's syntax: words (quotes removed), `;`, `{`, `}`, with their lines. */
function tokens(text: string): { t: string; word: boolean; line: number }[] {
  const out: { t: string; word: boolean; line: number }[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === ';' || c === '{' || c === '}') {
      out.push({ t: c, word: false, line });
      i++;
    } else if (c === '"' || c === "'") {
      const at = line;
      let s = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        if (text[i] === '\n') line++;
        s += text[i];
        i++;
      }
      i++;
      out.push({ t: s, word: true, line: at });
    } else {
      let s = '';
      while (i < text.length && !/[\s;{}"'#]/.test(text[i]!)) s += text[i++];
      out.push({ t: s, word: true, line });
    }
  }
  return out;
}

/** One file's directives as a tree; an unbalanced brace is a problem, the rest is kept. */
export function parseNginx(text: string, file: string, onProblem: (line: number, message: string) => void): NginxDirective[] {
  const top: NginxDirective[] = [];
  const stack: NginxDirective[][] = [top];
  let words: { t: string; line: number }[] = [];
  for (const tok of tokens(text)) {
    if (tok.word) {
      words.push(tok);
      continue;
    }
    const cur = stack.at(-1)!;
    if (tok.t === '}') {
      if (words.length > 0) onProblem(words[0]!.line, `directive "${words[0]!.t}" has no terminating ;`);
      words = [];
      if (stack.length === 1) onProblem(tok.line, 'unexpected }');
      else stack.pop();
      continue;
    }
    if (words.length === 0) {
      if (tok.t === '{') onProblem(tok.line, 'block without a directive name');
      continue;
    }
    const d: NginxDirective = { name: words[0]!.t.toLowerCase(), args: words.slice(1).map((w) => w.t), file, line: words[0]!.line };
    words = [];
    cur.push(d);
    if (tok.t === '{') {
      d.block = [];
      stack.push(d.block);
    }
  }
  if (stack.length > 1) onProblem(text.split('\n').length, 'unexpected end of file: a block is not closed');
  return top;
}

export interface NginxConfig {
  files: string[];
  /** Directives with `include`s replaced by what they include. */
  tree: NginxDirective[];
  prefix: string;
}

export function readNginx(ctx: CollectContext, main: string): NginxConfig {
  const prefix = dirname(asServerPath(ctx.root, main));
  const files: string[] = [];
  const seen = new Set<string>();
  const expand = (list: NginxDirective[], depth: number): NginxDirective[] => {
    const out: NginxDirective[] = [];
    for (const d of list) {
      if (d.name === 'include' && d.args[0]) {
        for (const f of expandInclude(ctx.root, d.args[0].startsWith('/') ? d.args[0] : `${prefix}/${d.args[0]}`)) out.push(...read(f, depth + 1));
        continue;
      }
      if (d.block) d.block = expand(d.block, depth);
      out.push(d);
    }
    return out;
  };
  const read = (file: string, depth: number): NginxDirective[] => {
    // the same file included twice (a snippet in several servers) is one config item but counts in each place
    if (depth > MAX_DEPTH) return [];
    if (!seen.has(file)) {
      seen.add(file);
      files.push(file);
    }
    const text = readConfig(ctx, file);
    if (text === undefined) return [];
    return expand(
      parseNginx(text, file, (line, message) => ctx.problems.report({ kind: 'input', file, line, message })),
      depth,
    );
  };
  return { files, tree: read(main, 0), prefix };
}

function modulePath(root: string, p: string, prefix: string): string {
  if (p.startsWith('/')) return serverPath(root, p);
  for (const base of [prefix, ...MODULE_PREFIXES]) {
    const f = serverPath(root, p, base);
    if (regularFile(root, f) !== undefined) return f;
  }
  return serverPath(root, p, prefix);
}

function walk(list: readonly NginxDirective[], visit: (d: NginxDirective, location: NginxDirective | undefined) => void, location?: NginxDirective): void {
  for (const d of list) {
    visit(d, location);
    if (d.block) walk(d.block, visit, d.name === 'location' ? d : location);
  }
}

/** Every folder a `root` or `alias` serves, resolved under the root. */
export function nginxWebRoots(root: string, cfg: NginxConfig): string[] {
  const out = new Set<string>();
  walk(cfg.tree, (d) => {
    if ((d.name === 'root' || d.name === 'alias') && d.args[0] && !d.args[0].includes('$')) out.add(serverPath(root, d.args[0], cfg.prefix));
  });
  return [...out].sort();
}

export function nginxMainConfigs(root: string): string[] {
  const out: string[] = [];
  for (const rel of MAIN_CONFIGS) {
    const f = regularFile(root, serverPath(root, rel));
    if (f !== undefined && !out.includes(f)) out.push(f);
  }
  return out;
}

export const nginx: Collector = {
  server: SERVER,
  async collect(ctx) {
    const out: Candidate[] = [];
    const watch = new Set<string>();
    for (const main of nginxMainConfigs(ctx.root)) {
      const cfg = readNginx(ctx, main);
      for (const f of cfg.files) {
        watch.add(dirname(f));
        out.push({ kind: 'nginx-config', server: SERVER, path: f, file: true, signature: 'none' });
      }
      walk(cfg.tree, (d, location) => {
        if (d.name === 'load_module' && d.args[0]) {
          const path = modulePath(ctx.root, d.args[0], cfg.prefix);
          out.push({ kind: 'nginx-module', server: SERVER, path, source: d.file, file: true, signature: 'none' });
          if (isDir(dirname(path))) watch.add(dirname(path));
        } else if (RUNNERS.has(d.name) && d.args[0]) {
          const pattern = location ? location.args.join(' ') : '';
          const detail: Record<string, string> = { location: pattern, runner: d.name, target: d.args[0], imageExecutable: namesImage(pattern) ? 'true' : 'false' };
          out.push({
            kind: 'nginx-script-location',
            server: SERVER,
            path: d.file,
            name: `location ${pattern}`.trim(),
            source: d.file,
            detail,
            file: false,
            signature: 'none',
          });
        }
      });
      for (const dir of nginxWebRoots(ctx.root, cfg))
        out.push({ kind: 'nginx-web-root', server: SERVER, path: folder(ctx.root, dir) ?? dir, source: main, file: false, signature: 'none' });
    }
    return dedupe(out, watch);
  },
};
