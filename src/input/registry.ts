/**
 * Every input decoder Warden knows, in auto-detection priority order (ties in
 * sniff confidence go to the earlier entry). Add one import + one entry per decoder.
 */
import type { Decoder } from './decoder.js';
import { jsonDecoder } from './json.js';
import { wardenEventsDecoder } from './warden-events.js';
import { evtxDecoder } from './evtx/decoder.js';
import { w3cDecoder } from './text/w3c.js';
import { accessDecoder } from './text/access.js';
import { auditdDecoder } from './text/auditd.js';
import { syslogDecoder } from './text/syslog.js';
import { teamcityDecoder } from './text/teamcity.js';
import { jenkinsDecoder } from './text/jenkins.js';
import { zeekDecoder } from './text/zeek.js';
import { mssqlDecoder } from './text/mssql.js';
import { modsecurityDecoder } from './text/modsecurity.js';
import { sysmonLinuxDecoder } from './text/sysmon-linux.js';
import { mysqlDecoder } from './text/mysql.js';
import { postgresqlDecoder } from './text/postgresql.js';
import { suricataDecoder } from './text/suricata.js';

export const decoders: Decoder[] = [
  evtxDecoder,
  jsonDecoder,
  w3cDecoder,
  accessDecoder,
  auditdDecoder,
  syslogDecoder,
  teamcityDecoder,
  jenkinsDecoder,
  zeekDecoder,
  mssqlDecoder,
  modsecurityDecoder,
  sysmonLinuxDecoder,
  mysqlDecoder,
  postgresqlDecoder,
  suricataDecoder,
  wardenEventsDecoder,
];

export function decoderByName(name: string): Decoder | undefined {
  return decoders.find((d) => d.format === name);
}
