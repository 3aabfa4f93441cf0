/** The data model every part of Warden shares: events, detections, incidents, sources, sinks. */
export type { Event, EventOrigin, Fields, FieldValue, LogSource } from '../event/event.js';
export { LEVELS, STATUSES, levelRank, MAX_INCIDENT_EVIDENCE } from '../event/detection.js';
export type { Detection, Incident, IncidentMember, IncidentStatus, IncidentUpdate, Level, RuleInfo } from '../event/detection.js';
export type { EventSource, SourceBatch, SourcePosition, SourceStats } from '../event/source.js';
export type { DetectionSink } from '../event/sink.js';
export { hostKey } from '../event/host.js';
export { correlationId, detectionId, eventKey, incidentId } from '../event/identity.js';
