/**
 * The web-shell scanner as an `EventSource`: each finding becomes an event (event.ts) that
 * rules and correlations see together with the logs. A finding's time is the file's
 * modification time (for archive entries, the archive's): that is when it appeared, which is
 * what correlations with the logs need.
 */
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { ProblemSink } from '../errors.js';
import type { Event } from '../event/event.js';
import type { EventSource, SourceBatch, SourceStats } from '../event/source.js';
import { findingToEvent } from './event.js';
import { scan } from './scanner.js';

export interface ScanSourceOptions {
  paths: string[];
  /** Host the scanned files belong to (default: this machine). */
  host?: string;
  yaraRules?: string;
}

export class ScanSource implements EventSource {
  readonly name: string;
  private readonly counters: SourceStats = { events: 0, records: 0, format: 'webshell_scan' };
  /** Findings of the last run (for summaries). */
  findings = 0;

  constructor(private readonly opts: ScanSourceOptions) {
    this.name = `scan ${opts.paths.join(', ')}`;
  }

  stats(): SourceStats {
    return this.counters;
  }

  async *batches(problems: ProblemSink): AsyncGenerator<SourceBatch> {
    const report = await scan(this.opts.paths, { yaraRules: this.opts.yaraRules, onProblem: (p) => problems.report(p) });
    const host = this.opts.host ?? hostname();
    const events: Event[] = [];
    for (const f of report.findings) {
      const file = f.path.includes('!/') ? f.path.slice(0, f.path.indexOf('!/')) : f.path;
      let mtime = Date.now();
      try {
        mtime = (await stat(file)).mtimeMs;
      } catch {
        // vanished since the scan: keep the scan time
      }
      events.push(findingToEvent(f, host, Math.round(mtime)));
    }
    this.counters.records = report.stats.files + report.stats.archiveEntries;
    this.counters.events = events.length;
    this.findings = events.length;
    if (events.length) yield { events };
  }
}
