/** `warden hunt` as a library call: inputs → pipeline → sinks. */
export { hunt } from '../hunt/run.js';
export type { HuntOptions, HuntProgress, HuntStats } from '../hunt/run.js';
export type { SkippedFile } from '../hunt/plan.js';
export { runHunt } from '../hunt/collect.js';
export type { HuntResult } from '../hunt/collect.js';
export type { TimeWindow } from '../hunt/job.js';
