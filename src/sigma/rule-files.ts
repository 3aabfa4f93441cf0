/**
 * Which files are rule files: every .yml/.yaml file under the given files and folders, in a
 * stable order, and the size beyond which one is not read. Its own module so that a warm
 * start, which lists and stats the files to key the compiled-rule cache, does not load the
 * rule compiler.
 */
import { type Dirent, readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';

/**
 * Rule files larger than this are not parsed: real Sigma files are a few KiB (SigmaHQ's
 * largest, a list of vulnerable drivers, is 290 KiB), and the YAML parser takes seconds per
 * MiB on hostile text (100,000 list items of alternating indentation: ~4 s per MiB here).
 * Checked on the text and, by the loader, on the file size before reading it.
 */
export const MAX_RULE_FILE_BYTES = 1024 * 1024;

function isRuleFile(name: string): boolean {
  const l = name.toLowerCase();
  return l.endsWith('.yml') || l.endsWith('.yaml');
}

/** Every .yml/.yaml file under the given files and folders, in a stable order. */
export function listRuleFiles(paths: string[], onError: (path: string, message: string) => void): string[] {
  const out: string[] = [];
  const walkDir = (p: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(p, { withFileTypes: true });
    } catch (e) {
      onError(p, `cannot list folder: ${errorMessage(e)}`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // join(p, n) for every entry: p is already normalized and n is one plain name, so the
    // folder's prefix is worked out once (a path.join per file was a tenth of a warm start).
    const prefix = join(p, '\u0000').slice(0, -1);
    for (const d of entries) {
      const n = d.name;
      if (n.startsWith('.')) continue;
      const child = prefix + n;
      let dir = d.isDirectory();
      // The entry's own type is enough unless it is a link: then what it points to decides.
      if (d.isSymbolicLink()) {
        try {
          dir = statSync(child).isDirectory();
        } catch {
          continue;
        }
      }
      if (dir) walkDir(child);
      else if (isRuleFile(n)) out.push(child);
    }
  };
  const walk = (p: string): void => {
    let st: Stats;
    try {
      st = statSync(p);
    } catch (e) {
      onError(p, `cannot read: ${errorMessage(e)}`);
      return;
    }
    if (st.isDirectory()) walkDir(p);
    else out.push(p);
  };
  for (const p of paths) walk(p);
  return out;
}
