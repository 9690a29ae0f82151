// One link's sync, as one job: the envelope around its phases. It claims the link (one sync
// at a time per link), starts or resumes the run's report, runs the search phase and then the
// references phase (search-phase.ts, references-phase.ts; they share a SyncContext), and ends
// the run: succeeded, incomplete (attachments missing, named), or failed, with the link's status
// moved through LinkRepository. Failures are classified by their type. Progress is saved per
// page in the job, so a worker killed mid-sync resumes at its page; writes are idempotent.
// Each attempt is one span ("sync link", its portal requests inside) and counts in the metrics:
// how it ended and what it wrote, labelled with the portal's registry id.
import { recordSyncResources, recordSyncRun, type SyncRunOutcome } from '../observability/metrics.js';
import { withPortal } from '../observability/portal-context.js';
import { withSpan } from '../observability/tracing.js';
import type { Link } from '../portals/links.js';
import { NeedsRelinkError, RefreshUnavailableError } from '../portals/token-refresh.js';
import { createFhirHttp, PortalClientError, PortalRateLimitedError, PortalUnavailableError } from './fhir-http.js';
import { parseCapabilities, planTypes, type PortalCapabilities, type TypePlan } from './plan.js';
import { referencesPhase } from './references-phase.js';
import { searchPhase } from './search-phase.js';
import { missingDocuments } from './storage.js';
import { emptyReport, SyncContext, type SyncCursor, type SyncDeps, type SyncJob, type SyncSettings } from './sync-context.js';
import { createSyncRunRepository } from './sync-runs.js';

export { DEFAULT_SYNC_SETTINGS, type SyncCursor, type SyncDeps, type SyncSettings } from './sync-context.js';

/** The sync cannot go on until the patient links again: BullMQ must not retry it. */
export class SyncStoppedError extends Error {
  override name = 'SyncStoppedError';
}

/** A job that must be retried later without using up an attempt. */
export class SyncRateLimitedError extends Error {
  override name = 'SyncRateLimitedError';
  constructor(readonly waitMs: number) {
    super(`portal rate limit: waiting ${Math.round(waitMs / 1000)} s`);
  }
}

export interface SyncOutcome {
  /** `incomplete`: every record is stored but some attachments could not be fetched (named in the run's errors). */
  state: 'succeeded' | 'incomplete' | 'skipped';
  reason?: string;
  pages?: number;
  stored?: number;
  /** Attachments neither stored nor refused by a rule. */
  missing?: number;
}

const CLAIM_MINUTES = 30;

export async function syncLink(job: SyncJob, deps: SyncDeps): Promise<SyncOutcome> {
  return withSpan('sync link', { attributes: { 'carebinder.sync.attempt': job.attemptsMade + 1 } }, async (span) => {
    const link = await deps.links.findById(job.data.linkId);
    const portal = link?.portalId ?? 'unknown';
    span.setAttribute('carebinder.portal', portal);
    let outcome: SyncRunOutcome = 'failed';
    try {
      const result = await withPortal(portal, () => syncFoundLink(job, deps, link));
      outcome = result.state;
      span.setAttributes({ 'carebinder.sync.pages': result.pages ?? 0, 'carebinder.sync.stored': result.stored ?? 0, 'carebinder.sync.missing_documents': result.missing ?? 0 });
      return result;
    } catch (error) {
      outcome = attemptOutcome(job, error);
      throw error;
    } finally {
      span.setAttribute('carebinder.sync.outcome', outcome);
      recordSyncRun(portal, outcome);
    }
  });
}

/** How a failed attempt ends: waiting out a rate limit, retried by BullMQ, or failed for good. */
function attemptOutcome(job: SyncJob, error: unknown): SyncRunOutcome {
  if (error instanceof SyncRateLimitedError) return 'rate-limited';
  if (error instanceof SyncStoppedError || error instanceof NeedsRelinkError) return 'failed';
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1) ? 'failed' : 'retrying';
}

async function syncFoundLink(job: SyncJob, deps: SyncDeps, link: Link | null): Promise<SyncOutcome> {
  const { pool, links, log } = deps;
  const jobId = job.id ?? 'unknown';
  if (!link || link.status === 'unlinked') return { state: 'skipped', reason: 'the link no longer exists' };
  if (link.status === 'needs-relink') throw new SyncStoppedError(link.statusReason ?? 'the portal must be linked again');
  if (!(await links.claimSync(link.id, jobId, CLAIM_MINUTES))) return { state: 'skipped', reason: 'another sync of this link is running' };

  const runs = createSyncRunRepository(pool);
  const cursor = job.data.cursor ?? firstCursor(link, job.data.full === true, deps.settings);
  const run = await runs.startOrResume(link.id, jobId, cursor.fullPass);
  const storedBefore = storedByType(run.types);
  await links.markSyncRunning(link.id, run.startedAt);
  const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  try {
    const portal = await deps.registry.find(link.portalId);
    if (!portal) throw new SyncStoppedError('the portal was removed from this carebinder');
    const http = createFhirHttp({
      fhirBaseUrl: portal.fhirBaseUrl,
      portalId: portal.id,
      linkId: link.id,
      tokens: deps.tokens,
      limiter: deps.limiter,
      ...(deps.settings.retry ? { retry: deps.settings.retry } : {}),
      onWait: (reason, ms) => log.debug({ linkId: link.id, reason, ms }, 'waiting for the portal'),
    });
    const missing = await runPhases(new SyncContext(job, deps, link, run, cursor, http));
    // Failures of earlier attempts of this run were mended by this one: they are history, not the outcome.
    run.warnings.push(...run.errors.map((error) => `an earlier attempt failed and this one resumed: ${error}`));
    run.errors = [];
    let reason: string | null = null;
    if (missing.length > 0) {
      reason = `${missing.length} attachment(s) could not be fetched; the next sync tries again`;
      const listed = missing.slice(0, 20).map((m) => `${m.target}${m.lastError ? ` (${m.lastError})` : ''}`);
      run.errors.push(`${reason}: ${listed.join(', ')}${missing.length > listed.length ? `, and ${missing.length - listed.length} more` : ''}`);
    }
    const state = missing.length > 0 ? 'incomplete' : 'succeeded';
    await runs.finish(run, state);
    await links.markSyncFinished(link.id, { state, startedAt: run.startedAt, fullPass: cursor.fullPass, reason: reason && `The last sync stored every record, but ${reason}.` });
    log.info({ linkId: link.id, jobId, pages: run.pagesDone, full: cursor.fullPass, missingDocuments: missing.length }, `sync ${state}`);
    const stored = Object.values(run.types).reduce((sum, t) => sum + t.stored, 0);
    return { state, pages: run.pagesDone, stored, missing: missing.length };
  } catch (error) {
    if (error instanceof SyncRateLimitedError) {
      run.warnings.push(`${new Date().toISOString()} the portal asked to slow down; resuming in ${Math.round(error.waitMs / 1000)} s`);
      await runs.saveProgress(run);
      throw error;
    }
    const stopped = error instanceof NeedsRelinkError || error instanceof SyncStoppedError;
    const reason = describeFailure(error);
    run.errors.push(`${new Date().toISOString()} ${reason}`);
    if (stopped || isLastAttempt) {
      await runs.finish(run, 'failed');
      // needs-relink was already recorded by the token keeper; other final failures show as error.
      await links.markSyncFailed(link.id, `The last sync failed: ${reason}. The next scheduled sync will try again.`);
    } else {
      await runs.saveProgress(run);
    }
    log.warn({ linkId: link.id, jobId, attempt: job.attemptsMade + 1, reason }, 'sync attempt failed');
    if (stopped) throw new SyncStoppedError(reason, { cause: error });
    throw error;
  } finally {
    recordSyncResources(link.portalId, storedSince(storedBefore, run.types));
    await links.releaseSync(link.id, jobId);
  }
}

function storedByType(types: Record<string, { stored: number }>): Record<string, number> {
  return Object.fromEntries(Object.entries(types).map(([type, report]) => [type, report.stored]));
}

/** What this attempt wrote, per type: the run's counts now, less what earlier attempts of the run had written. */
function storedSince(before: Record<string, number>, types: Record<string, { stored: number }>): Record<string, number> {
  return Object.fromEntries(Object.entries(types).map(([type, report]) => [type, report.stored - (before[type] ?? 0)]));
}

function firstCursor(link: Link, forcedFull: boolean, settings: SyncSettings): SyncCursor {
  const lastFull = link.lastFullSyncStartedAt?.getTime() ?? 0;
  const fullPass = forcedFull || !link.lastSuccessfulSyncStartedAt || Date.now() - lastFull >= settings.fullEveryMs;
  const since = !fullPass && link.lastSuccessfulSyncStartedAt ? new Date(link.lastSuccessfulSyncStartedAt.getTime() - settings.skewMs).toISOString() : null;
  return { phase: 'search', typeIndex: 0, categoryIndex: null, nextUrl: null, interruptedTypes: [], fullPass, since };
}

function describeFailure(error: unknown): string {
  if (error instanceof NeedsRelinkError || error instanceof SyncStoppedError) return error.message;
  if (error instanceof PortalUnavailableError || error instanceof RefreshUnavailableError) return error.message;
  if (error instanceof PortalClientError) return `the portal answered ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Runs the phases from where the cursor stands; answers the attachments still missing at the
 * end. Portal answers that concern the whole job become its own errors here: a long 429 delays
 * the job, a 401 after a refresh needs the patient.
 */
async function runPhases(ctx: SyncContext): Promise<Array<{ target: string; lastError: string | null }>> {
  try {
    const plan = planTypes(await capabilities(ctx), ctx.link.grantedScopes);
    reportSkipped(ctx, plan);
    if (ctx.cursor.phase === 'search') await searchPhase(ctx, plan);
    if (ctx.cursor.phase === 'references') await referencesPhase(ctx);
    return await missingDocuments(ctx.pool, ctx.link.id);
  } catch (error) {
    if (error instanceof PortalRateLimitedError) throw new SyncRateLimitedError(error.retryAfterMs);
    if (error instanceof PortalClientError && error.status === 401) {
      await ctx.deps.links.markNeedsRelink(ctx.link.id, "The portal no longer accepts carebinder's access. Link it again.");
      throw new SyncStoppedError('the portal refused the access token even after a refresh');
    }
    throw error;
  }
}

async function capabilities(ctx: SyncContext): Promise<PortalCapabilities> {
  try {
    return parseCapabilities(await ctx.http.getJson('metadata'));
  } catch (error) {
    if (error instanceof PortalRateLimitedError || error instanceof NeedsRelinkError) throw error;
    ctx.warn(`could not read the portal's CapabilityStatement (${describeFailure(error)}); trying every type`);
    return parseCapabilities(null);
  }
}

function reportSkipped(ctx: SyncContext, plan: TypePlan[]): void {
  for (const entry of plan) {
    if (!entry.skipped || ctx.run.types[entry.type]) continue;
    ctx.run.types[entry.type] = {
      ...emptyReport(),
      status: 'skipped',
      note: entry.skipped === 'not-granted' ? 'not covered by the scopes the portal granted' : 'the portal does not offer this type',
    };
  }
}
