/**
 * Worker thread of `warden hunt`: links the rule program the main thread compiled (sent
 * once, in shared memory), then runs the jobs it is handed, streaming detections back
 * batch by batch. At most MAX_IN_FLIGHT batches wait for the main thread's
 * acknowledgement, so a slow output slows the readers instead of filling memory.
 */
import { deserialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { isRuleProgram } from '../engine/compiled.js';
import { RuleSet } from '../engine/ruleset.js';
import { runJob } from './job.js';
import { type FromWorker, type ToWorker, toWire, type WorkerInit } from './wire.js';

const MAX_IN_FLIGHT = 4;

const port = parentPort;
if (port) {
  const init = workerData as WorkerInit;
  let ruleSet: RuleSet | undefined;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  const acked = (): void => {
    inFlight--;
    if (wake && inFlight < MAX_IN_FLIGHT) {
      const w = wake;
      wake = null;
      w();
    }
  };
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'exit') {
      port.close();
      return;
    }
    if (msg.type === 'ack') {
      acked();
      return;
    }
    if (msg.type === 'rules') {
      try {
        const program: unknown = deserialize(new Uint8Array(msg.program));
        if (!isRuleProgram(program)) throw new Error('the rule program sent to the worker is malformed');
        ruleSet = new RuleSet(program);
        port.postMessage({ type: 'ready' } satisfies FromWorker);
      } catch (e) {
        port.postMessage({ type: 'failed', error: `loading rules: ${errorMessage(e)}` } satisfies FromWorker);
      }
      return;
    }
    if (!ruleSet) return;
    const job = msg.job;
    runJob(job, ruleSet, init.read, async (b) => {
      inFlight++;
      port.postMessage({
        type: 'batch',
        jobId: job.id,
        detections: b.detections.map(toWire),
        problems: b.problems,
        events: b.events,
        latest: b.latest,
        outside: b.outside,
      } satisfies FromWorker);
      if (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
    }).then(
      (stats) =>
        port.postMessage({
          type: 'done',
          jobId: job.id,
          stats: { events: stats.events, records: stats.records, format: stats.format },
          moreProblems: stats.moreProblems,
        } satisfies FromWorker),
      (e: unknown) => port.postMessage({ type: 'failed', jobId: job.id, error: errorMessage(e) } satisfies FromWorker),
    );
  });
}
