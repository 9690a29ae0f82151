// One link's sync: searches each permitted type page by page, validates and stores every
// page as it goes (the next page is fetched while the current one is written), then fetches
// what the records reference (practitioners, medications, attachments). Progress is saved per
// page in the job, so a worker killed mid-sync resumes at its page; writes are idempotent.
import { createHash } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.js';
import type { LinkRepository, Link } from '../portals/links.js';
import type { PortalRegistry } from '../portals/registry.js';
import { NeedsRelinkError, RefreshUnavailableError, type TokenKeeper } from '../portals/token-refresh.js';
import { createFhirHttp, PortalClientError, PortalRateLimitedError, PortalUnavailableError, type FhirHttp, type RetryPolicy } from './fhir-http.js';
import type { PortalLimiter } from './portal-limiter.js';
import { parseCapabilities, patientSearch, planTypes, REQUIRED_CATEGORY_FALLBACKS, type PortalCapabilities, type SyncType, type TypePlan } from './plan.js';
import { contentHashOf, toRecordRow, type RecordRow } from './record-row.js';
import { PortalResponseTooLargeError } from '../http/portal-http.js';
import {
  BATCH_SIZE,
  dropPendingFetches,
  markRemovedAtSource,
  missingDocuments,
  notePendingFailure,
  pendingFetches,
  queueFetches,
  recordAttachments,
  refusePendingFetch,
  storeDocuments,
  storedDocumentUrls,
  storedHashes,
  storedReferenceKeys,
  storeReference,
  upsertRecords,
  type FetchedDocument,
  type PendingFetch,
} from './storage.js';
import { createSyncRunRepository, type SyncRun, type TypeReport } from './sync-runs.js';
import { readSearchBundle, validateEntries, validateEntry, InvalidPageError, type EntryVerdict, type FhirResource } from './validate.js';
import type { SyncJobData } from './sync-queue.js';

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
const ROWS_BETWEEN_YIELDS = 100;
const DOCUMENT_BYTES_PER_WRITE = 8 * 1024 * 1024;

export async function syncLink(job: Job<SyncJobData & { cursor?: SyncCursor }>, deps: SyncDeps): Promise<SyncOutcome> {
  const { pool, links, log } = deps;
  const jobId = job.id ?? 'unknown';
  const link = await links.findById(job.data.linkId);
  if (!link || link.status === 'unlinked') return { state: 'skipped', reason: 'the link no longer exists' };
  if (link.status === 'needs-relink') throw new SyncStoppedError(link.statusReason ?? 'the portal must be linked again');
  if (!(await links.claimSync(link.id, jobId, CLAIM_MINUTES))) return { state: 'skipped', reason: 'another sync of this link is running' };

  const runs = createSyncRunRepository(pool);
  const cursor = job.data.cursor ?? firstCursor(link, job.data.full === true, deps.settings);
  const run = await runs.startOrResume(link.id, jobId, cursor.fullPass);
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
    const { missing, ...outcome } = await new LinkSync(job, deps, link, run, cursor, http).execute();
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
    return { ...outcome, state, missing: missing.length };
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
    await links.releaseSync(link.id, jobId);
  }
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

interface PhaseOutcome {
  state: 'succeeded';
  pages: number;
  stored: number;
  missing: Array<{ target: string; lastError: string | null }>;
}

class LinkSync {
  private readonly runs;
  /** Fetches this attempt has seen committed to the pending table (so later pages need not queue them again). */
  private readonly committedFetches = new Set<string>();
  /** Attachments off the portal, warned about once per attempt. */
  private readonly offPortal = new Set<string>();
  /** Fetched attachments not yet written: they go to the database several at a time. */
  private unwrittenDocuments: FetchedDocument[] = [];
  private unwrittenDocumentBytes = 0;

  constructor(
    private readonly job: Job<SyncJobData & { cursor?: SyncCursor }>,
    private readonly deps: SyncDeps,
    private readonly link: Link,
    private readonly run: SyncRun,
    private cursor: SyncCursor,
    private readonly http: FhirHttp,
  ) {
    this.runs = createSyncRunRepository(deps.pool);
  }

  async execute(): Promise<PhaseOutcome> {
    let missing: PhaseOutcome['missing'];
    try {
      const capabilities = await this.capabilities();
      const plan = planTypes(capabilities, this.link.grantedScopes);
      this.reportSkipped(plan);
      if (this.cursor.phase === 'search') await this.searchAll(plan);
      if (this.cursor.phase === 'references') await this.fetchPending();
      missing = await missingDocuments(this.deps.pool, this.link.id);
    } catch (error) {
      if (error instanceof PortalRateLimitedError) throw new SyncRateLimitedError(error.retryAfterMs);
      if (error instanceof PortalClientError && error.status === 401) {
        await this.deps.links.markNeedsRelink(this.link.id, "The portal no longer accepts carebinder's access. Link it again.");
        throw new SyncStoppedError('the portal refused the access token even after a refresh');
      }
      throw error;
    }
    const stored = Object.values(this.run.types).reduce((sum, t) => sum + t.stored, 0);
    return { state: 'succeeded', pages: this.run.pagesDone, stored, missing };
  }

  private async capabilities(): Promise<PortalCapabilities> {
    try {
      return parseCapabilities(await this.http.getJson('metadata'));
    } catch (error) {
      if (error instanceof PortalRateLimitedError || error instanceof NeedsRelinkError) throw error;
      this.warn(`could not read the portal's CapabilityStatement (${describeFailure(error)}); trying every type`);
      return parseCapabilities(null);
    }
  }

  private reportSkipped(plan: TypePlan[]): void {
    for (const entry of plan) {
      if (!entry.skipped || this.run.types[entry.type]) continue;
      this.run.types[entry.type] = {
        ...emptyReport(),
        status: 'skipped',
        note: entry.skipped === 'not-granted' ? 'not covered by the scopes the portal granted' : 'the portal does not offer this type',
      };
    }
  }

  private async searchAll(plan: TypePlan[]): Promise<void> {
    for (; this.cursor.typeIndex < plan.length; this.cursor.typeIndex++, this.cursor.categoryIndex = null, this.cursor.nextUrl = null) {
      const entry = plan[this.cursor.typeIndex];
      if (entry.skipped) continue;
      await this.searchType(entry);
      await this.saveCursor();
    }
    this.cursor = { ...this.cursor, phase: 'references', nextUrl: null };
    await this.saveCursor();
  }

  private async searchType(entry: TypePlan): Promise<void> {
    const type = entry.type;
    const report = (this.run.types[type] ??= emptyReport());
    const resumedMidType = this.cursor.nextUrl !== null || this.cursor.categoryIndex !== null;
    if (resumedMidType && !this.cursor.interruptedTypes.includes(type)) this.cursor.interruptedTypes.push(type);
    const seen = new Set<string>();
    let complete = true;
    const fallbacks = REQUIRED_CATEGORY_FALLBACKS[type];
    for (;;) {
      const category = this.cursor.categoryIndex === null ? undefined : fallbacks?.[this.cursor.categoryIndex];
      try {
        complete = (await this.pageThrough(type, entry, category, report, seen)) && complete;
      } catch (error) {
        if (!(error instanceof PortalClientError)) throw error;
        if (error.status === 401) throw error;
        const firstPage = this.cursor.nextUrl === null;
        if (error.status === 400 && fallbacks && this.cursor.categoryIndex === null && firstPage) {
          // The portal wants a category (Epic's Observation search, US Core CarePlan): one search per category.
          this.warn(`${type}: the portal requires a category (${error.outcome ?? 'HTTP 400'}); searching category by category`);
          this.cursor.categoryIndex = 0;
          continue;
        }
        report.status = error.status === 403 ? 'forbidden' : error.status === 404 ? 'not-supported' : 'refused';
        report.note = `${category ? `category ${category}: ` : ''}the portal answered ${error.message}`;
        this.warn(`${type}: ${report.note}`);
        if (!fallbacks || this.cursor.categoryIndex === null) return;
        complete = false;
      }
      if (fallbacks && this.cursor.categoryIndex !== null && this.cursor.categoryIndex + 1 < fallbacks.length) {
        this.cursor.categoryIndex++;
        this.cursor.nextUrl = null;
        await this.saveCursor();
        continue;
      }
      break;
    }
    if (report.status === 'pending') report.status = complete ? 'done' : 'partial';
    const judgeDeletions = this.cursor.fullPass && complete && report.status === 'done' && !this.cursor.interruptedTypes.includes(type);
    if (judgeDeletions) {
      // The stored hashes read for this pass (a re-sync) already list what was stored before it.
      const known = this.hashCache.get(type);
      const removed = await markRemovedAtSource(this.deps.pool, this.link.id, type, seen, known ? (await known).keys() : undefined);
      if (removed > 0) this.warn(`${type}: ${removed} record(s) are no longer at the portal; kept in the binder, marked removed at source`);
    }
  }

  /**
   * Follows one search's pages; returns false when it stopped early (loop or page limit).
   * Three stages overlap: the next page is fetched while this one is checked and turned into
   * rows, while the previous one is still being written. The cursor moves past a page only
   * once its rows are written, so a restart resumes at the first page not yet stored.
   */
  private async pageThrough(type: SyncType, entry: TypePlan, category: string | undefined, report: TypeReport, seen: Set<string>): Promise<boolean> {
    const visited = new Set<string>();
    const typeAlreadyStored = await this.hasStored(type);
    let url = this.cursor.nextUrl ?? this.searchUrl(type, entry, category);
    let pending: Promise<unknown> = this.http.getJson(url);
    let writing: Promise<void> = Promise.resolve();
    let pages = 0;
    try {
      for (;;) {
        const body = await pending;
        visited.add(url);
        let page;
        try {
          page = readSearchBundle(body);
        } catch (error) {
          if (error instanceof InvalidPageError) throw new PortalUnavailableError(`${type}: ${error.message}`);
          throw error;
        }
        const next = page.nextUrl ? this.http.resolve(page.nextUrl) : null;
        const looped = next !== null && visited.has(next);
        const limited = ++pages >= this.deps.settings.maxPages;
        const following = next && !looped && !limited ? next : null;
        pending = following ? this.http.getJson(following) : Promise.resolve(null);
        pending.catch(() => {}); // handled when awaited
        if (report.expected === null && page.total !== null && this.cursor.nextUrl === null) report.expected = page.total;
        // The entries are checked once the next page is already on its way.
        const rows = await this.preparePage(validateEntries(page.entries, this.link.portalPatientId), report, seen, typeAlreadyStored);
        await writing;
        writing = this.writePage(rows, report).then(() => {
          report.pages++;
          this.run.pagesDone++;
          this.cursor.nextUrl = following;
          // Saved in the background: the next page's write need not wait for it (saves stay in order).
          this.saveCursor().catch(() => {}); // a failure resurfaces at the next awaited save
        });
        writing.catch(() => {}); // handled when awaited
        if (page.nextUrl && !next) this.warn(`${type}: the portal's next link points off the portal; stopped there`);
        if (looped) this.warn(`${type}: the portal's next link repeats an earlier page; stopped there`);
        if (limited && next && !looped) this.warn(`${type}: stopped after ${this.deps.settings.maxPages} pages (SYNC_MAX_PAGES)`);
        if (!following) {
          await writing;
          await this.saveCursor();
          await pending;
          return !looped && !(limited && next) && !(page.nextUrl && !next);
        }
        url = following;
      }
    } catch (error) {
      // Nothing of this attempt may still be writing when the job gives up (a retry could be running by then).
      await writing.catch(() => {});
      await this.cursorSaves.catch(() => {}); // includes the save the last write queued
      throw error;
    }
  }

  private async hasStored(type: string): Promise<boolean> {
    const { rows } = await this.deps.pool.query<{ stored: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM records WHERE link_id = $1 AND resource_type = $2) AS stored',
      [this.link.id, type],
    );
    return rows[0].stored;
  }

  private searchUrl(type: SyncType, entry: TypePlan, category: string | undefined): string {
    const params = new URLSearchParams(patientSearch(type, this.link.portalPatientId));
    if (category) params.set('category', category);
    if (this.cursor.since && entry.useLastUpdated && type !== 'Patient') params.set('_lastUpdated', `gt${this.cursor.since}`);
    // The portal caps _count at its own maximum; asking for many means fewer round trips.
    params.set('_count', '1000');
    return `${type}?${params}`;
  }

  /** Checks, counts and turns a page into rows; unchanged resources (same content hash as stored) drop out here. */
  private async preparePage(verdicts: EntryVerdict[], report: TypeReport, seen: Set<string>, typeAlreadyStored: boolean): Promise<RecordRow[]> {
    const accepted: Array<{ resource: FhirResource; json: string; hash: string }> = [];
    for (const verdict of verdicts) {
      if (verdict.kind === 'warning') this.warn(verdict.message);
      else if (verdict.kind === 'reject') {
        report.rejected++;
        this.warn(`rejected: ${verdict.detail}`);
      } else {
        report.fetched++;
        seen.add(verdict.resource.id);
        accepted.push({ resource: verdict.resource, json: verdict.json, hash: contentHashOf(verdict.json) });
      }
    }
    // A re-sync of unchanged data reads and compares, and writes nothing. A type with nothing
    // stored yet (the first sync) has nothing to compare with.
    const changed = typeAlreadyStored ? await this.withoutUnchanged(accepted) : accepted;
    const rows: RecordRow[] = [];
    for (let start = 0; start < changed.length; start += ROWS_BETWEEN_YIELDS) {
      // Let the event loop in between slices: the next page keeps streaming in meanwhile,
      // instead of waiting in the socket until the whole page is turned into rows.
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const c of changed.slice(start, start + ROWS_BETWEEN_YIELDS)) rows.push(toRecordRow(c.resource, this.link.portalId, c.json, c.hash));
    }
    return rows;
  }

  private async writePage(rows: RecordRow[], report: TypeReport): Promise<void> {
    // The batches of one page go out together, each on its own pooled connection, each with the
    // fetches its own rows call for in the same statement (see upsertRecords).
    const writes: Array<Promise<number>> = [];
    for (let i = 0; i < rows.length; i += BATCH_SIZE) {
      const batch = rows.slice(i, i + BATCH_SIZE);
      const fetches = this.fetchesOf(batch);
      writes.push(
        upsertRecords(this.deps.pool, this.link.accountId, this.link.id, batch, fetches).then((result) => {
          // Only once committed: a batch that failed leaves its fetches for the page's rewrite.
          for (const f of fetches) this.committedFetches.add(`${f.kind} ${f.target}`);
          return result.written;
        }),
      );
    }
    const written = await Promise.all(writes);
    report.stored += written.reduce((sum, n) => sum + n, 0);
  }

  /** What these rows reference and what this attempt has not yet seen committed. */
  private fetchesOf(rows: RecordRow[]): PendingFetch[] {
    const fetches: PendingFetch[] = [];
    for (const row of rows) {
      for (const ref of row.fields.references) {
        if (ref.resourceType === 'Binary') continue; // fetched as documents, from the attachment
        const target = ref.url ?? `${ref.resourceType}/${ref.id}`;
        if (!this.committedFetches.has(`resource ${target}`)) fetches.push({ kind: 'resource', target, contentType: null });
      }
      for (const document of row.fields.documents) {
        if (!document.url || document.embedded) continue;
        const url = this.http.resolve(document.url);
        if (url === null) {
          // A rule, not a failure: tokens are only sent to the portal's own origin.
          if (!this.offPortal.has(document.url)) {
            this.offPortal.add(document.url);
            this.warn(`attachment ${document.url} is not on the portal; not fetched (tokens are only sent to the portal)`);
          }
          continue;
        }
        if (!this.committedFetches.has(`document ${url}`)) fetches.push({ kind: 'document', target: url, contentType: document.contentType ?? null });
      }
    }
    return fetches;
  }

  /**
   * Drops resources whose content hash equals the stored one. The stored hashes of a type are
   * read once per sync (one sequential read), not probed page by page: at 100,000 records the
   * per-page index probes cost more than the whole baseline sync.
   */
  private async withoutUnchanged<T extends { resource: FhirResource; hash: string }>(candidates: T[]): Promise<T[]> {
    const changed: T[] = [];
    const byType = new Map<string, Map<string, string>>();
    for (const candidate of candidates) {
      const type = candidate.resource.resourceType;
      let stored = byType.get(type);
      if (!stored) byType.set(type, (stored = await this.storedHashesOf(type)));
      if (stored.get(candidate.resource.id) !== candidate.hash) changed.push(candidate);
    }
    return changed;
  }

  private readonly hashCache = new Map<string, Promise<Map<string, string>>>();

  private storedHashesOf(resourceType: string): Promise<Map<string, string>> {
    let hashes = this.hashCache.get(resourceType);
    if (!hashes) {
      hashes = storedHashes(this.deps.pool, this.link.id, resourceType);
      this.hashCache.set(resourceType, hashes);
    }
    return hashes;
  }

  /**
   * A full pass first checks every current record's attachments against the stored documents
   * and queues the fetch of each one missing, whatever the rows' hashes say: documents lost
   * to anything (an older version's crash, a deleted row) come back. Refusals are lifted too,
   * so the rules are applied afresh, and pending attachments no record refers to any more go.
   */
  private async healAttachments(): Promise<void> {
    const wanted = new Map<string, string | null>();
    for (const attachment of await recordAttachments(this.deps.pool, this.link.id)) {
      const url = this.http.resolve(attachment.url);
      if (url !== null && !wanted.has(url)) wanted.set(url, attachment.contentType);
    }
    const stored = await storedDocumentUrls(this.deps.pool, this.link.id, [...wanted.keys()]);
    const missing: PendingFetch[] = [];
    for (const [url, contentType] of wanted) if (!stored.has(url)) missing.push({ kind: 'document', target: url, contentType });
    const pending = (await pendingFetches(this.deps.pool, this.link.id)).filter((p) => p.kind === 'document');
    const pendingUrls = new Set(pending.map((p) => this.http.resolve(p.target)));
    const queued = await queueFetches(this.deps.pool, this.link.id, missing.filter((m) => !pendingUrls.has(m.target)));
    if (queued > 0) this.warn(`${queued} attachment(s) of stored records were missing; fetching them again`);
    const stale = pending.filter((p) => {
      const url = this.http.resolve(p.target);
      return url === null || !wanted.has(url) || stored.has(url);
    });
    await dropPendingFetches(this.deps.pool, this.link.id, 'document', stale.map((p) => p.target));
    await this.deps.pool.query(`UPDATE sync_pending_fetches SET refused = NULL WHERE link_id = $1 AND refused IS NOT NULL`, [this.link.id]);
  }

  /**
   * Fetches what the records reference, a few at a time (the portal limiter bounds the total).
   * A pending fetch goes only with the work it stands for (stored, or not fetchable at all);
   * attachments that fail stay pending, with the reason, for the next sync.
   */
  private async fetchPending(): Promise<void> {
    if (this.cursor.fullPass) await this.healAttachments();
    const rows = await pendingFetches(this.deps.pool, this.link.id);
    const report = (this.run.types['(referenced)'] ??= emptyReport());

    const resources = rows.filter((r) => r.kind === 'resource');
    const unreadable = resources.filter((r) => referenceKey(r.target) === null);
    const haveResources = await storedReferenceKeys(this.deps.pool, this.link.id, resources.map((r) => referenceKey(r.target)).filter((k): k is string => k !== null));
    const resourcesHad = resources.filter((r) => haveResources.has(referenceKey(r.target) ?? ''));
    await dropPendingFetches(this.deps.pool, this.link.id, 'resource', [...unreadable, ...resourcesHad].map((r) => r.target));

    const documents = rows.filter((r) => r.kind === 'document' && r.refused === null);
    for (const row of documents.filter((r) => this.http.resolve(r.target) === null)) {
      this.warn(`attachment ${row.target} is not on the portal; not fetched (tokens are only sent to the portal)`);
      await refusePendingFetch(this.deps.pool, this.link.id, row.target, 'not on the portal');
    }
    const onPortal = documents.filter((r) => this.http.resolve(r.target) !== null);
    const haveDocuments = await storedDocumentUrls(this.deps.pool, this.link.id, onPortal.map((r) => this.http.resolve(r.target)!));
    const documentsHad = onPortal.filter((r) => haveDocuments.has(this.http.resolve(r.target)!));
    await dropPendingFetches(this.deps.pool, this.link.id, 'document', documentsHad.map((r) => r.target));

    const work = [
      ...resources.filter((r) => referenceKey(r.target) !== null && !haveResources.has(referenceKey(r.target)!)),
      ...onPortal.filter((r) => !haveDocuments.has(this.http.resolve(r.target)!)),
    ];
    let index = 0;
    const worker = async (): Promise<void> => {
      while (index < work.length) {
        const item = work[index++];
        if (item.kind === 'resource') await this.fetchReference(item.target, report);
        else await this.fetchDocument(item.target, item.contentType, report);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    await this.writeDocuments(report);
    report.status = 'done';
    this.cursor = { ...this.cursor, phase: 'done' };
    await this.saveCursor();
  }

  private async fetchReference(target: string, report: TypeReport): Promise<void> {
    try {
      const body = await this.http.getJson(target);
      const verdict = validateEntry(body, this.link.portalPatientId);
      if (verdict.kind !== 'accept') {
        report.rejected++;
        if (verdict.kind === 'reject') this.warn(`rejected reference ${target}: ${verdict.detail}`);
        await dropPendingFetches(this.deps.pool, this.link.id, 'resource', [target]);
        return;
      }
      report.fetched++;
      const row = toRecordRow(verdict.resource, this.link.portalId);
      report.stored += (await storeReference(this.deps.pool, this.link.accountId, this.link.id, row, target)).written;
    } catch (error) {
      if (!(error instanceof PortalClientError)) throw error;
      this.warn(`reference ${target}: the portal answered ${error.message}`);
      await dropPendingFetches(this.deps.pool, this.link.id, 'resource', [target]);
    }
  }

  private async fetchDocument(target: string, contentType: string | null, report: TypeReport): Promise<void> {
    const url = this.http.resolve(target)!;
    try {
      const response = await this.http.get(url, { accept: contentType ?? '*/*', maxBytes: this.deps.settings.maxDocumentBytes });
      let content = response.bytes;
      let type = response.headers.get('content-type')?.split(';')[0]?.trim() ?? contentType ?? 'application/octet-stream';
      // Some servers answer a Binary read with the FHIR resource, the bytes base64 inside.
      if (/fhir\+json|application\/json/.test(type)) {
        const binary = JSON.parse(response.text) as { resourceType?: string; contentType?: string; data?: string };
        if (binary.resourceType === 'Binary' && typeof binary.data === 'string') {
          content = Buffer.from(binary.data, 'base64');
          type = binary.contentType ?? contentType ?? 'application/octet-stream';
        }
      }
      this.unwrittenDocuments.push({ target, sourceUrl: url, contentType: type, content, sha256: createHash('sha256').update(content).digest() });
      this.unwrittenDocumentBytes += content.length;
    } catch (error) {
      if (error instanceof PortalResponseTooLargeError) {
        // A rule refused it (the size cap): not missing, not fetched again until a full pass.
        this.warn(`attachment ${target}: ${error.message}; not stored`);
        await refusePendingFetch(this.deps.pool, this.link.id, target, error.message);
        return;
      }
      const failure = error instanceof PortalClientError ? `the portal answered ${error.message}` : error instanceof SyntaxError ? 'the portal sent an unreadable Binary' : null;
      if (failure === null) throw error;
      this.warn(`attachment ${target}: ${failure}`);
      await notePendingFailure(this.deps.pool, this.link.id, target, failure);
      return;
    }
    if (this.unwrittenDocuments.length >= this.deps.settings.documentsPerWrite || this.unwrittenDocumentBytes >= DOCUMENT_BYTES_PER_WRITE) await this.writeDocuments(report);
  }

  /** Until written, fetched documents count as neither fetched nor stored (a crash refetches them: their fetches stay pending). */
  private async writeDocuments(report: TypeReport): Promise<void> {
    const documents = this.unwrittenDocuments;
    this.unwrittenDocuments = [];
    this.unwrittenDocumentBytes = 0;
    if (documents.length === 0) return;
    await storeDocuments(this.deps.pool, this.link.accountId, this.link.id, documents);
    report.fetched += documents.length;
    report.stored += documents.length;
  }

  private warn(message: string): void {
    this.run.warnings.push(message);
  }

  private cursorSaves: Promise<void> = Promise.resolve();

  /** Saves run one after another, each writing the cursor as it is then, so a later one never loses to an earlier one. */
  private saveCursor(): Promise<void> {
    this.cursorSaves = this.cursorSaves.then(async () => {
      await this.job.updateData({ ...this.job.data, cursor: this.cursor });
      await this.runs.saveProgress(this.run);
    });
    return this.cursorSaves;
  }
}

function emptyReport(): TypeReport {
  return { fetched: 0, stored: 0, rejected: 0, pages: 0, expected: null, status: 'pending' };
}

function referenceKey(target: string): string | null {
  const match = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(target);
  return match ? `${match[1]}/${match[2]}` : null;
}
