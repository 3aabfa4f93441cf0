/**
 * Warden's persistent store: one interface over a SQLite file (`<data>/warden.db`, the
 * default, nothing to set up) or PostgreSQL (`--store postgres://...`, shared by several
 * processes). Opening it applies every room's pending migrations. Rooms are plain classes
 * over the `Db` connection; each owns its tables and its migration sequence.
 */
import { join, resolve } from 'node:path';
import { ALERTS_SCHEMA, AlertsRoom } from './alerts.js';
import { BASELINES_SCHEMA, BaselineRoom } from './baselines.js';
import { SERVICE_SCHEMA, ServiceRoom } from './service-state.js';
import { StoreError, type Db } from './db.js';
import { migrate, type SchemaComponent } from './migrations.js';
import { openPostgres, redactUrl } from './postgres.js';
import { openSqlite } from './sqlite.js';
import { TOKENS_SCHEMA, TokenRoom } from './tokens.js';

export interface StoreOptions {
  /** Data folder; the SQLite file is `<data>/warden.db`. Default `./warden-data`. */
  data?: string;
  /** A postgres:// or postgresql:// URL; when given, `data` is not used for the store. */
  url?: string;
}

/** Every room's schema, in the order their migrations run. Later rooms append here. */
export const SCHEMA: readonly SchemaComponent[] = [BASELINES_SCHEMA, ALERTS_SCHEMA, SERVICE_SCHEMA, TOKENS_SCHEMA];

export const DEFAULT_DATA_DIR = 'warden-data';

export interface Store {
  readonly db: Db;
  /** Where the data lives, for messages (the SQLite path, or the URL without its password). */
  readonly location: string;
  readonly baselines: BaselineRoom;
  readonly alerts: AlertsRoom;
  readonly service: ServiceRoom;
  readonly tokens: TokenRoom;
  close(): Promise<void>;
}

export function isPostgresUrl(s: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(s);
}

export async function openStore(opts: StoreOptions = {}): Promise<Store> {
  let db: Db;
  let location: string;
  if (opts.url !== undefined) {
    if (!isPostgresUrl(opts.url)) throw new StoreError(`--store must be a postgres:// URL, got ${JSON.stringify(redactUrl(opts.url))}`);
    db = await openPostgres(opts.url);
    location = redactUrl(opts.url);
  } else {
    location = join(resolve(opts.data ?? DEFAULT_DATA_DIR), 'warden.db');
    db = openSqlite(location);
  }
  try {
    await migrate(db, SCHEMA);
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
  return { db, location, baselines: new BaselineRoom(db), alerts: new AlertsRoom(db), service: new ServiceRoom(db), tokens: new TokenRoom(db), close: () => db.close() };
}
