/**
 * The live-heap gauge: after a full collection it holds the heap in use at that moment, and
 * /metrics' text carries it beside RSS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { heapUsedAfterGc } from '../../src/server/heap-after-gc.js';
import { prometheus } from '../../src/server/api/status.js';

test('the heap after a full collection is read from the GC entries and reported in /metrics', async () => {
  heapUsedAfterGc();
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // garbage that a full collection frees: the figure after it must not count it
  let junk: string[] | undefined = Array.from({ length: 200_000 }, (_, i) => `junk ${i}`);
  assert.equal(junk.length, 200_000);
  junk = undefined;
  gc();
  for (let i = 0; i < 50 && heapUsedAfterGc() === undefined; i++) await new Promise((r) => setTimeout(r, 10));
  const live = heapUsedAfterGc();
  assert.ok(live !== undefined && live > 1 << 20, `live ${live}`);
  assert.ok(live < process.memoryUsage().heapTotal);
  const text = prometheus(
    { eventsIn: 0, detections: 0, incidentsOpened: 0, droppedEvents: 0, queueDepth: 0, sources: [], openCorrelationGroups: 0, openIncidents: 0, pipelineBuffered: 0 },
    { ingestRequests: 0, ingestRefused: 0, uptimeSeconds: 1, memory: { rss: 1, heapUsed: 2, heapTotal: 3, external: 4, heapAfterGc: 123456 } },
  );
  assert.match(text, /^warden_heap_used_after_gc_bytes 123456$/m);
  assert.match(text, /^process_resident_memory_bytes 1$/m);
});
