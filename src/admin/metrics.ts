// Prometheus metrics for deployment admins: GET /metrics answers only with the ADMIN_TOKEN
// (Bearer, or HTTP Basic with any user name) and is not mounted at all without one. Every
// API request's duration is recorded by route pattern (never the path itself, which holds ids).
// The queue and link gauges read the app's queues and database at scrape time; onClose lets go.
import fp from 'fastify-plugin';
import { isAdminAuthorization } from '../crypto/admin-token.js';
import { UnauthorizedError } from '../errors.js';
import { scrapeSources } from '../jobs/metrics.js';
import { provideScrapeSources, recordHttpRequest, scrape } from '../observability/metrics.js';
import { sendProblem } from '../plugins/errors.js';

export const METRICS_PATH = '/metrics';

export default fp<{ adminToken: string | undefined }>(
  async (app, { adminToken }) => {
    app.addHook('onResponse', async (request, reply) => {
      recordHttpRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    });
    if (!adminToken) return;

    const withdraw = provideScrapeSources(scrapeSources(app.queues, app.db));
    app.addHook('onClose', async () => withdraw());
    app.get(METRICS_PATH, { schema: { hide: true } }, async (request, reply) => {
      if (!isAdminAuthorization(request.headers.authorization, adminToken)) {
        reply.header('www-authenticate', 'Bearer realm="carebinder metrics"');
        return sendProblem(reply, new UnauthorizedError('The metrics need the administrator token.').toProblem());
      }
      const { contentType, body } = await scrape();
      return reply.type(contentType).header('cache-control', 'no-store').send(body);
    });
  },
  { name: 'metrics', dependencies: ['queues', 'database'] },
);
