/**
 * Paths as servers write them, resolved under the inventoried root: Windows paths with
 * environment variables and drive letters land under the root (a mounted image or a folder of
 * collected files), matched without regard to case as Windows does. Nothing resolves outside
 * the root.
 */
import { lstatSync, readdirSync, type Dirent } from 'node:fs';
import { join, normalize, posix } from 'node:path';

const WINDOWS_VARS: Record<string, string> = {
  windir: 'Windows',
  systemroot: 'Windows',
  systemdrive: '',
  programfiles: 'Program Files',
  'programfiles(x86)': 'Program Files (x86)',
  programdata: 'ProgramData',
  commonprogramfiles: 'Program Files/Common Files',
};

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Joins a relative path under root, keeping it inside, matching each segment case-insensitively when the exact name is absent. */
export function underRoot(root: string, rel: string): string {
  const clean = posix.normalize(`/${rel.replace(/\\/g, '/')}`).replace(/^\/+/, '');
  let cur = root;
  for (const seg of clean.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') continue;
    const exact = join(cur, seg);
    if (exists(exact)) {
      cur = exact;
      continue;
    }
    const lower = seg.toLowerCase();
    const found = listDir(cur).find((d) => d.name.toLowerCase() === lower);
    cur = join(cur, found ? found.name : seg);
  }
  return cur;
}

/**
 * A Windows path (`%windir%\System32\inetsrv\x.dll`, `C:\inetpub\wwwroot`, `\\?\C:\...`) under
 * the root. Unknown variables are kept as folder names so the result still says what was meant.
 */
export function windowsPath(root: string, p: string): string {
  let s = p.trim().replace(/^\\\\\?\\/, '');
  s = s.replace(/%([^%]+)%/g, (m, v: string) => WINDOWS_VARS[v.toLowerCase()] ?? m);
  s = s.replace(/^[a-zA-Z]:/, '');
  return underRoot(root, s);
}

export function listDir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

export function isDir(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(p: string): boolean {
  try {
    return lstatSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Every regular file under dir (symbolic links are not followed), sorted, and every folder
 * visited. `found` is told each folder's files as soon as it is listed (a baseline starts
 * hashing them while the walk goes on); `list` lists a folder (a watcher's lister returns what
 * it remembers of a watched folder that had no events).
 */
export function walkFiles(dir: string, found?: (files: string[]) => void, list: (dir: string) => Dirent[] = listDir, max = 5_000_000): { files: string[]; dirs: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  // names from readdir hold no '/', so below a normalized folder a plain concatenation is what join would give
  const stack = [normalize(dir)];
  while (stack.length > 0 && files.length < max) {
    const d = stack.pop()!;
    dirs.push(d);
    const prefix = d.endsWith('/') ? d : `${d}/`;
    const entries = list(d);
    const from = files.length;
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (e.isDirectory()) stack.push(prefix + e.name);
      else if (e.isFile()) files.push(prefix + e.name);
    }
    if (found && files.length > from) found(files.slice(from));
  }
  files.sort();
  return { files, dirs };
}
