/** Helpers for engine tests: Windows-shaped events as the JSON/EVTX decoders emit them. */
import type { Event, Fields, LogSource } from '../../src/event/event.js';
import type { compileRuleSet } from '../../src/engine/ruleset.js';
import { FieldView } from '../../src/event/fields.js';
import { logSourceMatches } from '../../src/event/logsource.js';

let record = 0;

export function winEvent(fields: Fields): Event {
  return { fields, logsource: { product: 'windows' }, origin: { file: 'test.json', record: ++record, format: 'json' } };
}

export function sysmon(eventId: number, fields: Fields): Event {
  return winEvent({ Channel: 'Microsoft-Windows-Sysmon/Operational', Provider_Name: 'Microsoft-Windows-Sysmon', EventID: eventId, ...fields });
}

export function security(eventId: number, fields: Fields): Event {
  return winEvent({ Channel: 'Security', Provider_Name: 'Microsoft-Windows-Security-Auditing', EventID: eventId, ...fields });
}

export function otherEvent(logsource: LogSource, fields: Fields): Event {
  return { fields, logsource, origin: { file: 'test.log', record: ++record, format: 'text' } };
}

/**
 * The titles of the rules matching `e`, each rule run on its own (no index, prefilter or memo):
 * the answer the rule set's fast paths must give.
 */
export function naiveMatches(rs: ReturnType<typeof compileRuleSet>, e: Event): string[] {
  const ls = rs.resolveLogSource(e);
  const view = new FieldView();
  const want: string[] = [];
  for (const r of rs.rules) {
    if (!logSourceMatches(r.logsource, ls)) continue;
    view.reset(e.fields);
    const cat = r.logsource.category;
    view.aliases = cat !== undefined ? (ls.aliases.get(cat) ?? null) : null;
    if (r.test(view)) want.push(r.info.title);
  }
  return want;
}
