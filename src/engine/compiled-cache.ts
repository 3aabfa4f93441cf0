/**
 * The on-disk cache of compiled rule sets. An entry holds a rule set's program (compiled.ts)
 * with what loading it reported (correlations, counts, problems), keyed by everything that
 * decides the result: the text of every rule, filter, placeholder and logsource-map file,
 * the options, Warden's version and a fingerprint of the compiler's own code. A warm start
 * is one read of one file.
 *
 * An entry is `MAGIC`, the SHA-256 of the payload, then the payload: the length of the
 * head (4 bytes, little-endian), the head (v8 serialization of { key, meta }), then the
 * program's own serialization, which is read in place (no copy of a copy) and is exactly
 * what worker threads receive. A changed file or option is another key; an entry whose
 * digest, shape or stored key does not check out is ignored and rebuilt, so a damaged or
 * stale cache costs a recompilation, never a wrong result.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { Problem } from '../errors.js';
import type { ResolvedCorrelation } from '../sigma/correlations.js';
import { cacheDir, privateDir } from '../sigma/cache-files.js';
import { isRuleProgram, type RuleProgram } from './compiled.js';
import type { FileDigests } from './rule-inputs.js';

const MAGIC = Buffer.from('WRDNRUL2', 'latin1');
const DIGEST = 32;
/** Entries kept; the oldest written beyond this are removed. */
const MAX_ENTRIES = 12;

export interface CachedMeta {
  correlations: ResolvedCorrelation[];
  loaded: number;
  failed: number;
  /** Rules and correlations the selection kept, rules run only for a correlation, and selection values that select nothing. */
  selected: number;
  members: number;
  warnings: string[];
  /** What loading reported, replayed on every warm start. */
  problems: Problem[];
}

export interface CachedRules {
  meta: CachedMeta;
  program: RuleProgram;
  /** The program's serialized form (what worker threads deserialize). */
  programBytes: Uint8Array;
}

let versionMemo: string | undefined;

/**
 * Warden's version plus a digest of the code that compiles rules (the sigma/ and engine/
 * modules of this build): a changed compiler never reads programs of another. With
 * `digests`, each module's content digest is the remembered one while its status is
 * unchanged (see FileDigests), so a warm start does not read and hash the compiler.
 */
export function wardenBuildId(digests?: FileDigests): string {
  if (versionMemo !== undefined) return versionMemo;
  const here = dirname(fileURLToPath(import.meta.url));
  const h = createHash('sha256');
  let version = '?';
  for (const up of ['..', join('..', '..')]) {
    try {
      const pkg = JSON.parse(readFileSync(join(here, up, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'warden') {
        version = String(pkg.version);
        break;
      }
    } catch {
      // not at this level
    }
  }
  for (const dir of [join(here, '..', 'sigma'), here]) {
    let names: string[] = [];
    try {
      names = readdirSync(dir)
        .filter((n) => n.endsWith('.js'))
        .sort();
    } catch {
      // an unreadable folder only makes the id less specific
    }
    for (const n of names) {
      try {
        h.update(n).update('\u0000');
        if (digests) h.update(digests.digest(join(dir, n), false).digest);
        else h.update(readFileSync(join(dir, n)));
        h.update('\u0000');
      } catch {
        // same
      }
    }
  }
  versionMemo = `${version}+${h.digest('hex').slice(0, 16)}`;
  return versionMemo;
}

function isMeta(x: unknown): x is CachedMeta {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as CachedMeta;
  return (
    Array.isArray(m.correlations) &&
    Array.isArray(m.problems) &&
    Number.isInteger(m.loaded) &&
    Number.isInteger(m.failed) &&
    Number.isInteger(m.selected) &&
    Number.isInteger(m.members) &&
    Array.isArray(m.warnings)
  );
}

export class CompiledCache {
  private constructor(readonly dir: string) {}

  /** The cache in `dir` (default: see yaml-cache.ts cacheDir); undefined when disabled or unusable. */
  static open(dir: string | undefined = cacheDir()): CompiledCache | undefined {
    if (dir === undefined || !privateDir(dir)) return undefined;
    return new CompiledCache(dir);
  }

  fileOf(key: string): string {
    return join(this.dir, `compiled-${createHash('sha256').update(key).digest('hex').slice(0, 40)}.bin`);
  }

  /** The entry for `key`, or undefined when missing, damaged or another key's. */
  read(key: string): CachedRules | undefined {
    let buf: Buffer;
    try {
      buf = readFileSync(this.fileOf(key));
    } catch {
      return undefined;
    }
    if (buf.length < MAGIC.length + DIGEST || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const payload = buf.subarray(MAGIC.length + DIGEST);
    const digest = createHash('sha256').update(payload).digest();
    if (!digest.equals(buf.subarray(MAGIC.length, MAGIC.length + DIGEST))) return undefined;
    try {
      if (payload.length < 4) return undefined;
      const headLen = payload.readUInt32LE(0);
      if (headLen > payload.length - 4) return undefined;
      const e = deserialize(payload.subarray(4, 4 + headLen)) as { key?: unknown; meta?: unknown };
      if (e.key !== key || !isMeta(e.meta)) return undefined;
      const programBytes = payload.subarray(4 + headLen);
      const program: unknown = deserialize(programBytes);
      if (!isRuleProgram(program)) return undefined;
      return { meta: e.meta, program, programBytes };
    } catch {
      return undefined;
    }
  }

  /** Stores an entry (atomically; failures are ignored: it is only a cache). Returns the program's bytes. */
  write(key: string, meta: CachedMeta, program: RuleProgram): Uint8Array {
    const programBytes = serialize(program);
    const head = serialize({ key, meta });
    const len = Buffer.alloc(4);
    len.writeUInt32LE(head.length, 0);
    const payload = Buffer.concat([len, head, programBytes]);
    const file = this.fileOf(key);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      writeFileSync(tmp, Buffer.concat([MAGIC, createHash('sha256').update(payload).digest(), payload]), { mode: 0o600 });
      renameSync(tmp, file);
      this.prune();
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing to clean up
      }
    }
    return programBytes;
  }

  private prune(): void {
    const entries: { file: string; mtime: number }[] = [];
    for (const n of readdirSync(this.dir)) {
      if (!n.startsWith('compiled-') || !n.endsWith('.bin')) continue;
      try {
        entries.push({ file: join(this.dir, n), mtime: statSync(join(this.dir, n)).mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
    if (entries.length <= MAX_ENTRIES) return;
    entries.sort((a, b) => b.mtime - a.mtime);
    for (const e of entries.slice(MAX_ENTRIES)) {
      try {
        unlinkSync(e.file);
      } catch {
        // another process removed it
      }
    }
  }
}
