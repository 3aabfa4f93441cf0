/** The component view: inventory of server extension points, baselines, verification, watching. */
export { COLLECTORS, inventory, FactsCache } from '../integrity/inventory.js';
export type { Inventory, InventoryOptions } from '../integrity/inventory.js';
export { inventoryTable, itemToJsonLine } from '../integrity/format.js';
export type { Item, Signature, SignatureStatus } from '../integrity/types.js';
