/**
 * Differences between an approved inventory and the current one. Each difference is one
 * change, whatever else moved with it: a re-signed file is a `signature` change (not also
 * `modified`), a moved file is one `renamed` (not `removed` plus `added`), a chmod is
 * `permissions`. A file changed after signing keeps its signer and becomes `modified` with
 * signature status `signed-modified`, so rules can tell tampering from an update.
 */
import type { Event, Fields } from '../event/event.js';
import { type Item, itemId, type Signature } from './types.js';

export type ChangeKind = 'added' | 'modified' | 'removed' | 'renamed' | 'signature' | 'permissions';

export interface Change {
  change: ChangeKind;
  /** The item's identity (for `removed`, the identity it had). */
  id: string;
  /** The item now (for `removed`, as it was approved). */
  item: Item;
  /** The approved item, for modified/renamed/signature/permissions. */
  previous?: Item;
}

function signatureKey(s: Signature): string {
  // tampering leaves the signer in place; only a different signer (or none) is a signature change
  const status = s.status === 'signed-modified' ? 'signed' : s.status;
  return `${status}|${s.signer ?? ''}`;
}

function sameDetail(a: Item, b: Item): boolean {
  if (a.detail === undefined && b.detail === undefined) return true;
  return JSON.stringify(a.detail ?? {}) === JSON.stringify(b.detail ?? {});
}

/** The one change between two states of the same item, or undefined when they agree. */
export function classify(prev: Item, cur: Item): ChangeKind | undefined {
  // the common case in a large tree, decided without building keys: nothing differs
  if (
    prev.sha256 === cur.sha256 &&
    prev.mode === cur.mode &&
    prev.owner === cur.owner &&
    Boolean(prev.missing) === Boolean(cur.missing) &&
    prev.signature.status === cur.signature.status &&
    prev.signature.signer === cur.signature.signer &&
    prev.source === cur.source &&
    prev.detail === undefined &&
    cur.detail === undefined
  )
    return undefined;
  const sigChanged = signatureKey(prev.signature) !== signatureKey(cur.signature);
  if (prev.sha256 !== cur.sha256 || Boolean(prev.missing) !== Boolean(cur.missing)) return sigChanged ? 'signature' : 'modified';
  if (sigChanged || prev.signature.status !== cur.signature.status) return 'signature';
  if (prev.mode !== cur.mode || prev.owner !== cur.owner) return 'permissions';
  if (!sameDetail(prev, cur) || prev.source !== cur.source) return 'modified';
  return undefined;
}

/** `ids`, when given, are the current items' identities (the inventory computed them already). */
export function compare(approved: ReadonlyMap<string, Item>, current: readonly Item[], ids?: readonly string[]): Change[] {
  const now = new Map<string, Item>();
  for (let k = 0; k < current.length; k++) now.set(ids ? ids[k]! : itemId(current[k]!), current[k]!);
  const changes: Change[] = [];
  const removed: [string, Item][] = [];
  const added: [string, Item][] = [];
  for (const [id, prev] of approved) {
    const cur = now.get(id);
    if (!cur) {
      removed.push([id, prev]);
      continue;
    }
    const c = classify(prev, cur);
    if (c) changes.push({ change: c, id, item: cur, previous: prev });
  }
  for (const [id, cur] of now) if (!approved.has(id)) added.push([id, cur]);
  // a file that left one place and the same content that arrived at another, as the same kind of component, moved
  const gone = new Map<string, [string, Item][]>();
  for (const r of removed) {
    if (!r[1].sha256 || r[1].missing || r[1].size === 0) continue;
    const k = `${r[1].kind}|${r[1].sha256}`;
    gone.set(k, [...(gone.get(k) ?? []), r]);
  }
  const renamedFrom = new Set<string>();
  for (const [id, cur] of added) {
    const cands = gone.get(`${cur.kind}|${cur.sha256}`);
    const from = cur.missing ? undefined : cands?.shift();
    if (from) {
      renamedFrom.add(from[0]);
      changes.push({ change: 'renamed', id, item: cur, previous: from[1] });
    } else changes.push({ change: 'added', id, item: cur });
  }
  for (const [id, prev] of removed) if (!renamedFrom.has(id)) changes.push({ change: 'removed', id, item: prev });
  return changes.sort((a, b) => (a.item.path < b.item.path ? -1 : a.item.path > b.item.path ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The documented fields of a component_change event (docs/integrity.md). */
export function changeFields(c: Change): Fields {
  const i = c.item;
  const p = c.previous;
  const f: Fields = {
    Change: c.change,
    Kind: i.kind,
    Server: i.server,
    TargetFilename: i.path,
    Name: i.name ?? '',
    Source: i.source ?? '',
    Sha256: c.change === 'removed' ? '' : i.sha256,
    SignatureStatus: c.change === 'removed' ? '' : i.signature.status,
    Signer: c.change === 'removed' ? '' : (i.signature.signer ?? ''),
    SignatureDetail: i.signature.detail ?? '',
    Mode: i.mode,
    Owner: i.owner,
    Missing: Boolean(i.missing),
    PreviousPath: p?.path ?? (c.change === 'removed' ? i.path : ''),
    PreviousSha256: p?.sha256 ?? (c.change === 'removed' ? i.sha256 : ''),
    PreviousSignatureStatus: p?.signature.status ?? (c.change === 'removed' ? i.signature.status : ''),
    PreviousSigner: p?.signature.signer ?? (c.change === 'removed' ? (i.signature.signer ?? '') : ''),
    PreviousMode: p?.mode ?? '',
    PreviousOwner: p?.owner ?? '',
  };
  if (i.scan !== undefined && c.change !== 'removed') {
    f['ScanVerdict'] = i.scan.verdict;
    f['ScanScore'] = i.scan.score ?? 0;
  }
  for (const [k, v] of Object.entries(i.detail ?? {})) f[`Detail.${k}`] = v;
  return f;
}

export function changeToEvent(c: Change, host: string, timestamp: number): Event {
  return {
    fields: changeFields(c),
    logsource: { product: 'warden', category: 'component_change' },
    host,
    timestamp,
    origin: { file: c.item.path, record: 0, format: 'component_change', key: `component_change:${c.id}:${c.change}:${c.item.sha256}:${c.item.mode}:${c.item.owner}` },
  };
}
