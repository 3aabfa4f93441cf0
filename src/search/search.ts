/**
 * `warden search` as a library call: the events of the inputs (decoded exactly as `hunt` reads
 * them) that match a search, in input order, with the fields that matched; optionally only
 * those within a time window. Counts what it read so the caller can summarise.
 */
import type { ProblemSink } from '../errors.js';
import type { Event } from '../event/event.js';
import { inWindow, type TimeWindow } from '../event/time-window.js';
import { readEventBatches, type ReadOptions } from '../input/read.js';
import { EventMatcher, type FieldMatch, type SearchSpec } from './matcher.js';

export interface SearchOptions extends ReadOptions {
  inputs: string[];
  /** What to look for; a matcher already built from it (the CLI checks the spec first) is used as is. */
  spec: SearchSpec | EventMatcher;
  window?: TimeWindow;
  /** Stop after this many matches. */
  limit?: number;
}

export interface SearchHit {
  event: Event;
  matches: FieldMatch[];
}

export interface SearchStats {
  events: number;
  matched: number;
  /** Events left out by the time window (with a window, events without a time are left out too, as in `hunt`). */
  outsideWindow: number;
  /** Events read per input format. */
  formats: Record<string, number>;
}

export async function* searchEvents(opts: SearchOptions, problems: ProblemSink, stats: SearchStats): AsyncGenerator<SearchHit[]> {
  const matcher = opts.spec instanceof EventMatcher ? opts.spec : new EventMatcher(opts.spec);
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  const window = opts.window && (opts.window.from !== undefined || opts.window.to !== undefined) ? opts.window : undefined;
  for await (const batch of readEventBatches(opts.inputs, opts, problems)) {
    const hits: SearchHit[] = [];
    for (const ev of batch) {
      stats.events++;
      stats.formats[ev.origin.format] = (stats.formats[ev.origin.format] ?? 0) + 1;
      if (window && !inWindow(ev.timestamp, window)) {
        stats.outsideWindow++;
        continue;
      }
      const m = matcher.match(ev);
      if (!m) continue;
      hits.push({ event: ev, matches: m });
      if (++stats.matched >= limit) break;
    }
    if (hits.length) yield hits;
    if (stats.matched >= limit) return;
  }
}

export function emptySearchStats(): SearchStats {
  return { events: 0, matched: 0, outsideWindow: 0, formats: {} };
}
