/**
 * The detection model: what the engine emits and every sink, store and wire consumes.
 * One detection per (rule, event) match or correlation firing.
 */
import type { Fields, LogSource, EventOrigin } from './event.js';

export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export const LEVELS: readonly Level[] = ['informational', 'low', 'medium', 'high', 'critical'];

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
  kind: 'rule' | 'correlation';
  rule: RuleInfo;
  /** ISO-8601 UTC event time (or the last contributing event for correlations). */
  timestamp?: string;
  host?: string;
  source: { file: string; record: number; format?: string };
  logsource?: LogSource;
  /** The matched event's fields (for correlations: the group-by values and aggregates). */
  event: Fields;
  /** Raw evidence line, for text formats. */
  raw?: string;
  /** Correlations: every event that made it fire. */
  evidence?: EventOrigin[];
  /** Incident this detection was grouped into (warden hunt --incidents). */
  incident?: string;
}
