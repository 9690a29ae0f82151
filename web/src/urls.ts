// URLs the client builds or follows. Pure: unit-tested in Node.
import type { RecordFilter } from './types.js';

/** The portal's sign-in page, only if it really is a web address (never javascript: or data:). */
export function safeNavigationUrl(value: string, base: string): string | null {
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return null;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
}

/**
 * Where to go after signing in: a path on this site only. The value is resolved (dot segments
 * normalised) and the result must itself be a same-origin path: "/..//evil.example" resolves to
 * the path "//evil.example", which a browser reads as another host, so it is refused like
 * "//other.site" and "/\\other.site".
 */
export function safeNextPath(next: string | null, origin: string): string {
  if (!next || !next.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return '/';
  }
  if (url.origin !== origin) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return '/';
  // Whatever is returned must stay on this origin when the browser resolves it again.
  return new URL(path, origin).origin === origin ? path : '/';
}

/** Same-origin address of a document's bytes. Built from the id, so a stored URL cannot point elsewhere. */
export function documentBytesPath(id: string): string {
  return `/api/documents/${encodeURIComponent(id)}`;
}

/**
 * The in-app viewer of a document. The type rides along so the viewer need not ask first; the
 * record's id (and the document's address, to pick it among the record's attachments) let the
 * viewer take its heading from the record. No title: the address bar is anyone's to write.
 */
export function documentViewerPath(doc: { id: string; contentType?: string | null; url?: string | null }, recordId?: string | null): string {
  const params = new URLSearchParams();
  if (doc.contentType) params.set('type', doc.contentType);
  if (recordId) params.set('record', recordId);
  if (recordId && doc.url) params.set('src', doc.url);
  const query = params.toString();
  return `/documents/${encodeURIComponent(doc.id)}${query ? `?${query}` : ''}`;
}

export type DocumentKind = 'pdf' | 'text' | 'image' | 'other';

const TEXT_TYPES = new Set(['application/json', 'application/fhir+json', 'application/xml', 'application/fhir+xml']);
/** The images the server shows inline (src/binder/documents.ts); it sends any other as a download. */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** How the viewer shows a content type. SVG is not shown inline (it can carry script); it downloads. */
export function documentKind(contentType: string | null | undefined): DocumentKind {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/pdf') return 'pdf';
  if (type.startsWith('text/') || TEXT_TYPES.has(type)) return 'text';
  if (IMAGE_TYPES.has(type)) return 'image';
  return 'other';
}

/** The binder filter from a page's query string; malformed dates are dropped. */
export function readFilter(search: string): RecordFilter {
  const params = new URLSearchParams(search);
  const filter: RecordFilter = {};
  const portal = params.get('portal')?.trim();
  if (portal) filter.portal = portal;
  for (const key of ['from', 'to'] as const) {
    const value = params.get(key)?.trim();
    if (value && /^\d{4}-\d{2}-\d{2}$/.test(value)) filter[key] = value;
  }
  return filter;
}

/** A filter (plus extra parameters) as a query string: "" or "?portal=a&from=2024-01-01". */
export function filterQuery(filter: RecordFilter, extra: Record<string, string | number | null | undefined> = {}): string {
  const params = new URLSearchParams();
  if (filter.portal) params.set('portal', filter.portal);
  if (filter.from) params.set('from', filter.from);
  if (filter.to) params.set('to', filter.to);
  for (const [key, value] of Object.entries(extra)) if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  const query = params.toString();
  return query ? `?${query}` : '';
}
