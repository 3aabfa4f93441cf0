/**
 * Versioned schema migrations, applied when a store opens. Each room of the store (baselines
 * today; alerts, tokens, detections later) owns its own numbered sequence, tracked per room in
 * `schema_migrations(component, version)`, so a new room never renumbers another's.
 */
import { StoreError, type Db, type Dialect } from './db.js';

export interface Migration {
  version: number;
  description: string;
  /** One script for both backends, or one per backend where their SQL differs. */
  sql: string | Record<Dialect, string>;
}

export interface SchemaComponent {
  /** The room's name in schema_migrations, e.g. 'baselines'. */
  name: string;
  migrations: readonly Migration[];
}

const BOOKKEEPING = `CREATE TABLE IF NOT EXISTS schema_migrations (
  component TEXT NOT NULL,
  version INTEGER NOT NULL,
  description TEXT NOT NULL,
  applied_at BIGINT NOT NULL,
  PRIMARY KEY (component, version)
)`;

function check(component: SchemaComponent): void {
  let last = 0;
  for (const m of component.migrations) {
    if (!Number.isInteger(m.version) || m.version !== last + 1)
      throw new StoreError(`migrations of ${component.name} must be numbered 1, 2, 3, ... (found ${m.version} after ${last})`);
    last = m.version;
  }
}

async function appliedVersions(db: Db, component: string): Promise<Set<number>> {
  const rows = await db.query('SELECT version FROM schema_migrations WHERE component = $1', [component]);
  return new Set(rows.map((r) => Number(r['version'])));
}

/** Brings every component's tables up to its newest version; returns what it applied. */
export async function migrate(db: Db, components: readonly SchemaComponent[], now: () => number = Date.now): Promise<string[]> {
  for (const c of components) check(c);
  await db.exec(BOOKKEEPING);
  const applied: string[] = [];
  for (const c of components) {
    const have = await appliedVersions(db, c.name);
    const newest = Math.max(0, ...have);
    const known = c.migrations.length;
    if (newest > known) throw new StoreError(`the store's ${c.name} tables are at version ${newest}, newer than this build of Warden knows (${known}); upgrade Warden`);
    for (const m of c.migrations) {
      if (have.has(m.version)) continue;
      await db.transaction(async (tx) => {
        // two processes opening a fresh store at once: the second waits, then sees the work done
        if (tx.dialect === 'postgres') await tx.query("SELECT pg_advisory_xact_lock(hashtext('warden schema_migrations'))");
        const again = await tx.query('SELECT 1 AS done FROM schema_migrations WHERE component = $1 AND version = $2', [c.name, m.version]);
        if (again.length > 0) return;
        const sql = typeof m.sql === 'string' ? m.sql : m.sql[tx.dialect];
        try {
          await tx.exec(sql);
        } catch (e) {
          throw new StoreError(`migration ${c.name} #${m.version} (${m.description}) failed: ${(e as Error).message}`, { cause: e });
        }
        await tx.run('INSERT INTO schema_migrations (component, version, description, applied_at) VALUES ($1, $2, $3, $4)', [c.name, m.version, m.description, now()]);
        applied.push(`${c.name}#${m.version}`);
      });
    }
  }
  return applied;
}

/** component → newest applied version. */
export async function schemaVersions(db: Db): Promise<Map<string, number>> {
  const rows = await db.query('SELECT component, MAX(version) AS v FROM schema_migrations GROUP BY component');
  return new Map(rows.map((r) => [String(r['component']), Number(r['v'])]));
}
