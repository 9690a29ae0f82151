// The secrets-maintenance queue. Key rotation, finished: secrets sealed under an older key
// (CAREBINDER_OLD_SECRET_KEYS) are re-sealed under the current one by a background job, so the
// old key can then be retired. Queued at every worker start; the job id makes it run once per
// current key. The sealing itself is src/crypto/secret-box.ts; which columns hold secrets, and
// under which context each row is sealed, is the portals' knowledge, used here.
import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import { needsResealing, type SecretBox } from '../crypto/secret-box.js';
import type { Pool } from '../db/pool.js';
import { tokenContext } from '../portals/links.js';
import { secretContext } from '../portals/registry.js';

export const SECRETS_QUEUE = 'secrets-maintenance';

export interface ResealJobData {
  readonly keyId: string;
}

export interface ResealJob {
  readonly name: 'reseal';
  readonly data: ResealJobData;
}

export type SecretsQueue = Queue<ResealJobData, unknown, ResealJob['name']>;

export interface ResealOutcome {
  /** Secrets now sealed under the current key. */
  resealed: number;
  /** Secrets under a key that is not configured: left as they are (they cannot be read either). */
  unreadable: number;
}

export async function enqueueReseal(queue: SecretsQueue, box: SecretBox): Promise<void> {
  await queue.add('reseal', { keyId: box.keyId }, { jobId: `reseal-${box.keyId}`, removeOnComplete: false });
}

/** The sealed columns: each row's ciphertext is bound to its own context (see secret-box.ts). */
const SEALED_COLUMNS = [
  { table: 'links', key: 'id', column: 'tokens_enc', context: tokenContext },
  { table: 'portals', key: 'id', column: 'client_secret_enc', context: secretContext },
] as const;

export async function processReseal(job: Pick<Job<ResealJobData>, 'data'>, deps: { pool: Pool; box: SecretBox; log: Logger }): Promise<ResealOutcome> {
  if (job.data.keyId !== deps.box.keyId) return { resealed: 0, unreadable: 0 }; // queued by a worker with another key
  return resealSecrets(deps.pool, deps.box, deps.log);
}

export async function resealSecrets(pool: Pool, box: SecretBox, log: Logger): Promise<ResealOutcome> {
  const outcome: ResealOutcome = { resealed: 0, unreadable: 0 };
  for (const { table, key, column, context } of SEALED_COLUMNS) {
    // Links and portals are few per deployment; which key sealed a value is secret-box's to say.
    const { rows } = await pool.query<{ id: string; sealed: string }>(`SELECT ${key}::text AS id, ${column} AS sealed FROM ${table} WHERE ${column} IS NOT NULL`);
    for (const row of rows) {
      if (!needsResealing(row.sealed, box)) continue;
      let plaintext: string;
      try {
        plaintext = box.open(row.sealed, context(row.id));
      } catch (error) {
        outcome.unreadable++;
        log.warn({ table, id: row.id, reason: (error as Error).message }, 'a secret could not be re-sealed');
        continue;
      }
      // Compare-and-set: a token refresh that wrote a new secret meanwhile wins (it is sealed under the current key).
      const result = await pool.query(`UPDATE ${table} SET ${column} = $2 WHERE ${key}::text = $1 AND ${column} = $3`, [row.id, box.seal(plaintext, context(row.id)), row.sealed]);
      outcome.resealed += result.rowCount ?? 0;
    }
  }
  if (outcome.resealed > 0 || outcome.unreadable > 0) log.info({ ...outcome, keyId: box.keyId }, 're-sealed secrets under the current key');
  return outcome;
}
