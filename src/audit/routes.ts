// GET /api/audit: the signed-in patient's own audit trail, newest first, page by page.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AuditPage, AuditQuery } from '../api/audit.js';
import { BadRequestError } from '../errors.js';
import { requireAccount } from '../plugins/auth.js';
import { decodeAuditCursor } from './repository.js';

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Who read or changed what of this account, when, from which address and browser: newest first, 50 a page',
        querystring: AuditQuery,
        response: { 200: AuditPage },
      },
    },
    async (request) => {
      const account = requireAccount(request);
      const cursor = request.query.cursor === undefined ? null : decodeAuditCursor(request.query.cursor);
      if (cursor === null && request.query.cursor !== undefined) throw new BadRequestError('The cursor is not one this API gave out.');
      const page = await app.audit.repository.list(account.id, cursor);
      return { events: page.events.map((event) => ({ ...event, at: event.at.toISOString() })), next: page.next };
    },
  );
};
