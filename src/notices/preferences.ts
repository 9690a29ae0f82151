// What each account wants to be mailed about (notice_preferences, migration 0017). No row means
// the defaults: the three warnings on, the weekly digest off.
import type { Queryable } from '../db/pool.js';

export const NOTICE_KINDS = ['needs-relink', 'access-expiring', 'sync-failing', 'weekly-digest'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const isNoticeKind = (value: string): value is NoticeKind => (NOTICE_KINDS as readonly string[]).includes(value);

export interface NoticePreferences {
  needsRelink: boolean;
  accessExpiring: boolean;
  syncFailing: boolean;
  weeklyDigest: boolean;
}

export const DEFAULT_PREFERENCES: NoticePreferences = { needsRelink: true, accessExpiring: true, syncFailing: true, weeklyDigest: false };

/** The preference (and its column) that turns each kind on or off. */
export const PREFERENCE_OF: Record<NoticeKind, keyof NoticePreferences> = {
  'needs-relink': 'needsRelink',
  'access-expiring': 'accessExpiring',
  'sync-failing': 'syncFailing',
  'weekly-digest': 'weeklyDigest',
};

const COLUMN_OF: Record<keyof NoticePreferences, string> = {
  needsRelink: 'needs_relink',
  accessExpiring: 'access_expiring',
  syncFailing: 'sync_failing',
  weeklyDigest: 'weekly_digest',
};

interface PreferencesRow {
  needs_relink: boolean;
  access_expiring: boolean;
  sync_failing: boolean;
  weekly_digest: boolean;
}

export function createPreferenceRepository(db: Queryable) {
  return {
    async get(accountId: string): Promise<NoticePreferences> {
      const { rows } = await db.query<PreferencesRow>('SELECT needs_relink, access_expiring, sync_failing, weekly_digest FROM notice_preferences WHERE account_id = $1', [accountId]);
      const row = rows[0];
      return row ? { needsRelink: row.needs_relink, accessExpiring: row.access_expiring, syncFailing: row.sync_failing, weeklyDigest: row.weekly_digest } : { ...DEFAULT_PREFERENCES };
    },

    async set(accountId: string, preferences: NoticePreferences): Promise<void> {
      await db.query(
        `INSERT INTO notice_preferences (account_id, needs_relink, access_expiring, sync_failing, weekly_digest) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account_id) DO UPDATE SET needs_relink = excluded.needs_relink, access_expiring = excluded.access_expiring,
           sync_failing = excluded.sync_failing, weekly_digest = excluded.weekly_digest, updated_at = now()`,
        [accountId, preferences.needsRelink, preferences.accessExpiring, preferences.syncFailing, preferences.weeklyDigest],
      );
    },

    /** Turns one kind off (the unsubscribe link); answers false when the account no longer exists. */
    async turnOff(accountId: string, kind: NoticeKind): Promise<boolean> {
      const column = COLUMN_OF[PREFERENCE_OF[kind]];
      const { rowCount } = await db.query(
        `INSERT INTO notice_preferences (account_id, ${column}) SELECT id, false FROM accounts WHERE id = $1
         ON CONFLICT (account_id) DO UPDATE SET ${column} = false, updated_at = now()`,
        [accountId],
      );
      return rowCount === 1;
    },
  };
}

export type PreferenceRepository = ReturnType<typeof createPreferenceRepository>;
