/**
 * Scan findings as pipeline Events, so Sigma rules can join them with log events
 * ("a .aspx appeared" + "it scores as a web shell" + "w3wp.exe spawned cmd.exe").
 *
 * logsource: { product: 'warden', category: 'webshell_scan' }
 * fields:
 *   TargetFilename  path of the file; archive entries as `outer.war!/inner/path.jsp`
 *   Verdict         'malicious' | 'suspicious'
 *   Score           number (sum of evidence weights; >= 10 malicious, >= 5 suspicious)
 *   Language        php | asp | aspx | jsp | cfml | perl | python | node | shell | xml | unknown
 *   Family          behaviour-based family label ('China Chopper', 'Behinder', 'Godzilla',
 *                   'reGeorg', 'memory shell loader', ...) or '' when none
 *   Reasons         list of evidence reasons, strongest first
 *   Analyzers       list of analyzers that contributed (flow, obfuscation, capability, family, plugin, yara)
 *   Sha256          sha256 of the file (or archive entry) content
 *   FileSize        bytes
 *   Host            scanning host name (also Event.host)
 *   ArchivePath     the outer archive for archive entries, '' otherwise
 */
import { hostname } from 'node:os';
import type { Event } from '../event/event.js';
import type { Finding } from './types.js';

export function findingToEvent(finding: Finding, host: string = hostname(), timestamp: number = Date.now()): Event {
  const archive = finding.path.includes('!/') ? finding.path.slice(0, finding.path.indexOf('!/')) : '';
  return {
    fields: {
      TargetFilename: finding.path,
      Verdict: finding.verdict,
      Score: finding.score,
      Language: finding.language,
      Family: finding.family ?? '',
      Reasons: finding.evidence.map((e) => e.reason),
      Analyzers: [...new Set(finding.evidence.map((e) => e.analyzer))],
      Sha256: finding.sha256,
      FileSize: finding.size,
      Host: host,
      ArchivePath: archive,
    },
    logsource: { product: 'warden', category: 'webshell_scan' },
    host,
    timestamp,
    origin: {
      file: finding.path,
      record: finding.evidence.find((e) => e.line !== undefined)?.line ?? 0,
      format: 'webshell_scan',
      key: `webshell_scan:${finding.path}:${finding.sha256}`,
    },
  };
}
