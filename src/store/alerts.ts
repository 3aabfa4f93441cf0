/**
 * The alerts room: detections (one row per detection id, so a re-read or redelivered event
 * never makes a second), incidents with their members, and scanner findings. Rows carry the
 * columns the API filters on and the whole record as JSON text; the room knows nothing about
 * Sigma or formats. Lists are keyset-paginated by (time, id): a cursor stays valid, and pages
 * neither repeat nor skip what was there, while new rows arrive.
 */
import type { Db, Row, SqlValue } from './db.js';
import type { SchemaComponent } from './migrations.js';

export const ALERTS_SCHEMA: SchemaComponent = {
  name: 'alerts',
  migrations: [
    {
      version: 1,
      description: 'detections, incidents and their members, scanner findings',
      sql: `
CREATE TABLE detections (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  title TEXT NOT NULL,
  level TEXT NOT NULL,
  level_rank INTEGER NOT NULL,
  author TEXT NOT NULL,
  tags TEXT NOT NULL,
  time BIGINT NOT NULL,
  host TEXT,
  host_key TEXT NOT NULL,
  file TEXT NOT NULL,
  record BIGINT NOT NULL,
  format TEXT,
  body TEXT NOT NULL,
  stored_at BIGINT NOT NULL
);
CREATE INDEX detections_time ON detections (time, id);
CREATE INDEX detections_rule ON detections (rule_id, time);
CREATE INDEX detections_host ON detections (host_key, time);
CREATE INDEX detections_level ON detections (level_rank, time);
CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  merged_into TEXT,
  severity TEXT NOT NULL,
  severity_rank INTEGER NOT NULL,
  host TEXT,
  host_key TEXT NOT NULL,
  start_time BIGINT NOT NULL,
  end_time BIGINT NOT NULL,
  techniques TEXT NOT NULL,
  users TEXT NOT NULL,
  member_count INTEGER NOT NULL,
  evidence_count INTEGER NOT NULL,
  header TEXT NOT NULL,
  triage TEXT NOT NULL DEFAULT 'new',
  note TEXT NOT NULL DEFAULT '',
  updated_at BIGINT NOT NULL
);
CREATE INDEX incidents_time ON incidents (start_time, id);
CREATE TABLE incident_members (
  incident_id TEXT NOT NULL,
  detection_id TEXT NOT NULL,
  time BIGINT NOT NULL,
  member TEXT NOT NULL,
  PRIMARY KEY (incident_id, detection_id)
);
CREATE TABLE findings (
  id TEXT PRIMARY KEY,
  path TEXT NOT NULL,
  host_key TEXT NOT NULL,
  verdict TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  language TEXT NOT NULL,
  family TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  time BIGINT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX findings_time ON findings (time, id);
`,
    },
  ],
};

export interface DetectionRow {
  id: string;
  kind: string;
  ruleId: string;
  title: string;
  level: string;
  levelRank: number;
  author: string;
  tags: readonly string[];
  /** Epoch ms; 0 when the event had no time. */
  time: number;
  host: string | null;
  hostKey: string;
  file: string;
  record: number;
  format: string | null;
  /** The whole record, JSON. */
  body: string;
}

export interface IncidentRow {
  id: string;
  status: string;
  mergedInto: string | null;
  severity: string;
  severityRank: number;
  host: string | null;
  hostKey: string;
  start: number;
  end: number;
  techniques: readonly string[];
  users: readonly string[];
  memberCount: number;
  evidenceCount: number;
  /** The incident header, JSON. */
  header: string;
}

export interface MemberRow {
  incidentId: string;
  detectionId: string;
  time: number;
  /** The member's time-line entry, JSON. */
  member: string;
}

export interface FindingRow {
  id: string;
  path: string;
  hostKey: string;
  verdict: string;
  score: number;
  language: string;
  family: string;
  sha256: string;
  time: number;
  body: string;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface DetectionFilter {
  from?: number;
  to?: number;
  minLevelRank?: number;
  levels?: readonly string[];
  rule?: string;
  tag?: string;
  hostKey?: string;
  text?: string;
  kind?: string;
  limit: number;
  cursor?: string;
}

export interface IncidentFilter {
  from?: number;
  to?: number;
  status?: string;
  triage?: string;
  minSeverityRank?: number;
  hostKey?: string;
  technique?: string;
  limit: number;
  cursor?: string;
}

/** A position in a (time DESC, id DESC) list. */
export function encodeCursor(time: number, id: string): string {
  return Buffer.from(JSON.stringify([time, id])).toString('base64url');
}

export function decodeCursor(c: string): { time: number; id: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return { time: v[0], id: v[1] };
  } catch {
    // not a cursor of ours
  }
  return undefined;
}

/** LIKE pattern for a substring, with LIKE's own wildcards escaped. */
function contains(s: string): string {
  return `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

class Where {
  readonly parts: string[] = [];
  readonly params: SqlValue[] = [];
  add(sql: string, ...values: SqlValue[]): void {
    let s = sql;
    for (const v of values) {
      this.params.push(v);
      s = s.replace('?', `$${this.params.length}`);
    }
    this.parts.push(s);
  }
  get sql(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}

export class AlertsRoom {
  constructor(private readonly db: Db) {}

  /** Inserts detections; ids already stored are left as they are. */
  async insertDetections(rows: readonly DetectionRow[], db: Db = this.db, now: number = Date.now()): Promise<void> {
    if (rows.length === 0) return;
    await db.insertMany(
      'detections',
      ['id', 'kind', 'rule_id', 'title', 'level', 'level_rank', 'author', 'tags', 'time', 'host', 'host_key', 'file', 'record', 'format', 'body', 'stored_at'],
      rows.map((r) => [
        r.id,
        r.kind,
        r.ruleId,
        r.title,
        r.level,
        r.levelRank,
        r.author,
        ` ${r.tags.join(' ')} `,
        r.time,
        r.host,
        r.hostKey,
        r.file,
        r.record,
        r.format,
        r.body,
        now,
      ]),
      'ON CONFLICT (id) DO NOTHING',
    );
  }

  /** Writes incident headers (the newest state wins) and adds members; the analyst's triage and note are kept. */
  async upsertIncidents(incidents: readonly IncidentRow[], members: readonly MemberRow[], db: Db = this.db, now: number = Date.now()): Promise<void> {
    const latest = new Map<string, IncidentRow>();
    for (const i of incidents) latest.set(i.id, i);
    if (latest.size) {
      await db.insertMany(
        'incidents',
        [
          'id',
          'status',
          'merged_into',
          'severity',
          'severity_rank',
          'host',
          'host_key',
          'start_time',
          'end_time',
          'techniques',
          'users',
          'member_count',
          'evidence_count',
          'header',
          'updated_at',
        ],
        [...latest.values()].map((i) => [
          i.id,
          i.status,
          i.mergedInto,
          i.severity,
          i.severityRank,
          i.host,
          i.hostKey,
          i.start,
          i.end,
          ` ${i.techniques.join(' ')} `,
          i.users.join('\n'),
          i.memberCount,
          i.evidenceCount,
          i.header,
          now,
        ]),
        `ON CONFLICT (id) DO UPDATE SET status = excluded.status, merged_into = excluded.merged_into, severity = excluded.severity, severity_rank = excluded.severity_rank,
         host = excluded.host, start_time = excluded.start_time, end_time = excluded.end_time, techniques = excluded.techniques, users = excluded.users,
         member_count = excluded.member_count, evidence_count = excluded.evidence_count, header = excluded.header, updated_at = excluded.updated_at`,
      );
    }
    const seen = new Set<string>();
    const rows: SqlValue[][] = [];
    for (const m of members) {
      const k = `${m.incidentId}\u0000${m.detectionId}`;
      if (seen.has(k)) continue;
      seen.add(k);
      rows.push([m.incidentId, m.detectionId, m.time, m.member]);
    }
    await db.insertMany('incident_members', ['incident_id', 'detection_id', 'time', 'member'], rows, 'ON CONFLICT (incident_id, detection_id) DO NOTHING');
    // An incident absorbed into another: its members become the absorber's (and the absorber's
    // absorber's, when that merged in the same commit). The pipeline only holds an open
    // incident's newest members, so the store, which has them all, copies them itself.
    for (const i of latest.values()) {
      if (i.status !== 'merged' || !i.mergedInto) continue;
      const targets: string[] = [];
      for (let t: string | null = i.mergedInto; t && !targets.includes(t) && t !== i.id; t = latest.get(t)?.status === 'merged' ? (latest.get(t)?.mergedInto ?? null) : null)
        targets.push(t);
      for (const t of targets)
        await db.run(
          'INSERT INTO incident_members (incident_id, detection_id, time, member) SELECT $1, detection_id, time, member FROM incident_members WHERE incident_id = $2 ON CONFLICT (incident_id, detection_id) DO NOTHING',
          [t, i.id],
        );
    }
  }

  async insertFindings(rows: readonly FindingRow[], db: Db = this.db): Promise<void> {
    const latest = new Map<string, FindingRow>();
    for (const r of rows) latest.set(r.id, r);
    await db.insertMany(
      'findings',
      ['id', 'path', 'host_key', 'verdict', 'score', 'language', 'family', 'sha256', 'time', 'body'],
      [...latest.values()].map((r) => [r.id, r.path, r.hostKey, r.verdict, r.score, r.language, r.family, r.sha256, r.time, r.body]),
      'ON CONFLICT (id) DO NOTHING',
    );
  }

  async listDetections(f: DetectionFilter): Promise<Page<string>> {
    const w = new Where();
    if (f.from !== undefined) w.add('time >= ?', f.from);
    if (f.to !== undefined) w.add('time <= ?', f.to);
    if (f.minLevelRank !== undefined) w.add('level_rank >= ?', f.minLevelRank);
    if (f.levels?.length) w.add(`level IN (${f.levels.map(() => '?').join(', ')})`, ...f.levels);
    if (f.rule !== undefined) w.add('(rule_id = ? OR title = ?)', f.rule, f.rule);
    if (f.tag !== undefined) w.add('tags LIKE ?', `% ${f.tag.replace(/[\\%_]/g, (c) => `\\${c}`)} %`);
    if (f.hostKey !== undefined) w.add('host_key = ?', f.hostKey);
    if (f.kind !== undefined) w.add('kind = ?', f.kind);
    if (f.text !== undefined) w.add("LOWER(body) LIKE ? ESCAPE '\\'", contains(f.text));
    const c = f.cursor ? decodeCursor(f.cursor) : undefined;
    if (c) w.add('(time < ? OR (time = ? AND id < ?))', c.time, c.time, c.id);
    const rows = await this.db.query(`SELECT id, time, body FROM detections ${w.sql} ORDER BY time DESC, id DESC LIMIT ${Math.max(1, Math.floor(f.limit)) + 1}`, w.params);
    return page(rows, f.limit, (r) => String(r.body));
  }

  async getDetection(id: string): Promise<string | undefined> {
    const rows = await this.db.query('SELECT body FROM detections WHERE id = $1', [id]);
    return rows[0] ? String(rows[0].body) : undefined;
  }

  async listIncidents(f: IncidentFilter): Promise<Page<{ header: string; triage: string; note: string }>> {
    const w = new Where();
    if (f.from !== undefined) w.add('end_time >= ?', f.from);
    if (f.to !== undefined) w.add('start_time <= ?', f.to);
    if (f.status !== undefined) w.add('status = ?', f.status);
    else w.add("status <> 'merged'");
    if (f.triage !== undefined) w.add('triage = ?', f.triage);
    if (f.minSeverityRank !== undefined) w.add('severity_rank >= ?', f.minSeverityRank);
    if (f.hostKey !== undefined) w.add('host_key = ?', f.hostKey);
    if (f.technique !== undefined) w.add('techniques LIKE ?', `% ${f.technique.toUpperCase().replace(/[\\%_]/g, (c) => `\\${c}`)} %`);
    const c = f.cursor ? decodeCursor(f.cursor) : undefined;
    if (c) w.add('(start_time < ? OR (start_time = ? AND id < ?))', c.time, c.time, c.id);
    const rows = await this.db.query(
      `SELECT id, start_time AS time, header, triage, note FROM incidents ${w.sql} ORDER BY start_time DESC, id DESC LIMIT ${Math.max(1, Math.floor(f.limit)) + 1}`,
      w.params,
    );
    return page(rows, f.limit, (r) => ({ header: String(r.header), triage: String(r.triage), note: String(r.note) }));
  }

  async getIncident(id: string): Promise<{ header: string; triage: string; note: string; members: string[] } | undefined> {
    const rows = await this.db.query('SELECT header, triage, note FROM incidents WHERE id = $1', [id]);
    const r = rows[0];
    if (!r) return undefined;
    const members = await this.db.query('SELECT member FROM incident_members WHERE incident_id = $1 ORDER BY time, detection_id', [id]);
    return { header: String(r.header), triage: String(r.triage), note: String(r.note), members: members.map((m) => String(m.member)) };
  }

  /** The analyst's view of an incident: triage status and note (never touched by the pipeline). */
  async setTriage(id: string, triage: string, note: string | undefined): Promise<boolean> {
    const n =
      note === undefined
        ? await this.db.run('UPDATE incidents SET triage = $1 WHERE id = $2', [triage, id])
        : await this.db.run('UPDATE incidents SET triage = $1, note = $2 WHERE id = $3', [triage, note, id]);
    return n > 0;
  }

  async listFindings(f: { from?: number; to?: number; verdict?: string; hostKey?: string; limit: number; cursor?: string }): Promise<Page<string>> {
    const w = new Where();
    if (f.from !== undefined) w.add('time >= ?', f.from);
    if (f.to !== undefined) w.add('time <= ?', f.to);
    if (f.verdict !== undefined) w.add('verdict = ?', f.verdict);
    if (f.hostKey !== undefined) w.add('host_key = ?', f.hostKey);
    const c = f.cursor ? decodeCursor(f.cursor) : undefined;
    if (c) w.add('(time < ? OR (time = ? AND id < ?))', c.time, c.time, c.id);
    const rows = await this.db.query(`SELECT id, time, body FROM findings ${w.sql} ORDER BY time DESC, id DESC LIMIT ${Math.max(1, Math.floor(f.limit)) + 1}`, w.params);
    return page(rows, f.limit, (r) => String(r.body));
  }

  async counts(): Promise<{ detections: number; incidents: number; findings: number }> {
    const one = async (t: string): Promise<number> => Number((await this.db.query(`SELECT COUNT(*) AS n FROM ${t}`))[0]?.n ?? 0);
    return { detections: await one('detections'), incidents: await one('incidents'), findings: await one('findings') };
  }

  /** Every detection id (tests, cluster checks). */
  async detectionIds(): Promise<string[]> {
    return (await this.db.query('SELECT id FROM detections ORDER BY id')).map((r) => String(r.id));
  }

  /**
   * Retention: drops detections (and incidents that ended) older than `before`, oldest first,
   * at most `limit` rows per call; returns how many detections went.
   */
  async dropOlderThan(before: number, limit = 10_000): Promise<{ detections: number; incidents: number; findings: number }> {
    return this.db.transaction(async (tx) => {
      const detections = await tx.run(`DELETE FROM detections WHERE id IN (SELECT id FROM detections WHERE time < $1 ORDER BY time LIMIT ${limit})`, [before]);
      const ids = await tx.query(`SELECT id FROM incidents WHERE end_time < $1 AND status <> 'open' ORDER BY end_time LIMIT ${limit}`, [before]);
      for (const r of ids) await tx.run('DELETE FROM incident_members WHERE incident_id = $1', [r.id ?? null]);
      const incidents = ids.length
        ? await tx.run(
            `DELETE FROM incidents WHERE id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})`,
            ids.map((r) => r.id ?? null),
          )
        : 0;
      const findings = await tx.run(`DELETE FROM findings WHERE id IN (SELECT id FROM findings WHERE time < $1 ORDER BY time LIMIT ${limit})`, [before]);
      return { detections, incidents, findings };
    });
  }

  /** The oldest detection time kept, for size-based retention. */
  async oldestTime(): Promise<number | undefined> {
    const r = await this.db.query('SELECT MIN(time) AS t FROM detections');
    const t = r[0]?.t;
    return t === null || t === undefined ? undefined : Number(t);
  }
}

function page<T>(rows: Row[], limit: number, map: (r: Row) => T): Page<T> {
  const n = Math.max(1, Math.floor(limit));
  const more = rows.length > n;
  const shown = more ? rows.slice(0, n) : rows;
  const last = shown[shown.length - 1];
  return { items: shown.map(map), next: more && last ? encodeCursor(Number(last.time), String(last.id)) : null };
}
