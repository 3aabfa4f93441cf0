/** Inventory items as text: a table for people, JSON Lines for programs. */
import { printable } from '../errors.js';
import type { Change } from './changes.js';
import type { Item } from './types.js';

export function itemToJsonLine(i: Item): string {
  return JSON.stringify(i);
}

export function signatureText(i: Item): string {
  const s = i.signature;
  // a VIB's acceptance level stands where a signer would
  if (s.status === 'n/a') return s.detail ?? '-';
  return s.signer ? `${s.status} (${s.signer})` : s.status;
}

/** Fixed columns, one line per item; cells are made printable (paths come from the inspected system). */
export function formatTable(rows: readonly string[][], header: readonly string[]): string {
  const all = [header, ...rows].map((r) => r.map((c) => printable(c)));
  const widths = header.map((_, k) => Math.min(60, Math.max(...all.map((r) => r[k]!.length))));
  return all.map((r) => r.map((c, k) => (k === r.length - 1 ? c : c.padEnd(widths[k]!))).join('  ')).join('\n') + '\n';
}

export function inventoryTable(items: readonly Item[]): string {
  return formatTable(
    items.map((i) => [
      i.server,
      i.kind,
      i.name ?? '',
      i.missing ? 'missing' : i.sha256.slice(0, 12),
      i.scan && i.scan.verdict !== 'clean' ? `${signatureText(i)} [scanner: ${i.scan.verdict}]` : signatureText(i),
      i.path,
    ]),
    ['SERVER', 'KIND', 'NAME', 'SHA256', 'SIGNATURE', 'PATH'],
  );
}

export function changeToJsonLine(c: Change): string {
  return JSON.stringify(c.previous ? { change: c.change, id: c.id, item: c.item, previous: c.previous } : { change: c.change, id: c.id, item: c.item });
}

/** What changed, in a few words. */
export function changeSummary(c: Change): string {
  const p = c.previous;
  switch (c.change) {
    case 'modified':
      return c.item.missing ? 'file is gone' : `sha256 ${p?.sha256.slice(0, 12) || '-'} -> ${c.item.sha256.slice(0, 12) || '-'}, signature ${signatureText(c.item)}`;
    case 'signature':
      return `signature ${p ? signatureText(p) : '-'} -> ${signatureText(c.item)}`;
    case 'permissions':
      return `mode ${p?.mode} -> ${c.item.mode}, owner ${p?.owner} -> ${c.item.owner}`;
    case 'renamed':
      return `from ${p?.path}`;
    case 'added':
      return `signature ${signatureText(c.item)}`;
    case 'removed':
      return '';
  }
}

export function changesTable(changes: readonly Change[]): string {
  return formatTable(
    changes.map((c) => [c.change, c.item.server, c.item.kind, c.item.name ?? '', c.item.path, changeSummary(c)]),
    ['CHANGE', 'SERVER', 'KIND', 'NAME', 'PATH', 'WHAT'],
  );
}
