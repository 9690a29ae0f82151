// At most N requests in flight per portal across every worker process. With Redis: a
// semaphore of expiring leases in a sorted set. A live process renews the leases it holds, so a
// lease outlives a long request, while a crashed worker's leases lapse within seconds (a lease
// that simply ran for a minute blocked the portal for every other worker after each crash).
// Without Redis (the single-process demo): an in-process semaphore.
// Our own because BullMQ's limiter is per queue (per-group limits are BullMQ Pro), and Redis
// semaphore packages hold a lease for a fixed time rather than renewing it while the request lives.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface PortalLimiter {
  /** Waits for a slot and returns the function that frees it. */
  acquire(portalId: string): Promise<() => Promise<void>>;
}

/** How long a lease lasts unless its process renews it (a third of it between renewals). */
export const LEASE_MS = 10_000;

// KEYS[1] the portal's lease set; ARGV: now, lease expiry, limit, lease id, lease time.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

// KEYS[1] the portal's lease set; ARGV: lease expiry, lease id, lease time. Renews a lease still held.
const RENEW = `
if redis.call('ZADD', KEYS[1], 'XX', 'CH', ARGV[1], ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`;

/**
 * Slots are leases in Redis. A process hands a freed lease straight to its own next waiter (no
 * Redis round trip, no polling delay: the references phase queues more fetches than there are
 * slots); waiters also poll Redis, so leases freed by other processes are picked up too.
 */
export function redisPortalLimiter(redis: Redis, limit: number, prefix = 'carebinder', leaseMs = LEASE_MS): PortalLimiter {
  const waitersByPortal = new Map<string, Waiter[]>();
  /** Leases this process holds (lease id → key), renewed together while any is held. */
  const held = new Map<string, string>();
  let renewing: NodeJS.Timeout | undefined;

  function hold(lease: string, key: string): void {
    held.set(lease, key);
    renewing ??= setInterval(() => {
      const expiry = Date.now() + leaseMs;
      for (const [id, set] of held) void redis.eval(RENEW, 1, set, expiry, id, leaseMs).catch(() => {});
    }, leaseMs / 3).unref();
  }

  function letGo(lease: string): void {
    held.delete(lease);
    if (held.size === 0 && renewing) {
      clearInterval(renewing);
      renewing = undefined;
    }
  }

  async function tryLease(key: string): Promise<{ lease: string; expiresAt: number } | null> {
    const lease = randomUUID();
    const now = Date.now();
    const got = (await redis.eval(ACQUIRE, 1, key, now, now + leaseMs, limit, lease, leaseMs)) as number;
    if (got !== 1) return null;
    hold(lease, key);
    return { lease, expiresAt: now + leaseMs };
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
        // The lease changes hands and stays counted (and renewed).
        next.resolve(releaser(portalId, key, lease, expiresAt));
      } else {
        letGo(lease);
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
              letGo(got.lease);
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
