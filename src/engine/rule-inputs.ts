/**
 * The key of a compiled rule set: a digest of everything the result depends on — each rule,
 * filter, placeholder and logsource-map file's contents, the options, Warden's build.
 *
 * Reading thousands of rule files to hash them would be most of a warm start, so each file's
 * digest is remembered with its size, times and inode (`FileDigests`); a file whose status
 * is unchanged is not read again. Any write changes the status (ctime cannot be set back),
 * so a remembered digest is the file's. When the compiled set must be built, the files are
 * read (and hashed) again, and exactly the text hashed is compiled.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { errorMessage } from '../errors.js';
import { listRuleFiles, MAX_RULE_FILE_BYTES } from '../sigma/rule-files.js';
import { PROGRAM_FORMAT } from '../sigma/program.js';
import { writeCacheFile } from '../sigma/cache-files.js';

/** size, mtimeMs, ctimeMs, ino, sha256 (base64). */
type Remembered = [number, number, number, number, string];

const MAX_REMEMBERED = 200_000;

type OneShotHash = (algorithm: string, data: Uint8Array, encoding: 'base64') => string;
/** crypto.hash (Node 20.12+): a third of the cost of createHash for a small input, and a cold start hashes thousands. */
const oneShot = (crypto as { hash?: OneShotHash }).hash;

function sha256Base64(data: Uint8Array): string {
  return oneShot ? oneShot('sha256', data, 'base64') : createHash('sha256').update(data).digest('base64');
}

export class FileDigests {
  private dirty = false;
  private constructor(
    private readonly file: string | undefined,
    private readonly known: Map<string, Remembered>,
  ) {}

  /** The digests remembered in `dir` (none when missing or unreadable); with no dir, a memo of this run only. */
  static open(dir: string | undefined): FileDigests {
    const file = dir === undefined ? undefined : join(dir, 'rule-digests-1.bin');
    let known = new Map<string, Remembered>();
    if (file !== undefined) {
      try {
        const m: unknown = deserialize(readFileSync(file));
        if (m instanceof Map) known = m as Map<string, Remembered>;
      } catch {
        // missing or damaged: digests are computed again
      }
    }
    return new FileDigests(file, known);
  }

  /**
   * The file's digest and, when it had to be read, its contents. `fresh` reads it whatever
   * is remembered. Throws when the file cannot be read.
   */
  digest(path: string, fresh: boolean): { digest: string; size: number; text?: Buffer } {
    const st = statSync(path);
    // A file too big to be a rule is keyed by its size and time only; loading reports it.
    if (st.size > MAX_RULE_FILE_BYTES) return { digest: `too-large ${st.mtimeMs} ${st.ctimeMs}`, size: st.size };
    const r = this.known.get(path);
    if (!fresh && Array.isArray(r) && r[0] === st.size && r[1] === st.mtimeMs && r[2] === st.ctimeMs && r[3] === st.ino && typeof r[4] === 'string') {
      return { digest: r[4], size: st.size };
    }
    const text = readFileSync(path);
    const digest = sha256Base64(text);
    if (this.known.size >= MAX_REMEMBERED) this.known.clear();
    this.known.set(path, [st.size, st.mtimeMs, st.ctimeMs, st.ino, digest]);
    this.dirty = true;
    return { digest, size: text.length, text };
  }

  save(): void {
    if (!this.dirty || this.file === undefined) return;
    if (writeCacheFile(this.file, this.known)) this.dirty = false;
  }
}

export interface RuleInputSpec {
  /** Rule files and folders, in load order. */
  rulePaths: string[];
  filterPaths: string[];
  placeholdersFile?: string;
  logsourceMapFile?: string;
  /** Everything else the result depends on (options), as plain data. */
  options: unknown;
  buildId: string;
}

export interface RuleInputs {
  key: string;
  /** Files read or recognized. */
  files: number;
  /** Contents of the rule and filter files that were read (all of them when `fresh`). */
  texts: Map<string, Buffer>;
  /** Every rule and filter file was read in this pass (as if `fresh`). */
  complete: boolean;
}

/** Lists and digests every input; `fresh` reads every file (the texts then are what the key says). */
export function ruleInputs(spec: RuleInputSpec, digests: FileDigests, fresh: boolean): RuleInputs {
  const lines: string[] = [];
  const texts = new Map<string, Buffer>();
  let files = 0;
  let complete = true;
  const line = (s: string): void => {
    lines.push(s);
  };
  line(`warden ${spec.buildId} program ${PROGRAM_FORMAT}`);
  line(JSON.stringify(spec.options));
  const addFile = (tag: string, file: string, keepText: boolean): void => {
    try {
      const d = digests.digest(file, fresh);
      files++;
      if (keepText && d.text) texts.set(file, d.text);
      else if (keepText) complete = false;
      line(`${tag} ${file} ${d.size} ${d.digest}`);
    } catch (e) {
      line(`${tag} ${file} unreadable ${errorMessage(e)}`);
    }
  };
  const list = (tag: string, paths: string[]): void => {
    for (const f of listRuleFiles(paths, (p, message) => line(`${tag} ${p} error ${message}`))) addFile(tag, f, true);
  };
  list('r', spec.rulePaths);
  if (spec.filterPaths.length) list('f', spec.filterPaths);
  if (spec.placeholdersFile !== undefined) addFile('p', spec.placeholdersFile, false);
  if (spec.logsourceMapFile !== undefined) addFile('m', spec.logsourceMapFile, false);
  // One digest of all lines: thousands of small updates cost more than the hashing.
  return { key: createHash('sha256').update(lines.join('\n')).digest('hex'), files, texts, complete };
}
