/** The component view: inventory of server extension points, baselines, verification, watching. */
export { COLLECTORS, inventory, FactsCache } from '../integrity/inventory.js';
export type { Inventory, InventoryOptions } from '../integrity/inventory.js';
export { changesTable, changeToJsonLine, inventoryTable, itemToJsonLine } from '../integrity/format.js';
export type { Item, ScanVerdict, Signature, SignatureStatus } from '../integrity/types.js';
export { approve, scopeOf, takeBaseline, verify } from '../integrity/baseline.js';
export type { BaselineOptions, VerifyResult } from '../integrity/baseline.js';
export { changeToEvent, compare } from '../integrity/changes.js';
export type { Change, ChangeKind } from '../integrity/changes.js';
export { openStore } from '../store/store.js';
export type { Store } from '../store/store.js';
export { eventRecord } from '../input/event-record.js';
export { ComponentWatcher } from '../integrity/watch.js';
export type { WatchOptions, WatchReport } from '../integrity/watch.js';
export { changeSummary } from '../integrity/format.js';
