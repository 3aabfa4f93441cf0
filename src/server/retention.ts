/**
 * Retention: detections, closed incidents and findings older than `max_age` are dropped, and
 * past `max_detections` the oldest detections go first; every drop is logged with its counts.
 * Runs a minute after start and then every ten minutes, in bounded steps so the writer is
 * never blocked for long.
 */
import type { Store } from '../store/store.js';
import type { ServiceLogger } from './service.js';

export interface RetentionPolicy {
  maxAgeMs?: number;
  maxDetections?: number;
}

export async function applyRetention(
  store: Store,
  policy: RetentionPolicy,
  logger: ServiceLogger,
  now = Date.now(),
): Promise<{ detections: number; incidents: number; findings: number }> {
  const total = { detections: 0, incidents: 0, findings: 0 };
  const drop = async (before: number, why: string): Promise<void> => {
    for (;;) {
      const n = await store.alerts.dropOlderThan(before, 5000);
      total.detections += n.detections;
      total.incidents += n.incidents;
      total.findings += n.findings;
      if (n.detections || n.incidents || n.findings) logger.info({ ...n, before: new Date(before).toISOString(), why }, 'retention: dropped old data');
      if (n.detections < 5000 && n.incidents < 5000 && n.findings < 5000) return;
    }
  };
  if (policy.maxAgeMs !== undefined) await drop(now - policy.maxAgeMs, `older than max_age (${policy.maxAgeMs} ms)`);
  if (policy.maxDetections !== undefined) {
    const { detections } = await store.alerts.counts();
    const excess = detections - policy.maxDetections;
    if (excess > 0) {
      // the time of the newest detection that has to go; everything before it goes too
      const r = await store.db.query(`SELECT time FROM detections ORDER BY time, id LIMIT 1 OFFSET ${excess - 1}`);
      const t = r[0]?.time;
      if (t !== undefined && t !== null) await drop(Number(t) + 1, `more than max_detections (${policy.maxDetections})`);
    }
  }
  return total;
}

export function startRetention(store: Store, policy: RetentionPolicy, logger: ServiceLogger, everyMs = 600_000): { stop(): void } {
  if (policy.maxAgeMs === undefined && policy.maxDetections === undefined) return { stop() {} };
  let running = false;
  const run = (): void => {
    if (running) return;
    running = true;
    applyRetention(store, policy, logger)
      .catch((e: unknown) => logger.error({ err: (e as Error).message }, 'retention failed; will try again'))
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(run, 60_000);
  const timer = setInterval(run, everyMs);
  first.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
