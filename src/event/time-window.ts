/** `--from`/`--to`: only events in [from, to] (ms, inclusive); events without a time are left out too. */
export interface TimeWindow {
  from?: number;
  to?: number;
}

export function inWindow(t: number | undefined, w: TimeWindow): boolean {
  if (t === undefined || !Number.isFinite(t)) return false;
  return (w.from === undefined || t >= w.from) && (w.to === undefined || t <= w.to);
}
