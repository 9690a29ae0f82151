// The audit plugin: decorates the app with `audit`, which routes call to add an event to the
// trail of the account they act for: `await app.audit.record(request, 'document.read', 'document:d42')`.
// The event is written before the answer is sent, so what the patient reads in the trail is
// what was served (a failed write fails the request rather than leaving a read unrecorded).
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createAuditRepository, type AuditAction, type AuditRepository } from './repository.js';

export interface Audit {
  /**
   * Records `action` on `target` (`kind:id`, or null for the account itself) by the request's
   * signed-in account, or by `accountId` where there is no session yet (a sign-in).
   */
  record(request: FastifyRequest, action: AuditAction, target?: string | null, accountId?: string): Promise<void>;
  repository: AuditRepository;
}

declare module 'fastify' {
  interface FastifyInstance {
    audit: Audit;
  }
}

export function createAudit(repository: AuditRepository): Audit {
  return {
    repository,
    async record(request, action, target = null, accountId = request.account?.id) {
      if (!accountId) throw new Error(`audit: "${action}" has no account to record it for`);
      const userAgent = request.headers['user-agent'];
      await repository.record({ accountId, action, target, ip: request.ip ?? null, userAgent: typeof userAgent === 'string' ? userAgent : null });
    },
  };
}

export default fp(
  async (app) => {
    app.decorate('audit', createAudit(createAuditRepository(app.db)));
  },
  { name: 'audit', dependencies: ['database'] },
);
