/**
 * What `warden hunt` writes with, without the barrel of api/output.ts: a hunt loads the one
 * sink its format needs (the HTML report, CSV and the table are each loaded on demand), which
 * keeps the start of a small hunt short.
 */
export { TextOutput } from '../output/text-output.js';
export { Progress } from '../output/progress.js';
export { Style } from '../output/text-table.js';
export { Tally } from '../output/tally.js';
export { renderSummary } from '../output/summary.js';
export { isoFormatter, parseIsoTime } from '../output/time-format.js';

export const loadTableSink = async () => (await import('../output/table-sink.js')).TableSink;
export const loadCsvSink = async () => (await import('../output/csv-sink.js')).CsvSink;
export const loadHtmlSink = async () => (await import('../web/html-sink.js')).HtmlSink;
export const loadJsonlSink = async () => (await import('../output/jsonl-sink.js')).JsonlSink;
