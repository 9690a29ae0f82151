import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { localPortalLimiter, parsePortalRates, redisPortalLimiter, type PortalLimiter } from '../../src/sync/portal-limiter.js';
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
  it('keeps a lease its live process holds past the lease time, and frees one whose process died within it', async () => {
    const prefix = uniquePrefix('limiter');
    const [a, b] = [0, 1].map(() => {
      const redis = new Redis(TEST_REDIS_URL);
      clients.push(redis);
      return redis;
    });
    const leaseMs = 300;
    const live = redisPortalLimiter(a, 1, prefix, leaseMs);
    const other = redisPortalLimiter(b, 1, prefix, leaseMs);
    const release = await live.acquire('portal-a');
    // Held for more than three lease times: renewed, so the other process still waits.
    const waiting = other.acquire('portal-a');
    const early = await Promise.race([waiting.then(() => 'granted'), new Promise((resolve) => setTimeout(() => resolve('waiting'), leaseMs * 3.5))]);
    expect(early).toBe('waiting');
    await release();
    const releaseOther = await waiting;
    // A process that dies holding a lease renews it no more: it lapses within the lease time.
    const dying = new Redis(TEST_REDIS_URL);
    const dead = redisPortalLimiter(dying, 1, prefix, leaseMs);
    await releaseOther();
    await dead.acquire('portal-a');
    dying.disconnect();
    const started = Date.now();
    const releaseAfterDeath = await other.acquire('portal-a');
    expect(Date.now() - started).toBeLessThan(leaseMs * 4);
    await releaseAfterDeath();
  });

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

  it('hands a freed slot to the requests waiting in this process in the order they asked', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    clients.push(redis);
    const limiter = redisPortalLimiter(redis, 1, uniquePrefix('limiter'));
    const releaseFirst = await limiter.acquire('portal-a');
    const order: number[] = [];
    const waiting = [1, 2, 3, 4].map(async (n) => {
      const release = await limiter.acquire('portal-a');
      order.push(n);
      await release();
    });
    await new Promise((resolve) => setTimeout(resolve, 50)); // all four are queued
    await releaseFirst();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3, 4]);
    // Every lease went back: the slot is free again.
    const again = await limiter.acquire('portal-a');
    await again();
  });

  it('serves every waiter when local hand-offs and leases freed by other processes cross', async () => {
    const prefix = uniquePrefix('limiter');
    const limiters = [0, 1].map(() => {
      const redis = new Redis(TEST_REDIS_URL);
      clients.push(redis);
      return redisPortalLimiter(redis, 2, prefix);
    });
    for (let round = 0; round < 5; round++) expect(await maxInFlight(limiters, 'portal-a', 40)).toBeLessThanOrEqual(2);
  }, 60_000);

  it('loses no waiter when its own polling wins a slot while a hand-off to it is under way', async () => {
    const prefix = uniquePrefix('limiter');
    const slow = new Redis(TEST_REDIS_URL);
    const other = new Redis(TEST_REDIS_URL);
    clients.push(slow, other);
    // Slow Redis calls here widen the window: the waiter's poll (eval) is in flight when a local
    // release hands it a lease (zadd), and the poll then succeeds on the slot the other process freed.
    const delays: Record<string, number> = { eval: 200, zadd: 500 };
    const slowRedis = new Proxy(slow, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        const call = (value as (...a: unknown[]) => unknown).bind(target);
        const delay = delays[String(property)];
        return delay === undefined ? call : async (...args: unknown[]) => new Promise((resolve) => setTimeout(() => resolve(call(...args)), delay));
      },
    });
    const here = redisPortalLimiter(slowRedis, 2, prefix);
    const elsewhere = redisPortalLimiter(other, 2, prefix);
    const releaseHere = await here.acquire('portal-a');
    const releaseElsewhere = await elsewhere.acquire('portal-a');
    const served: string[] = [];
    const waiting = ['first', 'second'].map(async (name) => {
      const release = await here.acquire('portal-a');
      served.push(name);
      await release();
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the first waiter's poll is in flight
    await Promise.all([releaseElsewhere(), releaseHere()]);
    await Promise.all(waiting);
    expect(served.sort()).toEqual(['first', 'second']);
    expect(await other.zcard(`${prefix}:portal-slots:portal-a`)).toBe(0);
  }, 10_000);

  it('holds the limit in a single process without Redis too', async () => {
    expect(await maxInFlight([localPortalLimiter(2)], 'portal-a', 20)).toBe(2);
  });
});

describe("the portal's metered rate, across worker processes", () => {
  it('paces requests from several processes to one shared rate', async () => {
    const prefix = uniquePrefix('pacer');
    const rates = parsePortalRates('portal-a=6000'); // one per 10 ms, a burst of 25
    const limiters = [0, 1].map(() => {
      const redis = new Redis(TEST_REDIS_URL);
      clients.push(redis);
      return redisPortalLimiter(redis, 50, prefix, undefined, rates);
    });
    const sentAt: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 125 }, async (_, i) => {
        const release = await limiters[i % 2].acquire('portal-a');
        sentAt.push(performance.now() - started);
        await release();
      }),
    );
    // 25 at once, then 100 more at 10 ms each: about a second, whoever asked.
    const last = Math.max(...sentAt);
    expect(last).toBeGreaterThanOrEqual(950);
    expect(last).toBeLessThan(3000);
    // No 100 ms window holds more than the burst and that window's share.
    for (const t of sentAt) expect(sentAt.filter((u) => u >= t && u < t + 100).length).toBeLessThanOrEqual(25 + 10 + 2);
  }, 20_000);

  it("holds every process's requests to a portal back while it asks to wait (429), and only that portal's", async () => {
    const prefix = uniquePrefix('pacer');
    const [a, b] = [0, 1].map(() => {
      const redis = new Redis(TEST_REDIS_URL);
      clients.push(redis);
      return redisPortalLimiter(redis, 4, prefix);
    });
    await a.backOff('portal-a', 400);
    const started = performance.now();
    const other = b.acquire('portal-b').then(async (release) => {
      await release();
      return performance.now() - started;
    });
    const release = await b.acquire('portal-a');
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    await release();
    expect(await other).toBeLessThan(300);
    // A shorter back-off never cuts a longer one short.
    await a.backOff('portal-a', 400);
    await b.backOff('portal-a', 10);
    const again = performance.now();
    await (await a.acquire('portal-a'))();
    expect(performance.now() - again).toBeGreaterThanOrEqual(300);
  }, 10_000);
});
