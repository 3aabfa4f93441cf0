/**
 * Console rendering of incidents for `warden hunt --incidents`: one block per incident with
 * its severity, host, users, techniques, the time line of detections (rule author always
 * shown: the Sigma Detection Rule License asks for it) and where the evidence is.
 */
import type { EventOrigin } from '../event/event.js';
import type { Incident } from './incidents.js';

function where(o: { file: string; record: number }): string {
  return `${o.file}#${o.record}`;
}

function evidenceLine(ev: readonly EventOrigin[], max: number): string {
  const shown = ev.slice(0, max).map(where).join(', ');
  return ev.length > max ? `${shown}, ... (${ev.length - max} more)` : shown;
}

export function formatIncidents(incidents: readonly Incident[], opts: { maxEvidence?: number } = {}): string {
  const maxEvidence = opts.maxEvidence ?? 10;
  if (incidents.length === 0) return 'No incidents.\n';
  const lines: string[] = [];
  for (const inc of incidents) {
    const raised = inc.severity !== inc.maxLevel ? ` (raised from ${inc.maxLevel}: ${inc.techniques.length} ATT&CK techniques chained)` : '';
    lines.push(`INCIDENT ${inc.id}  severity ${inc.severity.toUpperCase()}${raised}`);
    lines.push(`  host:       ${inc.host ?? '(unknown)'}`);
    if (inc.start) lines.push(`  time:       ${inc.start === inc.end ? inc.start : `${inc.start} .. ${inc.end}`}`);
    if (inc.users.length) lines.push(`  users:      ${inc.users.join(', ')}`);
    if (inc.techniques.length) lines.push(`  techniques: ${inc.techniques.join(', ')}`);
    lines.push(`  time line (${inc.detections.length} detection${inc.detections.length === 1 ? '' : 's'}):`);
    for (const d of inc.detections) {
      const kind = d.kind === 'correlation' ? 'correlation' : 'rule';
      const author = d.rule.author ? ` (by ${d.rule.author})` : '';
      lines.push(`    ${d.timestamp ?? '(no time)'.padEnd(24)}  ${d.rule.level.padEnd(13)} ${kind.padEnd(11)} ${d.rule.title}${author}  [${where(d.source)}]`);
    }
    lines.push(`  evidence (${inc.evidence.length} event${inc.evidence.length === 1 ? '' : 's'}): ${evidenceLine(inc.evidence, maxEvidence)}`);
    lines.push('');
  }
  return lines.join('\n');
}
