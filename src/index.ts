/**
 * Warden's public API — what the `warden` command line itself uses: load rules, build a
 * pipeline, read sources, write sinks, hunt, scan. Everything else is internal and may change.
 */
export * from './api/errors.js';
export * from './api/model.js';
export * from './api/rules.js';
export * from './api/pipeline.js';
export * from './api/sources.js';
export * from './api/output.js';
export * from './api/hunt.js';
export * from './api/search.js';
export * from './api/evtx.js';
export * from './api/scan.js';
export * from './api/coverage.js';
export * from './api/integrity.js';
