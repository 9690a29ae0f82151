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

/** One line for the row: "Waiting to start…", "Fetching records: 40% (12 pages)", "Finished: 134 records stored". */
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
      return `Finished: ${plural(storedCount(status), 'record')} stored${warnings}.`;
    }
    case 'incomplete':
      return `Finished: ${plural(storedCount(status), 'record')} stored, but ${status.errors[0] ?? 'some attachments could not be fetched'}.`;
    case 'failed':
      return `Sync failed: ${status.errors[0] ?? 'no reason given'}.`;
    case 'idle':
      return 'Not syncing.';
  }
}
