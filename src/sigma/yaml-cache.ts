/**
 * A cache of parsed rule files. Parsing YAML is most of the cost of loading a rule set
 * (thousands of files, paid again by every worker thread), so each file's documents are
 * kept, with the line:column of every node, in one file keyed by a hash of the file's
 * text: any change to a file is a different key, and a cache that cannot be read is
 * ignored and rebuilt. Results are the same as parsing, positions included.
 *
 * Location: $WARDEN_CACHE_DIR, else $XDG_CACHE_HOME/warden, else <tmpdir>/warden-cache-<uid>.
 * WARDEN_CACHE_DIR set to an empty string (or `off`) disables it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { keyPos, posOf, setPos, parseYamlDocuments, isYamlMap, MAX_RULE_FILE_BYTES, type Pos, type YamlDoc, type YamlValue } from './yaml.js';
import { parseSigmaYaml } from './yaml-fast.js';

/**
 * Bump when the parsed form (yaml.ts conversion) changes. 2: files the fast reader takes
 * (yaml-fast.ts) are no longer cached, so a cache of format 1 (every file) is left behind.
 */
const FORMAT = 2;
/** Beyond this many files the cache starts over (it only grows otherwise). */
const MAX_ENTRIES = 100_000;

function yamlVersion(): string {
  try {
    const req = createRequire(import.meta.url);
    return String((req('yaml/package.json') as { version?: unknown }).version ?? '?');
  } catch {
    return '?';
  }
}

export { cacheDir, privateDir, writeCacheFile } from './cache-files.js';
import { cacheDir, privateDir, writeCacheFile } from './cache-files.js';

/**
 * Positions of every map and list of a value, in depth-first order, as flat records:
 * [line, column, key count, (key, line, column)...].
 */
function collectPositions(v: YamlValue, out: unknown[]): void {
  if (v === null || typeof v !== 'object') return;
  const self = posOf(v);
  if (Array.isArray(v)) {
    out.push(self?.line ?? 0, self?.column ?? 0, 0);
    for (const x of v) collectPositions(x, out);
    return;
  }
  const keys = Object.keys(v);
  const withPos: [string, Pos][] = [];
  for (const k of keys) {
    const p = keyPos(v, k);
    if (p) withPos.push([k, p]);
  }
  out.push(self?.line ?? 0, self?.column ?? 0, withPos.length);
  for (const [k, p] of withPos) out.push(k, p.line, p.column);
  for (const k of keys) collectPositions(v[k]!, out);
}

function restorePositions(v: YamlValue, rec: unknown[], at: { i: number }): void {
  if (v === null || typeof v !== 'object') return;
  const line = rec[at.i++] as number;
  const column = rec[at.i++] as number;
  const n = rec[at.i++] as number;
  const keys = new Map<string, Pos>();
  for (let j = 0; j < n; j++) {
    const k = rec[at.i++] as string;
    keys.set(k, { line: rec[at.i++] as number, column: rec[at.i++] as number });
  }
  setPos(v, { line, column }, keys);
  if (Array.isArray(v)) for (const x of v) restorePositions(x, rec, at);
  else if (isYamlMap(v)) for (const k of Object.keys(v)) restorePositions(v[k]!, rec, at);
}

interface Entry {
  docs: YamlDoc[];
  pos: unknown[];
}

function isEntry(x: unknown): x is Entry {
  return typeof x === 'object' && x !== null && Array.isArray((x as Entry).docs) && Array.isArray((x as Entry).pos);
}

export class YamlCache {
  private readonly file: string;
  private readonly entries: Map<string, Uint8Array>;
  private dirty = false;

  private constructor(file: string, entries: Map<string, Uint8Array>) {
    this.file = file;
    this.entries = entries;
  }

  /** Opens the cache (empty when missing or unreadable); undefined when disabled or unusable. */
  static open(dir: string | undefined = cacheDir()): YamlCache | undefined {
    if (dir === undefined || !privateDir(dir)) return undefined;
    const file = join(dir, `rules-yaml-${FORMAT}-${yamlVersion()}.bin`);
    let entries = new Map<string, Uint8Array>();
    try {
      const data: unknown = deserialize(readFileSync(file));
      if (data instanceof Map) {
        let ok = true;
        for (const [k, v] of data) if (typeof k !== 'string' || !(v instanceof Uint8Array)) ok = false;
        if (ok) entries = data as Map<string, Uint8Array>;
      }
    } catch {
      // Missing or corrupt: start empty, rebuilt on save.
    }
    return new YamlCache(file, entries);
  }

  private static keyOf(text: string): string {
    return createHash('sha256').update(text).digest('base64');
  }

  /** The documents of `text`, from the cache when present, else parsed (and remembered). */
  parse(text: string): YamlDoc[] {
    // The plain subset reads faster than a cache entry deserializes: only the rest is cached.
    const fast = text.length <= MAX_RULE_FILE_BYTES ? parseSigmaYaml(text) : undefined;
    if (fast !== undefined) return fast;
    // `__proto__` keys behave specially on plain objects and do not survive a round trip.
    if (text.includes('__proto__')) return parseYamlDocuments(text);
    const key = YamlCache.keyOf(text);
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      try {
        const e: unknown = deserialize(hit);
        if (isEntry(e)) {
          const at = { i: 0 };
          for (const d of e.docs) restorePositions(d.value, e.pos, at);
          if (at.i === e.pos.length) return e.docs;
        }
      } catch {
        // A damaged entry is parsed again below.
      }
    }
    const docs = parseYamlDocuments(text);
    const pos: unknown[] = [];
    for (const d of docs) collectPositions(d.value, pos);
    try {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, serialize({ docs, pos } satisfies Entry));
      this.dirty = true;
    } catch {
      // Not serializable (cannot happen for parsed YAML): just not cached.
    }
    return docs;
  }

  /** Writes the cache when it changed (atomically; failures are ignored: it is only a cache). */
  save(): void {
    if (!this.dirty) return;
    if (writeCacheFile(this.file, this.entries)) this.dirty = false;
  }
}
