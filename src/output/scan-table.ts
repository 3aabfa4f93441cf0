/**
 * `warden scan` findings for the terminal, fitted to its width: a head line (verdict, score,
 * language, family), the full path on its own line(s) — wrapped between folders, never cut —
 * then the evidence, one line each (cut with "…", or wrapped with `full`).
 */
import { printable } from '../errors.js';
import type { Finding } from '../scan/types.js';
import { cellLines } from './text-table.js';
import type { Style } from './text-table.js';

export interface ScanTableOptions {
  style: Style;
  width: number;
  full?: boolean;
  /** Evidence lines shown per finding before "… N more" (default 8; all with `full`). */
  maxEvidence?: number;
}

/** Findings in the order they are reported: by path, so the same input always reads the same. */
export function byPath(a: Finding, b: Finding): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export function formatFindingFitted(f: Finding, opts: ScanTableOptions): string {
  const st = opts.style;
  const width = Math.max(40, opts.width);
  const verdict = f.verdict === 'malicious' ? st.wrap('1;31', 'MALICIOUS') : st.wrap('33', 'SUSPICIOUS');
  const lines = [`${verdict}  score ${f.score}  ${f.language}${f.family ? `  ${st.bold(printable(f.family))}` : ''}`];
  for (const l of cellLines(printable(f.path), width - 2, Number.POSITIVE_INFINITY)) lines.push(`  ${st.bold(l)}`);
  const max = opts.full ? Number.POSITIVE_INFINITY : (opts.maxEvidence ?? 8);
  const indent = 18;
  for (const e of f.evidence.slice(0, max)) {
    const where = e.line !== undefined ? `${e.layer ? `L${e.layer}:` : ''}${e.line}` : '-';
    const head = `    ${where.padStart(7)}  +${String(e.weight).padEnd(4)} `;
    const text = `${printable(e.reason)}${e.snippet ? `  ¦ ${printable(e.snippet)}` : ''}`;
    const fitted = cellLines(text, width - head.length, opts.full ? Number.POSITIVE_INFINITY : 1);
    lines.push(head + fitted[0]);
    for (const more of fitted.slice(1)) lines.push(' '.repeat(head.length) + more);
  }
  if (f.evidence.length > max) lines.push(`${' '.repeat(indent)}… ${f.evidence.length - max} more (all of them in --format jsonl)`);
  return lines.join('\n');
}
