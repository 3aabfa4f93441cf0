/**
 * The drop folder: EVTX, JSON and log files copied into it are read once (any format Warden
 * reads, gzip too) and then moved to `done/` — or to `failed/` with a `.reason` file beside
 * them. A file is taken once its size has stayed the same for a moment (a copy in progress
 * is not read half). A file is moved only after a pipeline snapshot covers it; the position
 * also says how many events of the file being read were already taken, so a restart skips
 * exactly those and the pipeline never sees an event twice.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ProblemSink } from '../errors.js';
import { errorMessage } from '../errors.js';
import type { EventSource, SourceBatch, SourcePosition, SourceStats } from '../event/source.js';
import { FileSource } from '../input/sources/file.js';
import { sleep } from '../input/sources/tail.js';

export interface SpoolOptions {
  name: string;
  dir: string;
  format?: string;
  host?: string;
  pollMs?: number;
  /** How long a file's size must stay the same before it is read (ms). Default 1 000. */
  settleMs?: number;
}

export class SpoolSource implements EventSource {
  readonly name: string;
  private readonly counters: SourceStats = { events: 0, records: 0 };
  private readonly sizes = new Map<string, { size: number; since: number }>();
  /** Read completely (by name), not yet moved. */
  private readonly finished = new Set<string>();
  private readonly failedReason = new Map<string, string>();

  constructor(private readonly opts: SpoolOptions) {
    this.name = opts.name;
    for (const d of ['', 'done', 'failed']) mkdirSync(join(opts.dir, d), { recursive: true });
  }

  stats(): SourceStats {
    return this.counters;
  }

  /** Files read to their end (waiting for a snapshot before they are moved) and how far into the current one. */
  private position(current?: string, taken?: number): SourcePosition {
    const p: Record<string, string | number> = { read: [...this.finished].join('\n') };
    if (current !== undefined) {
      p.current = current;
      p.taken = taken ?? 0;
    }
    return p;
  }

  /** A snapshot covers these positions: files read before it can be moved out of the spool. */
  async settle(saved: SourcePosition | undefined): Promise<void> {
    const names = typeof saved?.read === 'string' && saved.read ? saved.read.split('\n') : [];
    for (const n of names) {
      if (!this.finished.has(n)) continue;
      const reason = this.failedReason.get(n);
      try {
        if (reason !== undefined) {
          await rename(join(this.opts.dir, n), join(this.opts.dir, 'failed', n));
          await writeFile(join(this.opts.dir, 'failed', `${n}.reason`), `${reason}\n`);
        } else await rename(join(this.opts.dir, n), join(this.opts.dir, 'done', n));
      } catch {
        // moved already, or gone: nothing to do
      }
      this.finished.delete(n);
      this.failedReason.delete(n);
    }
  }

  private ready(): string[] {
    const now = Date.now();
    const out: string[] = [];
    let names: string[];
    try {
      names = readdirSync(this.opts.dir).sort();
    } catch {
      return [];
    }
    for (const n of names) {
      if (n.startsWith('.') || this.finished.has(n)) continue;
      let size: number;
      try {
        const st = statSync(join(this.opts.dir, n));
        if (!st.isFile()) continue;
        size = st.size;
      } catch {
        continue;
      }
      const seen = this.sizes.get(n);
      if (!seen || seen.size !== size) this.sizes.set(n, { size, since: now });
      else if (now - seen.since >= (this.opts.settleMs ?? 1000)) out.push(n);
    }
    return out;
  }

  async *batches(problems: ProblemSink, opts: { from?: SourcePosition; signal?: AbortSignal } = {}): AsyncGenerator<SourceBatch> {
    const signal = opts.signal;
    // Files a saved snapshot already covers are moved now; the one it stood in is read again
    // with the events it had already taken skipped.
    await this.settle(opts.from);
    let resume = typeof opts.from?.current === 'string' ? { name: opts.from.current, skip: Number(opts.from.taken ?? 0) } : undefined;
    while (!signal?.aborted) {
      const files = this.ready();
      for (const n of files) {
        if (signal?.aborted) break;
        const path = join(this.opts.dir, n);
        let errors = 0;
        let lastError = '';
        const sink: ProblemSink = {
          report: (p) => {
            errors++;
            lastError = p.message;
            problems.report(p);
          },
        };
        let skip = resume?.name === n ? resume.skip : 0;
        resume = undefined;
        let taken = 0;
        try {
          const src = new FileSource(path, { inputFormat: this.opts.format, host: this.opts.host });
          for await (const b of src.batches(sink)) {
            let events = b.events;
            if (skip > 0) {
              const cut = Math.min(skip, events.length);
              events = events.slice(cut);
              skip -= cut;
              taken += cut;
            }
            taken += events.length;
            this.counters.events += events.length;
            yield { events, freshFields: b.freshFields, position: this.position(n, taken) };
          }
          const st = src.stats();
          this.counters.records += st.records;
          if (!st.format) this.failedReason.set(n, lastError || 'unrecognized format');
          else if (st.events === 0 && errors > 0) this.failedReason.set(n, `no events read: ${lastError}`);
        } catch (e) {
          this.failedReason.set(n, errorMessage(e));
          problems.report({ kind: 'input', file: path, message: `cannot read: ${errorMessage(e)}` });
        }
        this.finished.add(basename(n));
        this.sizes.delete(n);
        yield { events: [], position: this.position() };
      }
      if (files.length === 0) await sleep(this.opts.pollMs ?? 500, signal);
    }
  }
}
