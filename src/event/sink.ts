/**
 * Where detections go: the console table, JSON Lines, CSV, SARIF, HTML, the store, a
 * webhook. A driver hands each sink the detections and incident updates as the pipeline
 * produces them and awaits the returned promise, which is how a slow sink (a full pipe, a
 * busy database) slows the sources down instead of making the process hold everything.
 */
import type { Detection, IncidentUpdate } from './detection.js';

export interface DetectionSink {
  /** Detections in the order the pipeline produced them (each id at most once per run). */
  detections(batch: readonly Detection[]): void | Promise<void>;
  /** Incident updates, when the driver groups incidents. */
  incidents?(updates: readonly IncidentUpdate[]): void | Promise<void>;
  /** End of the run: write what was held back (tables, summaries) and release the output. */
  close(): Promise<void>;
}
