/**
 * Expands input arguments (files, folders, "-") into the list of files to read.
 * Folders are walked recursively in sorted order (stable output), symlinked folders are
 * followed once (dev:ino tracked, so loops end), unreadable entries become problems.
 */
import type { Stats } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProblemSink } from '../errors.js';
import { errorMessage } from '../errors.js';

export interface WalkOptions {
  /** Skip files and folders whose name starts with "." (default false: forensic copies keep them). */
  skipHidden?: boolean;
  /** Only yield files for which this returns true (folders are always entered). */
  accept?: (path: string) => boolean;
}

export interface InputFile {
  path: string;
  /** Named on the command line (not found by walking a folder). */
  explicit: boolean;
}

export async function* walkInputs(paths: string[], problems: ProblemSink, opts: WalkOptions = {}): AsyncGenerator<InputFile> {
  const seenDirs = new Set<string>();
  for (const p of paths) {
    if (p === '-') {
      yield { path: p, explicit: true };
      continue;
    }
    let st: Stats;
    try {
      st = await stat(p);
    } catch (e) {
      problems.report({ kind: 'input', file: p, message: `cannot read: ${errorMessage(e)}` });
      continue;
    }
    if (st.isDirectory()) {
      for await (const path of walkDir(p, seenDirs, problems, opts)) yield { path, explicit: false };
    } else yield { path: p, explicit: true };
  }
}

async function* walkDir(dir: string, seen: Set<string>, problems: ProblemSink, opts: WalkOptions): AsyncGenerator<string> {
  let key: string;
  try {
    const st = await stat(dir);
    key = `${st.dev}:${st.ino}`;
  } catch (e) {
    problems.report({ kind: 'input', file: dir, message: `cannot read folder: ${errorMessage(e)}` });
    return;
  }
  if (seen.has(key)) return;
  seen.add(key);
  const entries: { name: string; dir: boolean }[] = [];
  try {
    const handle = await opendir(dir);
    for await (const ent of handle) {
      if (opts.skipHidden && ent.name.startsWith('.')) continue;
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        try {
          const st = await stat(join(dir, ent.name));
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (e) {
          problems.report({ kind: 'input', file: join(dir, ent.name), message: `broken symlink: ${errorMessage(e)}` });
          continue;
        }
      }
      if (isDir || isFile) entries.push({ name: ent.name, dir: isDir });
    }
  } catch (e) {
    problems.report({ kind: 'input', file: dir, message: `cannot list folder: ${errorMessage(e)}` });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const ent of entries) {
    const path = join(dir, ent.name);
    if (ent.dir) yield* walkDir(path, seen, problems, opts);
    else if (!opts.accept || opts.accept(path)) yield path;
  }
}
