/**
 * The SQL connection a store room talks to, the same for SQLite and PostgreSQL. Rooms
 * write SQL with PostgreSQL-style `$1` placeholders; the SQLite side rewrites them. Values
 * are text, numbers (64-bit integers come back as numbers on both sides) and null.
 */

export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  readonly dialect: Dialect;
  /** Rows of a SELECT (or of a statement with RETURNING). */
  query(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** A statement without rows; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Several rows into one table, batched (a single statement per batch on PostgreSQL).
   * `onConflict` is appended to each statement, e.g. `ON CONFLICT (id) DO NOTHING` (same
   * syntax on both backends).
   */
  insertMany(table: string, columns: readonly string[], rows: readonly SqlValue[][], onConflict?: string): Promise<void>;
  /** Runs `fn` inside one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Several statements separated by semicolons, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** A storage failure with what was being done and where. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** Table and column names are written by the rooms, never taken from input; checked anyway. */
export function checkIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new StoreError(`bad SQL identifier ${JSON.stringify(name)}`);
  return name;
}
