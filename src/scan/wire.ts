/**
 * How a worker's per-file outcomes travel to the pool (see WireOutcome).
 */
import type { FileOutcome } from './scan-bytes.js';
import type { Language } from './types.js';

/**
 * One file's outcomes on the wire. Most files come back clean with a single outcome: those
 * travel as [bytes, analyzed, skipped reason, language] and the pool restores the path from
 * its batch, so thousands of clean results do not each copy their path and empty lists.
 */
export type WireOutcome = FileOutcome[] | [bytes: number, analyzed: 0 | 1, skipped: string, language: string];

export function toWire(outs: FileOutcome[], path: string): WireOutcome {
  const o = outs[0];
  if (outs.length !== 1 || !o || o.finding || o.problems.length > 0 || o.entry || o.path !== path) return outs;
  return [o.bytes, o.analyzed ? 1 : 0, o.skipped ?? '', o.language ?? ''];
}

export function fromWire(w: WireOutcome, path: string): FileOutcome[] {
  if (!isCompact(w)) return w;
  const o: FileOutcome = { path, bytes: w[0], analyzed: w[1] === 1, problems: [] };
  if (w[2]) o.skipped = w[2];
  if (w[3]) o.language = w[3] as Language;
  return [o];
}

function isCompact(w: WireOutcome): w is [number, 0 | 1, string, string] {
  return typeof w[0] === 'number';
}
