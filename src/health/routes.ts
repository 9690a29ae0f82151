import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Live, Ready } from '../api/health.js';
import { Problem } from '../api/problem.js';
import { pingQueue } from '../queue/connection.js';
import { sendProblem } from '../plugins/errors.js';
import { withTimeout } from '../util/timeout.js';

type Check = 'up' | 'down';

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health/live', { schema: { tags: ['health'], summary: 'The process is running', response: { 200: Live } } }, async () => ({ status: 'ok' as const }));

  app.get('/health/ready', { schema: { tags: ['health'], summary: 'The database and the job queue answer', response: { 200: Ready, 503: Problem } } }, async (request, reply) => {
    const [database, queue] = await Promise.all([
      check(() => withTimeout(app.db.query('SELECT 1'), 1_500)),
      check(() => pingQueue(app.queues.sync)),
    ]);
    const checks = { database, queue, queueStore: app.queues.factory.kind };
    if (database === 'up' && queue === 'up') return { status: 'ready' as const, checks };
    const down = [database === 'down' ? 'PostgreSQL' : null, queue === 'down' ? `the job queue (${app.queues.factory.kind})` : null]
      .filter(Boolean)
      .join(' and ');
    request.log.warn({ checks }, 'not ready');
    return sendProblem(reply, {
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: `Not ready: ${down} ${down.includes(' and ') ? 'do' : 'does'} not answer.`,
      checks,
    });
  });
};

async function check(probe: () => Promise<unknown>): Promise<Check> {
  try {
    await probe();
    return 'up';
  } catch {
    return 'down';
  }
}
