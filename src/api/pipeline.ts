/** The streaming pipeline: events in, detections and incidents out, state that can be snapshotted. */
export { Pipeline } from '../engine/pipeline.js';
export type { PipelineOptions, PipelineOutput, PipelineRules, PipelineSnapshot, PipelineStats } from '../engine/pipeline.js';
export { CorrelationEngine, DEFAULT_MAX_GROUPS, DEFAULT_OUT_OF_ORDER_TOLERANCE_MS } from '../engine/correlate.js';
export { DEFAULT_INCIDENT_WINDOW_MS, groupIncidents, IncidentTracker } from '../engine/incidents.js';
export type { IncidentOptions } from '../engine/incidents.js';
export { detectionOf, matchEvents } from '../engine/match.js';
