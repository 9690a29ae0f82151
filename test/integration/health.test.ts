import { describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import { buildTestApp } from '../helpers/app.js';

describe('health', () => {
  it('answers live and ready when PostgreSQL and Redis answer', async () => {
    const t = await buildTestApp();
    try {
      expect((await t.app.inject('/health/live')).json()).toEqual({ status: 'ok' });
      const ready = await t.app.inject('/health/ready');
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'up', queue: 'up', queueStore: 'redis' } });
    } finally {
      await t.close();
    }
  });

  it('answers 503 naming PostgreSQL when the database is unreachable', async () => {
    const deadPool = createPool('postgres://postgres@127.0.0.1:1/nowhere', 'carebinder-test-dead', 1);
    const t = await buildTestApp({ build: { pool: deadPool } });
    try {
      const ready = await t.app.inject('/health/ready');
      expect(ready.statusCode).toBe(503);
      expect(ready.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(ready.json()).toMatchObject({ status: 503, detail: expect.stringMatching(/PostgreSQL/), checks: { database: 'down', queue: 'up' } });
      expect(ready.body).not.toMatch(/ECONNREFUSED|at .*\.js/);
    } finally {
      await t.close();
      await deadPool.end();
    }
  });

  it('answers 503 naming the job queue when Redis is unreachable', async () => {
    const t = await buildTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1/0' } });
    try {
      const ready = await t.app.inject('/health/ready');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ detail: expect.stringMatching(/job queue \(redis\)/), checks: { database: 'up', queue: 'down' } });
    } finally {
      await t.close();
    }
  });
});
