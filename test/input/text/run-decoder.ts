/** Feeds text to a LineDecoder the way the reader does and collects events and problems. */
import type { LineDecoder } from '../../../src/input/decoder.js';
import type { Event } from '../../../src/event/event.js';
import { plainEvent } from '../../../src/event/lazy-event.js';
import { ProblemList, type Problem } from '../../../src/errors.js';

export interface Decoded {
  events: Event[];
  problems: Problem[];
}

export function decode(decoder: LineDecoder, text: string, file = 'sample.log', extra: Record<string, unknown> = {}): Decoded {
  const problems = new ProblemList();
  const events: Event[] = [];
  // Lazy events (fields built on first read) are compared as the plain events they stand for.
  const emit = (e: Event): void => {
    events.push(plainEvent(e));
  };
  const state = decoder.open({ file, problems, ...extra });
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, i) => {
    state.line(l, i + 1, emit);
  });
  state.end(emit);
  return { events, problems: problems.problems };
}

/** Line `n` (1-based) of a fixture. */
export function line(text: string, n: number): string {
  return text.split('\n')[n - 1]!;
}

/** Lines `from`..`to` (1-based, inclusive) of a fixture, joined as a multi-line record's raw text. */
export function lines(text: string, from: number, to: number): string {
  return text
    .split('\n')
    .slice(from - 1, to)
    .join('\n');
}

/** The given lines (1-based) of a fixture, joined (records of an interleaved group). */
export function pick(text: string, ns: number[]): string {
  const all = text.split('\n');
  return ns.map((n) => all[n - 1]).join('\n');
}

/** Builds expected events for one format and file. */
export function expecter(format: string, file = 'sample.log') {
  return (fields: Event['fields'], logsource: Event['logsource'], record: number, raw: string, timestamp?: number, host?: string): Event => {
    const e: Event = { fields, logsource, origin: { file, record, format }, raw };
    if (host !== undefined) e.host = host;
    if (timestamp !== undefined) e.timestamp = timestamp;
    return e;
  };
}
