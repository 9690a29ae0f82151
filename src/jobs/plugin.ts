// The job queues as a named fastify plugin: decorates the app with the typed producer queues
// (src/jobs/queues.ts) that routes enqueue into, and closes them with the app.
import fp from 'fastify-plugin';
import type { QueueFactory } from '../queue/connection.js';
import { createQueues, type Queues } from './queues.js';

declare module 'fastify' {
  interface FastifyInstance {
    queues: Queues;
  }
}

export interface QueuesPluginOptions {
  factory: QueueFactory;
  ownsFactory: boolean;
}

export default fp<QueuesPluginOptions>(
  async (app, { factory, ownsFactory }) => {
    const queues = createQueues(factory);
    app.decorate('queues', queues);
    app.addHook('onClose', async () => {
      await queues.close();
      if (ownsFactory) await factory.close();
    });
  },
  { name: 'queues' },
);
