/**
 * `warden inventory`: every collector over a root, each candidate described (hash, owner,
 * mode, signature). Items come out sorted by server and identity, so two runs over the same
 * tree print the same lines.
 */
import { createHash } from 'node:crypto';
import { type Dirent, lstatSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ProblemSink } from '../errors.js';
import { apache } from './collectors/apache.js';
import { atlassian } from './collectors/atlassian.js';
import { esxi } from './collectors/esxi.js';
import { exchange } from './collectors/exchange.js';
import { iis } from './collectors/iis.js';
import { jenkins } from './collectors/jenkins.js';
import { nginx } from './collectors/nginx.js';
import { php } from './collectors/php.js';
import { sqlserver } from './collectors/sqlserver.js';
import { teamcity } from './collectors/teamcity.js';
import { termservice } from './collectors/termservice.js';
import { tomcat } from './collectors/tomcat.js';
import { wordpress } from './collectors/wordpress.js';
import { drupal } from './collectors/drupal.js';
import { joomla } from './collectors/joomla.js';
import type { FileFacts } from './describe.js';
import { DescribePool } from './pool.js';
import { type Candidate, type CollectContext, type Collector, type Item, itemId } from './types.js';

export const COLLECTORS: readonly Collector[] = [iis, exchange, sqlserver, termservice, tomcat, jenkins, teamcity, atlassian, apache, nginx, php, wordpress, drupal, joomla, esxi];

export interface InventoryOptions {
  root?: string;
  /** Threads hashing, this one included (default one per core; 0 or 1: this thread only). */
  workers?: number;
  problems: ProblemSink;
  /** Facts of files unchanged since they were last described (path, size, mtime, ctime, inode), reused by a watcher. */
  cache?: FactsCache;
  /**
   * With a cache: whether a file whose facts were confirmed at generation `at` is known not
   * to have changed since (a watcher has watched its folder since then and heard nothing),
   * so it is not even stat'ed.
   */
  unchanged?: (path: string, at: number) => boolean;
  collectors?: readonly Collector[];
  /** How the collectors' walks list folders (a watcher's lister remembers quiet watched folders). */
  list?: (dir: string) => Dirent[];
}

export interface Inventory {
  root: string;
  items: Item[];
  /** Each item's identity (`itemId`), in the same order. */
  ids: string[];
  /** Folders that, when they change, can change the inventory. */
  watch: string[];
}

/**
 * Remembers file facts by the stat fields that change whenever content or metadata does.
 * Each inventory over the cache is one generation; an entry remembers the generation that
 * last confirmed it, so a watcher can trust entries confirmed after its folder watch began.
 */
export class FactsCache {
  private readonly map = new Map<string, { key: string; facts: FileFacts; at: number }>();
  generation = 0;
  static keyOf(path: string): string | undefined {
    try {
      const st = lstatSync(path);
      return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
    } catch {
      return undefined;
    }
  }
  /** The cached facts and the generation that last confirmed them, without a stat. */
  entry(path: string): { facts: FileFacts; at: number } | undefined {
    return this.map.get(path);
  }
  get(path: string, key: string | undefined): FileFacts | undefined {
    const e = this.map.get(path);
    if (!e || key === undefined || e.key !== key) return undefined;
    e.at = this.generation;
    return e.facts;
  }
  /** The generation that last confirmed `path`'s facts, if cached. */
  confirmedAt(path: string): number | undefined {
    return this.map.get(path)?.at;
  }
  /** Cached facts without a stat, for a file known not to have changed. */
  peek(path: string): FileFacts | undefined {
    return this.map.get(path)?.facts;
  }
  set(path: string, key: string | undefined, facts: FileFacts): void {
    if (key === undefined) this.map.delete(path);
    else this.map.set(path, { key, facts, at: this.generation });
  }
  retain(paths: Set<string>): void {
    for (const p of this.map.keys()) if (!paths.has(p)) this.map.delete(p);
  }
}

/**
 * Paths are shown as the server sees them: relative to the root, with a leading slash, so a
 * baseline taken of an image mounted at one place verifies it mounted at another.
 */
export function shown(root: string, p: string): string {
  if (root === '/') return p;
  return p === root ? '/' : p.startsWith(root + '/') ? p.slice(root.length) : p;
}

/** The file a shown path stands for. */
export function onDisk(root: string, p: string): string {
  return root === '/' ? p : root + p;
}

/** Declarations (a managed module type, a SQL setting) are hashed by what they declare. */
function declarationHash(c: Candidate): string {
  const detail = c.detail ? Object.fromEntries(Object.entries(c.detail).sort(([a], [b]) => (a < b ? -1 : 1))) : {};
  return createHash('sha256')
    .update(JSON.stringify([c.kind, c.name ?? '', detail]))
    .digest('hex');
}

export async function collect(opts: InventoryOptions, hashSoon?: (files: readonly string[]) => void): Promise<{ root: string; candidates: Candidate[]; watch: string[] }> {
  const root = resolve(opts.root ?? '/');
  const ctx: CollectContext = { root, problems: opts.problems };
  if (hashSoon) ctx.hashSoon = hashSoon;
  if (opts.list) ctx.list = opts.list;
  const candidates: Candidate[] = [];
  const watch = new Set<string>();
  for (const c of opts.collectors ?? COLLECTORS) {
    try {
      const got = await c.collect(ctx);
      candidates.push(...got.candidates);
      for (const w of got.watch) watch.add(w);
    } catch (e) {
      opts.problems.report({ kind: 'internal', file: root, message: `collector ${c.server} failed: ${(e as Error).message}` });
    }
  }
  return { root, candidates, watch: [...watch].sort() };
}

export async function inventory(opts: InventoryOptions): Promise<Inventory> {
  const pool = new DescribePool(opts.workers);
  // without a cache every file will be hashed: the threads boot while the collectors walk, and
  // hash the files the walk has listed so far
  if (!opts.cache) pool.start();
  try {
    return await inventoryWith(pool, opts);
  } finally {
    await pool.close();
  }
}

async function inventoryWith(pool: DescribePool, opts: InventoryOptions): Promise<Inventory> {
  const { root, candidates, watch } = await collect(opts, opts.cache ? undefined : (files) => pool.hashSoon(files));
  const files = candidates.filter((c) => c.file);
  const cache = opts.cache;
  if (cache) cache.generation++;
  const keys: (string | undefined)[] = new Array(files.length);
  const todo: number[] = [];
  const facts: (FileFacts | undefined)[] = files.map((c, i) => {
    if (!cache) {
      todo.push(i);
      return undefined;
    }
    const e = cache.entry(c.path);
    const peeked = e !== undefined && opts.unchanged?.(c.path, e.at) ? e.facts : undefined;
    // facts cached for an unscanned declaration of the same file lack the verdict
    if (peeked && (!c.scan || peeked.scan !== undefined)) return peeked;
    keys[i] = FactsCache.keyOf(c.path);
    const got = cache.get(c.path, keys[i]);
    const hit = got && (!c.scan || got.scan !== undefined) ? got : undefined;
    if (!hit) todo.push(i);
    return hit;
  });
  const fresh = await pool.describe(
    todo.map((i) => (files[i]!.scan ? { path: files[i]!.path, sig: files[i]!.signature, scan: true } : { path: files[i]!.path, sig: files[i]!.signature })),
  );
  todo.forEach((i, k) => {
    facts[i] = fresh[k]!;
    cache?.set(files[i]!.path, keys[i], fresh[k]!);
  });
  cache?.retain(new Set(files.map((c) => c.path)));
  const byPath = new Map<Candidate, FileFacts>();
  for (let i = 0; i < files.length; i++) byPath.set(files[i]!, facts[i]!);
  const items: Item[] = candidates.map((c) => {
    // built field by field in one order (not spread over a base): a watcher builds 20,000 per pass
    const f = c.file ? byPath.get(c)! : undefined;
    const item: Item = {
      kind: c.kind,
      server: c.server,
      path: shown(root, c.path),
      sha256: f ? f.sha256 : declarationHash(c),
      size: f ? f.size : 0,
      mtime: f ? f.mtime : 0,
      mode: f ? f.mode : '',
      owner: f ? f.owner : '',
      signature: c.presetSignature ?? f?.signature ?? { status: 'n/a' },
    };
    if (c.name !== undefined) item.name = c.name;
    if (c.source !== undefined) item.source = shown(root, c.source);
    if (c.detail !== undefined && Object.keys(c.detail).length > 0) item.detail = c.detail;
    if (!f) return item;
    if (f.error !== undefined) opts.problems.report({ kind: 'input', file: c.path, message: `cannot read: ${f.error}` });
    if (c.scan && f.scan !== undefined) item.scan = f.scan;
    if (f.missing) item.missing = true;
    return item;
  });
  // one file can be declared by several collectors' configs; keep each identity once
  const keyed = items.map((i) => {
    const id = itemId(i);
    return { i, id, k: `${i.server}\u0000${id}` };
  });
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const unique: Item[] = [];
  const ids: string[] = [];
  let last = '';
  for (const { i, id, k } of keyed) {
    if (k === last) continue;
    last = k;
    unique.push(i);
    ids.push(id);
  }
  return { root, items: unique, ids, watch };
}
