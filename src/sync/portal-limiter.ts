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

/**
 * Slots are leases in Redis. A process hands a freed lease straight to its own next waiter (no
 * Redis round trip, no polling delay: the references phase queues more fetches than there are
 * slots); waiters also poll Redis, so leases freed by other processes are picked up too.
 */
export function redisPortalLimiter(redis: Redis, limit: number, prefix = 'carebinder'): PortalLimiter {
  const waitersByPortal = new Map<string, Waiter[]>();

  async function tryLease(key: string): Promise<{ lease: string; expiresAt: number } | null> {
    const lease = randomUUID();
    const now = Date.now();
    const got = (await redis.eval(ACQUIRE, 1, key, now, now + LEASE_MS, limit, lease)) as number;
    return got === 1 ? { lease, expiresAt: now + LEASE_MS } : null;
  }

  function releaser(portalId: string, key: string, lease: string, expiresAt: number): () => Promise<void> {
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      const next = waitersByPortal.get(portalId)?.shift();
      if (next) {
        // Taken now, before any await, so the waiter's own polling cannot claim a second lease.
        next.granted = true;
        // The lease changes hands and stays counted; its expiry is renewed once half of it is gone.
        let expiry = expiresAt;
        if (expiry - Date.now() < LEASE_MS / 2) {
          expiry = Date.now() + LEASE_MS;
          await redis.zadd(key, 'XX', expiry, lease).catch(() => {});
        }
        next.resolve(releaser(portalId, key, lease, expiry));
      } else {
        await redis.zrem(key, lease).catch(() => {});
      }
    };
  }

  return {
    async acquire(portalId) {
      const key = `${prefix}:portal-slots:${portalId}`;
      const waiters = waitersByPortal.get(portalId) ?? [];
      waitersByPortal.set(portalId, waiters);
      // Queue behind local waiters; otherwise take a free slot at once.
      if (waiters.length === 0) {
        const got = await tryLease(key);
        if (got) return releaser(portalId, key, got.lease, got.expiresAt);
      }
      return new Promise((resolve, reject) => {
        const waiter: Waiter = { granted: false, resolve };
        waiters.push(waiter);
        void (async () => {
          for (let wait = 10; !waiter.granted; wait = Math.min(wait * 2, 200)) {
            await new Promise((done) => setTimeout(done, wait + Math.random() * wait));
            // Only the first local waiter polls: the others are served by hand-off, in order.
            if (waiter.granted || waiters[0] !== waiter) continue;
            const got = await tryLease(key);
            if (!got) continue;
            if (waiter.granted) {
              await redis.zrem(key, got.lease).catch(() => {}); // handed a lease meanwhile
              return;
            }
            waiter.granted = true;
            waiters.splice(waiters.indexOf(waiter), 1);
            resolve(releaser(portalId, key, got.lease, got.expiresAt));
          }
        })().catch((error: unknown) => {
          // Redis failed while polling: leave the queue so no lease is handed to a caller that gave up.
          if (waiter.granted) return;
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
      });
    },
  };
}

interface Waiter {
  /** Set when a lease is given to this waiter, by hand-off or by its own polling. */
  granted: boolean;
  resolve(release: () => Promise<void>): void;
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
