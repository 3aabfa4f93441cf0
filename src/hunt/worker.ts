/**
 * Worker thread of `warden hunt`: compiles the rules once, then runs the jobs it is handed,
 * streaming detections back batch by batch. At most MAX_IN_FLIGHT batches wait for the main
 * thread's acknowledgement, so a slow output slows the readers instead of filling memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage, ProblemList } from '../errors.js';
import { prepareRules } from '../engine/rules-setup.js';
import { runJob } from './job.js';
import { type FromWorker, type ToWorker, toWire, type WorkerInit } from './wire.js';

const MAX_IN_FLIGHT = 4;

const port = parentPort;
if (port) {
  const init = workerData as WorkerInit;
  let prepared: ReturnType<typeof prepareRules> | undefined;
  try {
    const problems = new ProblemList();
    prepared = prepareRules(init.rules, problems);
    const summary = init.reporter
      ? {
          rules: prepared.rules,
          correlations: prepared.correlations,
          loaded: prepared.loaded,
          failed: prepared.failed,
          selected: prepared.selected,
          members: prepared.members,
          warnings: prepared.warnings,
          problems: problems.problems,
        }
      : undefined;
    port.postMessage({ type: 'ready', summary } satisfies FromWorker);
  } catch (e) {
    port.postMessage({ type: 'failed', error: `loading rules: ${errorMessage(e)}` } satisfies FromWorker);
  }
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
    if (!prepared) return;
    const job = msg.job;
    const ruleSet = prepared.ruleSet;
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
