/**
 * How an audit.log is recognized, apart from its decoder: sniffing runs for every input
 * file, and the decoder (record scanner, key layouts, syscall tables, process tables) is
 * loaded only once a file turns out to be an audit log.
 */
import { share } from './common.js';

export const AUDITD_FORMAT = 'auditd';
export const AUDITD_DESCRIPTION = 'Linux audit.log (raw or ENRICHED), grouped per event; auditd and process_creation';

const RECORD = /^(node=\S+ )?type=[A-Z_0-9]+ msg=audit\(\d+\.\d+:\d+\):/;

export function sniffAuditd(lines: string[]): number {
  const s = share(lines, (l) => RECORD.test(l));
  return s >= 0.5 ? s : 0;
}
