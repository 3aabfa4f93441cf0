/**
 * A hunt whose results are wanted as arrays (tests, small library uses): every detection in
 * a stable order (time, origin, rule) and every incident, closed.
 */
import type { ProblemSink } from '../errors.js';
import type { Detection } from '../event/detection.js';
import { type ClosedIncident, CollectSink } from '../output/collect-sink.js';
import { hunt, type HuntOptions, type HuntStats } from './run.js';

export interface HuntResult {
  detections: Detection[];
  incidents: ClosedIncident[];
  stats: HuntStats;
}

export async function runHunt(opts: HuntOptions, problems: ProblemSink): Promise<HuntResult> {
  const sink = new CollectSink();
  const stats = await hunt(opts, [sink], problems);
  return { detections: sink.sorted(), incidents: sink.closed, stats };
}
