/** Normalized events as rules see them (`warden events`). */
export { readEventBatches, readEvents } from '../input/read.js';
export { knownFormats } from '../input/detect.js';
export { eventRecord } from '../input/event-record.js';
export type { EventRecord } from '../input/event-record.js';
export { resolveLogSource } from '../engine/ruleset.js';
export { TextOutput } from '../output/text-output.js';
