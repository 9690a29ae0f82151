// Sync on demand and its progress, for the patient's own links.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LinkParams } from '../api/portals.js';
import { SyncNowQuery, SyncQueued, SyncStatus } from '../api/sync.js';
import { ConflictError, NotFoundError, ServiceUnavailableError } from '../errors.js';
import { requireAccount } from '../plugins/auth.js';
import { createLinkRepository } from '../portals/links.js';
import { enqueueSync, syncDeduplicationId } from '../jobs/sync.js';
import { createSyncRunRepository, progressOf } from './sync-runs.js';

export const syncRoutes: FastifyPluginAsyncZod = async (app) => {
  const links = createLinkRepository(app.db, app.secretBox);
  const runs = createSyncRunRepository(app.db);

  const ownLink = async (request: { params: { id: string }; account: Parameters<typeof requireAccount>[0]['account'] }) => {
    const link = await links.findForAccount(request.params.id, requireAccount(request).id);
    if (!link) throw new NotFoundError('No such link.');
    return link;
  };

  app.post(
    '/api/links/:id/sync',
    {
      schema: {
        tags: ['sync'],
        summary: 'Sync this link now (joins the sync already queued or running)',
        params: LinkParams,
        querystring: SyncNowQuery,
        response: { 202: SyncQueued },
      },
    },
    async (request, reply) => {
      const link = await ownLink(request);
      if (link.status === 'needs-relink') throw new ConflictError(`${link.portalName} must be linked again before it can sync: ${link.statusReason ?? ''}`.trim());
      try {
        const jobId = await enqueueSync(app.queues.sync, link.id, { full: request.query.full === 'true' });
        await links.markSyncQueued(link.id);
        return reply.code(202).send({ jobId });
      } catch (error) {
        throw new ServiceUnavailableError('The job queue is not answering; try again shortly.', { cause: error });
      }
    },
  );

  app.get(
    '/api/links/:id/sync',
    { schema: { tags: ['sync'], summary: 'Progress and report of the latest sync of this link', params: LinkParams, response: { 200: SyncStatus } } },
    async (request) => {
      const link = await ownLink(request);
      const queuedJobId = await app.queues.sync.getDeduplicationJobId(syncDeduplicationId(link.id)).catch(() => null);
      const queuedState = queuedJobId ? await app.queues.sync.getJobState(queuedJobId).catch(() => 'unknown') : null;
      const waiting = queuedState === 'waiting' || queuedState === 'delayed' || queuedState === 'prioritized' || queuedState === 'waiting-children';
      const run = await runs.latest(link.id);
      const runIsQueuedJob = run !== null && run.jobId === queuedJobId;
      if (waiting && !(runIsQueuedJob && run.state === 'running')) {
        return { state: 'queued' as const, jobId: queuedJobId, fullPass: null, startedAt: null, finishedAt: null, pagesDone: 0, progress: 0, types: {}, errors: [], warnings: [] };
      }
      if (!run) return { state: 'idle' as const, jobId: null, fullPass: null, startedAt: null, finishedAt: null, pagesDone: 0, progress: 0, types: {}, errors: [], warnings: [] };
      return {
        state: run.state,
        jobId: run.jobId,
        fullPass: run.fullPass,
        startedAt: run.startedAt.toISOString(),
        finishedAt: run.finishedAt?.toISOString() ?? null,
        pagesDone: run.pagesDone,
        progress: progressOf(run),
        types: run.types,
        errors: run.errors,
        warnings: run.warnings,
      };
    },
  );
};
