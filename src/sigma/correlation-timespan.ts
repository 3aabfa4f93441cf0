/**
 * Correlation `timespan`: a positive count and a one-letter unit. The specification lists
 * s, m, h and d; w (week), M (month) and y (year) are accepted too because pySigma, the
 * reference implementation, accepts them and rules in the wild use them. Months and years
 * use the Gregorian averages (30.436875 d, 365.2425 d), as pySigma does.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  M: 2_629_746_000,
  y: 31_556_952_000,
};

const TIMESPAN = /^([0-9]+)([smhdwMy])$/;

/** Milliseconds for a timespan string, or an error message explaining what is wrong. */
export function parseTimespan(spec: unknown): { ms: number } | { error: string } {
  if (typeof spec !== 'string') {
    return { error: `timespan must be a string like "5m" (number + unit s, m, h, d, w, M, y), got ${describe(spec)}` };
  }
  const m = TIMESPAN.exec(spec.trim());
  if (!m) return { error: `invalid timespan '${spec}': expected a number followed by one unit letter s, m, h, d, w, M or y (e.g. "90m")` };
  const count = Number(m[1]);
  if (!Number.isSafeInteger(count) || count <= 0) return { error: `timespan '${spec}' must be greater than zero` };
  const ms = count * (UNIT_MS[m[2]!] as number);
  if (!Number.isSafeInteger(ms)) return { error: `timespan '${spec}' is too large` };
  return { ms };
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`;
}
