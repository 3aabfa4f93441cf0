/**
 * The alert outbox: alerts are queued in the same transaction as the incident change that
 * caused them, and sent afterwards with retries, so an alert survives a crash or a restart and
 * a replay after one never queues it twice (its id is channel + incident + level).
 */
import type { Db } from './db.js';
import type { SchemaComponent } from './migrations.js';

export const OUTBOX_SCHEMA: SchemaComponent = {
  name: 'outbox',
  migrations: [
    {
      version: 1,
      description: 'alert outbox with retry state',
      sql: `
CREATE TABLE alert_outbox (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  level_rank INTEGER NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  next_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  sent_at BIGINT,
  last_error TEXT
);
CREATE INDEX alert_outbox_due ON alert_outbox (sent_at, next_at);
CREATE INDEX alert_outbox_incident ON alert_outbox (channel, incident_id);
`,
    },
  ],
};

export interface OutboxItem {
  id: string;
  channel: string;
  incidentId: string;
  levelRank: number;
  payload: string;
  attempts: number;
}

export class OutboxRoom {
  constructor(private readonly db: Db) {}

  async enqueue(items: readonly Omit<OutboxItem, 'attempts'>[], db: Db = this.db, now = Date.now()): Promise<void> {
    await db.insertMany(
      'alert_outbox',
      ['id', 'channel', 'incident_id', 'level_rank', 'payload', 'created_at', 'next_at'],
      items.map((i) => [i.id, i.channel, i.incidentId, i.levelRank, i.payload, now, now]),
      'ON CONFLICT (id) DO NOTHING',
    );
  }

  /** The highest level already queued for this incident on this channel, or -1. */
  async alertedRank(channel: string, incidentId: string, db: Db = this.db): Promise<number> {
    const r = await db.query('SELECT MAX(level_rank) AS r FROM alert_outbox WHERE channel = $1 AND incident_id = $2', [channel, incidentId]);
    const v = r[0]?.r;
    return v === null || v === undefined ? -1 : Number(v);
  }

  async due(now = Date.now(), limit = 50): Promise<OutboxItem[]> {
    const rows = await this.db.query(
      `SELECT id, channel, incident_id, level_rank, payload, attempts FROM alert_outbox WHERE sent_at IS NULL AND next_at <= $1 ORDER BY next_at, id LIMIT ${limit}`,
      [now],
    );
    return rows.map((r) => ({
      id: String(r.id),
      channel: String(r.channel),
      incidentId: String(r.incident_id),
      levelRank: Number(r.level_rank),
      payload: String(r.payload),
      attempts: Number(r.attempts),
    }));
  }

  async sent(id: string, now = Date.now()): Promise<void> {
    await this.db.run('UPDATE alert_outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2', [now, id]);
  }

  async failed(id: string, nextAt: number, error: string): Promise<void> {
    await this.db.run('UPDATE alert_outbox SET attempts = attempts + 1, next_at = $1, last_error = $2 WHERE id = $3', [nextAt, error.slice(0, 500), id]);
  }

  async pending(): Promise<number> {
    return Number((await this.db.query('SELECT COUNT(*) AS n FROM alert_outbox WHERE sent_at IS NULL'))[0]?.n ?? 0);
  }
}
