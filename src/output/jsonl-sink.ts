/**
 * JSON Lines: one detection record per line as it is found; with incidents, one incident
 * record when an incident closes (its members are detections already written above it).
 */
import type { Detection, IncidentUpdate } from '../event/detection.js';
import type { DetectionSink } from '../event/sink.js';
import { GroupIds } from './group.js';
import { incidentRecord, toRecord } from './record.js';
import type { TextOutput } from './text-output.js';

export class JsonlSink implements DetectionSink {
  private readonly groups = new GroupIds();
  constructor(
    private readonly out: TextOutput,
    private readonly opts: { incidents?: boolean } = {},
  ) {}

  async detections(batch: readonly Detection[]): Promise<void> {
    const lines: string[] = [];
    for (const d of batch) lines.push(JSON.stringify(toRecord(d, this.groups.of(d))));
    if (lines.length) await this.out.write(`${lines.join('\n')}\n`);
  }

  async incidents(updates: readonly IncidentUpdate[]): Promise<void> {
    if (!this.opts.incidents) return;
    for (const u of updates) if (u.kind === 'closed') await this.out.write(`${JSON.stringify(incidentRecord(u.incident, u.members ?? []))}\n`);
  }

  async close(): Promise<void> {
    await this.out.close();
  }
}
