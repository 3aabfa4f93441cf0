/** One search hit as a JSON line: the event exactly as `warden events` prints it, plus what matched. */
import { resolveLogSource } from '../engine/ruleset.js';
import { type EventRecord, eventRecord } from '../input/event-record.js';
import type { FieldMatch } from './matcher.js';
import type { SearchHit } from './search.js';

export interface SearchRecord extends EventRecord {
  matches: FieldMatch[];
}

export function searchRecord(hit: SearchHit, withRaw: boolean): SearchRecord {
  return { ...eventRecord(hit.event, resolveLogSource(hit.event), withRaw), matches: hit.matches };
}
