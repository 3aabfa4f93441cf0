/**
 * What the console reads: the API's JSON shapes (the same ones `warden hunt --format jsonl`
 * writes and the HTML report embeds). Everything is optional-minded: the console shows what
 * it gets and never trusts a field to be there or to be well-formed.
 */
export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export const LEVELS: readonly Level[] = ['informational', 'low', 'medium', 'high', 'critical'];

export function levelRank(l: string): number {
  return LEVELS.indexOf(l as Level);
}

export interface SourceRef {
  file: string;
  record: number;
  format?: string;
  offset?: number;
}

export interface DetectionRec {
  kind: 'rule' | 'correlation';
  id: string;
  rule: { id: string; title: string; level: string; status?: string; author: string; tags: string[]; references: string[]; file?: string };
  timestamp: string | null;
  host: string | null;
  source: SourceRef;
  logsource?: { product?: string; category?: string; service?: string };
  members?: string[];
  evidence?: SourceRef[];
  event: Record<string, unknown>;
  raw?: string;
  /** Live service, one detection: the event's fields that made its rule match. */
  matched?: string[];
}

/** A rule as the rule list gives it (with its description, which detections do not carry). */
export interface RuleDoc {
  id: string;
  title: string;
  level: string;
  status?: string;
  author: string;
  tags: string[];
  references: string[];
  description?: string;
  falsepositives?: string[];
  file?: string;
}

export interface TimelineEntry {
  id: string;
  timestamp: string | null;
  kind: string;
  rule: string;
  title: string;
  level: string;
  author: string;
  source: SourceRef;
}

export type Triage = 'new' | 'investigating' | 'resolved' | 'false_positive';
export const TRIAGES: readonly Triage[] = ['new', 'investigating', 'resolved', 'false_positive'];

export interface IncidentRec {
  id: string;
  status?: string;
  severity: string;
  maxLevel?: string;
  host: string | null;
  hostKey?: string;
  start: string | null;
  end: string | null;
  techniques: string[];
  users: string[];
  memberCount: number;
  evidenceCount: number;
  evidence?: SourceRef[];
  triage?: string;
  note?: string;
  timeline?: TimelineEntry[];
}

export interface EvidenceRec {
  analyzer: string;
  reason: string;
  weight: number;
  line?: number;
  snippet?: string;
  layer?: number;
}

export interface FindingRec {
  path: string;
  verdict: string;
  score: number;
  language: string;
  family?: string;
  evidence: EvidenceRec[];
  sha256: string;
  size?: number;
  host?: string;
  time?: string;
}

export interface SourceHealth {
  name: string;
  kind: string;
  lastEventAt?: number;
  lastEventTime?: number;
  lag?: number;
  lagUnit?: string;
  events: number;
  errors: number;
  eventsPerSecond: number;
  lastError?: string;
  dropped?: number;
  state: string;
}

export interface RuleProblem {
  file?: string;
  line?: number;
  message?: string;
  [k: string]: unknown;
}

export interface CoverageCell {
  builtin: number;
  user: number;
  expected: boolean;
  rules: string[];
}

export interface CoverageDoc {
  techniques: { id: string; techniqueId: string; name: string; dataSources: Record<string, CoverageCell> }[];
  dataSources: { id: string; name: string }[];
  gaps: { row: string; column: string }[];
  /** Live service only: data source id → ISO time an event of it was last received. */
  receiving?: Record<string, string>;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface DetectionFilter {
  level?: string;
  host?: string;
  rule?: string;
  text?: string;
  from?: number;
  to?: number;
}

export interface IncidentFilter {
  level?: string;
  host?: string;
  technique?: string;
  triage?: string;
}

/** What the HTML report embeds. */
export interface ReportData {
  kind: 'warden-report';
  version: 1;
  generatedAt: string;
  title: string;
  detections: DetectionRec[];
  incidents: IncidentRec[];
  rules: RuleDoc[];
  findings?: FindingRec[];
}
