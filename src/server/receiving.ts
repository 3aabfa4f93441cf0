/**
 * Which ATT&CK data sources the service is actually receiving, for the coverage view ("are the
 * cells that rules cover fed right now?"): each event's logsource, resolved as rules see it
 * (a Sysmon event id 1 is category process_creation), is mapped to data sources the way
 * `warden coverage` maps a rule's logsource (Windows Security by its event id), and the
 * wall-clock time each data source was last seen is kept. Memory is bounded: a few dozen data
 * sources, and a memo of at most MEMO_MAX logsource keys (cleared when full).
 */
import { type DataSourceId, dataSourcesOf } from '../coverage/datasource.js';
import type { Event } from '../event/event.js';
import { resolveLogSource } from '../event/logsource.js';

const MEMO_MAX = 1024;

export class ReceivingSources {
  private readonly last = new Map<DataSourceId, number>();
  private readonly memo = new Map<string, DataSourceId[]>();

  note(events: readonly Event[], now: number): void {
    let prevKey = '';
    for (const ev of events) {
      const ls = ev.logsource;
      // Windows events are classified by their event id too (Sysmon 1 is process creation)
      const eid = ls.product === 'windows' ? String(ev.fields.EventID ?? '') : '';
      const key = `${ls.product ?? ''}|${ls.category ?? ''}|${ls.service ?? ''}|${eid}`;
      // a batch is usually one source: the same key over and over
      if (key === prevKey) continue;
      prevKey = key;
      let ids = this.memo.get(key);
      if (!ids) {
        ids = dataSourcesFor(ev, eid);
        if (this.memo.size >= MEMO_MAX) this.memo.clear();
        this.memo.set(key, ids);
      }
      for (const id of ids) this.last.set(id, now);
    }
  }

  /** Data source id → epoch ms it was last seen. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.last);
  }
}

/** What a rule on this event's resolved logsource would watch: by category when it has one, else by service. */
function dataSourcesFor(ev: Event, eid: string): DataSourceId[] {
  const r = resolveLogSource(ev);
  const out = new Set<DataSourceId>();
  const detection = eid ? { detection: { selection: { EventID: Number(eid) } } } : undefined;
  if (r.categories.length) for (const category of r.categories) for (const id of dataSourcesOf({ product: r.product, category })) out.add(id);
  else if (r.services.length) for (const service of r.services) for (const id of dataSourcesOf({ product: r.product, service }, detection)) out.add(id);
  else for (const id of dataSourcesOf(ev.logsource, detection)) out.add(id);
  return [...out];
}
