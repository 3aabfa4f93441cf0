/**
 * Worker thread of `warden hunt`: compiles the same rules as the main thread once, then
 * runs the jobs it is handed and posts back what matched.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { prepareRules, type RuleOptions } from './rules-setup.js';
import { ProblemList } from '../errors.js';
import { runJob, type HuntJob } from './hunt-job.js';

export interface WorkerInit {
  rules: RuleOptions;
  inputFormat?: string;
  timezone?: string;
  host?: string;
  /**
   * The one worker that speaks for all: it reports rule problems and sends the rule
   * metadata back, so the main thread never has to load the rules itself.
   */
  reporter: boolean;
}

export interface RulesSummary {
  rules: import('../event/detection.js').RuleInfo[];
  correlations: import('../sigma/correlations.js').ResolvedCorrelation[];
  loaded: number;
  failed: number;
  problems: import('../errors.js').Problem[];
}

export type ToWorker = { type: 'job'; job: HuntJob } | { type: 'exit' };
export type FromWorker =
  | { type: 'ready'; summary?: RulesSummary }
  | { type: 'progress'; events: number }
  | { type: 'done'; result: import('./hunt-job.js').JobResult }
  | { type: 'failed'; jobId?: number; error: string };

const port = parentPort;
if (port) {
  const init = workerData as WorkerInit;
  let prepared: ReturnType<typeof prepareRules> | undefined;
  try {
    const problems = new ProblemList();
    prepared = prepareRules(init.rules, problems);
    const summary: RulesSummary | undefined = init.reporter
      ? { rules: prepared.rules, correlations: prepared.correlations, loaded: prepared.loaded, failed: prepared.failed, problems: problems.problems }
      : undefined;
    port.postMessage({ type: 'ready', summary } satisfies FromWorker);
  } catch (e) {
    port.postMessage({ type: 'failed', error: `loading rules: ${errorMessage(e)}` } satisfies FromWorker);
  }
  let pendingProgress = 0;
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'exit') {
      port.close();
      return;
    }
    if (!prepared) return;
    const job = msg.job;
    runJob(job, prepared.ruleSet, { inputFormat: init.inputFormat, timezone: init.timezone, host: init.host }, (n) => {
      pendingProgress += n;
      if (pendingProgress >= 20000) {
        port.postMessage({ type: 'progress', events: pendingProgress } satisfies FromWorker);
        pendingProgress = 0;
      }
    }).then(
      (result) => {
        if (pendingProgress) port.postMessage({ type: 'progress', events: pendingProgress } satisfies FromWorker);
        pendingProgress = 0;
        port.postMessage({ type: 'done', result } satisfies FromWorker);
      },
      (e: unknown) => port.postMessage({ type: 'failed', jobId: job.id, error: errorMessage(e) } satisfies FromWorker),
    );
  });
}
