// At most N requests in flight per portal across every worker process. With Redis: a
// semaphore of expiring leases in a sorted set (a crashed worker's lease lapses on its own).
// Without Redis (the single-process demo): an in-process semaphore.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface PortalLimiter {
  /** Waits for a slot and returns the function that frees it. */
  acquire(portalId: string): Promise<() => Promise<void>>;
}

const LEASE_MS = 60_000;

// KEYS[1] the portal's lease set; ARGV: now, lease expiry, limit, lease id.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ${LEASE_MS})
  return 1
end
return 0`;

export function redisPortalLimiter(redis: Redis, limit: number, prefix = 'carebinder'): PortalLimiter {
  return {
    async acquire(portalId) {
      const key = `${prefix}:portal-slots:${portalId}`;
      const lease = randomUUID();
      for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
        const now = Date.now();
        const got = (await redis.eval(ACQUIRE, 1, key, now, now + LEASE_MS, limit, lease)) as number;
        if (got === 1) {
          return async () => {
            await redis.zrem(key, lease).catch(() => {});
          };
        }
        await new Promise((resolve) => setTimeout(resolve, wait + Math.random() * wait));
      }
    },
  };
}

export function localPortalLimiter(limit: number): PortalLimiter {
  const inFlight = new Map<string, number>();
  const waiting = new Map<string, Array<() => void>>();
  return {
    async acquire(portalId) {
      if ((inFlight.get(portalId) ?? 0) >= limit) {
        await new Promise<void>((resolve) => waiting.set(portalId, [...(waiting.get(portalId) ?? []), resolve]));
      }
      inFlight.set(portalId, (inFlight.get(portalId) ?? 0) + 1);
      return async () => {
        inFlight.set(portalId, (inFlight.get(portalId) ?? 1) - 1);
        waiting.get(portalId)?.shift()?.();
      };
    },
  };
}
