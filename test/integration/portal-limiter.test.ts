import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { localPortalLimiter, redisPortalLimiter, type PortalLimiter } from '../../src/sync/portal-limiter.js';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/services.js';

const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

async function maxInFlight(limiters: PortalLimiter[], portalId: string, tasks: number): Promise<number> {
  let inFlight = 0;
  let max = 0;
  await Promise.all(
    Array.from({ length: tasks }, async (_, i) => {
      const release = await limiters[i % limiters.length].acquire(portalId);
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5 + (i % 3) * 5));
      inFlight--;
      await release();
    }),
  );
  return max;
}

describe('requests in flight per portal', () => {
  it('never exceeds the limit across several worker processes sharing one Redis', async () => {
    const prefix = uniquePrefix('limiter');
    const limiters = [0, 1, 2].map(() => {
      const redis = new Redis(TEST_REDIS_URL);
      clients.push(redis);
      return redisPortalLimiter(redis, 2, prefix);
    });
    expect(await maxInFlight(limiters, 'portal-a', 30)).toBe(2);
  });

  it('counts each portal separately', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    clients.push(redis);
    const limiter = redisPortalLimiter(redis, 1, uniquePrefix('limiter'));
    const releaseA = await limiter.acquire('portal-a');
    const releaseB = await Promise.race([limiter.acquire('portal-b'), new Promise<null>((resolve) => setTimeout(() => resolve(null), 500))]);
    expect(releaseB).not.toBeNull();
    await releaseA();
    await releaseB!();
  });

  it('holds the limit in a single process without Redis too', async () => {
    expect(await maxInFlight([localPortalLimiter(2)], 'portal-a', 20)).toBe(2);
  });
});
