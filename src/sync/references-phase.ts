// The references phase of a sync: what the stored records call for (referenced practitioners,
// organizations, medications, locations, and attachments) is fetched from the pending table,
// a few at a time. Each piece of work leaves the table in the same statement that stores it
// (storage.ts); attachments a rule refuses (size cap, off the portal) stay marked refused, and
// those that fail stay pending with the reason, for the run's outcome and the next sync.
import { createHash } from 'node:crypto';
import { PortalResponseTooLargeError } from '../http/portal-http.js';
import { PortalClientError } from './fhir-http.js';
import { toRecordRow } from './record-row.js';
import {
  dropPendingFetches,
  notePendingFailure,
  pendingFetches,
  queueFetches,
  recordAttachments,
  refusePendingFetch,
  storeDocuments,
  storedDocumentUrls,
  storedReferenceKeys,
  storeReference,
  liftRefusals,
  type FetchedDocument,
  type PendingFetch,
} from './storage.js';
import type { SyncContext } from './sync-context.js';
import type { TypeReport } from './sync-runs.js';
import { validateEntry } from './validate.js';

const DOCUMENT_BYTES_PER_WRITE = 8 * 1024 * 1024;

/** Fetches everything pending (after the self-healing check on a full pass), then moves the cursor to done. */
export async function referencesPhase(ctx: SyncContext): Promise<void> {
  await new ReferencesPhase(ctx).run();
}

class ReferencesPhase {
  /** Fetched attachments not yet written: they go to the database several at a time. */
  private unwrittenDocuments: FetchedDocument[] = [];
  private unwrittenDocumentBytes = 0;

  constructor(private readonly ctx: SyncContext) {}

  /**
   * Every sync first checks every current record's attachments against the stored documents
   * and queues the fetch of each one missing, whatever the rows' hashes say: documents lost to
   * anything (an older version's crash, a deleted row) come back, and pending attachments no
   * record refers to any more go. A full pass also lifts refusals, so the rules apply afresh.
   */
  private async healAttachments(): Promise<void> {
    const wanted = new Map<string, string | null>();
    for (const attachment of await recordAttachments(this.ctx.pool, this.ctx.link.id)) {
      // Rows written before attachments carried their sourceUrl get it when re-filed (src/jobs/recategorize.ts);
      // until then the same rule is applied here, so their pending fetches are not taken for stale.
      const url = attachment.sourceUrl ?? this.ctx.http.resolve(attachment.url);
      if (url !== null && !wanted.has(url)) wanted.set(url, attachment.contentType);
    }
    const stored = await storedDocumentUrls(this.ctx.pool, this.ctx.link.id, [...wanted.keys()]);
    const missing: PendingFetch[] = [];
    for (const [url, contentType] of wanted) if (!stored.has(url)) missing.push({ kind: 'document', target: url, contentType });
    const pending = (await pendingFetches(this.ctx.pool, this.ctx.link.id)).filter((p) => p.kind === 'document');
    const pendingUrls = new Set(pending.map((p) => this.ctx.http.resolve(p.target)));
    const queued = await queueFetches(this.ctx.pool, this.ctx.link.id, missing.filter((m) => !pendingUrls.has(m.target)));
    if (queued > 0) this.ctx.warn(`${queued} attachment(s) of stored records were missing; fetching them again`);
    const stale = pending.filter((p) => {
      const url = this.ctx.http.resolve(p.target);
      return url === null || !wanted.has(url) || stored.has(url);
    });
    await dropPendingFetches(this.ctx.pool, this.ctx.link.id, 'document', stale.map((p) => p.target));
    if (this.ctx.cursor.fullPass) await liftRefusals(this.ctx.pool, this.ctx.link.id);
  }

  /**
   * Fetches what the records reference, a few at a time (the portal limiter bounds the total).
   * A pending fetch goes only with the work it stands for (stored, or not fetchable at all);
   * attachments that fail stay pending, with the reason, for the next sync.
   */
  async run(): Promise<void> {
    await this.healAttachments();
    const rows = await pendingFetches(this.ctx.pool, this.ctx.link.id);
    const report = this.ctx.report('(referenced)');

    const resources = rows.filter((r) => r.kind === 'resource');
    const unreadable = resources.filter((r) => referenceKey(r.target) === null);
    const haveResources = await storedReferenceKeys(this.ctx.pool, this.ctx.link.id, resources.map((r) => referenceKey(r.target)).filter((k): k is string => k !== null));
    const resourcesHad = resources.filter((r) => haveResources.has(referenceKey(r.target) ?? ''));
    await dropPendingFetches(this.ctx.pool, this.ctx.link.id, 'resource', [...unreadable, ...resourcesHad].map((r) => r.target));

    const documents = rows.filter((r) => r.kind === 'document' && r.refused === null);
    for (const row of documents.filter((r) => this.ctx.http.resolve(r.target) === null)) {
      this.ctx.warn(`attachment ${row.target} is not on the portal; not fetched (tokens are only sent to the portal)`);
      await refusePendingFetch(this.ctx.pool, this.ctx.link.id, row.target, 'not on the portal');
    }
    const onPortal = documents.filter((r) => this.ctx.http.resolve(r.target) !== null);
    const haveDocuments = await storedDocumentUrls(this.ctx.pool, this.ctx.link.id, onPortal.map((r) => this.ctx.http.resolve(r.target)!));
    const documentsHad = onPortal.filter((r) => haveDocuments.has(this.ctx.http.resolve(r.target)!));
    await dropPendingFetches(this.ctx.pool, this.ctx.link.id, 'document', documentsHad.map((r) => r.target));

    const work = [
      ...resources.filter((r) => referenceKey(r.target) !== null && !haveResources.has(referenceKey(r.target)!)),
      ...onPortal.filter((r) => !haveDocuments.has(this.ctx.http.resolve(r.target)!)),
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
    this.ctx.cursor = { ...this.ctx.cursor, phase: 'done' };
    await this.ctx.saveCursor();
  }

  private async fetchReference(target: string, report: TypeReport): Promise<void> {
    try {
      const body = await this.ctx.http.getJson(target);
      const verdict = validateEntry(body, this.ctx.link.portalPatientId);
      if (verdict.kind !== 'accept') {
        report.rejected++;
        if (verdict.kind === 'reject') this.ctx.warn(`rejected reference ${target}: ${verdict.detail}`);
        await dropPendingFetches(this.ctx.pool, this.ctx.link.id, 'resource', [target]);
        return;
      }
      report.fetched++;
      const row = toRecordRow(verdict.resource, this.ctx.recordSource);
      report.stored += (await storeReference(this.ctx.pool, this.ctx.link.accountId, this.ctx.link.id, row, target)).written;
    } catch (error) {
      if (!(error instanceof PortalClientError)) throw error;
      this.ctx.warn(`reference ${target}: the portal answered ${error.message}`);
      await dropPendingFetches(this.ctx.pool, this.ctx.link.id, 'resource', [target]);
    }
  }

  private async fetchDocument(target: string, contentType: string | null, report: TypeReport): Promise<void> {
    const url = this.ctx.http.resolve(target)!;
    try {
      const response = await this.ctx.http.get(url, { accept: contentType ?? '*/*', maxBytes: this.ctx.deps.settings.maxDocumentBytes, kind: 'binary' });
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
        this.ctx.warn(`attachment ${target}: ${error.message}; not stored`);
        await refusePendingFetch(this.ctx.pool, this.ctx.link.id, target, error.message);
        return;
      }
      const failure = error instanceof PortalClientError ? `the portal answered ${error.message}` : error instanceof SyntaxError ? 'the portal sent an unreadable Binary' : null;
      if (failure === null) throw error;
      this.ctx.warn(`attachment ${target}: ${failure}`);
      await notePendingFailure(this.ctx.pool, this.ctx.link.id, target, failure);
      return;
    }
    if (this.unwrittenDocuments.length >= this.ctx.deps.settings.documentsPerWrite || this.unwrittenDocumentBytes >= DOCUMENT_BYTES_PER_WRITE) await this.writeDocuments(report);
  }

  /** Until written, fetched documents count as neither fetched nor stored (a crash refetches them: their fetches stay pending). */
  private async writeDocuments(report: TypeReport): Promise<void> {
    const documents = this.unwrittenDocuments;
    this.unwrittenDocuments = [];
    this.unwrittenDocumentBytes = 0;
    if (documents.length === 0) return;
    await storeDocuments(this.ctx.pool, this.ctx.link.accountId, this.ctx.link.id, documents);
    report.fetched += documents.length;
    report.stored += documents.length;
  }
}

function referenceKey(target: string): string | null {
  const match = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(target);
  return match ? `${match[1]}/${match[2]}` : null;
}
