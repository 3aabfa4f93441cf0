/** Sinks and renderers: JSON Lines, CSV, the console table and summary, incidents. */
export { TextOutput } from '../output/text-output.js';
export { JsonlSink } from '../output/jsonl-sink.js';
export { CsvSink } from '../output/csv-sink.js';
export { TableSink } from '../output/table-sink.js';
export { CollectSink, compareDetections } from '../output/collect-sink.js';
export type { ClosedIncident } from '../output/collect-sink.js';
export { Tally } from '../output/tally.js';
export { renderSummary } from '../output/summary.js';
export type { RunStats } from '../output/summary.js';
export { formatIncidents } from '../output/incidents-format.js';
export { incidentRecord, isoTime, sourceRecord, toRecord } from '../output/record.js';
export type { DetectionRecord, IncidentRecord } from '../output/record.js';
export { formatCount, renderTable, Style } from '../output/text-table.js';
export { Progress } from '../output/progress.js';
export { isoFormatter, parseIsoTime } from '../output/time-format.js';
