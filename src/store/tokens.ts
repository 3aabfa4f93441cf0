/**
 * The tokens room: API bearer tokens with a role. A token is shown once, when it is made;
 * the store keeps only the SHA-256 of its secret part (the secret is 32 random bytes, so a
 * plain hash is enough: there is nothing to brute-force), and the id before it finds the row.
 * Revoked tokens stay listed with the time they were revoked.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from './db.js';
import type { SchemaComponent } from './migrations.js';

export const TOKENS_SCHEMA: SchemaComponent = {
  name: 'tokens',
  migrations: [
    {
      version: 1,
      description: 'API tokens (hashed) with roles',
      sql: `
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  name TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,
  last_used_at BIGINT
);
`,
    },
  ],
};

export const ROLES = ['ingest', 'read', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenInfo {
  id: string;
  role: Role;
  name: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

const TOKEN_RE = /^wdn_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

export class TokenRoom {
  /** id → last-used time not yet written (written at most once a minute per token). */
  private readonly touched = new Map<string, number>();

  constructor(private readonly db: Db) {}

  /** Makes a token; the returned `token` is the only time its secret exists outside the caller. */
  async create(role: Role, name = '', now = Date.now()): Promise<{ token: string; info: TokenInfo }> {
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    await this.db.run('INSERT INTO api_tokens (id, role, name, hash, created_at) VALUES ($1, $2, $3, $4, $5)', [id, role, name, hashSecret(secret), now]);
    return { token: `wdn_${id}_${secret}`, info: { id, role, name, createdAt: now, revokedAt: null, lastUsedAt: null } };
  }

  async list(): Promise<TokenInfo[]> {
    const rows = await this.db.query('SELECT id, role, name, created_at, revoked_at, last_used_at FROM api_tokens ORDER BY created_at, id');
    return rows.map((r) => ({
      id: String(r.id),
      role: String(r.role) as Role,
      name: String(r.name),
      createdAt: Number(r.created_at),
      revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
      lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    }));
  }

  /** Revokes a token by id; false when there is no such token (or it was revoked already). */
  async revoke(id: string, now = Date.now()): Promise<boolean> {
    return (await this.db.run('UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, id])) > 0;
  }

  /** The token's id and role when it is valid and not revoked. */
  async verify(token: string, now = Date.now()): Promise<{ id: string; role: Role } | undefined> {
    const m = TOKEN_RE.exec(token);
    if (!m) return undefined;
    const [, id, secret] = m as unknown as [string, string, string];
    const rows = await this.db.query('SELECT role, hash, revoked_at FROM api_tokens WHERE id = $1', [id]);
    const r = rows[0];
    if (!r || r.revoked_at !== null) return undefined;
    const want = Buffer.from(String(r.hash), 'hex');
    const got = Buffer.from(hashSecret(secret), 'hex');
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    const role = String(r.role);
    if (!isRole(role)) return undefined;
    const last = this.touched.get(id) ?? 0;
    if (now - last > 60_000) {
      this.touched.set(id, now);
      await this.db.run('UPDATE api_tokens SET last_used_at = $1 WHERE id = $2', [now, id]);
    }
    return { id, role };
  }
}
