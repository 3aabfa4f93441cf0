/**
 * `warden watch`: the component inventory kept current. Every folder a collector names is
 * watched (inotify through fs.watch, one watch per folder); a burst of file-system events
 * triggers one pass after a short quiet time, and a full pass runs on a timer regardless.
 * A pass re-inventories (unchanged files are not re-hashed: their facts are cached by size,
 * times and inode), compares with the approved baseline, and reports only changes not
 * reported before — what was reported is kept in the store, so a restarted watcher says
 * nothing new about a tree that did not change.
 *
 * A pass after file-system events trusts what the watches say: a file in a watched folder
 * with no event for it (or any folder above it) since its facts were last confirmed is not
 * even stat'ed, so a write into a 20,000-file tree costs a walk and one hash, not 20,000
 * lstat calls. The timer pass trusts nothing and stats every file, which also covers events
 * the kernel dropped.
 *
 * When the kernel refuses more watches (ENOSPC: fs.inotify.max_user_watches) or a limit is
 * configured, the folders left unwatched are reported once as `coverage_degraded`; the timer
 * pass (at most every 60 seconds) still covers them.
 */
import { type Dirent, type FSWatcher, watch as fsWatch } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ProblemSink } from '../errors.js';
import type { Store } from '../store/store.js';
import type { BaselineInfo } from '../store/baselines.js';
import { approvedItems, scopeOf } from './baseline.js';
import type { Item } from './types.js';
import { type Change, compare } from './changes.js';
import { FactsCache, inventory } from './inventory.js';
import { listDir } from './paths.js';

/** Up to this many paths with events, `touched` compares prefixes rather than walking up. */
const FEW_EVENTS = 8;

export type WatchReport = { type: 'change'; change: Change; at: number } | { type: 'coverage_degraded'; unwatched: string[]; reason: string; at: number };

export interface WatchOptions {
  root?: string;
  workers?: number;
  problems: ProblemSink;
  report(r: WatchReport): void;
  /** Quiet time after the last file-system event before a pass (default 50 ms). */
  settleMs?: number;
  /** Full pass interval (default and maximum 60 s). */
  fullPassMs?: number;
  /** At most this many folder watches (default: as many as the kernel grants). */
  maxWatches?: number;
}

export class ComponentWatcher {
  /** Folder → its watch and the cache generation it was set up in. */
  private readonly watchers = new Map<string, { w: FSWatcher; since: number }>();
  /** Paths (files or folders) with file-system events since the current pass began. */
  private dirty = new Set<string>();
  /** The next pass stats every file (the timer pass, or after a watch failed). */
  private fullNext = true;
  private readonly cache = new FactsCache();
  /** Folder listings the walks made, with the cache generation of the pass that made them. */
  private listings = new Map<string, { entries: Dirent[]; at: number }>();
  private unwatched: string[] = [];
  private degradedReported = '';
  private timer: NodeJS.Timeout | undefined;
  private full: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** Resolves after each completed pass (tests and benchmarks wait on it). */
  passes = 0;
  private passWaiters: (() => void)[] = [];
  /** The approved items, reloaded only when the baseline or its approvals change. */
  private approved: { version: string; info: BaselineInfo; items: Map<string, Item> } | undefined;

  constructor(
    private readonly store: Store,
    private readonly opts: WatchOptions,
  ) {}

  async start(): Promise<void> {
    await this.pass();
    // the watches began after the first pass read the files: a second pass stats them all once
    // more, so the passes after events can trust them (and catches a change made meanwhile)
    if (this.watchers.size > 0 && !this.stopped) {
      this.fullNext = true;
      await this.pass();
    }
    const every = Math.min(this.opts.fullPassMs ?? 60_000, 60_000);
    this.full = setInterval(() => {
      this.fullNext = true;
      this.trigger(0);
    }, every);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.full) clearInterval(this.full);
    for (const { w } of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.running;
  }

  /** Resolves when a pass that started after this call has finished. */
  nextPass(): Promise<void> {
    return new Promise((resolve) => this.passWaiters.push(resolve));
  }

  private trigger(delay = this.opts.settleMs ?? 50): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pass();
    }, delay);
  }

  private async pass(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const waiters = this.passWaiters;
    this.passWaiters = [];
    this.running = this.runPass()
      .catch((e: unknown) => this.opts.problems.report({ kind: 'internal', file: this.opts.root ?? '/', message: `watch pass failed: ${(e as Error).message}` }))
      .finally(() => {
        this.running = undefined;
        this.passes++;
        for (const w of waiters) w();
        if (this.again && !this.stopped) {
          this.again = false;
          void this.pass();
        }
      });
    return this.running;
  }

  /** Whether `path` or a folder above it had an event in `dirty`. */
  private static touched(dirty: ReadonlySet<string>, path: string): boolean {
    if (dirty.size === 0) return false;
    // a pass after a write or two asks this of every file: comparing with the few paths that
    // had events is cheaper than looking up each folder above the file
    if (dirty.size <= FEW_EVENTS) {
      for (const d of dirty) if (path === d || path.startsWith(d.endsWith('/') ? d : `${d}/`)) return true;
      return false;
    }
    for (let p = path; ; ) {
      if (dirty.has(p)) return true;
      const up = dirname(p);
      if (up === p) return false;
      p = up;
    }
  }

  private async runPass(): Promise<void> {
    const { info, items: approved } = await this.approvedNow();
    // events from here on belong to the next pass
    const dirty = this.dirty;
    this.dirty = new Set();
    const full = this.fullNext;
    this.fullNext = false;
    // a folder that was itself moved or replaced is watched anew (its watch follows the old inode)
    for (const [d, { w }] of this.watchers)
      if (ComponentWatcher.touched(dirty, d)) {
        w.close();
        this.watchers.delete(d);
      }
    const unchanged = full
      ? undefined
      : (path: string, at: number): boolean => {
          const watched = this.watchers.get(dirname(path));
          return watched !== undefined && at > watched.since && !ComponentWatcher.touched(dirty, path);
        };
    // a folder watched since it was last listed, with no event for it, a folder above it or
    // anything in it, has the same entries: not listed again (the timer pass lists everything)
    const before = this.listings;
    const listings = new Map<string, { entries: Dirent[]; at: number }>();
    this.listings = listings;
    // the inventory counts this pass's generation after the collectors have walked
    const generation = this.cache.generation + 1;
    const parents = dirty.size > FEW_EVENTS ? new Set([...dirty].map((p) => dirname(p))) : undefined;
    const list = (dir: string): Dirent[] => {
      const kept = before.get(dir);
      const watched = this.watchers.get(dir);
      const quiet =
        !full &&
        kept !== undefined &&
        watched !== undefined &&
        kept.at > watched.since &&
        !ComponentWatcher.touched(dirty, dir) &&
        !(parents ? parents.has(dir) : [...dirty].some((p) => dirname(p) === dir));
      const got = quiet ? kept : { entries: listDir(dir), at: generation };
      listings.set(dir, got);
      return got.entries;
    };
    const inv = await inventory({ root: this.opts.root, workers: this.opts.workers, problems: this.opts.problems, cache: this.cache, unchanged, list });
    if (this.stopped) return;
    this.rewatch(inv.watch);
    const changes = compare(approved, inv.items, inv.ids);
    const observed = await this.store.baselines.observed(info.id);
    const at = Date.now();
    const states: { id: string; data: string }[] = [];
    const current = new Set<string>();
    for (const c of changes) {
      current.add(c.id);
      const data = JSON.stringify([c.change, c.item]);
      if (observed.get(c.id) === data) continue;
      states.push({ id: c.id, data });
      this.opts.report({ type: 'change', change: c, at });
    }
    // back to the approved state: forget, so a later change is reported again
    const forget = [...observed.keys()].filter((id) => !current.has(id));
    await this.store.baselines.observe(info.id, states, forget, at);
  }

  private async approvedNow(): Promise<{ info: BaselineInfo; items: Map<string, Item> }> {
    const active = await this.store.baselines.active(scopeOf(this.opts.root));
    if (active) {
      const rows = await this.store.db.query('SELECT COUNT(*) AS n, MAX(id) AS m FROM baseline_approvals WHERE baseline_id = $1', [active.id]);
      const version = `${active.id}:${active.records}:${rows[0]?.['n'] ?? 0}:${rows[0]?.['m'] ?? 0}`;
      if (this.approved?.version === version) return this.approved;
      const got = await approvedItems(this.store, this.opts.root);
      this.approved = { version, ...got };
      return got;
    }
    return approvedItems(this.store, this.opts.root);
  }

  private rewatch(dirs: readonly string[]): void {
    const want = new Set(dirs);
    for (const [d, { w }] of this.watchers)
      if (!want.has(d)) {
        w.close();
        this.watchers.delete(d);
      }
    const unwatched: string[] = [];
    let reason = '';
    for (const d of dirs) {
      if (this.watchers.has(d)) continue;
      if (this.opts.maxWatches !== undefined && this.watchers.size >= this.opts.maxWatches) {
        unwatched.push(d);
        reason = `watch limit of ${this.opts.maxWatches} folders reached`;
        continue;
      }
      try {
        const w = fsWatch(d, { persistent: true }, (_event, name) => {
          // no name: something in the folder changed, so everything in it is suspect
          this.dirty.add(name ? join(d, name.toString()) : d);
          this.trigger();
        });
        w.on('error', () => {
          // the folder went away or the queue overflowed: a pass re-lists, re-watches and stats everything
          w.close();
          if (this.watchers.get(d)?.w === w) this.watchers.delete(d);
          this.fullNext = true;
          this.trigger();
        });
        this.watchers.set(d, { w, since: this.cache.generation });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue;
        unwatched.push(d);
        reason = code === 'ENOSPC' ? 'the kernel watch limit (fs.inotify.max_user_watches) is reached' : `cannot watch: ${(e as Error).message}`;
      }
    }
    this.unwatched = unwatched;
    const key = unwatched.join('\n');
    if (unwatched.length > 0 && key !== this.degradedReported) {
      this.degradedReported = key;
      this.opts.report({ type: 'coverage_degraded', unwatched, reason: `${reason}; these folders are checked by the full pass only (at most every 60 s)`, at: Date.now() });
    } else if (unwatched.length === 0) this.degradedReported = '';
  }

  /** Folders not watched right now (coverage degraded). */
  get unwatchedFolders(): readonly string[] {
    return this.unwatched;
  }
}
