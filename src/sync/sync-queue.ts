// The sync queue: one job per linked portal. Payloads carry ids only, never tokens or records.
export const SYNC_QUEUE = 'portal-sync';

export interface SyncJobData {
  readonly linkId: string;
  /** A full pass also finds resources deleted at the source. */
  readonly full?: boolean;
}
