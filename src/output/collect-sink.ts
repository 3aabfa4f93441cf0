/** Keeps everything in memory: for tests, small library uses and reports built at the end. */
import type { Detection, Incident, IncidentMember, IncidentUpdate } from '../event/detection.js';
import type { DetectionSink } from '../event/sink.js';

export interface ClosedIncident {
  incident: Incident;
  members: IncidentMember[];
}

export class CollectSink implements DetectionSink {
  readonly all: Detection[] = [];
  readonly closed: ClosedIncident[] = [];
  readonly updates: IncidentUpdate[] = [];

  detections(batch: readonly Detection[]): void {
    for (const d of batch) this.all.push(d);
  }

  incidents(updates: readonly IncidentUpdate[]): void {
    for (const u of updates) {
      this.updates.push(u);
      if (u.kind === 'closed') this.closed.push({ incident: u.incident, members: u.members ?? [] });
    }
  }

  async close(): Promise<void> {}

  /** Detections by time, then origin, then rule (a stable order for comparisons). */
  sorted(): Detection[] {
    return [...this.all].sort(compareDetections);
  }
}

export function compareDetections(a: Detection, b: Detection): number {
  const ta = a.timestamp ?? Number.NEGATIVE_INFINITY;
  const tb = b.timestamp ?? Number.NEGATIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.origin.file !== b.origin.file) return a.origin.file < b.origin.file ? -1 : 1;
  if (a.origin.record !== b.origin.record) return a.origin.record - b.origin.record;
  return a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
