// A sync job's state in words and as a progress value. Pure: unit-tested in Node.
import { formatNumber, plural } from './format.js';
import type { Link, SyncStatus } from './types.js';

export function isSyncActive(state: string | null | undefined): boolean {
  return state === 'queued' || state === 'running';
}

/** Whether a link, as listed, has a sync that may still be going. */
export function linkMaySync(link: Pick<Link, 'status' | 'lastSync'>): boolean {
  return link.status === 'syncing' || isSyncActive(link.lastSync.state);
}

/** The bar's value (0..1), or null for "not started yet" (an indeterminate bar). */
export function progressValue(status: Pick<SyncStatus, 'state' | 'progress'>): number | null {
  if (status.state === 'queued') return null;
  if (status.state === 'succeeded' || status.state === 'incomplete') return 1;
  const p = Number.isFinite(status.progress) ? status.progress : 0;
  return Math.min(1, Math.max(0, p));
}

export function storedCount(status: Pick<SyncStatus, 'types'>): number {
  return Object.values(status.types).reduce((sum, t) => sum + (t.stored || 0), 0);
}

/** One line for the row: "Waiting to start…", "Fetching records: 40% (12 pages)", "Finished: 134 records stored", "Up to date: nothing new…". */
export function syncStatusText(status: SyncStatus, locale?: string): string {
  switch (status.state) {
    case 'queued':
      return 'Waiting to start…';
    case 'running': {
      const p = progressValue(status) ?? 0;
      return `Fetching records: ${formatNumber(Math.round(p * 100), locale)}% (${plural(status.pagesDone, 'page')})`;
    }
    case 'succeeded': {
      const warnings = status.warnings.length ? `, ${plural(status.warnings.length, 'warning')}` : '';
      const stored = storedCount(status);
      // A re-sync stores only what is new or changed: nothing stored means nothing was lost.
      if (stored === 0) return `Up to date: nothing new since the last sync${warnings}.`;
      return `Finished: ${plural(stored, 'record')} stored${warnings}.`;
    }
    case 'incomplete':
      return `Finished: ${plural(storedCount(status), 'record')} stored, but ${status.errors[0] ?? 'some attachments could not be fetched'}.`;
    case 'failed':
      return `Sync failed: ${status.errors[0] ?? 'no reason given'}.`;
    case 'idle':
      return 'Not syncing.';
  }
}

/**
 * What a linked portal's row offers: "relink" when only signing in at the portal again can help
 * (the portal asked for it, or the link failed in a way a new sign-in cures: a refused or expired
 * token), else "sync". Never both, so the patient is not sent through the portal login for nothing.
 */
export function linkAction(link: Pick<Link, 'status' | 'statusReason'>, expired = false): 'relink' | 'sync' {
  if (link.status === 'needs-relink' || expired) return 'relink';
  if (link.status === 'error' && link.statusReason && RELINK_CURES.test(link.statusReason)) return 'relink';
  return 'sync';
}

/** Failures a new sign-in at the portal cures: the grant is gone, refused, revoked or expired. */
const RELINK_CURES = /refresh|invalid_grant|revoked|expired|unauthori[sz]ed|\b401\b|sign in again|re-?link|link (it )?again|consent|access token/i;
