// The bull-board queue dashboard at /admin/queues, for deployment admins only: it answers
// only with the ADMIN_TOKEN (HTTP Basic with any user name, or a Bearer header), never to a
// patient's session, and is not mounted at all when no token is configured.
import fp from 'fastify-plugin';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { isAdminAuthorization } from '../crypto/admin-token.js';
import { UnauthorizedError } from '../errors.js';
import { sendProblem } from '../plugins/errors.js';

export const DASHBOARD_PATH = '/admin/queues';

export default fp<{ adminToken: string | undefined }>(
  async (app, { adminToken }) => {
    if (!adminToken) return;
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(DASHBOARD_PATH);
    createBullBoard({ queues: [new BullMQAdapter(app.queues.sync)], serverAdapter });
    await app.register(
      async (scope) => {
        scope.addHook('onRequest', async (request, reply) => {
          if (!isAdminAuthorization(request.headers.authorization, adminToken)) {
            reply.header('www-authenticate', 'Basic realm="carebinder queues", charset="UTF-8"');
            // Answered here: the dashboard's scope has an error handler of its own.
            return sendProblem(reply, new UnauthorizedError('The queue dashboard needs the administrator token.').toProblem());
          }
        });
        // The dashboard's own page uses inline styles and scripts; relax the policy for it alone.
        scope.addHook('onSend', async (_request, reply, payload) => {
          reply.header('content-security-policy', "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline' https:; img-src 'self' data:; font-src 'self' data: https:");
          return payload;
        });
        await scope.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
      },
    );
  },
  { name: 'queue-dashboard', dependencies: ['queues'] },
);
