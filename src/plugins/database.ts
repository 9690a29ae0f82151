import fp from 'fastify-plugin';
import type { Pool } from '../db/pool.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Pool;
  }
}

export interface DatabasePluginOptions {
  pool: Pool;
  /** Close the pool with the app (true when the app created it). */
  ownsPool: boolean;
}

export default fp<DatabasePluginOptions>(
  async (app, { pool, ownsPool }) => {
    app.decorate('db', pool);
    if (ownsPool) app.addHook('onClose', async () => pool.end());
  },
  { name: 'database' },
);
