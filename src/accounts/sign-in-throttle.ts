// Slowing down password guessing without handing an attacker a lock on someone else's account.
//
// Each sign-in attempt is charged to "buckets", each with a few free failures and then a wait that
// doubles with every further failure, up to a cap; an attempt inside the wait is refused (429)
// without its password being tried and without being counted. Which buckets depends on the client:
// - a browser presenting a valid device cookie for the account: only its own `device` bucket, so no
//   failure anyone else sends ever slows it (see device-cookies.ts);
// - any other client: the `account-address` bucket (this e-mail from this address: one address
//   guessing is slowed alone), the `address` bucket (one address trying many e-mails) and the
//   `account` bucket (many addresses guessing one e-mail; this one slows every untrusted client of
//   the account, which is why the owner's own browsers do not use it).
// Unknown e-mails have buckets exactly like known ones, so the answers reveal nothing.
//
// An attempt is charged before its password is checked, atomically across its buckets (one
// transaction under row locks), so parallel requests cannot slip more guesses through than the
// allowance; a successful sign-in then gives the charge back. Bucket names are SHA-256 hashes:
// the table holds no e-mail address or IP address.
import { createHash } from 'node:crypto';
import { inTransaction, type Pool } from '../db/pool.js';

export type BucketKind = 'device' | 'account-address' | 'address' | 'account';

export interface ThrottleRule {
  /** Failures allowed before any wait. */
  freeFailures: number;
  /** The wait after the first failure beyond the free ones; it doubles with each further failure. */
  firstWaitSeconds: number;
  maxWaitSeconds: number;
}

export interface SignInThrottlePolicy {
  rules: Record<BucketKind, ThrottleRule>;
  /** A bucket with no failure for this long starts again from zero. */
  forgetAfterSeconds: number;
}

export const DEFAULT_SIGN_IN_THROTTLE: SignInThrottlePolicy = {
  rules: {
    device: { freeFailures: 10, firstWaitSeconds: 1, maxWaitSeconds: 15 * 60 },
    'account-address': { freeFailures: 5, firstWaitSeconds: 1, maxWaitSeconds: 15 * 60 },
    address: { freeFailures: 20, firstWaitSeconds: 1, maxWaitSeconds: 15 * 60 },
    account: { freeFailures: 10, firstWaitSeconds: 1, maxWaitSeconds: 15 * 60 },
  },
  forgetAfterSeconds: 24 * 3600,
};

export interface Bucket {
  kind: BucketKind;
  /** The hashed name stored in the table. */
  id: Buffer;
}

export function bucket(kind: BucketKind, ...parts: string[]): Bucket {
  return { kind, id: createHash('sha256').update([kind, ...parts].join('\n')).digest() };
}

/** Seconds a bucket must rest after its last failure before the next attempt: 0 within the free failures. */
export function requiredWaitSeconds(failures: number, rule: ThrottleRule): number {
  if (failures < rule.freeFailures) return 0;
  return Math.min(rule.maxWaitSeconds, rule.firstWaitSeconds * 2 ** Math.min(failures - rule.freeFailures, 40));
}

export interface Refusal {
  kind: BucketKind;
  retryAfterSeconds: number;
}

export interface BucketState {
  failures: number;
  secondsSinceLastFailure: number;
}

/** The bucket that holds this attempt back longest, or null when every bucket lets it through. */
export function refusalFor(buckets: Bucket[], states: Map<string, BucketState>, policy: SignInThrottlePolicy): Refusal | null {
  let worst: Refusal | null = null;
  for (const b of buckets) {
    const state = states.get(b.id.toString('hex'));
    if (!state || state.secondsSinceLastFailure >= policy.forgetAfterSeconds) continue;
    const remaining = requiredWaitSeconds(state.failures, policy.rules[b.kind]) - state.secondsSinceLastFailure;
    if (remaining > 0 && (worst === null || remaining > worst.retryAfterSeconds)) worst = { kind: b.kind, retryAfterSeconds: remaining };
  }
  return worst && { kind: worst.kind, retryAfterSeconds: Math.max(1, Math.ceil(worst.retryAfterSeconds)) };
}

export function createSignInThrottle(pool: Pool, policy: SignInThrottlePolicy = DEFAULT_SIGN_IN_THROTTLE) {
  const sorted = (buckets: Bucket[]) => [...buckets].sort((a, b) => Buffer.compare(a.id, b.id));

  /** Drops a few buckets nobody failed in for `forgetAfterSeconds`; skips rows in use. */
  async function forgetStale(): Promise<void> {
    await pool.query(
      `DELETE FROM sign_in_throttle WHERE ctid IN (
         SELECT ctid FROM sign_in_throttle WHERE last_failure_at < now() - make_interval(secs => $1)
          LIMIT 100 FOR UPDATE SKIP LOCKED)`,
      [policy.forgetAfterSeconds],
    );
  }

  return {
    policy,

    /**
     * Charges one failure to every bucket unless one of them is resting; then nothing is charged
     * and the refusal says for how long. Rows are locked in one order, so concurrent attempts queue.
     */
    async charge(buckets: Bucket[]): Promise<Refusal | null> {
      const ids = sorted(buckets).map((b) => b.id);
      const refusal = await inTransaction(pool, async (client) => {
        // Every bucket gets a row first, so the lock below also covers a bucket's first attempts
        // (locking rows that do not exist yet would let parallel first attempts all through).
        await client.query(
          `INSERT INTO sign_in_throttle (bucket, failures, last_failure_at)
           SELECT id, 0, now() FROM unnest($1::bytea[]) WITH ORDINALITY AS b (id, n) ORDER BY n
           ON CONFLICT (bucket) DO NOTHING`,
          [ids],
        );
        const { rows } = await client.query<{ bucket: Buffer; failures: number; age: number }>(
          `SELECT bucket, failures, extract(epoch FROM now() - last_failure_at)::float8 AS age
             FROM sign_in_throttle WHERE bucket = ANY($1::bytea[]) ORDER BY bucket FOR UPDATE`,
          [ids],
        );
        const states = new Map(rows.map((row) => [row.bucket.toString('hex'), { failures: row.failures, secondsSinceLastFailure: row.age }]));
        const refused = refusalFor(buckets, states, policy);
        if (refused) return refused;
        await client.query(
          `UPDATE sign_in_throttle SET
             failures = CASE WHEN last_failure_at < now() - make_interval(secs => $2) THEN 1 ELSE failures + 1 END,
             last_failure_at = now()
           WHERE bucket = ANY($1::bytea[])`,
          [ids, policy.forgetAfterSeconds],
        );
        return null;
      });
      if (refusal === null) await forgetStale();
      return refusal;
    },

    /**
     * A correct password: the attempt's charge is given back. Buckets in `clear` start from zero
     * (the owner proved the password); the others, shared with other accounts, lose one failure.
     */
    async forgive(clear: Bucket[], giveBack: Bucket[]): Promise<void> {
      await pool.query(
        `WITH cleared AS (DELETE FROM sign_in_throttle WHERE bucket = ANY($1::bytea[]))
         UPDATE sign_in_throttle SET failures = greatest(failures - 1, 0) WHERE bucket = ANY($2::bytea[])`,
        [clear.map((b) => b.id), giveBack.map((b) => b.id)],
      );
    },

    forgetStale,
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;
