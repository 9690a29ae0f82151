// Sync on demand and its progress.
import { z } from 'zod';

export const TYPE_REPORT_STATUSES = ['pending', 'done', 'skipped', 'forbidden', 'not-supported', 'refused', 'partial'] as const;

export const TypeReport = z.object({
  fetched: z.int(),
  stored: z.int(),
  rejected: z.int(),
  pages: z.int(),
  expected: z.int().nullable().describe("what the portal said it has (the first page's Bundle.total)"),
  status: z.enum(TYPE_REPORT_STATUSES),
  note: z.string().optional(),
});

/** `incomplete`: every record stored, but attachments named in `errors` could not be fetched (the next sync tries again). */
export const SYNC_STATES = ['idle', 'queued', 'running', 'succeeded', 'incomplete', 'failed'] as const;

export const SyncStatus = z.object({
  state: z.enum(SYNC_STATES).describe('incomplete: every record stored, some attachments not (named in errors; the next sync tries again)'),
  jobId: z.string().nullable(),
  fullPass: z.boolean().nullable(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  pagesDone: z.int(),
  progress: z.number().min(0).max(1).describe('0..1, an estimate'),
  types: z.record(z.string(), TypeReport).describe('per FHIR resource type searched'),
  errors: z.array(z.string()),
  warnings: z.array(z.string()),
});

export const SyncNowQuery = z.object({ full: z.enum(['true', 'false']).default('false') });
export const SyncQueued = z.object({ jobId: z.string() });

export type TypeReport = z.infer<typeof TypeReport>;
export type SyncState = (typeof SYNC_STATES)[number];
export type SyncStatus = z.infer<typeof SyncStatus>;
export type SyncQueued = z.infer<typeof SyncQueued>;
