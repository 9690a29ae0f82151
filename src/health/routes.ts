import type { FastifyPluginAsync } from 'fastify';
import { pingQueue } from '../queue/connection.js';
import { sendProblem } from '../plugins/errors.js';
import { withTimeout } from '../util/timeout.js';

type Check = 'up' | 'down';

export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/health/live', { schema: { tags: ['health'], summary: 'The process is running' } }, async () => ({ status: 'ok' }));

  app.get('/health/ready', { schema: { tags: ['health'], summary: 'The database and the job queue answer' } }, async (request, reply) => {
    const [database, queue] = await Promise.all([
      check(() => withTimeout(app.db.query('SELECT 1'), 1_500)),
      check(() => pingQueue(app.queues.sync)),
    ]);
    const checks = { database, queue, queueStore: app.queues.factory.kind };
    if (database === 'up' && queue === 'up') return { status: 'ready', checks };
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
