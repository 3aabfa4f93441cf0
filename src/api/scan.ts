/** The web-shell scanner. */
export { scan } from '../scan/scanner.js';
export type { ScanOptions, ScanReport, ScanStats } from '../scan/scanner.js';
export type { Evidence, Finding, Language, ScanLimits, Verdict } from '../scan/types.js';
export { DEFAULT_LIMITS } from '../scan/types.js';
export { findingToJsonLine } from '../scan/report/jsonl.js';
export { formatFinding, formatSummary } from '../scan/report/table.js';
export { toSarif } from '../scan/report/sarif.js';
export { findingToEvent } from '../scan/event.js';
