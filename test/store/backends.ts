/**
 * The store backends the tests run against: a SQLite file in a fresh temporary folder always,
 * and the local PostgreSQL (127.0.0.1:5432, user postgres, trust auth) in a temporary
 * database created for this run and dropped after it, when one answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StoreOptions } from '../../src/store/store.js';

export const PG_ADMIN_URL = process.env['WARDEN_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Fresh, empty store options for one test. */
  fresh(): Promise<StoreOptions>;
  /** Removes everything made; call once after the tests. */
  cleanup(): Promise<void>;
}

export function sqliteBackend(): Backend {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    async fresh() {
      const d = mkdtempSync(join(tmpdir(), 'warden-store-'));
      dirs.push(d);
      return { data: d };
    },
    async cleanup() {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** The PostgreSQL backend, or the reason it cannot be used here (the tests skip with it). */
export async function postgresBackend(): Promise<Backend | string> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (e) {
    return `no PostgreSQL answers at ${PG_ADMIN_URL} (${(e as Error).message}); the PostgreSQL store tests are skipped`;
  }
  const made: string[] = [];
  const base = `warden_test_${process.pid}_${Date.now().toString(36)}`;
  return {
    name: 'postgres',
    async fresh() {
      const name = `${base}_${made.length}`;
      await admin.query(`CREATE DATABASE ${name}`);
      made.push(name);
      const u = new URL(PG_ADMIN_URL);
      u.pathname = `/${name}`;
      return { url: u.toString() };
    },
    async cleanup() {
      for (const name of made) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
