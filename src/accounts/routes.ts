import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Account, Credentials, SignIn } from '../api/accounts.js';
import { ConflictError, TooManyRequestsError, UnauthorizedError } from '../errors.js';
import { requireAccount } from '../plugins/auth.js';
import { SESSION_COOKIE } from '../plugins/security.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './passwords.js';
import { createAccountRepository } from './repository.js';

export interface AccountRoutesOptions {
  sessionTtlMs: number;
  secureCookies: boolean;
  /** Failed sign-ins allowed per account within the window before it is throttled. */
  maxFailuresPerAccount?: number;
  failureWindowMs?: number;
  signUpsPerMinutePerIp: number;
  signInsPerMinutePerIp: number;
}

export const accountRoutes: FastifyPluginAsyncZod<AccountRoutesOptions> = async (app, options) => {
  const accounts = createAccountRepository(app.db);
  const maxFailures = options.maxFailuresPerAccount ?? 5;
  const windowMs = options.failureWindowMs ?? 15 * 60_000;
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: options.secureCookies,
  };

  app.post(
    '/api/accounts',
    {
      config: { public: true, rateLimit: { max: options.signUpsPerMinutePerIp, timeWindow: '1 minute' } },
      schema: { tags: ['accounts'], summary: 'Create a patient account', body: Credentials, response: { 201: Account } },
    },
    async (request, reply) => {
      const account = await accounts.create(request.body.email.trim(), await hashPassword(request.body.password));
      if (!account) throw new ConflictError('An account with this email already exists.');
      request.log.info({ accountId: account.id }, 'account created');
      return reply.code(201).send({ id: account.id, email: account.email, createdAt: account.createdAt.toISOString() });
    },
  );

  app.post(
    '/api/session',
    {
      config: { public: true, rateLimit: { max: options.signInsPerMinutePerIp, timeWindow: '1 minute' } },
      schema: { tags: ['accounts'], summary: 'Sign in: sets the session cookie', body: SignIn, response: { 200: Account } },
    },
    async (request, reply) => {
      const accountKey = request.body.email.trim().toLowerCase();
      const recent = await accounts.loginFailures(accountKey, windowMs);
      if (recent && recent.failures >= maxFailures) {
        const retryAfter = Math.max(1, Math.ceil((recent.windowStartedAt.getTime() + windowMs - Date.now()) / 1000));
        throw new TooManyRequestsError('Too many failed sign-ins for this account. Try again later.', retryAfter);
      }
      const found = await accounts.findCredentials(accountKey);
      const valid = await verifyPassword(request.body.password, found?.passwordHash ?? DUMMY_PASSWORD_HASH);
      if (!found || !valid) {
        await accounts.recordLoginFailure(accountKey, windowMs);
        throw new UnauthorizedError('Email or password is wrong.');
      }
      await accounts.clearLoginFailures(accountKey);
      const session = await accounts.createSession(found.account.id, options.sessionTtlMs);
      reply.setCookie(SESSION_COOKIE, session.token, { ...cookieOptions, expires: session.expiresAt });
      return { id: found.account.id, email: found.account.email, createdAt: found.account.createdAt.toISOString() };
    },
  );

  app.delete(
    '/api/session',
    { schema: { tags: ['accounts'], summary: 'Sign out: revokes the session', response: { 204: z.null() } } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await accounts.revokeSession(token);
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/me',
    { schema: { tags: ['accounts'], summary: 'The signed-in account', response: { 200: Account } } },
    async (request) => {
      const account = requireAccount(request);
      return { id: account.id, email: account.email, createdAt: account.createdAt.toISOString() };
    },
  );
};
