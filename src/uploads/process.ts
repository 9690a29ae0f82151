// The upload job's work: convert the stored file, validate what it holds as a portal's answer
// is validated, and file it under the upload's own source in one transaction, so a failed or
// repeated job never leaves half an upload in the binder. Safe to run twice: a filed upload
// is not loaded again.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { inTransaction, type Pool } from '../db/pool.js';
import { sourceUrlResolver } from '../records/source-url.js';
import { CdaRefusedError, convertCcda } from '../records/ccda/index.js';
import { inLeafletOrder, type CategoryId } from '../records/categories.js';
import { toRecordRow, type RecordRow } from '../sync/record-row.js';
import { storeDocuments, upsertRecords, type FetchedDocument } from '../sync/storage.js';
import { validateEntry } from '../sync/validate.js';
import { convertDocument, convertFhir, uploadedTag, type Converted, type UploadMeta } from './convert.js';
import { patientMismatch } from './patient-check.js';
import { pdfTextLayer } from './pdf-text.js';
import { createUploadRepository, type Upload } from './repository.js';
import { MalformedFileError } from './sniff.js';

/** Where an upload's relative attachment URLs ("Binary/original") resolve: the source's base in the binder. */
export const uploadBaseUrl = (uploadId: string) => `urn:carebinder:upload:${uploadId}`;

/** How records of an upload are told apart in duplicate keys (as a portal id is for a portal's). */
export const uploadSourceId = (uploadId: string) => `upload:${uploadId}`;

/** A file that cannot be filed whatever the retry: the upload fails with this reason. */
export class UploadRejectedError extends Error {
  override name = 'UploadRejectedError';
}

export interface ProcessDeps {
  pool: Pool;
  log: Logger;
}

export type ProcessOutcome = { state: 'done'; resources: number } | { state: 'failed'; error: string } | { state: 'gone' };

export async function processUpload(uploadId: string, deps: ProcessDeps, options: { lastAttempt: boolean } = { lastAttempt: true }): Promise<ProcessOutcome> {
  const uploads = createUploadRepository(deps.pool);
  const upload = await uploads.loadForProcessing(uploadId);
  // Deleted meanwhile, or already filed by an earlier run.
  if (!upload) return { state: 'gone' };
  try {
    const converted = await convert(upload);
    const known = await uploads.knownPatientDetails(upload.accountId);
    const warnings = [...converted.warnings, ...patientMismatch(converted.patient, known)];
    const { rows, rejected } = validated(converted, upload.id);
    if (rejected.length > 0) warnings.push(...summariseRejections(rejected));
    if (rows.length === 0) throw new UploadRejectedError(`Nothing in the file could be kept${rejected.length ? `: ${rejected[0]}` : '.'}`);
    const documents: FetchedDocument[] = converted.documents.map((document) => ({
      sourceUrl: sourceUrlResolver(uploadBaseUrl(upload.id))(document.url) ?? document.url,
      contentType: document.contentType,
      content: document.content,
      sha256: createHash('sha256').update(document.content).digest(),
    }));
    const categories = inLeafletOrder(rows.flatMap((row) => row.categories as CategoryId[]));
    await inTransaction(deps.pool, async (client) => {
      const repository = createUploadRepository(client);
      const linkId = await repository.sourceLink(upload, converted.patientId);
      await upsertRecords(client, upload.accountId, linkId, rows);
      await storeDocuments(client, upload.accountId, linkId, documents);
      await repository.markDone(upload.id, { resources: rows.length, categories, warnings });
    });
    deps.log.info({ uploadId: upload.id, kind: upload.kind, resources: rows.length, documents: documents.length }, 'upload filed');
    return { state: 'done', resources: rows.length };
  } catch (error) {
    const permanent = error instanceof UploadRejectedError || error instanceof MalformedFileError || error instanceof CdaRefusedError;
    if (!permanent && !options.lastAttempt) throw error;
    const reason = permanent ? (error).message : 'The file could not be filed because of an error on our side. It has been logged.';
    if (!permanent) deps.log.error({ err: error, uploadId: upload.id }, 'upload failed');
    await uploads.markFailed(upload.id, reason);
    return { state: 'failed', error: reason };
  }
}

async function convert(upload: Upload & { content: Buffer }): Promise<Converted> {
  const meta: UploadMeta = {
    uploadId: upload.id,
    fileName: upload.fileName,
    kind: upload.kind,
    contentType: upload.contentType,
    category: upload.category,
    title: upload.title,
    date: upload.date,
    uploadedAt: upload.createdAt.toISOString(),
  };
  switch (upload.kind) {
    case 'ccda':
      return convertCcda(upload.content.toString('utf8'), {
        fileName: upload.fileName,
        category: upload.category,
        title: upload.title,
        date: upload.date,
        tags: [uploadedTag(upload.fileName)],
      });
    case 'fhir-json':
    case 'fhir-ndjson':
      return convertFhir(upload.content.toString('utf8'), upload.kind);
    case 'pdf': {
      const text = await pdfTextLayer(upload.content);
      const converted = convertDocument(upload.content, meta, text);
      return text === null ? { ...converted, warnings: [...converted.warnings, 'The PDF has no text layer that could be read (a scan?): it was filed by its title.'] } : converted;
    }
    case 'text':
      return convertDocument(upload.content, meta, upload.content.toString('utf8'));
    case 'jpeg':
    case 'png':
      return convertDocument(upload.content, meta, null);
  }
}

function validated(converted: Converted, uploadId: string): { rows: RecordRow[]; rejected: string[] } {
  const rows: RecordRow[] = [];
  const rejected: string[] = [];
  const seen = new Set<string>();
  for (const resource of converted.resources) {
    const verdict = validateEntry(resource, converted.patientId ?? '');
    if (verdict.kind === 'warning') continue;
    if (verdict.kind === 'reject') {
      rejected.push(verdict.detail);
      continue;
    }
    const key = `${verdict.resource.resourceType}/${verdict.resource.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push(toRecordRow(verdict.resource, { portalId: uploadSourceId(uploadId), resolveAttachment: sourceUrlResolver(uploadBaseUrl(uploadId)) }, verdict.json));
  }
  return { rows, rejected };
}

function summariseRejections(rejected: readonly string[]): string[] {
  const shown = rejected.slice(0, 5).map((detail) => `Not kept: ${detail}.`);
  if (rejected.length > 5) shown.push(`… and ${rejected.length - 5} more not kept.`);
  return shown;
}
