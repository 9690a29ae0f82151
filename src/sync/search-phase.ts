// The search phase of a sync: each planned type is searched page by page (the next page is
// fetched while the current one is checked and the previous one written), with a search per
// category where the portal insists on one, unchanged resources (same content hash) dropped
// before any work, and, on a complete full pass, what the portal no longer has marked removed.
// Each batch of rows is written with the fetches it calls for, in one statement (storage.ts).
import { PortalClientError, PortalUnavailableError } from './fhir-http.js';
import { patientSearch, REQUIRED_CATEGORY_FALLBACKS, type SyncType, type TypePlan } from './plan.js';
import { contentHashOf, toRecordRow, type RecordRow } from './record-row.js';
import { BATCH_SIZE, markRemovedAtSource, storedHashes, upsertRecords, type PendingFetch } from './storage.js';
import type { SyncContext } from './sync-context.js';
import type { TypeReport } from './sync-runs.js';
import { readSearchBundle, validateEntries, InvalidPageError, type EntryVerdict, type FhirResource } from './validate.js';

const ROWS_BETWEEN_YIELDS = 100;

/** Searches every planned type from where the cursor stands, then moves the cursor to the references phase. */
export async function searchPhase(ctx: SyncContext, plan: TypePlan[]): Promise<void> {
  await new SearchPhase(ctx).run(plan);
}

class SearchPhase {
  /** Fetches this attempt has seen committed to the pending table (so later pages need not queue them again). */
  private readonly committedFetches = new Set<string>();
  /** Attachments off the portal, warned about once per attempt. */
  private readonly offPortal = new Set<string>();

  private plan: TypePlan[] = [];
  /**
   * The next type's first page, asked for while the type before it is still being written: a
   * sync searches its types one after another, and without this each one waited a full portal
   * round trip after the last. Still at most three pages in memory (fetching, preparing, writing).
   */
  private prefetched: { url: string; page: Promise<unknown> } | null = null;

  constructor(private readonly ctx: SyncContext) {}

  async run(plan: TypePlan[]): Promise<void> {
    this.plan = plan;
    // Every step of the run is in the report from the start, so the progress bar's denominator
    // never grows under it (src/sync/sync-runs.ts, progressOf).
    for (const entry of plan) if (!entry.skipped) this.ctx.report(entry.type);
    this.ctx.report('(referenced)');
    for (; this.ctx.cursor.typeIndex < plan.length; this.ctx.cursor.typeIndex++, this.ctx.cursor.categoryIndex = null, this.ctx.cursor.nextUrl = null) {
      const entry = plan[this.ctx.cursor.typeIndex];
      if (entry.skipped) continue;
      await this.searchType(entry);
      await this.ctx.saveCursor();
    }
    this.ctx.cursor = { ...this.ctx.cursor, phase: 'references', nextUrl: null };
    await this.ctx.saveCursor();
  }

  private async searchType(entry: TypePlan): Promise<void> {
    const type = entry.type;
    const report = this.ctx.report(type);
    const resumedMidType = this.ctx.cursor.nextUrl !== null || this.ctx.cursor.categoryIndex !== null;
    if (resumedMidType && !this.ctx.cursor.interruptedTypes.includes(type)) this.ctx.cursor.interruptedTypes.push(type);
    const seen = new Set<string>();
    let complete = true;
    const fallbacks = REQUIRED_CATEGORY_FALLBACKS[type];
    for (;;) {
      const category = this.ctx.cursor.categoryIndex === null ? undefined : fallbacks?.[this.ctx.cursor.categoryIndex];
      try {
        complete = (await this.pageThrough(type, entry, category, report, seen)) && complete;
      } catch (error) {
        if (!(error instanceof PortalClientError)) throw error;
        if (error.status === 401) throw error;
        const firstPage = this.ctx.cursor.nextUrl === null;
        if (error.status === 400 && fallbacks && this.ctx.cursor.categoryIndex === null && firstPage) {
          // The portal wants a category (Epic's Observation search, US Core CarePlan): one search per category.
          this.ctx.warn(`${type}: the portal requires a category (${error.outcome ?? 'HTTP 400'}); searching category by category`);
          this.ctx.cursor.categoryIndex = 0;
          continue;
        }
        report.status = error.status === 403 ? 'forbidden' : error.status === 404 ? 'not-supported' : 'refused';
        report.note = `${category ? `category ${category}: ` : ''}the portal answered ${error.message}`;
        this.ctx.warn(`${type}: ${report.note}`);
        if (!fallbacks || this.ctx.cursor.categoryIndex === null) return;
        complete = false;
      }
      if (fallbacks && this.ctx.cursor.categoryIndex !== null && this.ctx.cursor.categoryIndex + 1 < fallbacks.length) {
        this.ctx.cursor.categoryIndex++;
        this.ctx.cursor.nextUrl = null;
        await this.ctx.saveCursor();
        continue;
      }
      break;
    }
    if (report.status === 'pending') report.status = complete ? 'done' : 'partial';
    const judgeDeletions = this.ctx.cursor.fullPass && complete && report.status === 'done' && !this.ctx.cursor.interruptedTypes.includes(type);
    if (judgeDeletions) {
      // The stored hashes read for this pass (a re-sync) already list what was stored before it.
      const known = this.hashCache.get(type);
      const removed = await markRemovedAtSource(this.ctx.pool, this.ctx.link.id, type, seen, known ? (await known).keys() : undefined);
      if (removed > 0) this.ctx.warn(`${type}: ${removed} record(s) are no longer at the portal; kept in the binder, marked removed at source`);
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
    let url = this.ctx.cursor.nextUrl ?? this.searchUrl(type, entry, category);
    let pending: Promise<unknown> = this.takePrefetched(url) ?? this.ctx.http.getJson(url);
    pending.catch(() => {}); // handled when awaited
    // Asked while the first page is on its way.
    const typeAlreadyStored = await this.hasStored(type);
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
        const next = page.nextUrl ? this.ctx.http.resolve(page.nextUrl) : null;
        const looped = next !== null && visited.has(next);
        const limited = ++pages >= this.ctx.deps.settings.maxPages;
        const following = next && !looped && !limited ? next : null;
        pending = following ? this.ctx.http.getJson(following) : Promise.resolve(null);
        pending.catch(() => {}); // handled when awaited
        // The plain search's last page ends the type (a per-category search starts only when the
        // first page is refused): the next type's first page can be on its way meanwhile.
        if (!following && category === undefined) this.prefetchAfter(this.ctx.cursor.typeIndex);
        if (report.expected === null && page.total !== null && this.ctx.cursor.nextUrl === null) report.expected = page.total;
        // The entries are checked once the next page is already on its way.
        const rows = await this.preparePage(validateEntries(page.entries, this.ctx.link.portalPatientId), report, seen, typeAlreadyStored);
        await writing;
        writing = this.writePage(rows, report).then(() => {
          report.pages++;
          this.ctx.run.pagesDone++;
          this.ctx.cursor.nextUrl = following;
          // Saved in the background: the next page's write need not wait for it (saves stay in order).
          // After a search's last page the caller saves (and awaits) right away: once is enough.
          if (following) this.ctx.saveCursor().catch(() => {}); // a failure resurfaces at the next awaited save
        });
        writing.catch(() => {}); // handled when awaited
        if (page.nextUrl && !next) this.ctx.warn(`${type}: the portal's next link points off the portal; stopped there`);
        if (looped) this.ctx.warn(`${type}: the portal's next link repeats an earlier page; stopped there`);
        if (limited && next && !looped) this.ctx.warn(`${type}: stopped after ${this.ctx.deps.settings.maxPages} pages (SYNC_MAX_PAGES)`);
        if (!following) {
          // Written; the cursor is saved by the caller, which always saves next (run() after a
          // type, searchType() before the next category), with whatever the type's end adds.
          await writing;
          await pending;
          return !looped && !(limited && next) && !(page.nextUrl && !next);
        }
        url = following;
      }
    } catch (error) {
      // Nothing of this attempt may still be writing when the job gives up (a retry could be running by then).
      await writing.catch(() => {});
      await this.ctx.savesSettled(); // includes the save the last write queued
      throw error;
    }
  }

  /** Starts the first page of the next searched type after plan[index]. */
  private prefetchAfter(index: number): void {
    const nextIndex = this.plan.findIndex((entry, i) => i > index && !entry.skipped);
    if (nextIndex < 0) return;
    const entry = this.plan[nextIndex];
    const url = this.searchUrl(entry.type, entry, undefined);
    const page = this.ctx.http.getJson(url);
    page.catch(() => {}); // handled when awaited (or dropped, if this attempt ends first)
    this.prefetched = { url, page };
  }

  /** The prefetched page if it is this URL's; any other prefetch is dropped. */
  private takePrefetched(url: string): Promise<unknown> | null {
    const prefetched = this.prefetched;
    this.prefetched = null;
    return prefetched?.url === url ? prefetched.page : null;
  }

  private async hasStored(type: string): Promise<boolean> {
    const { rows } = await this.ctx.pool.query<{ stored: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM records WHERE link_id = $1 AND resource_type = $2) AS stored',
      [this.ctx.link.id, type],
    );
    return rows[0].stored;
  }

  private searchUrl(type: SyncType, entry: TypePlan, category: string | undefined): string {
    const params = new URLSearchParams(patientSearch(type, this.ctx.link.portalPatientId));
    if (category) params.set('category', category);
    if (this.ctx.cursor.since && entry.useLastUpdated && type !== 'Patient') params.set('_lastUpdated', `gt${this.ctx.cursor.since}`);
    // The portal caps _count at its own maximum; asking for many means fewer round trips.
    params.set('_count', '1000');
    return `${type}?${params}`;
  }

  /** Checks, counts and turns a page into rows; unchanged resources (same content hash as stored) drop out here. */
  private async preparePage(verdicts: EntryVerdict[], report: TypeReport, seen: Set<string>, typeAlreadyStored: boolean): Promise<RecordRow[]> {
    const accepted: Array<{ resource: FhirResource; json: string; hash: string }> = [];
    for (const verdict of verdicts) {
      if (verdict.kind === 'warning') this.ctx.warn(verdict.message);
      else if (verdict.kind === 'reject') {
        report.rejected++;
        this.ctx.warn(`rejected: ${verdict.detail}`);
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
      for (const c of changed.slice(start, start + ROWS_BETWEEN_YIELDS)) rows.push(toRecordRow(c.resource, this.ctx.recordSource, c.json, c.hash));
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
        upsertRecords(this.ctx.pool, this.ctx.link.accountId, this.ctx.link.id, batch, fetches).then((result) => {
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
        const url = document.sourceUrl ?? null; // resolved when the row was made
        if (url === null) {
          // A rule, not a failure: tokens are only sent to the portal's own origin.
          if (!this.offPortal.has(document.url)) {
            this.offPortal.add(document.url);
            this.ctx.warn(`attachment ${document.url} is not on the portal; not fetched (tokens are only sent to the portal)`);
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
      hashes = storedHashes(this.ctx.pool, this.ctx.link.id, resourceType);
      this.hashCache.set(resourceType, hashes);
    }
    return hashes;
  }
}
