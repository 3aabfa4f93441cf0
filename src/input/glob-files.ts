/**
 * File globs for tailed sources (`/var/log/nginx/*.log`, `C:/inetpub/logs/LogFiles/** /u_ex*.log`):
 * `*` and `?` within a name, `[abc]` classes, `**` for any depth of folders. Only regular
 * files are returned, sorted; folders that cannot be read are skipped (the caller retries on
 * its next poll).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/\\\\]*';
    else if (c === '?') re += '[^/\\\\]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = seg.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function hasMagic(seg: string): boolean {
  return /[*?[]/.test(seg);
}

export function isGlob(pattern: string): boolean {
  return hasMagic(pattern);
}

function list(dir: string): { name: string; dir: boolean; file: boolean }[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((d) => {
      let isDir = d.isDirectory();
      let isFile = d.isFile();
      if (d.isSymbolicLink()) {
        try {
          const st = statSync(join(dir, d.name));
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          isDir = false;
          isFile = false;
        }
      }
      return { name: d.name, dir: isDir, file: isFile };
    });
  } catch {
    return [];
  }
}

/** Regular files matching `pattern` (a plain path matches itself when it is a file). */
export function expandGlob(pattern: string, maxDepth = 16): string[] {
  const norm = pattern.replace(/\\/g, '/');
  if (!hasMagic(norm)) {
    try {
      return statSync(pattern).isFile() ? [pattern] : [];
    } catch {
      return [];
    }
  }
  const segs = norm.split('/');
  const absolute = norm.startsWith('/');
  const first = segs.findIndex(hasMagic);
  const base = segs.slice(0, first).join('/') || (absolute ? '/' : '.');
  const rest = segs.slice(first);
  const out: string[] = [];
  const walk = (dir: string, i: number, depth: number): void => {
    if (i >= rest.length || depth > maxDepth) return;
    const seg = rest[i]!;
    const last = i === rest.length - 1;
    if (seg === '**') {
      walk(dir, i + 1, depth);
      for (const e of list(dir)) if (e.dir) walk(join(dir, e.name), i, depth + 1);
      return;
    }
    const re = hasMagic(seg) ? segmentRegex(seg) : null;
    for (const e of list(dir)) {
      if (re ? !re.test(e.name) : e.name !== seg) continue;
      const p = join(dir, e.name);
      if (last) {
        if (e.file) out.push(p);
      } else if (e.dir) walk(p, i + 1, depth + 1);
    }
  };
  walk(base, 0, 0);
  return [...new Set(out)].sort();
}
