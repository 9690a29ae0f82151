// The shares tables (migrations/0013_shares.sql). Everything a patient asks for is scoped to their
// account; everything a recipient asks for is found by the SHA-256 of a random name. No key is
// ever written here: the repository never sees one.
import type { Pool, Queryable } from '../db/pool.js';
import { inTransaction } from '../db/pool.js';
import type { ShareContent } from './snapshot.js';

export type ShareState = 'active' | 'expired' | 'revoked' | 'locked';
export type AccessOutcome = 'served' | 'wrong-passcode' | 'locked';

export interface Share {
  id: string;
  accountId: string;
  label: string;
  contents: ShareContent[];
  passcodeHash: string | null;
  attemptsLeft: number;
  expiresAt: Date;
  revokedAt: Date | null;
  createdAt: Date;
  accessCount: number;
  lastAccessAt: Date | null;
}

export interface ShareAccess {
  at: Date;
  recipient: string;
  address: string;
  outcome: AccessOutcome;
}

interface ShareRow {
  id: string;
  account_id: string;
  label: string;
  contents: ShareContent[];
  passcode_hash: string | null;
  attempts_left: number;
  expires_at: Date;
  revoked_at: Date | null;
  created_at: Date;
  access_count: number;
  last_access_at: Date | null;
}

const COLUMNS = `s.id, s.account_id, s.label, s.contents, s.passcode_hash, s.attempts_left, s.expires_at, s.revoked_at, s.created_at,
  (SELECT count(*)::int FROM share_accesses a WHERE a.share_id = s.id) AS access_count,
  (SELECT max(a.at) FROM share_accesses a WHERE a.share_id = s.id) AS last_access_at`;

const toShare = (row: ShareRow): Share => ({
  id: row.id,
  accountId: row.account_id,
  label: row.label,
  contents: row.contents,
  passcodeHash: row.passcode_hash,
  attemptsLeft: row.attempts_left,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  createdAt: row.created_at,
  accessCount: row.access_count,
  lastAccessAt: row.last_access_at,
});

/** Revoked beats locked beats expired: the state says what the patient did before what time did. */
export function shareState(share: Pick<Share, 'revokedAt' | 'attemptsLeft' | 'expiresAt'>, now = new Date()): ShareState {
  if (share.revokedAt) return 'revoked';
  if (share.attemptsLeft <= 0) return 'locked';
  if (share.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

// A share that can still be opened.
const ACTIVE = `s.revoked_at IS NULL AND s.attempts_left > 0 AND s.expires_at > now()`;

export interface NewShare {
  accountId: string;
  manifestHash: Buffer;
  label: string;
  contents: ShareContent[];
  passcodeHash: string | null;
  attempts: number;
  expiresAt: Date;
  files: Array<{ contentType: string; jwe: string }>;
}

export function createShareRepository(db: Pool) {
  return {
    async create(share: NewShare): Promise<Share> {
      return inTransaction(db, async (client) => {
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO shares (account_id, manifest_hash, label, contents, passcode_hash, attempts_left, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [share.accountId, share.manifestHash, share.label, share.contents, share.passcodeHash, share.attempts, share.expiresAt],
        );
        const id = rows[0].id;
        for (const [position, file] of share.files.entries()) {
          await client.query('INSERT INTO share_files (share_id, position, content_type, jwe) VALUES ($1, $2, $3, $4)', [
            id,
            position,
            file.contentType,
            Buffer.from(file.jwe, 'ascii'),
          ]);
        }
        return (await findById(client, id))!;
      });
    },

    async listForAccount(accountId: string): Promise<Share[]> {
      await purgeClosedFiles(db, accountId);
      const { rows } = await db.query<ShareRow>(`SELECT ${COLUMNS} FROM shares s WHERE s.account_id = $1 ORDER BY s.created_at DESC, s.id`, [accountId]);
      return rows.map(toShare);
    },

    async findForAccount(id: string, accountId: string): Promise<{ share: Share; accesses: ShareAccess[] } | null> {
      const { rows } = await db.query<ShareRow>(`SELECT ${COLUMNS} FROM shares s WHERE s.id = $1 AND s.account_id = $2`, [id, accountId]);
      const row = rows[0];
      if (!row) return null;
      const { rows: accesses } = await db.query<ShareAccess>(
        'SELECT at, recipient, address, outcome FROM share_accesses WHERE share_id = $1 ORDER BY at DESC, id DESC LIMIT 500',
        [id],
      );
      return { share: toShare(row), accesses };
    },

    /** Revokes the share and deletes its ciphertext. False when the account has no such share. */
    async revoke(id: string, accountId: string): Promise<boolean> {
      return inTransaction(db, async (client) => {
        const { rowCount } = await client.query('UPDATE shares SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND account_id = $2', [id, accountId]);
        if (!rowCount) return false;
        await client.query('DELETE FROM share_files WHERE share_id = $1', [id]);
        return true;
      });
    },

    /** The share a manifest URL names, if it can still be opened. */
    async findOpenByManifest(manifestHash: Buffer): Promise<Share | null> {
      const { rows } = await db.query<ShareRow>(`SELECT ${COLUMNS} FROM shares s WHERE s.manifest_hash = $1 AND ${ACTIVE}`, [manifestHash]);
      return rows[0] ? toShare(rows[0]) : null;
    },

    /**
     * Spends one passcode attempt; returns what is left (0: the link is now disabled for good, and
     * its ciphertext deleted), or null when none was left to spend.
     */
    async spendAttempt(id: string): Promise<number | null> {
      return inTransaction(db, async (client) => {
        const { rows } = await client.query<{ attempts_left: number }>(
          'UPDATE shares SET attempts_left = attempts_left - 1 WHERE id = $1 AND attempts_left > 0 RETURNING attempts_left',
          [id],
        );
        const left = rows[0]?.attempts_left ?? null;
        if (left === 0) await client.query('DELETE FROM share_files WHERE share_id = $1', [id]);
        return left;
      });
    },

    async recordAccess(shareId: string, access: Omit<ShareAccess, 'at'>): Promise<void> {
      await db.query('INSERT INTO share_accesses (share_id, recipient, address, outcome) VALUES ($1, $2, $3, $4)', [
        shareId,
        access.recipient,
        access.address,
        access.outcome,
      ]);
    },

    /** The share's encrypted files, in order. */
    async files(shareId: string): Promise<Array<{ position: number; contentType: string; jwe: string }>> {
      const { rows } = await db.query<{ position: number; content_type: string; jwe: Buffer }>(
        'SELECT position, content_type, jwe FROM share_files WHERE share_id = $1 ORDER BY position',
        [shareId],
      );
      return rows.map((row) => ({ position: row.position, contentType: row.content_type, jwe: row.jwe.toString('ascii') }));
    },

    /** Short-lived locations for some of the share's files; expired ones of this share are dropped. */
    async addLocations(shareId: string, locations: ReadonlyArray<{ tokenHash: Buffer; position: number }>, expiresAt: Date): Promise<void> {
      await db.query('DELETE FROM share_file_locations WHERE share_id = $1 AND expires_at <= now()', [shareId]);
      if (locations.length === 0) return;
      await db.query(
        `INSERT INTO share_file_locations (token_hash, share_id, position, expires_at)
         SELECT t, $1, p, $4 FROM unnest($2::bytea[], $3::int[]) AS l(t, p)`,
        [shareId, locations.map((l) => l.tokenHash), locations.map((l) => l.position), expiresAt],
      );
    },

    /** The ciphertext behind a location, if the location and its share are both still live. */
    async readLocation(tokenHash: Buffer): Promise<string | null> {
      const { rows } = await db.query<{ jwe: Buffer }>(
        `SELECT f.jwe FROM share_file_locations l
           JOIN share_files f ON f.share_id = l.share_id AND f.position = l.position
           JOIN shares s ON s.id = l.share_id
          WHERE l.token_hash = $1 AND l.expires_at > now() AND ${ACTIVE}`,
        [tokenHash],
      );
      return rows[0]?.jwe.toString('ascii') ?? null;
    },
  };
}

export type ShareRepository = ReturnType<typeof createShareRepository>;

async function findById(db: Queryable, id: string): Promise<Share | null> {
  const { rows } = await db.query<ShareRow>(`SELECT ${COLUMNS} FROM shares s WHERE s.id = $1`, [id]);
  return rows[0] ? toShare(rows[0]) : null;
}

/** Ciphertext nobody can fetch any more (expired, revoked or locked links) is not kept. */
async function purgeClosedFiles(db: Queryable, accountId: string): Promise<void> {
  await db.query(
    `DELETE FROM share_files f USING shares s
      WHERE f.share_id = s.id AND s.account_id = $1 AND NOT (${ACTIVE})`,
    [accountId],
  );
}
