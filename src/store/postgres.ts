/**
 * The shared store backend for several Warden processes (a cluster, a service with a
 * dashboard): PostgreSQL through `pg`. 64-bit integers come back as numbers (Warden keeps
 * epoch milliseconds and counters there, all well below 2^53).
 */
import pg from 'pg';
import { StoreError, checkIdentifier, type Db, type Row, type SqlValue } from './db.js';

const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
} as pg.CustomTypesConfig;

/** PostgreSQL allows 65535 bind parameters per statement. */
const MAX_PARAMS = 60000;

interface Queryable {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

class PgConnection implements Db {
  readonly dialect = 'postgres' as const;
  constructor(
    private readonly conn: Queryable,
    private readonly pool: pg.Pool | undefined,
    private readonly where: string,
  ) {}

  private async q(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    try {
      return await this.conn.query(sql, params as unknown[]);
    } catch (e) {
      throw new StoreError(`PostgreSQL ${this.where}: ${(e as Error).message}`, { cause: e });
    }
  }

  async query(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return (await this.q(sql, params)).rows as Row[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.q(sql, params)).rowCount ?? 0;
  }

  async insertMany(table: string, columns: readonly string[], rows: readonly SqlValue[][], onConflict?: string): Promise<void> {
    if (rows.length === 0) return;
    const head = `INSERT INTO ${checkIdentifier(table)} (${columns.map(checkIdentifier).join(', ')}) VALUES `;
    const perBatch = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
    for (let start = 0; start < rows.length; start += perBatch) {
      const batch = rows.slice(start, start + perBatch);
      const params: SqlValue[] = [];
      const tuples = batch.map((r) => {
        const marks = r.map((v) => {
          params.push(v);
          return `$${params.length}`;
        });
        return `(${marks.join(', ')})`;
      });
      await this.q(head + tuples.join(', ') + (onConflict ? ` ${onConflict}` : ''), params);
    }
  }

  async exec(sql: string): Promise<void> {
    await this.q(sql, []);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (!this.pool) return fn(this); // already inside one: join it
    const client = await this.pool.connect().catch((e: Error) => {
      throw new StoreError(`PostgreSQL ${this.where}: ${e.message}`, { cause: e });
    });
    const tx = new PgConnection(client, undefined, this.where);
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

export async function openPostgres(url: string): Promise<Db> {
  const where = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 4, types, connectionTimeoutMillis: 10000 });
  // an idle client losing its connection must not take the process down
  pool.on('error', () => undefined);
  try {
    const c = await pool.connect();
    c.release();
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new StoreError(`cannot connect to PostgreSQL ${where}: ${(e as Error).message}`, { cause: e });
  }
  return new PgConnection(pool, pool, where);
}
