// At most N requests in flight per portal across every worker process, sent no faster than the
// portal's metered rate, and all of them held back while the portal asks to wait (a 429).
// With Redis: a semaphore of expiring leases in a sorted set. A live process renews the leases it
// holds, so a lease outlives a long request, while a crashed worker's leases lapse within seconds
// (a lease that simply ran for a minute blocked the portal for every other worker after each crash).
// The rate is a GCRA schedule (a token bucket kept as one "theoretical arrival time") in Redis,
// read on Redis's clock, so every process paces against the same bucket; a 429's Retry-After is a
// cool-down key that the same call honours.
// Without Redis (the single-process demo): the same, in process.
// Our own because BullMQ's limiter is per queue (per-group limits are BullMQ Pro), and Redis
// semaphore packages hold a lease for a fixed time rather than renewing it while the request lives.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface PortalLimiter {
  /** Waits for a slot and for the portal's rate, and returns the function that frees the slot. */
  acquire(portalId: string): Promise<() => Promise<void>>;
  /** The portal answered 429: every request to it, in every process, waits `ms` from now. */
  backOff(portalId: string, ms: number): Promise<void>;
}

/** A portal's metered rate: `perMinute` requests a minute, at most `burst` at once. */
export interface PortalRate {
  perMinute: number;
  burst: number;
}

/** Which rate paces a portal; null: only the in-flight limit and the portal's 429s pace it. */
export type PortalRates = (portalId: string) => PortalRate | null;

export const NO_RATES: PortalRates = () => null;

/**
 * Reads PORTAL_REQUESTS_PER_MINUTE: `1800` (every portal), `northside=600` (one portal), or both,
 * comma-separated (`1800,northside=600`). The burst is a quarter of a second's worth (at least 1):
 * a portal's own bucket usually holds a second's worth or more, and the rest of it absorbs the
 * jitter between our clock and its arrivals.
 */
export function parsePortalRates(value: string | undefined): PortalRates {
  if (!value?.trim()) return NO_RATES;
  let fallback: PortalRate | null = null;
  const byPortal = new Map<string, PortalRate>();
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(?:([a-z0-9][a-z0-9._-]*)=)?(\d+)$/.exec(part);
    if (!match || Number(match[2]) < 1) throw new Error(`"${part}" is not a number of requests a minute, nor portal-id=number`);
    const perMinute = Number(match[2]);
    const rate = { perMinute, burst: Math.max(1, Math.floor(perMinute / 240)) };
    if (match[1] === undefined) fallback = rate;
    else byPortal.set(match[1], rate);
  }
  return (portalId) => byPortal.get(portalId) ?? fallback;
}

/** When a request may go (ms from now) under a rate kept as `tat` (the GCRA's theoretical arrival time). */
export function gcraSchedule(now: number, notBefore: number, tat: number, rate: PortalRate): { waitMs: number; tat: number } {
  const interval = 60_000 / rate.perMinute;
  const tolerance = (rate.burst - 1) * interval;
  const at = Math.max(now, notBefore, tat - tolerance);
  return { waitMs: at - now, tat: Math.max(tat, at) + interval };
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

// KEYS[1] the portal's rate (GCRA theoretical arrival time, ms), KEYS[2] its cool-down end (ms);
// ARGV: interval ms (0 = no rate), tolerance ms. Answers how long to wait before sending (ms).
// Same arithmetic as gcraSchedule(), on Redis's clock.
const PACE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local start = math.max(now, tonumber(redis.call('GET', KEYS[2]) or '0'))
local interval = tonumber(ARGV[1])
if interval <= 0 then return start - now end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(start, tat - tonumber(ARGV[2]))
local nextTat = math.max(tat, at) + interval
redis.call('SET', KEYS[1], tostring(nextTat), 'PX', math.ceil(nextTat - now) + 60000)
return math.ceil(at - now)`;

// KEYS[1] the portal's cool-down end; ARGV: ms to wait from now. Only ever moves it later.
const BACK_OFF = `
local t = redis.call('TIME')
local until_ = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], tostring(until_), 'PX', tonumber(ARGV[1]) + 1000) end
return 1`;

/**
 * Slots are leases in Redis. A process hands a freed lease straight to its own next waiter (no
 * Redis round trip, no polling delay: the references phase queues more fetches than there are
 * slots); waiters also poll Redis, so leases freed by other processes are picked up too.
 */
export function redisPortalLimiter(redis: Redis, limit: number, prefix = 'carebinder', leaseMs = LEASE_MS, rates: PortalRates = NO_RATES): PortalLimiter {
  const limiter = redisSlots(redis, limit, prefix, leaseMs);
  return {
    async acquire(portalId) {
      const release = await limiter.acquire(portalId);
      try {
        // The slot first, then the rate: the schedule is the last word before the request goes,
        // so requests that waited for a slot cannot reach the portal bunched together.
        const rate = rates(portalId);
        const interval = rate ? 60_000 / rate.perMinute : 0;
        const tolerance = rate ? (rate.burst - 1) * interval : 0;
        const waitMs = (await redis.eval(PACE, 2, rateKey(prefix, portalId), cooldownKey(prefix, portalId), interval, tolerance)) as number;
        if (waitMs > 0) await sleep(waitMs);
      } catch (error) {
        await release();
        throw error;
      }
      return release;
    },
    async backOff(portalId, ms) {
      await redis.eval(BACK_OFF, 1, cooldownKey(prefix, portalId), Math.max(0, Math.ceil(ms)));
    },
  };
}

// One hash tag per portal: PACE reads both keys in one script, so on a Redis Cluster they must share a slot.
const rateKey = (prefix: string, portalId: string) => `${prefix}:portal:{${portalId}}:rate`;
const cooldownKey = (prefix: string, portalId: string) => `${prefix}:portal:{${portalId}}:cooldown`;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function redisSlots(redis: Redis, limit: number, prefix: string, leaseMs: number): Pick<PortalLimiter, 'acquire'> {
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

export function localPortalLimiter(limit: number, rates: PortalRates = NO_RATES, now: () => number = Date.now): PortalLimiter {
  const inFlight = new Map<string, number>();
  const waiting = new Map<string, Array<() => void>>();
  const tats = new Map<string, number>();
  const cooldowns = new Map<string, number>();
  return {
    async acquire(portalId) {
      if ((inFlight.get(portalId) ?? 0) >= limit) {
        await new Promise<void>((resolve) => waiting.set(portalId, [...(waiting.get(portalId) ?? []), resolve]));
      }
      inFlight.set(portalId, (inFlight.get(portalId) ?? 0) + 1);
      const rate = rates(portalId);
      const at = now();
      const notBefore = cooldowns.get(portalId) ?? 0;
      let waitMs = Math.max(0, notBefore - at);
      if (rate) {
        const scheduled = gcraSchedule(at, notBefore, tats.get(portalId) ?? 0, rate);
        tats.set(portalId, scheduled.tat);
        waitMs = scheduled.waitMs;
      }
      if (waitMs > 0) await sleep(waitMs);
      return async () => {
        inFlight.set(portalId, (inFlight.get(portalId) ?? 1) - 1);
        waiting.get(portalId)?.shift()?.();
      };
    },
    async backOff(portalId, ms) {
      cooldowns.set(portalId, Math.max(cooldowns.get(portalId) ?? 0, now() + ms));
    },
  };
}
