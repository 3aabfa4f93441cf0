/**
 * The console table: detections are gathered (repeats of one rule, host, input and key
 * fields as one row with a count, unless `group` is off) and written when the run ends,
 * ordered by time, followed by the incidents.
 */
import type { Detection, IncidentUpdate } from '../event/detection.js';
import type { DetectionSink } from '../event/sink.js';
import type { ClosedIncident } from './collect-sink.js';
import { compareDetections } from './collect-sink.js';
import { type Profile, renderDetectionsTable, type TableRow } from './detections-table.js';
import { groupKey } from './group.js';
import { formatIncidents } from './incidents-format.js';
import type { Style } from './text-table.js';
import type { TextOutput } from './text-output.js';

export interface TableSinkOptions {
  style: Style;
  width: number;
  /** Collapse repeats into one row (default true). */
  group?: boolean;
  incidents?: boolean;
  iso: (ms: number) => string;
  /** No truncation: cells wrap onto as many lines as they need. */
  full?: boolean;
  profile?: Profile;
  /** Incident members shown in each timeline before "... N more" (JSON Lines has them all). */
  maxMembers?: number;
}

export class TableSink implements DetectionSink {
  private readonly rows = new Map<string, TableRow>();
  private readonly plain: TableRow[] = [];
  private readonly closed: ClosedIncident[] = [];

  constructor(
    private readonly out: TextOutput,
    private readonly opts: TableSinkOptions,
  ) {}

  detections(batch: readonly Detection[]): void {
    for (const d of batch) {
      if (this.opts.group === false) {
        this.plain.push({ first: d, count: 1 });
        continue;
      }
      const k = groupKey(d);
      const r = this.rows.get(k);
      if (!r) this.rows.set(k, { first: d, count: 1, lastTime: d.timestamp });
      else {
        r.count++;
        if (d.timestamp !== undefined && (r.lastTime === undefined || d.timestamp > r.lastTime)) r.lastTime = d.timestamp;
        if (compareDetections(d, r.first) < 0) r.first = d;
      }
    }
  }

  incidents(updates: readonly IncidentUpdate[]): void {
    for (const u of updates) if (u.kind === 'closed') this.closed.push({ incident: u.incident, members: u.members ?? [] });
  }

  /** Writes the table and the incidents; the output stays open for the summary. */
  async render(): Promise<void> {
    const rows = this.opts.group === false ? this.plain : [...this.rows.values()];
    rows.sort((a, b) => compareDetections(a.first, b.first));
    if (rows.length)
      await this.out.write(
        `${renderDetectionsTable(rows, { width: this.opts.width, style: this.opts.style, iso: this.opts.iso, full: this.opts.full, profile: this.opts.profile })}\n`,
      );
    if (this.opts.incidents) {
      this.closed.sort(
        (a, b) =>
          (a.incident.start ?? Number.POSITIVE_INFINITY) - (b.incident.start ?? Number.POSITIVE_INFINITY) ||
          (a.incident.id < b.incident.id ? -1 : a.incident.id > b.incident.id ? 1 : 0),
      );
      await this.out.write(
        `${formatIncidents(this.closed, { style: this.opts.style, iso: this.opts.iso, width: this.opts.width, full: this.opts.full, maxMembers: this.opts.maxMembers })}\n`,
      );
    }
  }

  async close(): Promise<void> {
    await this.render();
  }
}
