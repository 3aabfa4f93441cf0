/**
 * Every input format Warden knows, in auto-detection priority order (ties in sniff
 * confidence go to the earlier entry). Add one entry per decoder.
 *
 * An entry is what detection needs before any decoding: the name, the kind, a description
 * and the sniffer. The decoder itself is behind `load()`. Small decoders are imported with
 * the registry; a decoder with a large module graph has its sniffer in a module of its own
 * and is imported when a file of its format is read, so a hunt over JSON never loads the
 * audit.log machinery (commands load only the modules they use).
 */
import type { Decoder, FileDecoder, LineDecoder } from './decoder.js';
import { jsonDecoder } from './json.js';
import { wardenEventsDecoder } from './warden-events.js';
import { evtxDecoder } from './evtx/decoder.js';
import { w3cDecoder } from './text/w3c.js';
import { accessDecoder } from './text/access.js';
import { AUDITD_DESCRIPTION, AUDITD_FORMAT, sniffAuditd } from './text/auditd-sniff.js';
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

interface FormatBase<D extends Decoder> {
  readonly format: string;
  readonly description: string;
  /** The decoder (imported on first use; the same object every time). */
  load(): Promise<D>;
  /** The decoder when it has been loaded (see `preloadDecoders`), else undefined. */
  loaded(): D | undefined;
}

export interface LineFormat extends FormatBase<LineDecoder> {
  readonly kind: 'line';
  sniff(lines: string[]): number;
}

export interface FileFormat extends FormatBase<FileDecoder> {
  readonly kind: 'file';
  sniffBytes(head: Buffer): number;
}

export type InputFormat = LineFormat | FileFormat;

function ready<D extends Decoder>(d: D): FormatBase<D> {
  const done = Promise.resolve(d);
  return { format: d.format, description: d.description, load: () => done, loaded: () => d };
}

/** A format whose decoder is imported already. */
function eager(d: Decoder): InputFormat {
  return d.kind === 'line' ? { kind: 'line', sniff: (lines) => d.sniff(lines), ...ready(d) } : { kind: 'file', sniffBytes: (head) => d.sniffBytes(head), ...ready(d) };
}

/** A line format whose decoder is imported by the first `load()`. */
function lazyLine(format: string, description: string, sniff: (lines: string[]) => number, importer: () => Promise<LineDecoder>): LineFormat {
  let decoder: LineDecoder | undefined;
  let pending: Promise<LineDecoder> | undefined;
  const load = (): Promise<LineDecoder> => {
    pending ??= importer().then((d) => {
      if (d.format !== format) throw new Error(`decoder module for ${format} exports ${d.format}`);
      decoder = d;
      return d;
    });
    return pending;
  };
  return { kind: 'line', format, description, sniff, load, loaded: () => decoder };
}

export const formats: InputFormat[] = [
  eager(evtxDecoder),
  eager(jsonDecoder),
  eager(w3cDecoder),
  eager(accessDecoder),
  lazyLine(AUDITD_FORMAT, AUDITD_DESCRIPTION, sniffAuditd, async () => (await import('./text/auditd.js')).auditdDecoder),
  eager(syslogDecoder),
  eager(teamcityDecoder),
  eager(jenkinsDecoder),
  eager(zeekDecoder),
  eager(mssqlDecoder),
  eager(modsecurityDecoder),
  eager(sysmonLinuxDecoder),
  eager(mysqlDecoder),
  eager(postgresqlDecoder),
  eager(suricataDecoder),
  eager(wardenEventsDecoder),
];

export function formatByName(name: string): InputFormat | undefined {
  return formats.find((d) => d.format === name);
}

let everything: Promise<void> | undefined;

/**
 * Loads every decoder, once. For long-running readers (the service's journal, tailed
 * sources) that pick a decoder per batch in synchronous code: start-up time is not theirs
 * to save, and `loaded()` is then always defined.
 */
export function preloadDecoders(): Promise<void> {
  everything ??= Promise.all(formats.map((f) => f.load())).then(() => undefined);
  return everything;
}
