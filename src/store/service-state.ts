/**
 * The service room: what a running pipeline must find again after a restart or a crash —
 * its state (open correlation windows, incidents) together with the positions of its
 * sources at the moment the state was taken, per partition (one for a single service; one
 * per JetStream partition in a cluster) — and each source's latest committed position.
 */
import type { Db } from './db.js';
import type { SchemaComponent } from './migrations.js';

export const SERVICE_SCHEMA: SchemaComponent = {
  name: 'service',
  migrations: [
    {
      version: 1,
      description: 'pipeline state per partition, source positions',
      sql: `
CREATE TABLE pipeline_state (
  partition TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  positions TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE source_positions (
  source TEXT PRIMARY KEY,
  position TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
`,
    },
  ],
};

export interface SavedState {
  state: string;
  positions: string;
  updatedAt: number;
}

export class ServiceRoom {
  constructor(private readonly db: Db) {}

  async saveState(partition: string, state: string, positions: string, db: Db = this.db, now = Date.now()): Promise<void> {
    await db.run(
      'INSERT INTO pipeline_state (partition, state, positions, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (partition) DO UPDATE SET state = excluded.state, positions = excluded.positions, updated_at = excluded.updated_at',
      [partition, state, positions, now],
    );
  }

  async loadState(partition: string, db: Db = this.db): Promise<SavedState | undefined> {
    const r = (await db.query('SELECT state, positions, updated_at FROM pipeline_state WHERE partition = $1', [partition]))[0];
    return r ? { state: String(r.state), positions: String(r.positions), updatedAt: Number(r.updated_at) } : undefined;
  }

  /**
   * The saved state, with the row locked until the transaction `db` ends (PostgreSQL), so
   * two processes that both believe they own a partition cannot both commit to it.
   */
  async lockState(partition: string, db: Db): Promise<SavedState | undefined> {
    const lock = db.dialect === 'postgres' ? ' FOR UPDATE' : '';
    const r = (await db.query(`SELECT state, positions, updated_at FROM pipeline_state WHERE partition = $1${lock}`, [partition]))[0];
    return r ? { state: String(r.state), positions: String(r.positions), updatedAt: Number(r.updated_at) } : undefined;
  }

  async savePositions(positions: ReadonlyMap<string, string>, db: Db = this.db, now = Date.now()): Promise<void> {
    if (positions.size === 0) return;
    await db.insertMany(
      'source_positions',
      ['source', 'position', 'updated_at'],
      [...positions].map(([s, p]) => [s, p, now]),
      'ON CONFLICT (source) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at',
    );
  }

  async loadPositions(db: Db = this.db): Promise<Map<string, string>> {
    const rows = await db.query('SELECT source, position FROM source_positions');
    return new Map(rows.map((r) => [String(r.source), String(r.position)]));
  }
}
