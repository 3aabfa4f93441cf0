/**
 * Running counts for the summary, kept while detections stream past (memory grows with the
 * number of rules, hosts and days, not detections): per level total and unique rules, per
 * rule, per host (by host key; detections with no host counted as such), per day, and the
 * first and last time.
 */
import { type Detection, type IncidentUpdate, LEVELS, type Level, type RuleInfo } from '../event/detection.js';
import type { DetectionSink } from '../event/sink.js';
import { hostKey } from '../event/host.js';

export class Tally implements DetectionSink {
  total = 0;
  readonly byLevel = new Map<Level, number>();
  readonly rulesByLevel = new Map<Level, Set<string>>();
  readonly byRule = new Map<string, { rule: RuleInfo; n: number }>();
  /** host key → shown name and count; '' = no host. */
  readonly byHost = new Map<string, { name: string; n: number }>();
  readonly byDay = new Map<string, number>();
  first: number | undefined;
  last: number | undefined;
  incidentCount = 0;

  detections(batch: readonly Detection[]): void {
    for (const d of batch) {
      this.total++;
      const lvl = d.rule.level;
      this.byLevel.set(lvl, (this.byLevel.get(lvl) ?? 0) + 1);
      let rs = this.rulesByLevel.get(lvl);
      if (!rs) this.rulesByLevel.set(lvl, (rs = new Set()));
      rs.add(d.rule.id);
      const r = this.byRule.get(d.rule.id);
      if (r) r.n++;
      else this.byRule.set(d.rule.id, { rule: d.rule, n: 1 });
      const hk = d.hostKey ?? (d.host === undefined ? '' : hostKey(d.host));
      const h = this.byHost.get(hk);
      if (h) h.n++;
      else this.byHost.set(hk, { name: hk === '' ? '' : (d.host ?? hk), n: 1 });
      if (d.timestamp !== undefined && Number.isFinite(d.timestamp)) {
        if (this.first === undefined || d.timestamp < this.first) this.first = d.timestamp;
        if (this.last === undefined || d.timestamp > this.last) this.last = d.timestamp;
        const day = new Date(d.timestamp).toISOString().slice(0, 10);
        this.byDay.set(day, (this.byDay.get(day) ?? 0) + 1);
      }
    }
  }

  incidents(updates: readonly IncidentUpdate[]): void {
    for (const u of updates) if (u.kind === 'closed') this.incidentCount++;
  }

  async close(): Promise<void> {}

  levelsDescending(): Level[] {
    return [...LEVELS].reverse();
  }
}
