// Documents: attachments fetched from the portals (d<id>) or carried inside a resource
// (e<recordId>-<n>). Served with their own content type, except types a browser would run
// (HTML, SVG, XML), which are served as plain text; every answer is sandboxed.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../db/pool.js';
import { NotFoundError } from '../errors.js';
import type { DocumentAttachment } from '../records/binder-fields.js';

const ACTIVE_TYPES = /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|application\/javascript|text\/javascript)/i;
const SAFE_TYPE = /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/i;

export async function sendDocument(db: Queryable, accountId: string, id: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const document = id.startsWith('d') ? await storedDocument(db, accountId, id.slice(1)) : await embeddedDocument(db, accountId, id.slice(1));
  if (!document) throw new NotFoundError('No such document.');
  const etag = `"${document.sha256}"`;
  reply.header('etag', etag).header('cache-control', 'private, max-age=3600');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  const declared = document.contentType.split(';')[0].trim().toLowerCase();
  const inert = ACTIVE_TYPES.test(declared) || !SAFE_TYPE.test(declared);
  return reply
    .header('content-type', inert ? 'text/plain; charset=utf-8' : declared.startsWith('text/') ? `${declared}; charset=utf-8` : declared)
    .header('content-security-policy', "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'")
    .header('x-content-type-options', 'nosniff')
    .header('content-disposition', `inline; filename="${document.filename}"`)
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
