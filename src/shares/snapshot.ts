// What a share carries, made at the moment the patient creates it (a snapshot: later syncs do not
// change what a recipient sees). Every file is FHIR JSON, as the SHL manifest expects:
// - ips: the International Patient Summary (a document Bundle), as GET /api/record/ips.json;
// - pdf: the binder PDF travels inside a DocumentReference (application/fhir+json) with the PDF
//   inline as base64, because an SHL manifest lists FHIR content, not bare PDFs;
// - bundle: the complete Bundle, as GET /api/record/export.json.
// The bundle is gathered in memory before it is encrypted (it is held about three times over, as
// text, deflated and as ciphertext), so it is capped at SHARE_BUNDLE_MAX_BYTES; the zip or the JSON
// download remain for larger binders.
import { ContentTooLargeError } from '../errors.js';
import type { Queryable } from '../db/pool.js';
import { binderPdfBuffer } from '../exports/binder-pdf.js';
import { completeBundleChunks } from '../exports/bundle.js';
import { buildIps } from '../exports/ips.js';

export const SHARE_CONTENTS = ['ips', 'pdf', 'bundle'] as const;
export type ShareContent = (typeof SHARE_CONTENTS)[number];

export const FHIR_JSON = 'application/fhir+json';
export const SHARE_BUNDLE_MAX_BYTES = 64 * 1024 * 1024;

export interface SnapshotFile {
  content: ShareContent;
  contentType: string;
  body: Buffer;
}

/** The files of a share, in the order asked (each content once). */
export async function snapshotShare(db: Queryable, accountId: string, contents: readonly ShareContent[], now = new Date()): Promise<SnapshotFile[]> {
  const files: SnapshotFile[] = [];
  for (const content of new Set(contents)) {
    files.push({ content, contentType: FHIR_JSON, body: await snapshotOne(db, accountId, content, now) });
  }
  return files;
}

async function snapshotOne(db: Queryable, accountId: string, content: ShareContent, now: Date): Promise<Buffer> {
  switch (content) {
    case 'ips':
      return Buffer.from(JSON.stringify(await buildIps(db, accountId, { now })), 'utf8');
    case 'pdf':
      return Buffer.from(JSON.stringify(pdfDocumentReference(await binderPdfBuffer(db, accountId), now)), 'utf8');
    case 'bundle':
      return bundleBuffer(db, accountId, now);
  }
}

/** The binder PDF as a FHIR DocumentReference with the PDF inline. */
export function pdfDocumentReference(pdf: Buffer, now: Date): Record<string, unknown> {
  const day = now.toISOString().slice(0, 10);
  return {
    resourceType: 'DocumentReference',
    status: 'current',
    type: { text: 'Medical records binder (PDF)' },
    date: now.toISOString(),
    description: `The binder as printed by carebinder on ${day}`,
    content: [{ attachment: { contentType: 'application/pdf', data: pdf.toString('base64'), size: pdf.length, title: `binder-${day}.pdf`, creation: now.toISOString() } }],
  };
}

async function bundleBuffer(db: Queryable, accountId: string, now: Date): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const text of completeBundleChunks(db, accountId, { now })) {
    const chunk = Buffer.from(text, 'utf8');
    total += chunk.length;
    if (total > SHARE_BUNDLE_MAX_BYTES) {
      throw new ContentTooLargeError(
        `The complete record is larger than ${SHARE_BUNDLE_MAX_BYTES / 1024 / 1024} MB, too large to share as a link. Share the summary (IPS) and the PDF, or download the zip.`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
