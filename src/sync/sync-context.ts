// What the phases of one link's sync share: the job and its resume cursor, the link, the run's
// report, the portal's HTTP client and the deps, with the two things every phase does (warn in
// the report, save the cursor and the report).
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.js';
import type { Link, LinkRepository } from '../portals/links.js';
import type { PortalRegistry } from '../portals/registry.js';
import type { TokenKeeper } from '../portals/token-refresh.js';
import type { FhirHttp, RetryPolicy } from './fhir-http.js';
import type { RecordSource } from './record-row.js';
import type { PortalLimiter } from './portal-limiter.js';
import { createSyncRunRepository, type SyncRun, type SyncRunRepository, type TypeReport } from './sync-runs.js';
import type { SyncJobData } from './job-data.js';

/** Where a sync stands; saved in the job's data after every page. */
export interface SyncCursor {
  phase: 'search' | 'references' | 'done';
  typeIndex: number;
  /** Index into the type's per-category fallback searches, or null for the plain search. */
  categoryIndex: number | null;
  /** The next page to fetch; null means "start this search". */
  nextUrl: string | null;
  /** Types whose search began before a restart: their deletions are not judged this run. */
  interruptedTypes: string[];
  fullPass: boolean;
  since: string | null;
}

export interface SyncSettings {
  maxPages: number;
  fullEveryMs: number;
  /** Incremental searches overlap the previous run by this much (clock skew between us and the portal). */
  skewMs: number;
  maxDocumentBytes: number;
  /** Fetched attachments are written this many at a time (or 8 MB, whichever comes first). */
  documentsPerWrite: number;
  retry?: Partial<RetryPolicy>;
}

export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  maxPages: 2000,
  fullEveryMs: 7 * 86_400_000,
  skewMs: 5 * 60_000,
  maxDocumentBytes: 20 * 1024 * 1024,
  // One statement per document cost more than fetching it.
  documentsPerWrite: 50,
};

export interface SyncDeps {
  pool: Pool;
  links: LinkRepository;
  registry: PortalRegistry;
  tokens: TokenKeeper;
  limiter: PortalLimiter;
  log: Logger;
  settings: SyncSettings;
}

export type SyncJob = Job<SyncJobData & { cursor?: SyncCursor }>;

export class SyncContext {
  readonly runs: SyncRunRepository;
  private cursorSaves: Promise<void> = Promise.resolve();

  constructor(
    readonly job: SyncJob,
    readonly deps: SyncDeps,
    readonly link: Link,
    readonly run: SyncRun,
    /** Moved on by the phases; saved with saveCursor(). */
    public cursor: SyncCursor,
    readonly http: FhirHttp,
  ) {
    this.runs = createSyncRunRepository(deps.pool);
  }

  get pool(): Pool {
    return this.deps.pool;
  }

  /** The link's portal and its URL rules, for the rows this sync writes. */
  get recordSource(): RecordSource {
    return (this.source ??= { portalId: this.link.portalId, resolveAttachment: this.http.resolve });
  }

  private source: RecordSource | undefined;

  warn(message: string): void {
    this.run.warnings.push(message);
  }

  /** The type's report in this run, created on first use. */
  report(type: string): TypeReport {
    return (this.run.types[type] ??= emptyReport());
  }

  /** Saves run one after another, each writing the cursor as it is then, so a later one never loses to an earlier one. */
  saveCursor(): Promise<void> {
    this.cursorSaves = this.cursorSaves.then(async () => {
      await this.job.updateData({ ...this.job.data, cursor: this.cursor });
      await this.runs.saveProgress(this.run);
    });
    return this.cursorSaves;
  }

  /** Resolves once every save asked for so far has ended, whether it worked or not. */
  async savesSettled(): Promise<void> {
    await this.cursorSaves.catch(() => {});
  }
}

export function emptyReport(): TypeReport {
  return { fetched: 0, stored: 0, rejected: 0, pages: 0, expected: null, status: 'pending' };
}
