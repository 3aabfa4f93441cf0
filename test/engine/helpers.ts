/** Helpers for engine tests: Windows-shaped events as the JSON/EVTX decoders emit them. */
import type { Event, Fields, LogSource } from '../../src/event/event.js';

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
