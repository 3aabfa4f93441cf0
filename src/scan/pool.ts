/**
 * A worker_threads pool for scanning: the walker feeds paths in batches, each worker reads
 * and scans them and reports a batch's outcomes when it ends. A watchdog reads each worker's
 * shared progress cell, terminates a worker stuck on one file past the time cap (a regex or
 * inflate that will not end), reports that file, and queues again every file of that
 * worker's batches whose outcome had not arrived, for a new worker.
 */
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Problem } from '../errors.js';
import type { FileOutcome } from './scan-bytes.js';
import type { FromWorker, ToWorker, WorkerData, WorkerInit } from './worker.js';
import { fromWire } from './wire.js';
import { extensionOf, languageForExtension } from './language.js';
import { displayPathOf, type WalkedFile } from './walk.js';

interface Batch {
  id: number;
  paths: string[];
  /** Files whose outcomes have arrived (all before this index). */
  received: number;
  /** The file the watchdog last saw the worker on, and since when. */
  current: number;
  startedAt: number;
}

interface Slot {
  worker: Worker;
  /** [batch id, index of the file being scanned], written by the worker. */
  progress: Int32Array;
  /**
   * Batches sent and not yet done, in the order the worker runs them: the first is in
   * progress; a second waits in the worker's message queue, so it starts on the next file
   * without a round trip through this thread.
   */
  batches: Batch[];
}

/** Batches a worker holds at once while more are queued (one running, one waiting). */
const IN_FLIGHT = 2;
/** Workers that fail to start, in a row, before the scan gives up (see startFailures). */
const START_FAILURES = 3;

export interface PoolOptions {
  workers: number;
  init: WorkerInit;
  onOutcome: (o: FileOutcome) => void;
  onProblem: (p: Problem) => void;
  /** Called when a batch is sent to worker `worker` (its index in the pool): progress views and tests. */
  onBatch?: (worker: number, paths: readonly string[]) => void;
}

/**
 * Paths the walk may queue ahead of the workers. Far enough ahead that a tree mixing languages
 * folder by folder (a PHP site next to a classic-ASP one) has work in both lanes; a path costs
 * about 150 bytes, so this bounds the queue near 10 MB on a tree of millions of files.
 */
const LOOKAHEAD_FILES = 65536;

/**
 * The lane a file goes to: PHP in one, everything else in the other. With two or more workers,
 * each works its own lane first, so each worker's isolate compiles and optimizes the analyzers
 * of fewer languages (V8's warm-up is paid per isolate, and code that sees one language's
 * shapes deoptimizes less); a worker whose lane is dry takes the other's.
 */
export function laneOf(path: string): number {
  return languageForExtension(extensionOf(path)) === 'php' ? 0 : 1;
}

const BATCH_FILES = 24;
const BATCH_BYTES = 2 * 1024 * 1024;

/**
 * Let V8 gather about twice its default type feedback before optimizing a function. Each
 * worker runs the same few hundred analysis functions over files of every shape; optimized
 * early, the large ones are thrown away and recompiled several times as new shapes arrive
 * (measured: 176 optimizations, 0.8 s of compiler time per isolate over the benign corpus),
 * and on two cores the compiler threads compete with the workers. Every worker's isolate
 * warms up on its own (with two workers, the second costs ~2 CPU-s over one), and code waiting
 * for that budget runs in the interpreter: baseline (Sparkplug) code from the first call runs
 * it faster for the price of a cheap, non-optimizing compile (measured: about -0.5 CPU-s of
 * ~15.5 over the benign corpus with two workers, median of 8 paired runs). Most of the
 * recompiles that remain come from rare branches of callees inlined into large functions (a
 * branch first taken after optimizing has no type feedback, and deoptimizes the whole caller):
 * inlining only callees up to 100 bytecodes, 300 in all per function, keeps compile jobs small
 * and those deopts in the callee (measured with two workers, medians of 6 alternating runs on a
 * loaded machine: the compiler threads' CPU 4.0 -> 2.9 s, total 18.6 -> 17.6 CPU-s, the
 * workers' own CPU unchanged at ~13 s). The flags are process-wide and read when a worker's
 * isolate starts. WARDEN_V8_DEFAULTS=1 keeps V8's own.
 */
let tuned = false;
function tuneJit(): void {
  if (tuned || process.env.WARDEN_V8_DEFAULTS === '1') return;
  tuned = true;
  setFlagsFromString('--interrupt-budget=300000');
  setFlagsFromString('--always-sparkplug');
  setFlagsFromString('--max-inlined-bytecode-size=100');
  setFlagsFromString('--max-inlined-bytecode-size-cumulative=300');
  // Node 20's V8 (11.3) sometimes aborts the whole process from a background compile: `Check failed:
  // inlineability == kHasOptimizationDisabled` in JSInliner::ReduceJSCall, when a callee's
  // optimization is disabled while a caller's job inlines it (the hostile-input tests hit it in
  // about one run in ten). A fatal error takes every worker down with it, so the scan does not
  // inline at all: 0 aborts in 28 runs against 3 in 56 without, and no measurable cost on the
  // whole scan (the callees worth inlining are already capped at 100 bytecodes above).
  setFlagsFromString('--no-turbo-inlining');
}

export async function runPool(files: AsyncIterable<WalkedFile>, opts: PoolOptions): Promise<void> {
  const url = new URL('./worker.js', import.meta.url);
  const slots: Slot[] = [];
  let nextId = 1;
  // one lane per worker group (see laneOf), each a FIFO of batches
  const lanes: string[][][] = [[], []];
  const queued = (): number => lanes[0]!.length + lanes[1]!.length;
  let filesQueued = 0;
  let producing = true;
  let fatal: string | undefined;
  let waiters: Array<() => void> = [];
  const notify = (): void => {
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  };
  const wait = (ms?: number): Promise<void> =>
    new Promise<void>((r) => {
      waiters.push(r);
      if (ms !== undefined) setTimeout(r, ms);
    });
  // a file may take the time cap per analysis pass; allow generous slack before killing
  const killAfter = Math.max(2000, opts.init.limits.maxMillisPerFile * 3);

  /**
   * Workers lost in a row before any of them started a batch. A worker that cannot start
   * (a module that fails to load, a flag it inherits) would otherwise be replaced forever,
   * each replacement failing the same way; after START_FAILURES the scan stops with the reason.
   */
  let startFailures = 0;

  const spawn = (slot?: Slot): Slot => {
    const shared = new SharedArrayBuffer(8);
    // a larger young generation: analysis makes many short-lived strings, and fewer scavenges is less CPU
    const worker = new Worker(url, { workerData: { ...opts.init, progress: shared } satisfies WorkerData, resourceLimits: { maxYoungGenerationSizeMb: 48 } });
    const s: Slot = slot ?? { worker, progress: new Int32Array(shared), batches: [] };
    s.worker = worker;
    s.progress = new Int32Array(shared);
    s.batches = [];
    worker.on('message', (m: FromWorker) => {
      startFailures = 0;
      if (m.type === 'fatal') {
        fatal = m.message;
        notify();
        return;
      }
      const b = s.batches.find((x) => x.id === m.id);
      if (!b) return;
      m.outcomes.forEach((w, k) => {
        for (const o of fromWire(w, displayPathOf(b.paths[m.from + k] ?? '-'))) opts.onOutcome(o);
      });
      b.received = Math.max(b.received, m.from + m.outcomes.length);
      if (m.type === 'done') {
        s.batches = s.batches.filter((x) => x !== b);
        notify();
      }
    });
    worker.on('error', (e) => {
      if (Atomics.load(s.progress, 0) === 0) {
        // it never started a batch: the fault is the worker's, not a file's; nothing is lost
        requeueLost(s);
        s.batches = [];
        if (++startFailures >= START_FAILURES) {
          fatal = `scanner worker failed to start ${startFailures} times in a row: ${e.message}`;
          notify();
          return;
        }
        spawn(s);
        notify();
        return;
      }
      const b = running(s);
      if (b) {
        const at = currentIndex(s, b);
        opts.onProblem({ kind: 'internal', file: displayPathOf(b.paths[at] ?? '-'), message: `scanner worker failed: ${e.message}` });
        requeueLost(s, b, at);
      }
      s.batches = [];
      void worker.terminate();
      spawn(s);
      notify();
    });
    return s;
  };
  /** The batch a worker is running: the one its progress cell names, else the first it holds. */
  const running = (s: Slot): Batch | undefined => {
    const id = Atomics.load(s.progress, 0);
    return s.batches.find((b) => b.id === id) ?? s.batches[0];
  };
  /** The file a worker is on, from its progress cell (the batch's first file until it has started). */
  const currentIndex = (s: Slot, b: Batch): number => (Atomics.load(s.progress, 0) === b.id ? Atomics.load(s.progress, 1) : b.received);
  /**
   * After a worker is lost on file `at` of batch `lost`: that file is reported by the caller;
   * every other file of the worker's batches whose outcome never arrived is queued again.
   * Without `lost` (a worker that never started), every such file is queued again.
   */
  const requeueLost = (s: Slot, lost?: Batch, at = -1): void => {
    const again: string[] = [];
    for (const b of s.batches) {
      if (b === lost) again.push(...b.paths.slice(b.received, at), ...b.paths.slice(at + 1));
      else again.push(...b.paths.slice(b.received));
    }
    if (again.length > 0) {
      lanes[laneOf(again[0]!)]!.unshift(again);
      filesQueued += again.length;
    }
  };
  tuneJit();
  for (let i = 0; i < Math.max(1, opts.workers); i++) slots.push(spawn());

  const watchdog = setInterval(() => {
    const now = Date.now();
    for (const s of slots) {
      const b = running(s);
      if (!b) continue;
      const at = currentIndex(s, b);
      if (at !== b.current) {
        b.current = at;
        b.startedAt = now;
      } else if (now - b.startedAt > killAfter) {
        opts.onProblem({ kind: 'scan', file: displayPathOf(b.paths[at] ?? '-'), message: `time cap hit (${killAfter} ms); file not scanned` });
        requeueLost(s, b, at);
        s.batches = [];
        void s.worker.terminate();
        spawn(s);
        notify();
      }
    }
  }, 250);

  const send = (s: Slot): void => {
    // a worker takes its own lane's batches first and the other lane's only when its own is dry
    const own = lanes[slots.length > 1 ? slots.indexOf(s) % 2 : 0]!;
    const paths = (own.length > 0 ? own : (lanes.find((l) => l.length > 0) ?? own)).shift()!;
    filesQueued -= paths.length;
    opts.onBatch?.(slots.indexOf(s), paths);
    const id = nextId++;
    s.batches.push({ id, paths, received: 0, current: -1, startedAt: Date.now() });
    s.worker.postMessage({ type: 'task', id, paths } satisfies ToWorker);
  };
  const dispatch = (): void => {
    // idle workers first; then a second batch each, but only while there is plenty left, so
    // the last batches are not stuck behind another while a worker runs dry
    for (const s of slots) if (s.batches.length === 0 && queued() > 0) send(s);
    for (const s of slots) if (s.batches.length < IN_FLIGHT && queued() > slots.length) send(s);
  };

  const producer = (async () => {
    const open: Array<{ paths: string[]; bytes: number }> = [
      { paths: [], bytes: 0 },
      { paths: [], bytes: 0 },
    ];
    for await (const f of files) {
      const lane = laneOf(f.path);
      const b = open[lane]!;
      b.paths.push(f.path);
      b.bytes += f.size > 0 ? f.size : 16384; // unknown size (not stat'ed by the walk): count a typical script
      if (b.paths.length >= BATCH_FILES || b.bytes >= BATCH_BYTES) {
        lanes[lane]!.push(b.paths);
        filesQueued += b.paths.length;
        open[lane] = { paths: [], bytes: 0 };
        dispatch();
        // backpressure: the walk runs ahead of the workers by a bounded number of paths (far
        // enough that both lanes hold work when a tree mixes languages folder by folder)
        while (filesQueued > LOOKAHEAD_FILES && !fatal) await wait(500);
      }
    }
    for (const [lane, b] of open.entries())
      if (b.paths.length > 0) {
        lanes[lane]!.push(b.paths);
        filesQueued += b.paths.length;
      }
    producing = false;
    dispatch();
    notify();
  })();

  try {
    for (;;) {
      if (fatal) throw new Error(fatal);
      dispatch();
      if (!producing && queued() === 0 && slots.every((s) => s.batches.length === 0)) break;
      await wait(200);
    }
    await producer;
  } finally {
    clearInterval(watchdog);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
