/** Inventory items as text: a table for people, JSON Lines for programs. */
import { printable } from '../errors.js';
import type { Item } from './types.js';

export function itemToJsonLine(i: Item): string {
  return JSON.stringify(i);
}

export function signatureText(i: Item): string {
  const s = i.signature;
  if (s.status === 'n/a') return '-';
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
    items.map((i) => [i.server, i.kind, i.name ?? '', i.missing ? 'missing' : i.sha256.slice(0, 12), signatureText(i), i.path]),
    ['SERVER', 'KIND', 'NAME', 'SHA256', 'SIGNATURE', 'PATH'],
  );
}
