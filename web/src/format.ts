/** Times, numbers and little labels, the same in every view. */
import { h } from './dom';

export function isoShort(iso: string | null | undefined): string {
  if (!iso) return '(no time)';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return String(iso);
  return new Date(t)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.000Z$|Z$/, '');
}

export function msToIso(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/Z$/, '');
}

export function levelBadge(level: string): HTMLElement {
  const known = ['informational', 'low', 'medium', 'high', 'critical'].includes(level) ? level : 'unknown';
  return h('span', { className: `badge level-${known}` }, level);
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** ATT&CK technique ids from Sigma tags (attack.t1505.003 → T1505.003). */
export function techniquesOf(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t);
    if (m) out.push(m[1]!.toUpperCase());
  }
  return out;
}

/** A value of an event field as one line of text. */
export function fieldText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
