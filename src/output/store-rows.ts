/**
 * Pipeline output as store rows: a detection's filter columns and its JSON record, an
 * incident header and its members' time-line entries.
 */
import { type Detection, type IncidentMember, type IncidentUpdate, LEVELS } from '../event/detection.js';
import { hostKey } from '../event/host.js';
import { isoTime, memberRecord, sourceRecord, toRecord } from '../output/record.js';
import type { DetectionRow, IncidentRow, MemberRow } from '../store/alerts.js';

export function detectionRow(d: Detection): DetectionRow {
  return {
    id: d.id,
    kind: d.kind,
    ruleId: d.rule.id,
    title: d.rule.title,
    level: d.rule.level,
    levelRank: LEVELS.indexOf(d.rule.level),
    author: d.rule.author,
    tags: d.rule.tags,
    time: d.timestamp ?? 0,
    host: d.host ?? null,
    hostKey: d.hostKey ?? (d.host === undefined ? '' : hostKey(d.host)),
    file: d.origin.file,
    record: d.origin.record,
    format: d.origin.format ?? null,
    body: JSON.stringify(toRecord(d)),
  };
}

function memberEntry(m: IncidentMember): string {
  return JSON.stringify(memberRecord(m));
}

export function incidentRows(updates: readonly IncidentUpdate[]): { incidents: IncidentRow[]; members: MemberRow[] } {
  const incidents: IncidentRow[] = [];
  const members: MemberRow[] = [];
  // Only an incident's newest state is written: its header is built once per commit, not once per update.
  const last = new Map<string, number>();
  for (let k = 0; k < updates.length; k++) last.set(updates[k]!.incident.id, k);
  for (let k = 0; k < updates.length; k++) {
    const u = updates[k]!;
    const i = u.incident;
    for (const m of u.added ?? []) members.push({ incidentId: i.id, detectionId: m.id, time: m.timestamp ?? 0, member: memberEntry(m) });
    if (last.get(i.id) !== k) continue;
    incidents.push({
      id: i.id,
      status: i.status,
      mergedInto: i.mergedInto ?? null,
      severity: i.severity,
      severityRank: LEVELS.indexOf(i.severity),
      host: i.host ?? null,
      hostKey: i.hostKey,
      start: i.start ?? 0,
      end: i.end ?? 0,
      techniques: i.techniques,
      users: i.users,
      memberCount: i.memberCount,
      evidenceCount: i.evidenceCount,
      header: JSON.stringify({
        id: i.id,
        status: i.status,
        mergedInto: i.mergedInto ?? null,
        severity: i.severity,
        maxLevel: i.maxLevel,
        host: i.host ?? null,
        hostKey: i.hostKey,
        start: isoTime(i.start),
        end: isoTime(i.end),
        techniques: i.techniques,
        users: i.users,
        memberCount: i.memberCount,
        evidenceCount: i.evidenceCount,
        evidence: i.evidence.map(sourceRecord),
      }),
    });
  }
  return { incidents, members };
}
