/**
 * The service's own log (pino): one JSON object per line on stderr — level by name, ISO time,
 * message and context — the shape log shippers and `jq` read. Levels below the configured one
 * are dropped. Written synchronously: the service logs little, and a line written just before
 * a crash or a SIGKILL must not sit in a buffer.
 */
import { type DestinationStream, type Logger, pino } from 'pino';
import type { ServiceLogger } from './service.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export function jsonLogger(level: LogLevel = 'info', out?: DestinationStream): ServiceLogger & { debug(obj: object, msg?: string): void } {
  const logger: Logger = pino(
    {
      level,
      // no pid/hostname on every line: one service per data folder, the shipper adds the host
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    out ?? pino.destination({ fd: 2, sync: true }),
  );
  return logger;
}
