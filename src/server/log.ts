/**
 * The service's own log: one JSON object per line on stderr (time, level, message, context),
 * the shape log shippers and `jq` read. Levels below the configured one are dropped.
 */
import type { ServiceLogger } from './service.js';

const RANK = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof RANK;

export function jsonLogger(level: LogLevel = 'info', out: NodeJS.WritableStream = process.stderr): ServiceLogger & { debug(obj: object, msg?: string): void } {
  const min = RANK[level];
  const write = (lv: LogLevel, obj: object, msg?: string): void => {
    if (RANK[lv] < min) return;
    out.write(`${JSON.stringify({ time: new Date().toISOString(), level: lv, msg: msg ?? '', ...obj })}\n`);
  };
  return {
    debug: (o, m) => write('debug', o, m),
    info: (o, m) => write('info', o, m),
    warn: (o, m) => write('warn', o, m),
    error: (o, m) => write('error', o, m),
  };
}
