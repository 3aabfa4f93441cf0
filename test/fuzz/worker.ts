/**
 * Fuzz worker thread: runs targets round-robin on mutated inputs from a seeded PRNG and tells
 * the harness before and after each input, so the harness can name the input that hung or
 * crashed. Does nothing unless started as a worker.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { prng } from '../helpers/prng.js';
import { mutate } from './mutate.js';
import { targets } from './targets.js';

export interface FuzzWorkerData {
  seed: number;
  /** First iteration (a restarted worker continues after the input that killed its predecessor). */
  from: number;
  only?: string[];
}

export type FuzzToParent =
  | { type: 'start'; i: number; target: string; how: string; input: Uint8Array }
  | { type: 'end'; i: number; ms: number }
  | { type: 'error'; i: number; target: string; how: string; error: string };

if (!isMainThread && parentPort) {
  const port = parentPort;
  const { seed, from, only } = workerData as FuzzWorkerData;
  const all = targets().filter((t) => !only || only.includes(t.name));
  const seeds = new Map(all.map((t) => [t.name, t.seeds()]));
  for (let i = from; ; i++) {
    const t = all[i % all.length]!;
    // One PRNG per iteration: an input can be rebuilt from (seed, i) alone.
    const rnd = prng((seed * 1_000_003 + i) >>> 0);
    let mutated: ReturnType<typeof mutate>;
    try {
      mutated = mutate(seeds.get(t.name)!, rnd);
    } catch {
      // the mutator itself can build a string past V8's limit (a long line repeated 1000 times):
      // that input does not exist, so it is skipped; before, the worker died before naming its
      // input and the harness restarted it at the same iteration for ever
      continue;
    }
    const { data, how } = mutated;
    port.postMessage({ type: 'start', i, target: t.name, how, input: new Uint8Array(data) } satisfies FuzzToParent);
    const t0 = performance.now();
    try {
      await t.run(data);
      port.postMessage({ type: 'end', i, ms: performance.now() - t0 } satisfies FuzzToParent);
    } catch (e) {
      port.postMessage({ type: 'error', i, target: t.name, how, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies FuzzToParent);
    }
  }
}
