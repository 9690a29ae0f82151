// How big each download will be, for the "Export & share" page, without making them: the IPS is
// small and built for real (exact); the complete Bundle, the zip and the PDF are estimated from what
// is stored (the records' JSON and the documents' bytes), so the page loads in one query's time
// rather than a PDF's. The page says "about" for estimates.
import type { Queryable } from '../db/pool.js';
import { buildIps } from './ips.js';

export interface ExportSizes {
  records: number;
  documents: number;
  /** Exact: the IPS as the download serves it. */
  ipsBytes: number;
  /** Estimates. */
  bundleBytes: number;
  zipBytes: number;
  pdfBytes: number;
}

/** Per Bundle entry around the resource: fullUrl, the source extension, separators. */
const ENTRY_OVERHEAD = 260;
/** Per Binary entry around its base64 data. */
const BINARY_OVERHEAD = 200;

export async function exportSizes(db: Queryable, accountId: string): Promise<ExportSizes> {
  const [records, documents, ips] = await Promise.all([
    db.query<{ count: number; bytes: number }>('SELECT count(*)::int AS count, coalesce(sum(octet_length(resource::text)), 0)::float8 AS bytes FROM records WHERE account_id = $1', [
      accountId,
    ]),
    db.query<{ count: number; bytes: number }>('SELECT count(*)::int AS count, coalesce(sum(size_bytes), 0)::float8 AS bytes FROM documents WHERE account_id = $1', [accountId]),
    buildIps(db, accountId),
  ]);
  const r = records.rows[0] ?? { count: 0, bytes: 0 };
  const d = documents.rows[0] ?? { count: 0, bytes: 0 };
  const bundleBytes = Math.round(r.bytes + r.count * ENTRY_OVERHEAD + (d.bytes * 4) / 3 + d.count * BINARY_OVERHEAD + 200);
  // The binder PDF: a cover and contents, about a line per record, and the documents placed in it.
  const pdfBytes = Math.round(25_000 + r.count * 120 + d.bytes);
  // The zip: the Bundle's JSON deflates about fivefold, its base64 documents back to about their size;
  // then each document once more as a file, and the PDF.
  const zipBytes = Math.round((r.bytes + r.count * ENTRY_OVERHEAD) / 5 + d.bytes + d.bytes + pdfBytes + 2_000);
  return { records: r.count, documents: d.count, ipsBytes: Buffer.byteLength(JSON.stringify(ips)), bundleBytes, zipBytes, pdfBytes };
}
