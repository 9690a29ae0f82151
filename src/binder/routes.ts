// The unified record: the signed-in patient's binder across every linked portal, by category,
// with the treatment summary and side effects; single resources, documents, and the export.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Binder, BinderQuery, CategoryPage, CategoryParams, CategoryQuery, DocumentParams, ResourceDetail, ResourceParams, type Filters, type ResourceSource } from '../api/binder.js';
import type { Queryable } from '../db/pool.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import { requireAccount } from '../plugins/auth.js';
import { CATEGORIES, CATEGORY_IDS, isCategoryId, type CategoryId } from '../records/categories.js';
import { after, binderIndex, decodeCursor, encodeCursor, matches, type BinderIndex, type EntryFilter } from './binder-index.js';
import { renderItems } from './items.js';
import type { AccountSources } from './sources.js';
import { treatmentSummaryFor } from './summary.js';
import { sendDocument } from './documents.js';

const RECENT_ITEMS = 20;

// These answers can be large: written with JSON.stringify rather than validated field by field.
const plainJson = () => (data: unknown) => JSON.stringify(data);

export const binderRoutes: FastifyPluginAsyncZod = async (app) => {
  async function context(request: FastifyRequest, filters: Filters) {
    const account = requireAccount(request);
    const index = await binderIndex(app.db, account.id, account.binderVersion);
    return { account, index, sources: index.sources, filter: toFilter(filters, index.sources) };
  }

  app.get(
    '/api/record',
    {
      serializerCompiler: plainJson,
      schema: {
        tags: ['binder'],
        summary: "The patient's binder: the 11 leaflet categories with counts and most recent items, the treatment summary and the side effects",
        querystring: BinderQuery,
        response: { 200: Binder, 304: z.null().describe('not modified (If-None-Match)') },
      },
    },
    async (request, reply) => {
      const { account, index, sources, filter } = await context(request, request.query);
      const wanted = request.query.category ? request.query.category.split(',').filter(isCategoryId) : [...CATEGORY_IDS];
      if (notModified(request, reply, etag(index, request.url))) return reply.code(304).send(null);
      // The audit event is written alongside the page, not before it: both are awaited before the answer goes.
      const [categories, summary] = await Promise.all([
        Promise.all(wanted.map((category) => categoryPage(app.db, index, sources, account.id, category, filter, RECENT_ITEMS, undefined))),
        treatmentSummaryFor(app.db, account.id, index.stamp, sources, filter.linkIds),
        app.audit.record(request, 'record.read', 'record'),
      ]);
      // Typed as the contract's answer, so the summary's shapes are checked against it at compile time.
      const rest: Omit<Binder, 'categories'> = {
        treatmentSummary: { medicines: summary.medicines.map(withPortalNames), radiation: summary.radiation.map(withPortalNames) },
        sideEffects: summary.sideEffects.map(withPortalNames),
        portals: uniquePortals(sources),
      };
      return sendJsonText(reply, `{"categories":[${categories.join(',')}],${JSON.stringify(rest).slice(1)}`);
    },
  );

  app.get(
    '/api/record/:category',
    {
      serializerCompiler: plainJson,
      schema: {
        tags: ['binder'],
        summary: 'One category of the binder, page by page (newest first)',
        params: CategoryParams,
        querystring: CategoryQuery,
        response: { 200: CategoryPage, 304: z.null().describe('not modified (If-None-Match)') },
      },
    },
    async (request, reply) => {
      const category = request.params.category;
      if (!isCategoryId(category)) throw new NotFoundError(`There is no category "${category}". Categories: ${CATEGORY_IDS.join(', ')}.`);
      const position = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor);
      if (position === null) throw new BadRequestError('The cursor is not one this API gave out.');
      const { account, index, sources, filter } = await context(request, request.query);
      if (notModified(request, reply, etag(index, request.url))) return reply.code(304).send(null);
      const [page] = await Promise.all([
        categoryPage(app.db, index, sources, account.id, category, filter, request.query.limit, position),
        app.audit.record(request, 'record.read', `record:${category}`),
      ]);
      return sendJsonText(reply, page);
    },
  );

  app.get(
    '/api/resources/:id',
    {
      serializerCompiler: plainJson,
      schema: {
        tags: ['binder'],
        summary: 'One record: { resource, sources } — the raw FHIR resource and every portal that delivered the same fact',
        params: ResourceParams,
        response: { 200: ResourceDetail, 304: z.null().describe('not modified (If-None-Match)') },
      },
    },
    async (request, reply) => {
      const account = requireAccount(request);
      const { rows } = await app.db.query<{
        resource: string;
        resource_type: string;
        resource_id: string;
        link_id: string;
        hash: string;
        first_seen_at: Date;
        last_changed_at: Date;
        removed_at_source: Date | null;
      }>(
        `SELECT resource::text AS resource, resource_type, resource_id, link_id, encode(content_hash, 'hex') AS hash, first_seen_at, last_changed_at, removed_at_source
           FROM records WHERE id = $1 AND account_id = $2`,
        [request.params.id, account.id],
      );
      const row = rows[0];
      if (!row) throw new NotFoundError('No such record.');
      const index = await binderIndex(app.db, account.id, account.binderVersion);
      const sources = index.sources;
      const group = index.byMember.get(request.params.id);
      const tag = `"${row.hash}-${group ? group.linkIds.join('.') : row.link_id}"`;
      if (notModified(request, reply, tag)) return reply.code(304).send(null);
      await app.audit.record(request, 'resource.read', `resource:${row.resource_type}/${row.resource_id}`);
      // Each portal once, however many of its links delivered the record.
      const linkIds = (group ? group.linkIds : [row.link_id]).filter(
        (linkId, position, all) => all.findIndex((other) => sources.byLink.get(other)?.portalId === sources.byLink.get(linkId)?.portalId) === position,
      );
      const resourceSources: ResourceSource[] = linkIds.flatMap((linkId) => {
        const source = sources.byLink.get(linkId);
        return source
          ? [
              {
                portalId: source.portalId,
                portalName: source.portalName,
                fhirBaseUrl: source.fhirBaseUrl,
                firstSeenAt: row.first_seen_at.toISOString(),
                lastChangedAt: row.last_changed_at.toISOString(),
                removedAtSource: row.removed_at_source?.toISOString() ?? null,
              },
            ]
          : [];
      });
      return sendJsonText(reply, `{"resource":${row.resource},"sources":${JSON.stringify(resourceSources)}}`);
    },
  );

  app.get(
    '/api/documents/:id',
    {
      schema: {
        tags: ['binder'],
        summary:
          'A document (report PDF, note text, image). Only PDF, PNG, JPEG, GIF, WebP and plain text are served inline as themselves; other text (HTML, XML, scripts, JSON) as text/plain; anything else as a download (application/octet-stream)',
        params: DocumentParams,
      },
    },
    async (request, reply) =>
      sendDocument(app.db, requireAccount(request).id, request.params.id, request, reply, () => app.audit.record(request, 'document.read', `document:${request.params.id}`)),
  );
};

function toFilter(filters: Filters, sources: AccountSources): EntryFilter {
  const filter: EntryFilter = {};
  if (filters.portal) filter.linkIds = new Set([...sources.byLink.values()].filter((s) => s.portalId === filters.portal).map((s) => s.linkId));
  if (filters.from) filter.fromMs = Date.parse(`${filters.from}T00:00:00Z`);
  if (filters.to) filter.toMs = Date.parse(`${filters.to}T23:59:59.999Z`);
  if (filter.fromMs !== undefined && filter.toMs !== undefined && filter.fromMs > filter.toMs) throw new BadRequestError('"from" is after "to".');
  return filter;
}

/** One category's page as JSON text (its items are already text). */
async function categoryPage(
  db: Queryable,
  index: BinderIndex,
  sources: AccountSources,
  accountId: string,
  category: CategoryId,
  filter: EntryFilter,
  limit: number,
  position: ReturnType<typeof decodeCursor> | undefined,
): Promise<string> {
  const all = index.byCategory.get(category) ?? [];
  const filtered = filter.linkIds || filter.fromMs !== undefined || filter.toMs !== undefined ? all.filter((entry) => matches(entry, filter)) : all;
  const start = position ? after(filtered, position) : 0;
  const slice = filtered.slice(start, start + limit);
  const more = start + limit < filtered.length;
  const items = await renderItems(db, accountId, slice, sources);
  const head = JSON.stringify({ id: category, title: CATEGORIES[category].title, description: CATEGORIES[category].leafletWording, count: filtered.length });
  const next = more && slice.length > 0 ? encodeCursor(slice[slice.length - 1]) : null;
  return `${head.slice(0, -1)},"items":[${items.join(',')}],"next":${JSON.stringify(next)}}`;
}

function uniquePortals(sources: AccountSources): Array<{ id: string; name: string }> {
  const portals = new Map<string, string>();
  for (const source of sources.byLink.values()) portals.set(source.portalId, source.portalName);
  return [...portals].map(([id, name]) => ({ id, name }));
}

/** Weak: the same binder version and the same question give the same answer. */
function etag(index: BinderIndex, url: string): string {
  return `W/"${index.stamp}-${createHash('sha1').update(url).digest('base64url').slice(0, 16)}"`;
}

function notModified(request: FastifyRequest, reply: FastifyReply, tag: string): boolean {
  reply.header('etag', tag);
  reply.header('cache-control', 'private, no-cache');
  const presented = request.headers['if-none-match'];
  return presented !== undefined && presented.split(',').some((value) => value.trim() === tag);
}

/**
 * Sends JSON that is already text. The route's response schema documents the shape; the text is
 * assembled from JSON PostgreSQL wrote, so it is not parsed and serialised again.
 */
function sendJsonText(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(text);
}

/** Summary lines name their portals too, for clients that show names only. */
function withPortalNames<T extends { sources: ReadonlyArray<{ portalName: string }> }>(line: T): T & { portals: string[] } {
  return { ...line, portals: line.sources.map((source) => source.portalName) };
}
