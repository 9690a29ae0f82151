// A portal that meters carebinder (a token bucket, 429 + Retry-After past it): told the portal's
// rate, the workers pace themselves to it and never meet a 429; not told, they still finish,
// every worker holding back while the portal asks them to wait.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/server.js';
import { startWorkers } from '../../src/jobs/workers.js';
import { createLogger } from '../../src/logger.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { linkPortal } from '../helpers/linking.js';
import { DEMO_LOGIN, registerSandboxPortals, startTestSandbox } from '../helpers/sandbox.js';
import { testConfig, uniquePrefix } from '../helpers/services.js';
import { waitForSync } from '../helpers/sync.js';
import { FAST_SYNC_SETTINGS } from '../helpers/workers.js';

let t: TestApp;
let sandbox: Sandbox;
let portals: Record<string, string>;
const prefix = uniquePrefix('metered');

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await buildTestApp({ queuePrefix: prefix });
  portals = await registerSandboxPortals(t.pool, sandbox, uniquePrefix('m').slice(-8));
});
afterEach(() => {
  for (const hospital of sandbox.hospitals) hospital.admin.clearFaults();
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});

async function syncUnder(env: Record<string, string>): Promise<{ state: string; throttled: number; metered: number }> {
  const workers = await startWorkers({
    config: testConfig({ WORKER_CONCURRENCY: '2', PORTAL_MAX_CONCURRENCY: '8', ...env }),
    log: createLogger('silent', 'test-worker'),
    prefix,
    sync: FAST_SYNC_SETTINGS,
  });
  try {
    const hospital = sandbox.hospital('northside');
    // 300 a minute, 3 at once: the sync needs far more than the burst.
    hospital.admin.replaceFaults({ tokenBucket: { perMinute: 300, burst: 3 } });
    const patient = await signedInPatient(t.app);
    const attempt = await linkPortal(t.app, patient.cookie, portals.northside, DEMO_LOGIN);
    expect(attempt.location?.searchParams.get('link')).toBe('success');
    const links = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: Array<{ id: string }> }>();
    const status = await waitForSync(t.app, patient.cookie, links.links[0].id, undefined, 90_000);
    const { traffic } = hospital.admin.status();
    return { state: status.state, throttled: traffic.throttled, metered: traffic.dataRequests };
  } finally {
    await workers.close();
  }
}

describe('a portal that meters carebinder', () => {
  it("is never sent past its bucket when its rate is configured (PORTAL_REQUESTS_PER_MINUTE)", async () => {
    const result = await syncUnder({ PORTAL_REQUESTS_PER_MINUTE: '300' });
    expect(result.state).toBe('succeeded');
    expect(result.metered).toBeGreaterThan(10);
    expect(result.throttled).toBe(0);
  }, 120_000);

  it('is synced completely without it too, the 429s waited out', async () => {
    const result = await syncUnder({});
    expect(result.state).toBe('succeeded');
    expect(result.throttled).toBeGreaterThan(0);
  }, 120_000);
});
