import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/pool.js';

export interface Account {
  id: string;
  email: string;
  createdAt: Date;
  /** Bumped (by a trigger) whenever records of the account are deleted; part of the binder's cache stamp. */
  binderVersion: string;
}

interface AccountRow {
  id: string;
  email: string;
  password_hash: string;
  created_at: Date;
  binder_version: string;
}

const toAccount = (row: AccountRow): Account => ({ id: row.id, email: row.email, createdAt: row.created_at, binderVersion: row.binder_version });

export function hashSessionToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function createAccountRepository(db: Queryable) {
  return {
    /** Returns null when the email is taken (case-insensitively). */
    async create(email: string, passwordHash: string): Promise<Account | null> {
      const { rows } = await db.query<AccountRow>(
        `INSERT INTO accounts (email, password_hash) VALUES ($1, $2)
         ON CONFLICT ((lower(email))) DO NOTHING
         RETURNING id, email, password_hash, created_at, binder_version`,
        [email, passwordHash],
      );
      return rows[0] ? toAccount(rows[0]) : null;
    },

    async findCredentials(email: string): Promise<{ account: Account; passwordHash: string } | null> {
      const { rows } = await db.query<AccountRow>(
        'SELECT id, email, password_hash, created_at, binder_version FROM accounts WHERE lower(email) = lower($1)',
        [email],
      );
      const row = rows[0];
      return row ? { account: toAccount(row), passwordHash: row.password_hash } : null;
    },

    /** Creates a session and returns its token; only the token's hash is stored. */
    async createSession(accountId: string, ttlMs: number): Promise<{ token: string; expiresAt: Date }> {
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(Date.now() + ttlMs);
      await db.query('INSERT INTO sessions (token_hash, account_id, expires_at) VALUES ($1, $2, $3)', [
        hashSessionToken(token),
        accountId,
        expiresAt,
      ]);
      return { token, expiresAt };
    },

    async findSessionAccount(token: string): Promise<Account | null> {
      const { rows } = await db.query<AccountRow>(
        `SELECT a.id, a.email, a.password_hash, a.created_at, a.binder_version
           FROM sessions s JOIN accounts a ON a.id = s.account_id
          WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
        [hashSessionToken(token)],
      );
      return rows[0] ? toAccount(rows[0]) : null;
    },

    async revokeSession(token: string): Promise<void> {
      await db.query('UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL', [hashSessionToken(token)]);
    },
  };
}

export type AccountRepository = ReturnType<typeof createAccountRepository>;
