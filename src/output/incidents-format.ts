/**
 * Console rendering of incidents (`warden hunt --incidents`): one block per incident with its
 * severity, host, users, techniques, the time line of its members (capped; JSON Lines has the
 * whole list; the rule author is always shown, as the Sigma Detection Rule License asks) and
 * where the evidence is.
 */
import type { Incident, IncidentMember } from '../event/detection.js';
import type { EventOrigin } from '../event/event.js';
import { Style } from './text-table.js';
import { displayWidth, truncateWidth, wrapWidth } from './text-width.js';

function where(o: { file: string; record: number }): string {
  return `${o.file}#${o.record}`;
}

function evidenceLine(ev: readonly EventOrigin[], total: number, max: number): string {
  const shown = ev.slice(0, max).map(where).join(', ');
  return total > max ? `${shown}, ... (${total - max} more)` : shown;
}

export interface IncidentFormatOptions {
  maxEvidence?: number;
  /** Members shown per incident before "... N more" (default 20). */
  maxMembers?: number;
  style?: Style;
  iso?: (ms: number) => string;
  /** Terminal width the lines are fitted to (default: unlimited). */
  width?: number;
  /** Wrap instead of cutting. */
  full?: boolean;
}

/**
 * `head` (already styled; `headWidth` columns) then `tail` fitted to the width: cut with "…",
 * or with `full` wrapped onto lines indented by `indent`.
 */
function fitted(head: string, headWidth: number, tail: string, width: number, full: boolean, indent: number): string[] {
  const room = Math.max(20, width - headWidth);
  if (displayWidth(tail) <= room) return [head + tail];
  if (!full) return [head + truncateWidth(tail, room)];
  const [first, ...rest] = wrapWidth(tail, room);
  const more = rest.length ? wrapWidth(rest.join(' '), Math.max(20, width - indent)) : [];
  return [head + first, ...more.map((l) => ' '.repeat(indent) + l)];
}

export function formatIncidents(incidents: readonly { incident: Incident; members: readonly IncidentMember[] }[], opts: IncidentFormatOptions = {}): string {
  const maxEvidence = opts.maxEvidence ?? 10;
  const maxMembers = opts.maxMembers ?? 20;
  const st = opts.style ?? Style.plain;
  const iso = opts.iso ?? ((ms: number) => new Date(ms).toISOString());
  const width = opts.width ?? Number.POSITIVE_INFINITY;
  const full = opts.full ?? false;
  if (incidents.length === 0) return 'No incidents.\n';
  const lines: string[] = [];
  for (const { incident: inc, members } of incidents) {
    const raised = inc.severity !== inc.maxLevel ? ` (raised from ${inc.maxLevel}: ${inc.techniques.length} ATT&CK techniques chained)` : '';
    lines.push(st.bold(`INCIDENT ${inc.id}  severity ${st.level(inc.severity, inc.severity.toUpperCase())}${raised}`));
    lines.push(`  host:       ${inc.host ?? '(unknown)'}`);
    if (inc.start !== undefined) lines.push(`  time:       ${inc.start === inc.end || inc.end === undefined ? iso(inc.start) : `${iso(inc.start)} .. ${iso(inc.end)}`}`);
    if (inc.users.length) lines.push(`  users:      ${inc.users.join(', ')}`);
    if (inc.techniques.length) lines.push(`  techniques: ${inc.techniques.join(', ')}`);
    lines.push(`  time line (${members.length} detection${members.length === 1 ? '' : 's'}):`);
    const shown = members.length > maxMembers ? [...members.slice(0, maxMembers - 5), ...members.slice(-5)] : members;
    shown.forEach((m, i) => {
      if (members.length > maxMembers && i === maxMembers - 5) lines.push(`    ... ${members.length - maxMembers} more (all of them in --format jsonl --incidents)`);
      const kind = m.kind === 'correlation' ? 'correlation' : 'rule';
      const author = m.author ? ` (by ${m.author})` : '';
      const time = m.timestamp !== undefined ? iso(m.timestamp) : '(no time)'.padEnd(24);
      const head = `    ${time}  ${st.level(m.level, m.level.padEnd(13))} ${kind.padEnd(11)} `;
      lines.push(...fitted(head, 4 + time.length + 2 + 14 + 12, `${m.title}${author}  [${where(m.origin)}]`, width, full, 10));
    });
    const evHead = `  evidence (${inc.evidenceCount} event${inc.evidenceCount === 1 ? '' : 's'}): `;
    lines.push(...fitted(evHead, evHead.length, evidenceLine(inc.evidence, inc.evidenceCount, maxEvidence), width, full, 4));
    lines.push('');
  }
  return lines.join('\n');
}
