// Documents: attachments fetched from the portals (d<id>) or carried inside a resource
// (e<recordId>-<n>). A portal names the content type, so it is not trusted: only an allow-list
// of types a browser shows without running anything is served inline as declared; other text
// (HTML, XML and its +xml kin, XSL, scripts, JSON) is served as text/plain, and everything else
// as a download (application/octet-stream, Content-Disposition: attachment). Every answer
// carries nosniff and a sandbox CSP.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../db/pool.js';
import { NotFoundError } from '../errors.js';
import type { DocumentAttachment } from '../records/binder-fields.js';

/**
 * Shown inline with their own type: PDF (the browser's viewer, inside the CSP sandbox), the
 * raster images every browser decodes without script, and plain text. SVG is not here: it is
 * XML that can carry script.
 */
const INLINE_TYPES = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'text/plain']);

/** Text a person can read but a browser might run or render: shown as plain text. */
function isReadableText(type: string): boolean {
  if (type.startsWith('text/')) return true;
  const [top, sub = ''] = type.split('/');
  return top === 'application' && /^(json|xml|javascript|x-javascript|ecmascript|x-ecmascript|[a-z0-9.-]+\+(json|xml))$/.test(sub);
}

/** type/subtype as RFC 6838 names them; anything else is not a type we recognise. */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

export interface DocumentDelivery {
  contentType: string;
  disposition: 'inline' | 'attachment';
}

const DOWNLOAD: DocumentDelivery = { contentType: 'application/octet-stream', disposition: 'attachment' };

/** How a document with this declared content type is served (pure: the allow-list above). */
export function documentDelivery(declaredContentType: string): DocumentDelivery {
  const type = declaredContentType.split(';')[0].trim().toLowerCase();
  if (!MEDIA_TYPE.test(type)) return DOWNLOAD;
  if (INLINE_TYPES.has(type)) return { contentType: type === 'text/plain' ? 'text/plain; charset=utf-8' : type, disposition: 'inline' };
  if (isReadableText(type)) return { contentType: 'text/plain; charset=utf-8', disposition: 'inline' };
  return DOWNLOAD;
}

/** `beforeServe` runs once the document is found and is about to be sent (not for a 304): the audit trail's hook. */
export async function sendDocument(
  db: Queryable,
  accountId: string,
  id: string,
  request: FastifyRequest,
  reply: FastifyReply,
  beforeServe?: () => Promise<void>,
): Promise<FastifyReply> {
  const document = id.startsWith('d') ? await storedDocument(db, accountId, id.slice(1)) : await embeddedDocument(db, accountId, id.slice(1));
  if (!document) throw new NotFoundError('No such document.');
  const etag = `"${document.sha256}"`;
  reply.header('etag', etag).header('cache-control', 'private, max-age=3600');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  await beforeServe?.();
  const delivery = documentDelivery(document.contentType);
  return reply
    .header('content-type', delivery.contentType)
    .header('content-security-policy', "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'")
    .header('x-content-type-options', 'nosniff')
    .header('content-disposition', `${delivery.disposition}; filename="${document.filename}"`)
    .send(document.content);
}

interface Loaded {
  content: Buffer;
  contentType: string;
  sha256: string;
  filename: string;
}

async function storedDocument(db: Queryable, accountId: string, id: string): Promise<Loaded | null> {
  const { rows } = await db.query<{ content: Buffer; content_type: string; sha256: string; source_url: string }>(
    `SELECT content, content_type, encode(sha256, 'hex') AS sha256, source_url FROM documents WHERE id = $1 AND account_id = $2`,
    [id, accountId],
  );
  const row = rows[0];
  return row ? { content: row.content, contentType: row.content_type, sha256: row.sha256, filename: filenameFor(row.source_url, row.content_type) } : null;
}

async function embeddedDocument(db: Queryable, accountId: string, key: string): Promise<Loaded | null> {
  const [recordId, index] = key.split('-');
  const { rows } = await db.query<{ resource: { content?: Array<{ attachment?: { data?: string; contentType?: string; title?: string } }>; presentedForm?: Array<{ data?: string; contentType?: string; title?: string }> } }>(
    'SELECT resource FROM records WHERE id = $1 AND account_id = $2',
    [recordId, accountId],
  );
  const resource = rows[0]?.resource;
  if (!resource) return null;
  const attachments: Array<Partial<DocumentAttachment> & { data?: string }> = [
    ...(resource.content ?? []).map((c) => c.attachment ?? {}),
    ...(resource.presentedForm ?? []),
  ];
  const attachment = attachments[Number(index)];
  if (!attachment?.data) return null;
  const content = Buffer.from(attachment.data, 'base64');
  const { createHash } = await import('node:crypto');
  return {
    content,
    contentType: attachment.contentType ?? 'application/octet-stream',
    sha256: createHash('sha256').update(content).digest('hex'),
    filename: filenameFor(attachment.title ?? `document-${key}`, attachment.contentType ?? ''),
  };
}

function filenameFor(source: string, contentType: string): string {
  const base = (source.split(/[/?#]/).filter(Boolean).pop() ?? 'document').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  const extension = contentType.includes('pdf') ? '.pdf' : contentType.startsWith('text/plain') ? '.txt' : '';
  return base.endsWith(extension) ? base : `${base}${extension}`;
}
