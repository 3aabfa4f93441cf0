/** Statistics the benchmarks share (no `run()`: `npm run bench` skips this module). */

/**
 * Growth of the least-squares line through (xs, ys) from the first x to the last, relative to
 * its value at the first x (0 for fewer than two points).
 */
export function fittedGrowth(xs: number[], ys: number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]! / n;
    my += ys[i]! / n;
  }
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  if (sxx === 0) return 0;
  const slope = sxy / sxx;
  const start = my + slope * (xs[0]! - mx);
  return start > 0 ? (slope * (xs[n - 1]! - xs[0]!)) / start : 0;
}
