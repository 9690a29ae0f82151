// The accounts plugin: decorates the app with the account repository, which the auth guard
// (plugins/auth.ts) and the account routes use. Infrastructure plugins depend on it by name,
// never by importing this module (fastify/demo's pattern).
import fp from 'fastify-plugin';
import { createAccountRepository, type AccountRepository } from './repository.js';

declare module 'fastify' {
  interface FastifyInstance {
    accounts: AccountRepository;
  }
}

export default fp(
  async (app) => {
    app.decorate('accounts', createAccountRepository(app.db));
  },
  { name: 'accounts', dependencies: ['database'] },
);
