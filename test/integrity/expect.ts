/** Expected inventory items, built from what the test wrote (after `settle`). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Item, ScanVerdict, Signature } from '../../src/integrity/types.js';
import { FIXED_MTIME, owner } from './helpers.js';

export interface Extra {
  name?: string;
  source?: string;
  detail?: Record<string, string>;
  signature?: Signature;
  scan?: ScanVerdict;
}

/** A component file at `/rel` under root. */
export function fileItem(root: string, rel: string, server: string, kind: string, extra: Extra = {}): Item {
  const buf = readFileSync(join(root, rel));
  const item: Item = {
    kind,
    server,
    path: `/${rel}`,
    sha256: createHash('sha256').update(buf).digest('hex'),
    size: buf.length,
    mtime: FIXED_MTIME * 1000,
    mode: '644',
    owner: owner(),
    signature: extra.signature ?? { status: 'n/a' },
  };
  return withExtra(item, extra);
}

/** A declared file that is not there. */
export function missingItem(rel: string, server: string, kind: string, extra: Extra = {}): Item {
  return withExtra({ kind, server, path: `/${rel}`, sha256: '', size: 0, mtime: 0, mode: '', owner: '', signature: { status: 'n/a' }, missing: true }, extra);
}

/** A declaration (not a file): hashed by kind, name and sorted detail. */
export function declItem(rel: string, server: string, kind: string, extra: Extra = {}): Item {
  const detail = Object.fromEntries(Object.entries(extra.detail ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
  const sha256 = createHash('sha256')
    .update(JSON.stringify([kind, extra.name ?? '', detail]))
    .digest('hex');
  return withExtra({ kind, server, path: `/${rel}`, sha256, size: 0, mtime: 0, mode: '', owner: '', signature: extra.signature ?? { status: 'n/a' } }, extra);
}

function withExtra(item: Item, extra: Extra): Item {
  if (extra.name !== undefined) item.name = extra.name;
  if (extra.source !== undefined) item.source = extra.source;
  if (extra.detail !== undefined && Object.keys(extra.detail).length > 0) item.detail = extra.detail;
  if (extra.scan !== undefined) item.scan = extra.scan;
  return item;
}

/** Items in inventory order. */
export function sorted(items: Item[]): Item[] {
  const id = (i: Item): string => (i.name === undefined ? `${i.kind}|${i.path}` : `${i.kind}|${i.path}|${i.name}`);
  return items.sort((a, b) => (a.server < b.server ? -1 : a.server > b.server ? 1 : id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
}

/**
 * Items with the scanner's score and family left out: the verdict is this test's business, the
 * exact score belongs to the scanner's own tests (its weights are tuned there).
 */
export function verdictsOnly(items: Item[]): Item[] {
  return items.map((i) => (i.scan === undefined ? i : { ...i, scan: { verdict: i.scan.verdict } }));
}
