/**
 * `warden hunt --format html`: keeps the detections and closed incidents of the run and
 * writes the self-contained report when the run ends (a report is one document: it cannot
 * stream). The output file is put in place only when complete (TextOutput).
 */
import type { Detection, IncidentUpdate } from '../event/detection.js';
import type { DetectionSink } from '../event/sink.js';
import type { ClosedIncident } from '../output/collect-sink.js';
import type { TextOutput } from '../output/text-output.js';
import { renderReport, reportData } from './report.js';

export class HtmlSink implements DetectionSink {
  private readonly all: Detection[] = [];
  private readonly closed: ClosedIncident[] = [];

  constructor(
    private readonly out: TextOutput,
    private readonly opts: { title?: string } = {},
  ) {}

  detections(batch: readonly Detection[]): void {
    for (const d of batch) this.all.push(d);
  }

  incidents(updates: readonly IncidentUpdate[]): void {
    for (const u of updates) if (u.kind === 'closed') this.closed.push({ incident: u.incident, members: u.members ?? [] });
  }

  async close(): Promise<void> {
    const order = (d: Detection): number => d.timestamp ?? Number.NEGATIVE_INFINITY;
    // newest first, as the service lists them
    const sorted = [...this.all].sort((a, b) => order(b) - order(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    try {
      await this.out.write(renderReport(reportData(sorted, this.closed, { title: this.opts.title })));
    } catch (e) {
      await this.out.abort();
      throw e;
    }
    await this.out.close();
  }
}
