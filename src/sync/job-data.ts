// What a sync run reads from its job: ids only, never tokens or records. The sync declares it
// (its resume cursor is saved beside it); src/jobs/sync.ts queues it and re-exports it.
export interface SyncJobData {
  readonly linkId: string;
  /** A full pass also finds resources deleted at the source. */
  readonly full?: boolean;
}
