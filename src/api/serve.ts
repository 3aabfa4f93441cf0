/** `warden serve`: the live service, its configuration and its runtime. */
export { DEFAULT_LISTEN, defaultConfig, EXAMPLE_CONFIG, loadConfig, parseConfig } from '../server/config.js';
export type { ServeConfig, SourceConfig } from '../server/config.js';
export { startRuntime } from '../server/runtime.js';
export type { Runtime } from '../server/runtime.js';
export { jsonLogger } from '../server/log.js';
export { IngestJournal, JournalSource } from '../server/journal.js';
export { Service } from '../server/service.js';
export type { ServiceView, SourceHealth } from '../server/view.js';
export { createToken, listTokens, revokeToken, startServer } from '../server/daemon.js';
export type { Server } from '../server/daemon.js';
export { buildApi, parseListen } from '../server/api/app.js';
export type { ApiOptions } from '../server/api/app.js';
export { prepareDemo } from '../server/demo.js';
export { ROLES, isRole } from '../store/tokens.js';
export type { Role, TokenInfo } from '../store/tokens.js';
export { openStore } from '../store/store.js';
export type { StoreOptions } from '../store/store.js';
