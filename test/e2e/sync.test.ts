// Syncing the sandbox hospitals through the real queue and workers: complete, duplicate-free,
// incremental, and whole again after every fault the sandbox can throw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/server.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createLinkRepository } from '../../src/portals/links.js';
import { createPortalRegistry } from '../../src/portals/registry.js';
import { createTokenKeeper } from '../../src/portals/token-refresh.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { linkPortal } from '../helpers/linking.js';
import { portalResourceKeys } from '../helpers/portal-truth.js';
import { DEMO_LOGIN, registerSandboxPortals, startTestSandbox } from '../helpers/sandbox.js';
import { uniquePrefix } from '../helpers/services.js';
import { syncNow, waitForSync } from '../helpers/sync.js';
import { startTestWorkers } from '../helpers/workers.js';

let t: TestApp;
let sandbox: Sandbox;
let portals: Record<string, string>;
let workers: Awaited<ReturnType<typeof startTestWorkers>>;
const prefix = uniquePrefix('sync');

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await buildTestApp({ queuePrefix: prefix });
  portals = await registerSandboxPortals(t.pool, sandbox, uniquePrefix('s').slice(-8));
  workers = await startTestWorkers(prefix);
});
afterAll(async () => {
  await workers?.close();
  await t?.close();
  await sandbox?.close();
});

interface LinkedPatient {
  cookie: string;
  accountId: string;
  linkId: string;
  hospital: string;
}

async function linkAndSync(hospital: 'northside' | 'riverside'): Promise<LinkedPatient> {
  const patient = await signedInPatient(t.app);
  const attempt = await linkPortal(t.app, patient.cookie, portals[hospital], DEMO_LOGIN);
  expect(attempt.location?.searchParams.get('link')).toBe('success');
  const links = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: Array<{ id: string }> }>();
  const linkId = links.links[0].id;
  const status = await waitForSync(t.app, patient.cookie, linkId);
  expect(status.errors).toEqual([]);
  expect(status.state).toBe('succeeded');
  return { cookie: patient.cookie, accountId: patient.accountId, linkId, hospital };
}

async function storedKeys(linkId: string, { includeRemoved = false } = {}): Promise<string[]> {
  const { rows } = await t.pool.query<{ key: string }>(
    `SELECT resource_type || '/' || resource_id AS key FROM records WHERE link_id = $1 ${includeRemoved ? '' : 'AND removed_at_source IS NULL'}
       AND resource_type NOT IN ('Practitioner', 'PractitionerRole', 'Organization', 'Medication', 'Location') ORDER BY 1`,
    [linkId],
  );
  return rows.map((r) => r.key);
}

async function portalKeys(linked: LinkedPatient): Promise<string[]> {
  const box = createSecretBox(t.config.secretKey);
  const links = createLinkRepository(t.pool, box);
  const link = (await links.findById(linked.linkId))!;
  // A live token (refreshed when the stored one has run out, as short-lived ones do here).
  const keeper = createTokenKeeper({ pool: t.pool, box, registry: createPortalRegistry(t.pool, box), links });
  const token = await keeper.accessToken(linked.linkId);
  return [...(await portalResourceKeys(sandbox.hospital(linked.hospital).fhirBaseUrl, token, link.portalPatientId))].sort();
}

async function expectBinderEqualsPortal(linked: LinkedPatient): Promise<void> {
  const stored = await storedKeys(linked.linkId);
  expect(new Set(stored).size).toBe(stored.length);
  expect(stored).toEqual(await portalKeys(linked));
}

describe('syncing the sandbox hospitals', () => {
  it('stores every record of the demo patient at both hospitals, filed into categories, with referenced resources and documents', async () => {
    for (const hospital of ['northside', 'riverside'] as const) {
      const linked = await linkAndSync(hospital);
      await expectBinderEqualsPortal(linked);
      const { rows } = await t.pool.query<{ filed: number; practitioners: number; docs: number }>(
        `SELECT (SELECT count(*)::int FROM records WHERE link_id = $1 AND cardinality(categories) > 0) AS filed,
                (SELECT count(*)::int FROM records WHERE link_id = $1 AND resource_type IN ('Practitioner', 'Organization')) AS practitioners,
                (SELECT count(*)::int FROM documents WHERE link_id = $1) AS docs`,
        [linked.linkId],
      );
      expect(rows[0].filed).toBeGreaterThan(10);
      expect(rows[0].practitioners).toBeGreaterThan(0);
      expect(rows[0].docs).toBeGreaterThan(0);
      const link = (await t.app.inject({ method: 'GET', url: `/api/links/${linked.linkId}`, headers: { cookie: linked.cookie } })).json<{ status: string; lastSync: { state: string } }>();
      expect(link).toMatchObject({ status: 'active', lastSync: { state: 'succeeded' } });
    }
  });

  it('re-syncs unchanged data without writing a row, asks only for what changed, and keeps earlier versions', async () => {
    const linked = await linkAndSync('northside');
    const before = await t.pool.query(`SELECT max(last_changed_at) AS changed, count(*)::int AS n FROM records WHERE link_id = $1`, [linked.linkId]);
    const again = await waitForSync(t.app, linked.cookie, linked.linkId, await syncNow(t.app, linked.cookie, linked.linkId, true));
    expect(again.state).toBe('succeeded');
    expect(Object.values(again.types).reduce((sum, type) => sum + type.stored, 0)).toBe(0);
    const after = await t.pool.query(`SELECT max(last_changed_at) AS changed, count(*)::int AS n FROM records WHERE link_id = $1`, [linked.linkId]);
    expect(after.rows[0]).toEqual(before.rows[0]);

    // A condition changes at the portal: the next (incremental) sync stores it and keeps the old version.
    const admin = sandbox.hospital('northside').admin;
    const { rows } = await t.pool.query<{ resource_id: string; resource: Record<string, unknown> }>(
      `SELECT resource_id, resource FROM records WHERE link_id = $1 AND resource_type = 'Condition' LIMIT 1`,
      [linked.linkId],
    );
    const condition = rows[0];
    admin.upsertResource({ ...condition.resource, note: [{ text: 'Reviewed at follow-up' }] } as never);
    const incremental = await waitForSync(t.app, linked.cookie, linked.linkId, await syncNow(t.app, linked.cookie, linked.linkId));
    expect(incremental.fullPass).toBe(false);
    expect(incremental.types.Condition?.stored).toBe(1);
    expect(incremental.types.Observation?.fetched).toBe(0);
    const versions = await t.pool.query(`SELECT count(*)::int AS n FROM record_versions v JOIN records r ON r.id = v.record_id WHERE r.link_id = $1 AND r.resource_id = $2`, [
      linked.linkId,
      condition.resource_id,
    ]);
    expect(versions.rows[0]).toEqual({ n: 1 });
    await expectBinderEqualsPortal(linked);
  });

  it('marks a resource deleted at the source as removed on the next full pass, and keeps it in the binder', async () => {
    const linked = await linkAndSync('riverside');
    const { rows } = await t.pool.query<{ resource_id: string }>(`SELECT resource_id FROM records WHERE link_id = $1 AND resource_type = 'Immunization' LIMIT 1`, [linked.linkId]);
    const admin = sandbox.hospital('riverside').admin;
    const original = admin.readResource('Immunization', rows[0].resource_id)!;
    expect(admin.deleteResource('Immunization', rows[0].resource_id)).toBe(true);
    try {
      const full = await waitForSync(t.app, linked.cookie, linked.linkId, await syncNow(t.app, linked.cookie, linked.linkId, true));
      expect(full.fullPass).toBe(true);
      const kept = await t.pool.query(`SELECT removed_at_source IS NOT NULL AS removed FROM records WHERE link_id = $1 AND resource_type = 'Immunization' AND resource_id = $2`, [
        linked.linkId,
        rows[0].resource_id,
      ]);
      expect(kept.rows).toEqual([{ removed: true }]);
      await expectBinderEqualsPortal(linked);
    } finally {
      admin.upsertResource(original);
    }
  });
});

describe('portal faults', () => {
  const cases: Array<[string, 'northside' | 'riverside', Record<string, unknown>]> = [
    ['latency', 'riverside', { latencyMs: 30 }],
    ['429 with Retry-After on every 4th request', 'riverside', { rateLimit: { every: 4, retryAfterSeconds: 1 } }],
    ['a burst of 503s', 'riverside', { errorBurst: { status: 503, count: 3, afterRequests: 2 } }],
    ['a burst of 500s', 'northside', { errorBurst: { status: 500, count: 2, afterRequests: 5 } }],
    ['connection resets', 'riverside', { connectionReset: { every: 5 } }],
    ['a malformed JSON page', 'riverside', { malformedPage: { page: 1, times: 2 } }],
    ['a next link that loops back', 'riverside', { loopingNext: { resourceType: 'Observation', page: 2 } }],
  ];

  it.each(cases)('ends with a complete, duplicate-free binder after %s', async (_name, hospital, faults) => {
    const admin = sandbox.hospital(hospital).admin;
    admin.setFaults(faults);
    let linked: LinkedPatient;
    try {
      linked = await linkAndSync(hospital);
    } finally {
      admin.clearFaults();
    }
    await expectBinderEqualsPortal(linked);
    const link = (await t.app.inject({ method: 'GET', url: `/api/links/${linked.linkId}`, headers: { cookie: linked.cookie } })).json<{ status: string }>();
    expect(link.status).toBe('active');
  });

  it('waits out a long Retry-After by rescheduling the job, without using up an attempt', async () => {
    const admin = sandbox.hospital('riverside').admin;
    // Longer than a request may wait (5 s in the fast test policy): the job itself must wait.
    admin.setFaults({ rateLimit: { every: 12, retryAfterSeconds: 6 } });
    let linked: LinkedPatient;
    try {
      linked = await linkAndSync('riverside');
    } finally {
      admin.clearFaults();
    }
    const status = await waitForSync(t.app, linked.cookie, linked.linkId);
    expect(status.warnings.join('\n')).toMatch(/asked to slow down/);
    const job = await t.app.queues.sync.getJob(status.jobId!);
    // One attempt, the one that succeeded: the rate-limited run did not count as a failed attempt.
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toBeUndefined();
    await expectBinderEqualsPortal(linked);
  });

  it("rejects and counts another patient's resource slipped into a page, and never stores it", async () => {
    const admin = sandbox.hospital('riverside').admin;
    admin.setFaults({ foreignResource: { page: 1 } });
    let linked: LinkedPatient;
    let status;
    try {
      const patient = await signedInPatient(t.app);
      await linkPortal(t.app, patient.cookie, portals.riverside, DEMO_LOGIN);
      const linkId = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: Array<{ id: string }> }>().links[0].id;
      status = await waitForSync(t.app, patient.cookie, linkId);
      linked = { cookie: patient.cookie, accountId: patient.accountId, linkId, hospital: 'riverside' };
    } finally {
      admin.clearFaults();
    }
    expect(status.state).toBe('succeeded');
    const rejected = Object.values(status.types).reduce((sum, type) => sum + type.rejected, 0);
    expect(rejected).toBeGreaterThan(0);
    expect(status.warnings.join('\n')).toMatch(/another patient/);
    const patientId = (await createLinkRepository(t.pool, createSecretBox(t.config.secretKey)).findById(linked.linkId))!.portalPatientId;
    const { rows } = await t.pool.query(
      `SELECT count(*)::int AS n FROM records WHERE link_id = $1 AND resource_type <> 'Patient' AND resource::text LIKE '%Patient/%' AND resource::text NOT LIKE '%Patient/' || $2 || '%'`,
      [linked.linkId, patientId],
    );
    expect(rows[0]).toEqual({ n: 0 });
    await expectBinderEqualsPortal(linked);
  });

  it('refreshes once when the access token expires mid-sync, and continues', async () => {
    const admin = sandbox.hospital('riverside').admin;
    admin.setFaults({ accessTokenLifetimeSeconds: 1, latencyMs: 150 });
    let linked: LinkedPatient;
    try {
      linked = await linkAndSync('riverside');
    } finally {
      admin.clearFaults();
    }
    const { rows } = await t.pool.query(`SELECT last_refreshed_at IS NOT NULL AS refreshed FROM links WHERE id = $1`, [linked.linkId]);
    expect(rows[0]).toEqual({ refreshed: true });
    await expectBinderEqualsPortal(linked);
  });

  it('turns the link to needs-relink when the refresh token was revoked, and loses nothing already stored', async () => {
    const linked = await linkAndSync('northside');
    const before = await storedKeys(linked.linkId);
    const admin = sandbox.hospital('northside').admin;
    admin.setFaults({ refreshTokensRevoked: true });
    try {
      await t.pool.query(`UPDATE links SET access_expires_at = now() - interval '1 minute' WHERE id = $1`, [linked.linkId]);
      const failed = await waitForSync(t.app, linked.cookie, linked.linkId, await syncNow(t.app, linked.cookie, linked.linkId));
      expect(failed.state).toBe('failed');
    } finally {
      admin.clearFaults();
    }
    const link = (await t.app.inject({ method: 'GET', url: `/api/links/${linked.linkId}`, headers: { cookie: linked.cookie } })).json<{ status: string; statusReason: string }>();
    expect(link.status).toBe('needs-relink');
    expect(await storedKeys(linked.linkId)).toEqual(before);
    const refused = await t.app.inject({ method: 'POST', url: `/api/links/${linked.linkId}/sync`, headers: { cookie: linked.cookie } });
    expect(refused.statusCode).toBe(409);
  });
});
