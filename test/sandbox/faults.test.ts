import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultState } from '../../sandbox/faults.js';
import type { Sandbox, SandboxHospital } from '../../sandbox/server.js';
import { DEMO_CLIENT, discover, fhirGet, launch, nextLink, search, startTestSandbox, tokenRequest, type TokenResponse } from './helpers.js';

const JANE_NORTHSIDE = 'eJn7vQ2xRt5kLm9pWc4HsB3';

let sandbox: Sandbox;
let hospital: SandboxHospital;
let jane: TokenResponse;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  hospital = sandbox.hospital('northside');
  jane = await launch(hospital);
});
afterEach(() => {
  for (const h of sandbox.hospitals) h.admin.clearFaults();
});
afterAll(async () => {
  await sandbox.close();
});

/** Sets switches through the admin HTTP endpoint, as an out-of-process test would. */
async function patchFaults(body: object): Promise<void> {
  const response = await fetch(`${new URL(hospital.fhirBaseUrl).origin}/admin/faults`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

const observations = () => fhirGet('Observation?_count=5', hospital, jane.access_token);

describe('request-level fault switches', () => {
  it('latencyMs delays answers', async () => {
    await patchFaults({ latencyMs: 250 });
    const started = performance.now();
    expect((await observations()).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('rateLimit answers every Nth request with 429 and Retry-After in seconds', async () => {
    await patchFaults({ rateLimit: { every: 3, retryAfterSeconds: 2 } });
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 6; i += 1) {
      const response = await observations();
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    expect(statuses).toEqual([200, 200, 429, 200, 200, 429]);
    expect(limited!.headers.get('retry-after')).toBe('2');
    expect(((await limited!.json())).resourceType).toBe('OperationOutcome');
  });

  it('tokenBucket admits a burst, then answers 429 with Retry-After until a token is back, and counts the traffic', async () => {
    await patchFaults({ tokenBucket: { perMinute: 60, burst: 2 } });
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 3; i += 1) {
      const response = await observations();
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(limited!.headers.get('retry-after')).toBe('1');
    expect(((await limited!.json())).issue[0].code).toBe('throttled');
    // Discovery is counted as traffic but not metered.
    expect((await fetch(`${hospital.fhirBaseUrl}/metadata`)).status).toBe(200);
    expect(hospital.admin.status().traffic).toMatchObject({ fhirRequests: 4, dataRequests: 3, throttled: 1 });
  });

  it('tokenBucket refills continuously at its rate, never above its burst, and a 429 takes no token', () => {
    let now = 0;
    const faults = new FaultState({ tokenBucket: { perMinute: 600, burst: 3 } }, () => now);
    const admitted = (n: number) => Array.from({ length: n }, () => faults.nextDataRequest().kind === 'none').filter(Boolean).length;
    expect(admitted(5)).toBe(3); // the burst, then empty
    now += 250; // 600 a minute = one per 100 ms: 2.5 tokens back
    expect(admitted(5)).toBe(2);
    expect(faults.nextDataRequest()).toEqual({ kind: 'rate-limit', retryAfterSeconds: 1 });
    now += 60_000; // a long pause refills to the burst, not beyond
    expect(admitted(10)).toBe(3);
    expect(faults.traffic()).toMatchObject({ dataRequests: 21, throttled: 13 });
    // One second's worth by default: 600 a minute holds 10.
    const defaults = new FaultState({ tokenBucket: { perMinute: 600 } }, () => now);
    expect(Array.from({ length: 20 }, () => defaults.nextDataRequest().kind).filter((k) => k === 'none')).toHaveLength(10);
  });

  it('errorBurst fails a run of requests with 500 or 503, then recovers', async () => {
    hospital.admin.setFaults({ errorBurst: { status: 503, count: 2, afterRequests: 1, retryAfterSeconds: 1 } });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await observations()).status);
    expect(statuses).toEqual([200, 503, 503, 200]);

    hospital.admin.setFaults({ errorBurst: { status: 500, count: 1 } });
    const failed = await observations();
    expect(failed.status).toBe(500);
    expect(((await failed.json())).issue[0].code).toBe('transient');
    expect((await observations()).status).toBe(200);
  });

  it('connectionReset destroys the socket of every Nth request', async () => {
    hospital.admin.setFaults({ connectionReset: { every: 2 } });
    expect((await observations()).status).toBe(200);
    await expect(observations()).rejects.toThrow(/fetch failed/);
    expect((await observations()).status).toBe(200);
  });

  it('accessTokenLifetimeSeconds issues short tokens that expire with a 401 invalid_token', async () => {
    hospital.admin.setFaults({ accessTokenLifetimeSeconds: 1 });
    const shortLived = await launch(hospital);
    expect(shortLived.expires_in).toBe(1);
    expect((await fhirGet('Patient', hospital, shortLived.access_token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await fhirGet('Patient', hospital, shortLived.access_token);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/error="invalid_token".*expired/);
  });

  it('refreshTokensRevoked refuses refresh grants with invalid_grant', async () => {
    const tokens = await launch(hospital);
    hospital.admin.setFaults({ refreshTokensRevoked: true });
    const smart = await discover(hospital);
    const refresh = await tokenRequest(smart, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: DEMO_CLIENT });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json())).error).toBe('invalid_grant');
  });
});

describe('page-level fault switches', () => {
  it('malformedPage answers 200 with a truncated JSON body on the chosen page of the chosen type', async () => {
    await patchFaults({ malformedPage: { resourceType: 'Observation', page: 2, times: 1 } });
    const first = await search(hospital, jane.access_token, 'Observation?_count=3');
    const second = await fhirGet(nextLink(first)!, hospital, jane.access_token);
    expect(second.status).toBe(200);
    const text = await second.text();
    expect(() => JSON.parse(text) as unknown).toThrow();
    expect(text.startsWith('{"resourceType":"Bundle"')).toBe(true);
    // Other types are untouched, and after `times` the page is whole again.
    expect((await fhirGet('Condition?_count=3', hospital, jane.access_token)).status).toBe(200);
    expect(JSON.parse(await (await fhirGet(nextLink(first)!, hospital, jane.access_token)).text())).toMatchObject({ resourceType: 'Bundle' });
  });

  it('loopingNext makes a page link back to the first page', async () => {
    hospital.admin.setFaults({ loopingNext: { page: 2 } });
    const first = await search(hospital, jane.access_token, 'Observation?_count=3');
    const second = await search(hospital, jane.access_token, nextLink(first)!);
    const selfOfFirst = first.link.find((l) => l.relation === 'self')!.url;
    expect(nextLink(second)).toBe(selfOfFirst);
  });

  it("foreignResource slips another patient's real resource into a searchset page", async () => {
    hospital.admin.setFaults({ foreignResource: { resourceType: 'Observation' } });
    const page = await search(hospital, jane.access_token, 'Observation?_count=5');
    const foreign = page.entry!.filter((e) => e.resource.subject?.reference !== `Patient/${JANE_NORTHSIDE}`);
    expect(foreign).toHaveLength(1);
    const stored = hospital.admin.readResource('Observation', foreign[0].resource.id);
    expect(stored).toEqual(foreign[0].resource);
  });
});

describe('admin controls', () => {
  const origin = () => new URL(hospital.fhirBaseUrl).origin;

  it('reads, replaces and clears faults over HTTP', async () => {
    const put = await fetch(`${origin()}/admin/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 5 }) });
    expect(await put.json()).toEqual({ latencyMs: 5 });
    const invalid = await fetch(`${origin()}/admin/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latency: 5 }) });
    expect(invalid.status).toBe(400);
    expect((await fetch(`${origin()}/admin/faults`, { method: 'DELETE' })).status).toBe(204);
    expect(await (await fetch(`${origin()}/admin/faults`)).json()).toEqual({});
  });

  it('upserts a resource with a new version and lastUpdated, so _lastUpdated=gt finds only it', async () => {
    const before = await search(hospital, jane.access_token, 'Observation?code=4548-4');
    const a1c = before.entry![0].resource;
    const latest = (await search(hospital, jane.access_token, 'Observation?_count=50')).entry!.map((e) => e.resource.meta.lastUpdated).sort().at(-1)!;

    const response = await fetch(`${origin()}/admin/resources`, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ ...a1c, valueQuantity: { ...a1c.valueQuantity, value: 6.5 } }),
    });
    expect(response.status).toBe(200);
    const updated = (await response.json());
    expect(Number(updated.meta.versionId)).toBe(Number(a1c.meta.versionId) + 1);
    expect(updated.meta.lastUpdated > a1c.meta.lastUpdated).toBe(true);

    const changed = await search(hospital, jane.access_token, `Observation?_lastUpdated=gt${latest}`);
    expect(changed.entry!.map((e) => e.resource.id)).toEqual([a1c.id]);
    expect(changed.entry![0].resource.valueQuantity?.value).toBe(6.5);
  });

  it('adds new resources to a compartment and deletes them (410 Gone afterwards)', async () => {
    const created = hospital.admin.upsertResource({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] },
      subject: { reference: `Patient/${JANE_NORTHSIDE}` },
    });
    expect(created.meta?.versionId).toBe('1');
    expect((await fhirGet(`Observation/${created.id}`, hospital, jane.access_token)).status).toBe(200);

    const removed = await fetch(`${origin()}/admin/resources/Observation/${created.id}`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect((await fhirGet(`Observation/${created.id}`, hospital, jane.access_token)).status).toBe(410);
    const ids = (await search(hospital, jane.access_token, `Observation?_id=${created.id}`)).total;
    expect(ids).toBe(0);
  });

  it('refuses to upsert into a patient that does not exist', async () => {
    const response = await fetch(`${origin()}/admin/resources`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceType: 'Condition', id: 'x1', subject: { reference: 'Patient/nobody' } }),
    });
    expect(response.status).toBe(400);
  });

  it("revokes all refresh tokens, or only one patient's", async () => {
    const smart = await discover(hospital);
    const janeTokens = await launch(hospital);
    const marcusTokens = await launch(hospital, { username: 'marcus' });
    const refresh = (token: string) => tokenRequest(smart, { grant_type: 'refresh_token', refresh_token: token, client_id: DEMO_CLIENT });

    const revoked = await fetch(`${origin()}/admin/revoke-refresh-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ patientId: JANE_NORTHSIDE }),
    });
    expect(((await revoked.json())).revoked).toBeGreaterThan(0);
    expect((await refresh(janeTokens.refresh_token!)).status).toBe(400);
    const marcusRefresh = await refresh(marcusTokens.refresh_token!);
    expect(marcusRefresh.status).toBe(200);

    expect(hospital.admin.revokeRefreshTokens()).toBeGreaterThan(0);
    expect((await refresh(((await marcusRefresh.json())).refresh_token)).status).toBe(400);
  });

  it('reports status: patients, logins and counts', () => {
    const status = hospital.admin.status();
    expect(status.patients.find((p) => p.patientId === JANE_NORTHSIDE)?.usernames).toEqual(['jane']);
    expect(status.sharedResources).toBeGreaterThan(5);
  });
});

describe('fault switches from the hospitals file', () => {
  let configured: Sandbox;
  beforeAll(async () => {
    configured = await startTestSandbox({
      hospitals: [
        {
          id: 'flaky',
          name: 'Flaky General',
          port: 0,
          signingSecret: 'flaky-signing-secret-0123456789ab',
          dataDir: 'data/riverside',
          maxPageSize: 20,
          patients: [{ username: 'jane', password: 'sandbox', patientId: '41937702' }],
          faults: { rateLimit: { every: 1, retryAfterSeconds: 30 } },
        },
      ],
    });
  });
  afterAll(async () => {
    await configured.close();
  });

  it('applies switches set in the configuration from the start, but not to discovery', async () => {
    const flaky = configured.hospital('flaky');
    expect(flaky.admin.getFaults()).toEqual({ rateLimit: { every: 1, retryAfterSeconds: 30 } });
    expect((await fetch(`${flaky.fhirBaseUrl}/metadata`)).status).toBe(200);
    const tokens = await launch(flaky);
    const limited = await fhirGet('Patient', flaky, tokens.access_token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
  });
});
