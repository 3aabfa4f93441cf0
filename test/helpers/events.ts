/** Reading events in tests: every event and every problem of some inputs. */
import { readEvents, type ReadOptions } from '../../src/input/read.js';
import { ProblemList } from '../../src/errors.js';
import type { Event } from '../../src/event/event.js';

export async function readAll(paths: string[], opts: ReadOptions = {}): Promise<{ events: Event[]; problems: ProblemList }> {
  const problems = new ProblemList();
  const events: Event[] = [];
  for await (const e of readEvents(paths, opts, problems)) events.push(e);
  return { events, problems };
}
