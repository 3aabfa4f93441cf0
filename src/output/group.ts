/**
 * Grouping of repeated detections for display: one rule, one host, one input file and the
 * same key fields (a scanner hitting one URL from one client 4,000 times) are one row with a
 * count and the first and last time. JSON Lines keeps every detection and names its group.
 */
import { createHash } from 'node:crypto';
import type { Detection } from '../event/detection.js';
import { hostKey } from '../event/host.js';
import { detailsOf } from './details.js';

export function groupKey(d: Detection): string {
  const host = d.hostKey ?? (d.host === undefined ? '' : hostKey(d.host));
  return `${d.rule.id}\u0000${host}\u0000${d.origin.file}\u0000${d.kind === 'correlation' ? d.id : detailsOf(d.event)}`;
}

export function groupId(d: Detection): string {
  return createHash('sha256').update(groupKey(d)).digest('hex').slice(0, 16);
}
