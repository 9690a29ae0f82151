// The sync report of each run: per-type counts, pages, errors and warnings. Written per page,
// so the patient's progress bar and the report survive a worker restart.
import type { Queryable } from '../db/pool.js';

export interface TypeReport {
  fetched: number;
  stored: number;
  rejected: number;
  pages: number;
  /** What the portal said it has (Bundle.total of the first page), for progress. */
  expected: number | null;
  status: 'pending' | 'done' | 'skipped' | 'forbidden' | 'not-supported' | 'refused' | 'partial';
  note?: string;
}

export interface SyncRun {
  id: string;
  linkId: string;
  jobId: string;
  fullPass: boolean;
  /** `incomplete`: every record stored, some attachments not (named in `errors`). */
  state: 'running' | 'succeeded' | 'incomplete' | 'failed';
  startedAt: Date;
  finishedAt: Date | null;
  pagesDone: number;
  types: Record<string, TypeReport>;
  errors: string[];
  warnings: string[];
}

interface RunRow {
  id: string;
  link_id: string;
  job_id: string;
  full_pass: boolean;
  state: SyncRun['state'];
  started_at: Date;
  finished_at: Date | null;
  pages_done: number;
  types: Record<string, TypeReport>;
  errors: string[];
  warnings: string[];
}

const toRun = (row: RunRow): SyncRun => ({
  id: row.id,
  linkId: row.link_id,
  jobId: row.job_id,
  fullPass: row.full_pass,
  state: row.state,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  pagesDone: row.pages_done,
  types: row.types,
  errors: row.errors,
  warnings: row.warnings,
});

const MAX_MESSAGES = 200;

export function createSyncRunRepository(db: Queryable) {
  return {
    /** Starts the run for this job, or resumes it (same job retried or restarted). */
    async startOrResume(linkId: string, jobId: string, fullPass: boolean): Promise<SyncRun> {
      const { rows } = await db.query<RunRow>(
        `INSERT INTO sync_runs (link_id, job_id, full_pass, state) VALUES ($1, $2, $3, 'running')
         ON CONFLICT (link_id, job_id) DO UPDATE SET state = 'running', finished_at = NULL
         RETURNING *`,
        [linkId, jobId, fullPass],
      );
      return toRun(rows[0]);
    },

    async saveProgress(run: SyncRun): Promise<void> {
      await db.query(`UPDATE sync_runs SET pages_done = $2, types = $3, errors = $4, warnings = $5 WHERE id = $1`, [
        run.id,
        run.pagesDone,
        run.types,
        JSON.stringify(run.errors.slice(-MAX_MESSAGES)),
        JSON.stringify(run.warnings.slice(-MAX_MESSAGES)),
      ]);
    },

    async finish(run: SyncRun, state: Exclude<SyncRun['state'], 'running'>): Promise<void> {
      run.state = state;
      await db.query(
        `UPDATE sync_runs SET state = $2, finished_at = now(), pages_done = $3, types = $4, errors = $5, warnings = $6 WHERE id = $1`,
        [run.id, state, run.pagesDone, run.types, JSON.stringify(run.errors.slice(-MAX_MESSAGES)), JSON.stringify(run.warnings.slice(-MAX_MESSAGES))],
      );
    },

    async latest(linkId: string): Promise<SyncRun | null> {
      const { rows } = await db.query<RunRow>('SELECT * FROM sync_runs WHERE link_id = $1 ORDER BY started_at DESC, id DESC LIMIT 1', [linkId]);
      return rows[0] ? toRun(rows[0]) : null;
    },

    async byJob(linkId: string, jobId: string): Promise<SyncRun | null> {
      const { rows } = await db.query<RunRow>('SELECT * FROM sync_runs WHERE link_id = $1 AND job_id = $2', [linkId, jobId]);
      return rows[0] ? toRun(rows[0]) : null;
    },
  };
}

export type SyncRunRepository = ReturnType<typeof createSyncRunRepository>;

/**
 * A rough 0..1 figure for a progress bar: each step of the run (every planned type, then the
 * references) counts alike; a step under way counts by its records fetched over what the portal
 * announced. The steps are all in the report from the run's start and no term shrinks, so the
 * bar never moves backwards while a sync runs.
 */
export function progressOf(run: SyncRun): number {
  if (run.state === 'succeeded' || run.state === 'incomplete') return 1;
  const reports = Object.values(run.types);
  if (reports.length === 0) return 0;
  const done = reports.reduce((sum, t) => {
    if (t.status !== 'pending') return sum + 1;
    return sum + (t.expected ? Math.min(1, t.fetched / t.expected) : 0);
  }, 0);
  return Math.min(0.99, done / reports.length);
}
