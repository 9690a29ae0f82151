// One guard for the whole /api subtree: every route needs a live session unless it is
// declared public (sign-up and sign-in). Sessions are looked up through the `accounts`
// decoration of the accounts plugin, which this plugin depends on by name: infrastructure
// plugins import no domain code.
import fp from 'fastify-plugin';
import { UnauthorizedError } from '../errors.js';
import { SESSION_COOKIE } from './security.js';

/** The signed-in account, as the guard hands it to routes. */
export interface SessionAccount {
  id: string;
  email: string;
  createdAt: Date;
  /** Changes whenever records of the account are deleted; part of the binder's cache stamp. */
  binderVersion: string;
}

/** What the guard needs from the `accounts` decoration. */
export interface SessionLookup {
  findSessionAccount(token: string): Promise<SessionAccount | null>;
}

declare module 'fastify' {
  interface FastifyRequest {
    account: SessionAccount | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a session. */
    public?: boolean;
  }
}

export default fp(
  async (app) => {
    // Checked by the compiler: whatever the accounts plugin decorates must answer session lookups.
    const sessions: SessionLookup = app.accounts;
    app.decorateRequest('account', null);
    // preValidation: after the rate limiter (a route-level onRequest hook) and before body validation.
    app.addHook('preValidation', async (request) => {
      if (!request.url.startsWith('/api/') || request.routeOptions.config.public === true) return;
      const token = request.cookies[SESSION_COOKIE];
      const account = token ? await sessions.findSessionAccount(token) : null;
      if (!account) throw new UnauthorizedError('Sign in first: this needs a valid session.');
      request.account = account;
    });
  },
  { name: 'auth', dependencies: ['accounts', 'security'] },
);

/** The signed-in account of a guarded route. */
export function requireAccount(request: { account: SessionAccount | null }): SessionAccount {
  if (!request.account) throw new UnauthorizedError('Sign in first: this needs a valid session.');
  return request.account;
}
