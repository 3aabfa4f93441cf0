/**
 * Human-readable report: one block per finding (verdict, score, language, family, path),
 * its evidence as `line: reason  snippet`, then a summary line like ripgrep/Hayabusa print.
 */
import { printable } from '../../errors.js';
import type { Finding } from '../types.js';
import type { ScanStats } from '../scanner.js';

export interface TableStyle {
  color: boolean;
}

const C = { red: '\x1b[31m', yellow: '\x1b[33m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

export function formatFinding(f: Finding, style: TableStyle): string {
  const paint = (s: string, c: string): string => (style.color ? c + s + C.reset : s);
  const verdict = f.verdict === 'malicious' ? paint('MALICIOUS ', C.red + C.bold) : paint('SUSPICIOUS', C.yellow);
  const head = `${verdict} ${String(f.score).padStart(5)}  ${f.language.padEnd(6)} ${f.family ? `[${printable(f.family)}] ` : ''}${paint(printable(f.path), C.bold)}`;
  const lines = [head];
  for (const e of f.evidence.slice(0, 8)) {
    const where = e.line !== undefined ? `${e.layer ? `L${e.layer}:` : ''}${e.line}` : '-';
    lines.push(`    ${where.padStart(7)}  +${String(e.weight).padEnd(4)} ${printable(e.reason)}${e.snippet ? '  ' + paint(printable(e.snippet), C.dim) : ''}`);
  }
  if (f.evidence.length > 8) lines.push(`             … ${f.evidence.length - 8} more`);
  return lines.join('\n');
}

export function formatSummary(stats: ScanStats, problems: number): string {
  const mb = stats.bytes / 1048576;
  const secs = stats.elapsedMs / 1000;
  const skipped = Object.entries(stats.skippedReasons)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${n} ${printable(r)}`)
    .join(', ');
  return [
    `scanned ${stats.files} files (${mb.toFixed(1)} MB${stats.archiveEntries ? `, ${stats.archiveEntries} archive entries` : ''}) in ${secs.toFixed(2)} s (${secs > 0 ? (mb / secs).toFixed(1) : '-'} MB/s); analyzed ${stats.analyzed}, skipped ${stats.skipped}${skipped ? ` (${skipped})` : ''}`,
    `findings: ${stats.byVerdict.malicious} malicious, ${stats.byVerdict.suspicious} suspicious; problems: ${problems}`,
  ].join('\n');
}
