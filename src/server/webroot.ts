/**
 * Web-root watch as a live source: files created, changed or removed under the watched roots
 * become file events (logsource warden/file_event, service webroot), and every new or changed
 * file is scanned at once — a web shell's finding becomes an event too (warden/webshell_scan),
 * so "a script appeared in the web root, it scores as a web shell, and the web server ran a
 * shell" is one incident while it happens.
 *
 * The kernel's notifications (fs.watch, recursive) give the speed; a full rescan at start and
 * every `rescanMs` gives the completeness: changes made while Warden was down, or lost when
 * the notification queue overflowed, are found by comparing size, time and content hash with
 * what was last seen (kept in `stateFile`).
 *
 * File event fields: TargetFilename, Action (created | modified | deleted), Sha256, FileSize,
 * Extension, Root, Host. The event time is the file's modification time.
 */
import { createHash } from 'node:crypto';
import { type Dirent, type FSWatcher, readFileSync, type Stats, watch } from 'node:fs';
import { lstat, open, readdir, rename, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { ProblemSink } from '../errors.js';
import { errorMessage } from '../errors.js';
import type { Event } from '../event/event.js';
import { hostKey } from '../event/host.js';
import type { EventSource, SourceBatch, SourceStats } from '../event/source.js';
import { findingToEvent } from '../scan/event.js';
import { scan } from '../scan/scanner.js';
import type { Finding } from '../scan/types.js';
import type { FindingRow } from '../store/alerts.js';

export interface WebRootOptions {
  name: string;
  roots: readonly string[];
  host: string;
  /** Where what was last seen is kept between runs. */
  stateFile: string;
  /** Full rescan period (ms). Default 10 minutes. */
  rescanMs?: number;
  /** Wait this long after a notification before looking (writes come in bursts). Default 100 ms. */
  settleMs?: number;
  /** Files larger than this are hashed but not scanned. Default 8 MB. */
  maxScanBytes?: number;
}

interface Seen {
  size: number;
  mtime: number;
  sha256: string;
}

const SKIP_DIRS = new Set(['.git', '.svn', 'node_modules']);

async function sha256Of(path: string): Promise<string | undefined> {
  try {
    const fh = await open(path, 'r');
    try {
      const h = createHash('sha256');
      const b = Buffer.alloc(1 << 20);
      for (;;) {
        const { bytesRead } = await fh.read(b, 0, b.length, null);
        if (bytesRead <= 0) break;
        h.update(b.subarray(0, bytesRead));
      }
      return h.digest('hex');
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}

export class WebRootSource implements EventSource {
  readonly name: string;
  private readonly counters: SourceStats = { events: 0, records: 0, format: 'webroot' };
  private seen = new Map<string, Seen>();
  private readonly dirty = new Set<string>();
  private findings: FindingRow[] = [];
  private watchers: FSWatcher[] = [];
  private wake: (() => void) | undefined;
  private needRescan = true;
  private lastRescan = 0;
  /** Notifications lost (watcher errors or overflow): a rescan follows. */
  overflows = 0;

  constructor(private readonly opts: WebRootOptions) {
    this.name = opts.name;
  }

  stats(): SourceStats {
    return this.counters;
  }

  /** Scanner findings made since the last call (the service stores them). */
  takeFindings(): FindingRow[] {
    const f = this.findings;
    this.findings = [];
    return f;
  }

  private loadState(): void {
    try {
      const v = JSON.parse(readFileSync(this.opts.stateFile, 'utf8')) as Record<string, Seen>;
      this.seen = new Map(Object.entries(v));
    } catch {
      this.seen = new Map();
    }
  }

  private async saveState(): Promise<void> {
    const tmp = `${this.opts.stateFile}.tmp`;
    await writeFile(tmp, JSON.stringify(Object.fromEntries(this.seen)));
    await rename(tmp, this.opts.stateFile);
  }

  private startWatching(problems: ProblemSink): void {
    for (const root of this.opts.roots) {
      try {
        const w = watch(root, { recursive: true }, (_type, name) => {
          if (name) this.dirty.add(resolve(root, name.toString()));
          else this.needRescan = true;
          this.wake?.();
        });
        w.on('error', () => {
          this.overflows++;
          this.needRescan = true;
        });
        this.watchers.push(w);
      } catch (e) {
        this.needRescan = true;
        problems.report({ kind: 'input', file: root, message: `cannot watch (rescans only, every ${this.opts.rescanMs ?? 600_000} ms): ${errorMessage(e)}` });
      }
    }
  }

  async *batches(problems: ProblemSink, opts: { signal?: AbortSignal } = {}): AsyncGenerator<SourceBatch> {
    const signal = opts.signal;
    this.loadState();
    const first = this.seen.size === 0;
    this.startWatching(problems);
    try {
      while (!signal?.aborted) {
        let events: Event[] = [];
        const rescanDue = Date.now() - this.lastRescan >= (this.opts.rescanMs ?? 600_000);
        if (this.needRescan || rescanDue) {
          this.needRescan = false;
          this.lastRescan = Date.now();
          this.dirty.clear();
          events = await this.rescan(problems, first && this.counters.records === 0);
        } else if (this.dirty.size) {
          await new Promise((r) => setTimeout(r, this.opts.settleMs ?? 100));
          const paths = [...this.dirty];
          this.dirty.clear();
          events = await this.check(paths, problems);
        }
        if (events.length) {
          this.counters.events += events.length;
          await this.saveState();
          yield { events };
          continue;
        }
        await new Promise<void>((r) => {
          const done = (): void => {
            clearTimeout(t);
            signal?.removeEventListener('abort', done);
            this.wake = undefined;
            r();
          };
          const t = setTimeout(done, 1000);
          this.wake = done;
          signal?.addEventListener('abort', done, { once: true });
        });
      }
    } finally {
      for (const w of this.watchers) w.close();
      this.watchers = [];
    }
  }

  private async walk(dir: string, out: string[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      // Links are not followed: a link out of the web root must not pull the host in.
      if (e.isDirectory() && !SKIP_DIRS.has(e.name)) await this.walk(p, out);
      else if (e.isFile()) out.push(p);
    }
  }

  /** Everything under the roots compared with what was last seen. The very first run only learns (plus scans). */
  private async rescan(problems: ProblemSink, learning: boolean): Promise<Event[]> {
    const files: string[] = [];
    for (const r of this.opts.roots) await this.walk(resolve(r), files);
    const present = new Set(files);
    const events = await this.check(files, problems, learning);
    for (const path of [...this.seen.keys()]) {
      if (!present.has(path) && this.opts.roots.some((r) => path.startsWith(resolve(r)))) events.push(...(await this.check([path], problems)));
    }
    return events;
  }

  /** Looks at these paths now; returns the events of what changed. */
  private async check(paths: readonly string[], problems: ProblemSink, learning = false): Promise<Event[]> {
    const events: Event[] = [];
    const toScan: { path: string; sha: string; mtime: number; action: string }[] = [];
    for (const path of paths) {
      this.counters.records++;
      let st: Stats | undefined;
      try {
        st = await lstat(path);
      } catch {
        st = undefined;
      }
      const before = this.seen.get(path);
      if (!st?.isFile()) {
        if (before && !st) {
          this.seen.delete(path);
          events.push(this.fileEvent(path, 'deleted', before.sha256, before.size, Date.now()));
        }
        continue;
      }
      if (before && before.size === st.size && before.mtime === st.mtimeMs) continue;
      const sha = await sha256Of(path);
      if (sha === undefined) continue;
      const mtime = Math.round(st.mtimeMs);
      this.seen.set(path, { size: st.size, mtime: st.mtimeMs, sha256: sha });
      if (before?.sha256 === sha) continue;
      const action = before ? 'modified' : 'created';
      if (!learning) events.push(this.fileEvent(path, action, sha, st.size, mtime));
      if (st.size <= (this.opts.maxScanBytes ?? 8 << 20)) toScan.push({ path, sha, mtime, action });
    }
    if (toScan.length) {
      try {
        const report = await scan(
          toScan.map((t) => t.path),
          { workers: toScan.length > 64 ? undefined : 0, onProblem: (p) => problems.report(p) },
        );
        const byPath = new Map(toScan.map((t) => [t.path, t]));
        for (const f of report.findings) {
          const outer = f.path.includes('!/') ? f.path.slice(0, f.path.indexOf('!/')) : f.path;
          const t = byPath.get(outer);
          events.push(findingToEvent(f, this.opts.host, t?.mtime ?? Date.now()));
          this.findings.push(findingRow(f, this.opts.host, t?.mtime ?? Date.now()));
        }
      } catch (e) {
        problems.report({ kind: 'scan', file: toScan[0]!.path, message: `scan failed: ${errorMessage(e)}` });
      }
    }
    return events;
  }

  private fileEvent(path: string, action: string, sha: string, size: number, time: number): Event {
    const root = this.opts.roots.map((r) => resolve(r)).find((r) => path.startsWith(r)) ?? '';
    return {
      fields: { TargetFilename: path, Action: action, Sha256: sha, FileSize: size, Extension: extname(path).toLowerCase(), Root: root, Host: this.opts.host },
      logsource: { product: 'warden', category: 'file_event', service: 'webroot' },
      host: this.opts.host,
      timestamp: time,
      origin: { file: path, record: 0, format: 'webroot', key: `webroot:${path}:${sha}:${action}` },
    };
  }
}

export function findingRow(f: Finding, host: string, time: number): FindingRow {
  return {
    id: `${f.path}\u0000${f.sha256}`,
    path: f.path,
    hostKey: hostKey(host),
    verdict: f.verdict,
    score: f.score,
    language: f.language,
    family: f.family ?? '',
    sha256: f.sha256,
    time,
    body: JSON.stringify({ ...f, host, time: new Date(time).toISOString() }),
  };
}
