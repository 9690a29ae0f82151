import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { gcraSchedule, localPortalLimiter, parsePortalRates } from '../../../src/sync/portal-limiter.js';

describe("pacing requests to a portal's metered rate", () => {
  it('reads PORTAL_REQUESTS_PER_MINUTE: one rate for every portal, overrides per portal, or none', () => {
    const rates = parsePortalRates('1800, northside=600');
    expect(rates('riverside')).toEqual({ perMinute: 1800, burst: 7 });
    expect(rates('northside')).toEqual({ perMinute: 600, burst: 2 });
    expect(parsePortalRates('northside=60')('riverside')).toBeNull();
    expect(parsePortalRates('northside=60')('northside')).toEqual({ perMinute: 60, burst: 1 });
    expect(parsePortalRates(undefined)('any')).toBeNull();
    expect(() => parsePortalRates('fast')).toThrow(/not a number/);
  });

  it('refuses a malformed PORTAL_REQUESTS_PER_MINUTE at start, naming it', () => {
    const env = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/carebinder', CAREBINDER_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') };
    expect(loadConfig({ ...env, PORTAL_REQUESTS_PER_MINUTE: '1800, northside = 600' }).sync.portalRequestsPerMinute).toBe('1800,northside=600');
    expect(loadConfig(env).sync.portalRequestsPerMinute).toBeUndefined();
    expect(() => loadConfig({ ...env, PORTAL_REQUESTS_PER_MINUTE: 'northside=0' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, PORTAL_REQUESTS_PER_MINUTE: 'lots' })).toThrow(/PORTAL_REQUESTS_PER_MINUTE is malformed/);
  });

  it('schedules a burst at once, then one request per interval, and never before a cool-down ends', () => {
    const rate = { perMinute: 600, burst: 3 }; // one per 100 ms
    let tat = 0;
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const scheduled = gcraSchedule(1000, 0, tat, rate);
      tat = scheduled.tat;
      waits.push(scheduled.waitMs);
    }
    expect(waits).toEqual([0, 0, 0, 100, 200]);
    // Idle for a while: the burst is back, no more.
    const later = gcraSchedule(10_000, 0, tat, rate);
    expect(later.waitMs).toBe(0);
    // A 429 asked to wait until 12,000: nothing goes before it.
    expect(gcraSchedule(10_000, 12_000, later.tat, rate).waitMs).toBe(2000);
  });

  it('paces a single process without Redis too, and holds every request back after a 429', async () => {
    let now = 0;
    const limiter = localPortalLimiter(10, parsePortalRates('portal-a=600000'), () => now); // 10 a millisecond: no real waits
    const release = await limiter.acquire('portal-a');
    await release();
    await limiter.backOff('portal-a', 30);
    const started = performance.now();
    await (await limiter.acquire('portal-a'))();
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    now += 100; // past the cool-down: no wait
    const again = performance.now();
    await (await limiter.acquire('portal-b'))();
    expect(performance.now() - again).toBeLessThan(25);
  });
});
