/** CSV: a header, then one row per detection as it is found. */
import type { Detection } from '../event/detection.js';
import type { DetectionSink } from '../event/sink.js';
import { csvHeader, csvRow } from './csv.js';
import { GroupIds } from './group.js';
import type { TextOutput } from './text-output.js';

export class CsvSink implements DetectionSink {
  private started = false;
  private readonly groups = new GroupIds();
  constructor(private readonly out: TextOutput) {}

  async detections(batch: readonly Detection[]): Promise<void> {
    let text = '';
    if (!this.started) {
      this.started = true;
      text = csvHeader();
    }
    for (const d of batch) text += csvRow(d, this.groups.of(d));
    await this.out.write(text);
  }

  async close(): Promise<void> {
    if (!this.started) await this.out.write(csvHeader());
    await this.out.close();
  }
}
