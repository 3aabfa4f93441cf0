/**
 * The detection model: what the engine emits and every sink, store and wire consumes.
 * One shape everywhere — in memory, across worker threads (structured clone), in JSON
 * Lines, in the store and on the cluster's wire — so nothing is ever rebuilt or converted
 * between stages.
 */
import type { EventOrigin, Fields, LogSource } from './event.js';

export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';

/** Sigma rule statuses (specification v2.1). */
export const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] as const;

export const LEVELS: readonly Level[] = ['informational', 'low', 'medium', 'high', 'critical'];

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

export interface RuleInfo {
  id: string;
  title: string;
  /** Rule `name` (used by correlations to reference rules), when set. */
  name?: string;
  level: Level;
  status: string;
  /** Always shown: the SigmaHQ Detection Rule License asks for attribution. */
  author: string;
  tags: string[];
  references: string[];
  description?: string;
  falsepositives?: string[];
  /** Rule file it was loaded from. */
  file?: string;
}

export interface Detection {
  /**
   * Stable identity: a hash of the rule id and the event's identity (see identity.ts), so
   * the same event read twice — a re-read file, an overlapping export, a redelivered
   * message — always yields the same id and never a second detection.
   */
  id: string;
  kind: 'rule' | 'correlation';
  rule: RuleInfo;
  /** Event time, epoch milliseconds UTC (correlations: the event that completed them). */
  timestamp?: number;
  /** Host as the log names it. */
  host?: string;
  /** The host's key (host.ts): the same machine under any spelling. */
  hostKey?: string;
  /** Where the matched event came from (correlations: the event that completed them). */
  origin: EventOrigin;
  logsource: LogSource;
  /** The matched event's fields (correlations: the group-by values and aggregates). */
  event: Fields;
  /** Raw evidence line, for text formats. */
  raw?: string;
  /** Correlations: the ids of the detections they join, in window order. */
  members?: string[];
  /** Correlations: every event behind them (chained correlations: the inner ones' too). */
  evidence?: EventOrigin[];
  /** Fields of the event the rule matched on (filled only where a reader needs them: reports). */
  matched?: string[];
}

/** One detection's place in an incident's time line (enough to show it without the detection). */
export interface IncidentMember {
  id: string;
  kind: Detection['kind'];
  timestamp?: number;
  ruleId: string;
  title: string;
  level: Level;
  author: string;
  origin: EventOrigin;
}

export const MAX_INCIDENT_EVIDENCE = 100;

export type IncidentStatus = 'open' | 'closed' | 'merged';

/**
 * Detections on one host that are about the same activity (shared process tree, file or user
 * within a time window). An incident opens with its first detection, grows as related ones
 * arrive, absorbs another incident a detection links it to, and closes when its window has
 * passed. Its id never changes. This is its header; members travel in `IncidentUpdate`s.
 */
export interface Incident {
  id: string;
  status: IncidentStatus;
  /** For status 'merged': the incident this one became part of. */
  mergedInto?: string;
  host?: string;
  hostKey: string;
  /** Epoch ms of the first and last member (absent when no member had a timestamp). */
  start?: number;
  end?: number;
  severity: Level;
  /** Highest level among the members, before the technique-chain raise. */
  maxLevel: Level;
  /** Distinct ATT&CK techniques (T1505, T1059, ...), sorted. */
  techniques: string[];
  users: string[];
  memberCount: number;
  /** The first events behind the incident (at most MAX_INCIDENT_EVIDENCE), de-duplicated. */
  evidence: EventOrigin[];
  /** How many distinct events stand behind the incident (correlation evidence counted per event). */
  evidenceCount: number;
}

/**
 * What the pipeline tells the sinks about incidents: `opened` and `grew` carry the members
 * added by that step (a merge adds the absorbed incident's members to the one that absorbs
 * it, which is reported as `grew`, and the absorbed one as `merged`); `closed` carries the
 * whole time line (members ordered by time, then id).
 */
export interface IncidentUpdate {
  kind: 'opened' | 'grew' | 'merged' | 'closed';
  incident: Incident;
  added?: IncidentMember[];
  members?: IncidentMember[];
}
