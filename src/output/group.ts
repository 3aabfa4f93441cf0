/**
 * Grouping of repeated detections for display: one rule, one host and one input (a scanner
 * hitting one URL from one client 4,000 times, a noisy rule on one server's log) are one
 * table row with a count and the first and last time. JSON Lines keeps every detection and
 * names its group, so the rows can be expanded again.
 */
import { createHash } from 'node:crypto';
import type { Detection } from '../event/detection.js';
import { hostKey } from '../event/host.js';

export function groupKey(d: Detection): string {
  const host = d.hostKey ?? (d.host === undefined ? '' : hostKey(d.host));
  return `${d.rule.id}\u0000${host}\u0000${d.origin.file}`;
}

/** Group ids by key, per output: there are few groups, and hashing each detection would cost more than the lookup. */
export class GroupIds {
  private readonly ids = new Map<string, string>();
  of(d: Detection): string {
    const k = groupKey(d);
    let id = this.ids.get(k);
    if (id === undefined) {
      id = createHash('sha256').update(k).digest('hex').slice(0, 16);
      if (this.ids.size >= 100_000) this.ids.clear();
      this.ids.set(k, id);
    }
    return id;
  }
}
