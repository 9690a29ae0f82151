// The patient's notice preferences (GET/PUT /api/me/notifications) and the one-click unsubscribe
// link of every notice (GET, and POST for RFC 8058 mail clients, /api/notifications/unsubscribe).
import escapeHtml from 'escape-html';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NoticePreferences, NotificationSettings, UnsubscribeQuery } from '../api/notices.js';
import { BadRequestError } from '../errors.js';
import { requireAccount } from '../plugins/auth.js';
import { createPreferenceRepository, type NoticeKind } from './preferences.js';
import { deriveUnsubscribeKey, readUnsubscribeToken } from './unsubscribe.js';

export interface NoticeRoutesOptions {
  /** SMTP_URL is set. */
  mailEnabled: boolean;
  /** CAREBINDER_SECRET_KEY: unsubscribe links are signed with a key derived from it. */
  secretKey: Buffer;
}

const WHAT: Record<NoticeKind, string> = {
  'needs-relink': 'a portal that must be linked again',
  'access-expiring': "a portal's access that ends soon",
  'sync-failing': 'records that could not be collected',
  'weekly-digest': 'new records in your binder (the weekly digest)',
};

export const noticeRoutes: FastifyPluginAsyncZod<NoticeRoutesOptions> = async (app, { mailEnabled, secretKey }) => {
  const preferences = createPreferenceRepository(app.db);
  const key = deriveUnsubscribeKey(secretKey);
  // RFC 8058: the mail client's one-click POST is a form ("List-Unsubscribe=One-Click"); its
  // fields say nothing the token does not, so the body is taken as text and left unread.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) => done(null, body));

  app.get(
    '/api/me/notifications',
    { schema: { tags: ['notices'], summary: 'Which e-mail notices the signed-in patient gets', response: { 200: NotificationSettings } } },
    async (request) => ({ ...(await preferences.get(requireAccount(request).id)), mailEnabled }),
  );

  app.put(
    '/api/me/notifications',
    {
      schema: {
        tags: ['notices'],
        summary: 'Choose which e-mail notices to get (every kind is named: true or false)',
        body: NoticePreferences,
        response: { 200: NotificationSettings },
      },
    },
    async (request) => {
      const account = requireAccount(request);
      await preferences.set(account.id, request.body);
      await app.audit.record(request, 'notices.update');
      return { ...(await preferences.get(account.id)), mailEnabled };
    },
  );

  /** Turns the token's kind off; the same answer however often it is used. */
  async function unsubscribe(request: FastifyRequest, token: string): Promise<NoticeKind> {
    const target = readUnsubscribeToken(key, token);
    if (!target) throw new BadRequestError("This unsubscribe link is not valid (it may have been cut short). Choose your e-mails in carebinder's settings instead.");
    if (await preferences.turnOff(target.accountId, target.kind)) {
      await app.audit.record(request, 'notices.unsubscribe', `notices:${target.kind}`, target.accountId);
    }
    return target.kind;
  }

  app.get(
    '/api/notifications/unsubscribe',
    {
      config: { public: true },
      schema: {
        tags: ['notices'],
        summary: "The link in a notice: one click stops that kind of e-mail (an HTML page answers); no sign-in needed, the link's signed token says whose",
        querystring: UnsubscribeQuery,
      },
    },
    async (request, reply) => {
      const kind = await unsubscribe(request, request.query.token);
      const page = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Unsubscribed · carebinder</title></head>',
        '<body style="font-family:sans-serif;line-height:1.5;max-width:40em;margin:2em auto">',
        `<h1>Unsubscribed</h1><p>You will no longer get e-mails about ${escapeHtml(WHAT[kind])}.</p>`,
        "<p>You can turn it on again, and choose your other e-mails, in carebinder's settings.</p>",
        '</body></html>',
      ].join('\n');
      return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page);
    },
  );

  app.post(
    '/api/notifications/unsubscribe',
    {
      config: { public: true },
      schema: {
        tags: ['notices'],
        summary: 'RFC 8058 one-click unsubscribe (List-Unsubscribe-Post), as mail clients send it',
        querystring: UnsubscribeQuery,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await unsubscribe(request, request.query.token);
      return reply.code(204).send(null);
    },
  );
};
