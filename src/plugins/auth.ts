// One guard for the whole /api subtree: every route needs a live session unless it is
// declared public (sign-up and sign-in).
import fp from 'fastify-plugin';
import { UnauthorizedError } from '../errors.js';
import { createAccountRepository, type Account } from '../accounts/repository.js';
import { SESSION_COOKIE } from './security.js';

declare module 'fastify' {
  interface FastifyRequest {
    account: Account | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a session. */
    public?: boolean;
  }
}

export default fp(
  async (app) => {
    const accounts = createAccountRepository(app.db);
    app.decorateRequest('account', null);
    // preValidation: after the rate limiter (a route-level onRequest hook) and before body validation.
    app.addHook('preValidation', async (request) => {
      if (!request.url.startsWith('/api/') || request.routeOptions.config.public === true) return;
      const token = request.cookies[SESSION_COOKIE];
      const account = token ? await accounts.findSessionAccount(token) : null;
      if (!account) throw new UnauthorizedError('Sign in first: this needs a valid session.');
      request.account = account;
    });
  },
  { name: 'auth', dependencies: ['database', 'security'] },
);

/** The signed-in account of a guarded route. */
export function requireAccount(request: { account: Account | null }): Account {
  if (!request.account) throw new UnauthorizedError('Sign in first: this needs a valid session.');
  return request.account;
}
