/**
 * `warden baseline` and `warden verify`: the inventory of a root approved into the store
 * (one scope per root, who approved it and when), and the current inventory compared with it.
 * Approving a change moves that one item's approved state; the rest of the baseline stays.
 */
import { userInfo } from 'node:os';
import type { ProblemSink } from '../errors.js';
import { WardenError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Approval, BaselineInfo } from '../store/baselines.js';
import { type Change, compare } from './changes.js';
import { type FactsCache, inventory } from './inventory.js';
import { type Item, itemId } from './types.js';
import { resolve } from 'node:path';

export interface BaselineOptions {
  root?: string;
  workers?: number;
  problems: ProblemSink;
  approvedBy?: string;
  note?: string;
  now?: number;
  cache?: FactsCache;
}

export function scopeOf(root: string | undefined): string {
  return `components:${resolve(root ?? '/')}`;
}

export function whoAmI(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

export async function takeBaseline(store: Store, opts: BaselineOptions): Promise<{ info: BaselineInfo; items: Item[] }> {
  const inv = await inventory(opts);
  const records = inv.items.map((i, k) => ({ id: inv.ids[k]!, data: JSON.stringify(i) }));
  const info = await store.baselines.replace(scopeOf(opts.root), records, opts.approvedBy ?? whoAmI(), opts.now ?? Date.now(), opts.note ?? '');
  return { info, items: inv.items };
}

export async function approvedItems(store: Store, root: string | undefined): Promise<{ info: BaselineInfo; items: Map<string, Item> }> {
  const info = await store.baselines.active(scopeOf(root));
  if (!info) throw new WardenError('config', `no baseline for ${resolve(root ?? '/')} in the store: run \`warden baseline\` first`);
  const items = new Map<string, Item>();
  for (const r of await store.baselines.records(info.id)) items.set(r.id, JSON.parse(r.data) as Item);
  return { info, items };
}

export interface VerifyResult {
  info: BaselineInfo;
  changes: Change[];
  items: Item[];
  watch: string[];
}

export async function verify(store: Store, opts: BaselineOptions): Promise<VerifyResult> {
  const { info, items } = await approvedItems(store, opts.root);
  const inv = await inventory(opts);
  return { info, changes: compare(items, inv.items, inv.ids), items: inv.items, watch: inv.watch };
}

/**
 * Accepts changes into the baseline: all of them, or those whose item id or path is in
 * `which`. Returns the changes accepted.
 */
export async function approve(store: Store, opts: BaselineOptions & { which?: readonly string[] }): Promise<Change[]> {
  const { info, changes } = await verify(store, opts);
  const wanted = opts.which ? new Set(opts.which) : undefined;
  const chosen = changes.filter((c) => !wanted || wanted.has(c.id) || wanted.has(c.item.path) || (c.previous !== undefined && wanted.has(c.previous.path)));
  const approvals = chosen.flatMap((c): Approval[] => {
    if (c.change === 'renamed') {
      const prev = c.previous!;
      return [
        { recordId: itemId(prev), change: 'removed', before: JSON.stringify(prev), after: null },
        { recordId: c.id, change: 'added', before: null, after: JSON.stringify(c.item) },
      ];
    }
    if (c.change === 'removed') return [{ recordId: c.id, change: c.change, before: JSON.stringify(c.item), after: null }];
    return [{ recordId: c.id, change: c.change, before: c.previous ? JSON.stringify(c.previous) : null, after: JSON.stringify(c.item) }];
  });
  await store.baselines.approve(info.id, approvals, opts.approvedBy ?? whoAmI(), opts.now ?? Date.now());
  return chosen;
}
