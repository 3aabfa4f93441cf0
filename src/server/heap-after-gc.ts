/**
 * The V8 heap in use right after the last full (mark-compact) collection: the live data the
 * service holds, without the garbage that `heapUsed` also counts between collections. It is
 * what tells state that grows from a heap and an allocator that merely keep pages: RSS may
 * rise while this stays level. Read from the GC performance entries, so it costs one heap
 * statistics call per full collection and nothing per event.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

let observer: PerformanceObserver | undefined;
let live: number | undefined;

/** Starts watching (once per process); undefined until the first full collection. */
export function heapUsedAfterGc(): number | undefined {
  if (!observer) {
    observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as { detail?: { kind?: number } }).detail?.kind;
        // The entry is delivered a moment after the collection: what was allocated since is
        // counted too, a small overestimate compared with the heap itself.
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) live = getHeapStatistics().used_heap_size;
      }
    });
    observer.observe({ entryTypes: ['gc'] });
  }
  return live;
}
