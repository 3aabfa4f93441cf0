/**
 * The baselines room: approved sets of records per scope (Warden uses one scope per
 * inventoried root), who approved each and when, the approvals of single changes, and what a
 * continuous watcher has already reported since. Records are opaque JSON text keyed by an id:
 * this room knows nothing about what they describe.
 */
import type { Db } from './db.js';
import type { SchemaComponent } from './migrations.js';

export const BASELINES_SCHEMA: SchemaComponent = {
  name: 'baselines',
  migrations: [
    {
      version: 1,
      description: 'baselines, their records, approvals of changes, watcher state',
      sql: {
        sqlite: `
CREATE TABLE baselines (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scope TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  approved_by TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX baselines_scope ON baselines (scope, active);
CREATE TABLE baseline_records (
  baseline_id INTEGER NOT NULL REFERENCES baselines (id) ON DELETE CASCADE,
  record_id TEXT NOT NULL,
  data TEXT NOT NULL,
  approved_by TEXT NOT NULL,
  approved_at BIGINT NOT NULL,
  PRIMARY KEY (baseline_id, record_id)
);
CREATE TABLE baseline_approvals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  baseline_id INTEGER NOT NULL REFERENCES baselines (id) ON DELETE CASCADE,
  record_id TEXT NOT NULL,
  change TEXT NOT NULL,
  before_data TEXT,
  after_data TEXT,
  approved_by TEXT NOT NULL,
  approved_at BIGINT NOT NULL
);
CREATE INDEX baseline_approvals_baseline ON baseline_approvals (baseline_id, approved_at);
CREATE TABLE baseline_observed (
  baseline_id INTEGER NOT NULL REFERENCES baselines (id) ON DELETE CASCADE,
  record_id TEXT NOT NULL,
  data TEXT,
  observed_at BIGINT NOT NULL,
  PRIMARY KEY (baseline_id, record_id)
);`,
        postgres: `
CREATE TABLE baselines (
  id BIGSERIAL PRIMARY KEY,
  scope TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  approved_by TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX baselines_scope ON baselines (scope, active);
CREATE TABLE baseline_records (
  baseline_id BIGINT NOT NULL REFERENCES baselines (id) ON DELETE CASCADE,
  record_id TEXT NOT NULL,
  data TEXT NOT NULL,
  approved_by TEXT NOT NULL,
  approved_at BIGINT NOT NULL,
  PRIMARY KEY (baseline_id, record_id)
);
CREATE TABLE baseline_approvals (
  id BIGSERIAL PRIMARY KEY,
  baseline_id BIGINT NOT NULL REFERENCES baselines (id) ON DELETE CASCADE,
  record_id TEXT NOT NULL,
  change TEXT NOT NULL,
  before_data TEXT,
  after_data TEXT,
  approved_by TEXT NOT NULL,
  approved_at BIGINT NOT NULL
);
CREATE INDEX baseline_approvals_baseline ON baseline_approvals (baseline_id, approved_at);
CREATE TABLE baseline_observed (
  baseline_id BIGINT NOT NULL REFERENCES baselines (id) ON DELETE CASCADE,
  record_id TEXT NOT NULL,
  data TEXT,
  observed_at BIGINT NOT NULL,
  PRIMARY KEY (baseline_id, record_id)
);`,
      },
    },
  ],
};

export interface BaselineInfo {
  id: number;
  scope: string;
  createdAt: number;
  approvedBy: string;
  note: string;
  records: number;
}

export interface StoredRecord {
  id: string;
  /** JSON text. */
  data: string;
  approvedBy: string;
  approvedAt: number;
}

/** One accepted difference: `after` null removes the record, `before` null adds it. */
export interface Approval {
  recordId: string;
  change: string;
  before: string | null;
  after: string | null;
}

export interface ApprovalEntry extends Approval {
  approvedBy: string;
  approvedAt: number;
}

function info(r: Record<string, unknown>, records: number): BaselineInfo {
  return {
    id: Number(r['id']),
    scope: String(r['scope']),
    createdAt: Number(r['created_at']),
    approvedBy: String(r['approved_by']),
    note: String(r['note'] ?? ''),
    records,
  };
}

export class BaselineRoom {
  constructor(private readonly db: Db) {}

  /** The baseline in force for a scope, if any. */
  async active(scope: string): Promise<BaselineInfo | undefined> {
    const rows = await this.db.query('SELECT id, scope, created_at, approved_by, note FROM baselines WHERE scope = $1 AND active = 1 ORDER BY id DESC LIMIT 1', [scope]);
    const r = rows[0];
    if (!r) return undefined;
    const n = await this.db.query('SELECT COUNT(*) AS n FROM baseline_records WHERE baseline_id = $1', [Number(r['id'])]);
    return info(r, Number(n[0]?.['n'] ?? 0));
  }

  /** Every scope that has a baseline in force. */
  async scopes(): Promise<BaselineInfo[]> {
    const rows = await this.db.query(
      'SELECT b.id, b.scope, b.created_at, b.approved_by, b.note, (SELECT COUNT(*) FROM baseline_records r WHERE r.baseline_id = b.id) AS n FROM baselines b WHERE b.active = 1 ORDER BY b.scope',
    );
    return rows.map((r) => info(r, Number(r['n'])));
  }

  /**
   * Makes `records` the approved baseline of `scope`. The previous one stays as history
   * (its row and approvals) but its records and watcher state are dropped.
   */
  async replace(scope: string, records: readonly { id: string; data: string }[], approvedBy: string, at: number, note = ''): Promise<BaselineInfo> {
    return this.db.transaction(async (tx) => {
      const old = await tx.query('SELECT id FROM baselines WHERE scope = $1 AND active = 1', [scope]);
      for (const o of old) {
        await tx.run('UPDATE baselines SET active = 0 WHERE id = $1', [Number(o['id'])]);
        await tx.run('DELETE FROM baseline_records WHERE baseline_id = $1', [Number(o['id'])]);
        await tx.run('DELETE FROM baseline_observed WHERE baseline_id = $1', [Number(o['id'])]);
      }
      const created = await tx.query('INSERT INTO baselines (scope, created_at, approved_by, note, active) VALUES ($1, $2, $3, $4, 1) RETURNING id', [scope, at, approvedBy, note]);
      const id = Number(created[0]!['id']);
      await tx.insertMany(
        'baseline_records',
        ['baseline_id', 'record_id', 'data', 'approved_by', 'approved_at'],
        records.map((r) => [id, r.id, r.data, approvedBy, at]),
      );
      return { id, scope, createdAt: at, approvedBy, note, records: records.length };
    });
  }

  async records(baselineId: number): Promise<StoredRecord[]> {
    const rows = await this.db.query('SELECT record_id, data, approved_by, approved_at FROM baseline_records WHERE baseline_id = $1 ORDER BY record_id', [baselineId]);
    return rows.map((r) => ({ id: String(r['record_id']), data: String(r['data']), approvedBy: String(r['approved_by']), approvedAt: Number(r['approved_at']) }));
  }

  /** Accepts changes: each record takes its `after` state (or leaves), the approval is logged, the watcher forgets it. */
  async approve(baselineId: number, approvals: readonly Approval[], approvedBy: string, at: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const a of approvals) {
        await tx.run('DELETE FROM baseline_records WHERE baseline_id = $1 AND record_id = $2', [baselineId, a.recordId]);
        if (a.after !== null)
          await tx.run('INSERT INTO baseline_records (baseline_id, record_id, data, approved_by, approved_at) VALUES ($1, $2, $3, $4, $5)', [
            baselineId,
            a.recordId,
            a.after,
            approvedBy,
            at,
          ]);
        await tx.run('DELETE FROM baseline_observed WHERE baseline_id = $1 AND record_id = $2', [baselineId, a.recordId]);
        await tx.run('INSERT INTO baseline_approvals (baseline_id, record_id, change, before_data, after_data, approved_by, approved_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          baselineId,
          a.recordId,
          a.change,
          a.before,
          a.after,
          approvedBy,
          at,
        ]);
      }
    });
  }

  async approvals(baselineId: number): Promise<ApprovalEntry[]> {
    const rows = await this.db.query(
      'SELECT record_id, change, before_data, after_data, approved_by, approved_at FROM baseline_approvals WHERE baseline_id = $1 ORDER BY approved_at, id',
      [baselineId],
    );
    return rows.map((r) => ({
      recordId: String(r['record_id']),
      change: String(r['change']),
      before: r['before_data'] === null ? null : String(r['before_data']),
      after: r['after_data'] === null ? null : String(r['after_data']),
      approvedBy: String(r['approved_by']),
      approvedAt: Number(r['approved_at']),
    }));
  }

  /** What a watcher last reported per record (null data: reported as gone). */
  async observed(baselineId: number): Promise<Map<string, string | null>> {
    const rows = await this.db.query('SELECT record_id, data FROM baseline_observed WHERE baseline_id = $1', [baselineId]);
    return new Map(rows.map((r) => [String(r['record_id']), r['data'] === null ? null : String(r['data'])]));
  }

  /** Remembers reported states; `forget` drops records that are back to their approved state. */
  async observe(baselineId: number, states: readonly { id: string; data: string | null }[], forget: readonly string[], at: number): Promise<void> {
    if (states.length === 0 && forget.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const id of [...forget, ...states.map((s) => s.id)]) await tx.run('DELETE FROM baseline_observed WHERE baseline_id = $1 AND record_id = $2', [baselineId, id]);
      await tx.insertMany(
        'baseline_observed',
        ['baseline_id', 'record_id', 'data', 'observed_at'],
        states.map((s) => [baselineId, s.id, s.data, at]),
      );
    });
  }
}
