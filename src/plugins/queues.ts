import fp from 'fastify-plugin';
import type { QueueFactory } from '../queue/connection.js';
import { createQueues, type Queues } from '../queue/queues.js';

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
