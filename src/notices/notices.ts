// Which notices are due, and sending one. Triggers (src/jobs/sync.ts after a failed sync, and the
// hourly scan of src/jobs/notices.ts) only propose a notice by ids; sendNotice re-reads everything
// (the account's address and preferences, whether the notice still holds) and mails it at most once
// per kind per link per UTC day: the notices_sent row is taken in the transaction that sends, so a
// retry after a failed send tries again and a second worker finds the row and sends nothing.
import type { Pool, Queryable } from '../db/pool.js';
import { inTransaction } from '../db/pool.js';
import type { Mailer } from './mailer.js';
import { createPreferenceRepository, PREFERENCE_OF, type NoticeKind } from './preferences.js';
import { renderNotice, type NoticeFacts } from './templates.js';
import { unsubscribeToken } from './unsubscribe.js';

/** A notice, by ids only: what a job carries. The weekly digest has no link. */
export interface Notice {
  kind: NoticeKind;
  accountId: string;
  linkId: string | null;
}

/** Access that ends within this many days is warned about (once per expiry date). */
export const EXPIRY_WARNING_DAYS = 14;
/** Failed sync runs in a row before the patient hears of it. */
export const FAILED_RUNS_IN_A_ROW = 3;
const DIGEST_DAYS = 7;

export type SendOutcome = { sent: true } | { sent: false; reason: 'mail-off' | 'no-account' | 'turned-off' | 'not-due' | 'already-sent' };

export interface NoticeDeps {
  pool: Pool;
  mailer: Mailer | null;
  publicUrl: string;
  /** The key unsubscribe links are signed with (deriveUnsubscribeKey). */
  unsubscribeKey: Buffer;
}

/**
 * Failed runs at the head of the link's runs (newest first), counted up to `cap`. With
 * `finishedOnly` false a run still going (an attempt failed, another will follow) counts as no
 * streak: only a run that ended failed can make it longer.
 */
async function failedRunsInARow(db: Queryable, linkId: string, cap: number, finishedOnly: boolean): Promise<number> {
  const { rows } = await db.query<{ state: string }>(
    `SELECT state FROM sync_runs WHERE link_id = $1 AND ($3 = false OR state <> 'running') ORDER BY started_at DESC, id DESC LIMIT $2`,
    [linkId, cap, finishedOnly],
  );
  const streak = rows.findIndex((row) => row.state !== 'failed');
  return streak === -1 ? rows.length : streak;
}

/** What the mail says, if the notice still holds now; null when it no longer does. */
async function dueFacts(db: Queryable, notice: Notice): Promise<Omit<NoticeFacts, 'publicUrl' | 'unsubscribeUrl'> | null> {
  if (notice.kind === 'weekly-digest') {
    const { rows } = await db.query<{ n: number; recent: boolean }>(
      `SELECT (SELECT count(*)::int FROM records r JOIN links l ON l.id = r.link_id
                 WHERE r.account_id = $1 AND l.portal_id IS NOT NULL AND r.first_seen_at > now() - make_interval(days => $2)) AS n,
              EXISTS (SELECT 1 FROM notices_sent WHERE account_id = $1 AND kind = 'weekly-digest'
                        AND sent_at > now() - make_interval(days => $2) + interval '1 hour') AS recent`,
      [notice.accountId, DIGEST_DAYS],
    );
    return rows[0].n > 0 && !rows[0].recent ? { newRecords: rows[0].n } : null;
  }
  if (!notice.linkId) return null;
  const { rows } = await db.query<{ status: string; refresh_expires_at: Date | null; has_refresh_token: boolean; warned: boolean }>(
    `SELECT l.status, l.refresh_expires_at, l.has_refresh_token,
            EXISTS (SELECT 1 FROM notices_sent n WHERE n.link_id = l.id AND n.kind = 'access-expiring'
                      AND n.sent_at >= l.refresh_expires_at - make_interval(days => $3)) AS warned
       FROM links l WHERE l.id = $1 AND l.account_id = $2 AND l.portal_id IS NOT NULL`,
    [notice.linkId, notice.accountId, EXPIRY_WARNING_DAYS],
  );
  const link = rows[0];
  if (!link || link.status === 'unlinked') return null;
  switch (notice.kind) {
    case 'needs-relink':
      return link.status === 'needs-relink' ? {} : null;
    case 'access-expiring': {
      const endsAt = link.refresh_expires_at;
      const soon = endsAt !== null && endsAt.getTime() > Date.now() && endsAt.getTime() <= Date.now() + EXPIRY_WARNING_DAYS * 86_400_000;
      return soon && link.has_refresh_token && link.status !== 'needs-relink' && !link.warned ? { endsAt } : null;
    }
    case 'sync-failing':
      return link.status !== 'needs-relink' && (await failedRunsInARow(db, notice.linkId, FAILED_RUNS_IN_A_ROW, true)) >= FAILED_RUNS_IN_A_ROW ? {} : null;
  }
}

/** Mails the notice if mail is on, the account wants it, it still holds and it was not sent today. */
export async function sendNotice(deps: NoticeDeps, notice: Notice): Promise<SendOutcome> {
  const { mailer } = deps;
  if (!mailer) return { sent: false, reason: 'mail-off' };
  const { rows } = await deps.pool.query<{ email: string }>('SELECT email FROM accounts WHERE id = $1', [notice.accountId]);
  const email = rows[0]?.email;
  if (!email) return { sent: false, reason: 'no-account' };
  const preferences = await createPreferenceRepository(deps.pool).get(notice.accountId);
  if (!preferences[PREFERENCE_OF[notice.kind]]) return { sent: false, reason: 'turned-off' };
  const facts = await dueFacts(deps.pool, notice);
  if (!facts) return { sent: false, reason: 'not-due' };

  const unsubscribeUrl = `${deps.publicUrl}/api/notifications/unsubscribe?token=${unsubscribeToken(deps.unsubscribeKey, notice.accountId, notice.kind)}`;
  const rendered = renderNotice(notice.kind, { ...facts, publicUrl: deps.publicUrl, unsubscribeUrl });
  return inTransaction(deps.pool, async (tx) => {
    const taken = await tx.query(
      `INSERT INTO notices_sent (account_id, link_id, kind) VALUES ($1, $2, $3)
       ON CONFLICT ON CONSTRAINT notices_sent_once_a_day DO NOTHING RETURNING id`,
      [notice.accountId, notice.linkId, notice.kind],
    );
    if (taken.rowCount !== 1) return { sent: false, reason: 'already-sent' } as const;
    // A failed send rolls the row back, so the job's retry can send it.
    await mailer.send({ to: email, ...rendered, unsubscribeUrl });
    return { sent: true } as const;
  });
}

/**
 * What a failed sync run may need to tell the patient: the link has just come to need re-linking
 * (it did not before the run), or its runs have now failed three times in a row (exactly three, so
 * a link that keeps failing is mailed about once, not after every run). One problem, one mail.
 */
export async function noticesAfterFailedSync(db: Queryable, linkId: string, statusBefore: string | null): Promise<Notice[]> {
  const { rows } = await db.query<{ account_id: string; status: string }>('SELECT account_id, status FROM links WHERE id = $1 AND portal_id IS NOT NULL', [linkId]);
  const link = rows[0];
  if (!link || link.status === 'unlinked') return [];
  if (link.status === 'needs-relink') return statusBefore === 'needs-relink' ? [] : [{ kind: 'needs-relink', accountId: link.account_id, linkId }];
  const streak = await failedRunsInARow(db, linkId, FAILED_RUNS_IN_A_ROW + 1, false);
  return streak === FAILED_RUNS_IN_A_ROW ? [{ kind: 'sync-failing', accountId: link.account_id, linkId }] : [];
}

/** The hourly scan: links whose access ends within 14 days (not yet warned), and weekly digests due. */
export async function scheduledNoticesDue(db: Queryable): Promise<Notice[]> {
  const expiring = await db.query<{ id: string; account_id: string }>(
    `SELECT l.id, l.account_id FROM links l
      WHERE l.portal_id IS NOT NULL AND l.status IN ('active', 'syncing', 'error') AND l.has_refresh_token
        AND l.refresh_expires_at > now() AND l.refresh_expires_at <= now() + make_interval(days => $1)
        AND NOT EXISTS (SELECT 1 FROM notices_sent n WHERE n.link_id = l.id AND n.kind = 'access-expiring'
                          AND n.sent_at >= l.refresh_expires_at - make_interval(days => $1))`,
    [EXPIRY_WARNING_DAYS],
  );
  const digests = await db.query<{ account_id: string }>(
    `SELECT p.account_id FROM notice_preferences p
      WHERE p.weekly_digest
        AND NOT EXISTS (SELECT 1 FROM notices_sent n WHERE n.account_id = p.account_id AND n.kind = 'weekly-digest'
                          AND n.sent_at > now() - make_interval(days => $1) + interval '1 hour')
        AND EXISTS (SELECT 1 FROM records r JOIN links l ON l.id = r.link_id
                     WHERE r.account_id = p.account_id AND l.portal_id IS NOT NULL AND r.first_seen_at > now() - make_interval(days => $1))`,
    [DIGEST_DAYS],
  );
  return [
    ...expiring.rows.map((row): Notice => ({ kind: 'access-expiring', accountId: row.account_id, linkId: row.id })),
    ...digests.rows.map((row): Notice => ({ kind: 'weekly-digest', accountId: row.account_id, linkId: null })),
  ];
}
