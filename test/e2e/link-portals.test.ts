// Linking both sandbox hospitals over HTTP: their real sign-in and consent pages, fhirclient's
// code exchange, the sealed token vault, refresh with rotation, and the failure paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/server.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createLinkRepository } from '../../src/portals/links.js';
import { createPortalRegistry } from '../../src/portals/registry.js';
import { createTokenKeeper, NeedsRelinkError } from '../../src/portals/token-refresh.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { linkPortal } from '../helpers/linking.js';
import { signInAtPortal } from '../helpers/portal-browser.js';
import { DEMO_LOGIN, registerSandboxPortals, startTestSandbox } from '../helpers/sandbox.js';
import { uniquePrefix } from '../helpers/services.js';

let t: TestApp;
let sandbox: Sandbox;
let portals: Record<string, string>;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await buildTestApp({ queuePrefix: uniquePrefix('link') });
  portals = await registerSandboxPortals(t.pool, sandbox, uniquePrefix('p').slice(-8));
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});

function tokenKeeper() {
  const box = createSecretBox(t.config.secretKey);
  const registry = createPortalRegistry(t.pool, box);
  const links = createLinkRepository(t.pool, box);
  return { keeper: createTokenKeeper({ pool: t.pool, box, registry, links }), links };
}

async function storedTokenStrings(linkId: string): Promise<{ access: string; refresh: string | undefined }> {
  const tokens = await tokenKeeper().links.tokens(linkId);
  return { access: tokens!.access_token, refresh: tokens!.refresh_token };
}

async function databaseContains(text: string): Promise<boolean> {
  const tables = ['links', 'smart_launches', 'portals', 'sessions', 'accounts'];
  for (const table of tables) {
    const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM ${table} t WHERE t::text LIKE '%' || $1 || '%'`, [text]);
    if ((rows[0] as { n: number }).n > 0) return true;
  }
  return false;
}

describe('linking the sandbox hospitals', () => {
  it('links both hospitals, shows two active links, and keeps every token out of the database, logs and API', async () => {
    const patient = await signedInPatient(t.app);
    const northside = await linkPortal(t.app, patient.cookie, portals.northside, DEMO_LOGIN);
    const riverside = await linkPortal(t.app, patient.cookie, portals.riverside, DEMO_LOGIN);
    for (const attempt of [northside, riverside]) {
      expect(attempt.response.statusCode).toBe(303);
      expect(attempt.location?.searchParams.get('link')).toBe('success');
      const authorize = new URL(attempt.authorizeUrl);
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(authorize.searchParams.get('scope')).toBe('launch/patient openid fhirUser offline_access patient/*.rs');
      expect(authorize.searchParams.get('aud')).toBe(sandbox.hospitals.find((h) => portals[h.id] === attempt.location?.searchParams.get('portal'))?.fhirBaseUrl);
    }

    const listed = await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } });
    const links = listed.json<{ links: Array<{ id: string; status: string; portal: { id: string }; hasRefreshToken: boolean; accessTokenExpiresAt: string; grantedScopes: string[]; lastSync: { state: string | null } }> }>().links;
    expect(links.map((l) => [l.portal.id, l.status]).sort()).toEqual([
      [portals.northside, 'active'],
      [portals.riverside, 'active'],
    ].sort());
    for (const link of links) {
      expect(link.hasRefreshToken).toBe(true);
      // No worker runs in this file: the first sync waits in the queue, and the link says so.
      expect(link.lastSync.state).toBe('queued');
      expect(Date.parse(link.accessTokenExpiresAt)).toBeGreaterThan(Date.now());
      expect(link.grantedScopes).toContain('offline_access');
      const tokens = await storedTokenStrings(link.id);
      expect(await databaseContains(tokens.access)).toBe(false);
      expect(await databaseContains(tokens.refresh!)).toBe(false);
      expect(t.logs.join('')).not.toContain(tokens.access);
      expect(t.logs.join('')).not.toContain(tokens.refresh!);
      expect(listed.body).not.toContain(tokens.access);
    }
    // The launch state is single use and holds no secrets once used.
    const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM smart_launches WHERE account_id = $1 AND payload_enc IS NOT NULL`, [patient.accountId]);
    expect(rows[0]).toEqual({ n: 0 });
    // The first sync was queued for each link, carrying ids only, and a periodic one scheduled.
    for (const link of links) {
      const jobId = await t.app.queues.sync.getDeduplicationJobId(`link:${link.id}`);
      const job = await t.app.queues.sync.getJob(jobId!);
      expect(job?.data).toEqual({ linkId: link.id });
      const scheduler = await t.app.queues.sync.getJobScheduler(`sync-link:${link.id}`);
      expect(scheduler?.every).toBe(24 * 3_600_000);
    }
  });

  it('updates the existing link when the same portal patient is linked again, and lets a second account link the same patient', async () => {
    const patient = await signedInPatient(t.app);
    await linkPortal(t.app, patient.cookie, portals.northside, DEMO_LOGIN);
    await linkPortal(t.app, patient.cookie, portals.northside, DEMO_LOGIN);
    const listed = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: Array<{ id: string }> }>();
    expect(listed.links).toHaveLength(1);

    const caregiver = await signedInPatient(t.app);
    await linkPortal(t.app, caregiver.cookie, portals.northside, DEMO_LOGIN);
    const theirs = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: caregiver.cookie } })).json<{ links: Array<{ id: string }> }>();
    expect(theirs.links).toHaveLength(1);
    expect(theirs.links[0].id).not.toBe(listed.links[0].id);
    const mine = await t.app.inject({ method: 'GET', url: `/api/links/${theirs.links[0].id}`, headers: { cookie: patient.cookie } });
    expect(mine.statusCode).toBe(404);
  });

  it('refreshes tokens from a worker, stores the rotated refresh token, and refuses the used one at the portal', async () => {
    const patient = await signedInPatient(t.app);
    await linkPortal(t.app, patient.cookie, portals.riverside, DEMO_LOGIN);
    const [link] = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: Array<{ id: string }> }>().links;
    const before = await storedTokenStrings(link.id);
    const { keeper } = tokenKeeper();
    const access = await keeper.refreshNow(link.id);
    const after = await storedTokenStrings(link.id);
    expect(access).not.toBe(before.access);
    expect(after.access).toBe(access);
    expect(after.refresh).toBeDefined();
    expect(after.refresh).not.toBe(before.refresh);
    // The rotated refresh token's expiry, as the portal's introspection endpoint states it.
    const shown = (await t.app.inject({ method: 'GET', url: `/api/links/${link.id}`, headers: { cookie: patient.cookie } })).json<{ refreshTokenExpiresAt: string | null }>();
    expect(Date.parse(shown.refreshTokenExpiresAt!)).toBeGreaterThan(Date.now() + 86_400_000);
    // The old refresh token is dead at the portal (rotation): using it is refused.
    const wellKnown = (await (await fetch(`${sandbox.hospital('riverside').fhirBaseUrl}/.well-known/smart-configuration`)).json()) as { token_endpoint: string };
    const reuse = await fetch(wellKnown.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: before.refresh!, client_id: 'carebinder-demo' }),
    });
    expect(reuse.status).toBe(400);
  });

  it('runs one refresh at a time per link when several processes ask at once', async () => {
    const patient = await signedInPatient(t.app);
    await linkPortal(t.app, patient.cookie, portals.northside, DEMO_LOGIN);
    const [link] = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: Array<{ id: string }> }>().links;
    // Make the access token look expired, then ask from four "processes" at once.
    await t.pool.query(`UPDATE links SET access_expires_at = now() - interval '1 minute' WHERE id = $1`, [link.id]);
    const keepers = [tokenKeeper().keeper, tokenKeeper().keeper, tokenKeeper().keeper, tokenKeeper().keeper];
    const tokens = await Promise.all(keepers.map((k) => k.accessToken(link.id)));
    expect(new Set(tokens).size).toBe(1);
    const linkNow = (await t.app.inject({ method: 'GET', url: `/api/links/${link.id}`, headers: { cookie: patient.cookie } })).json<{ status: string }>();
    expect(linkNow.status).toBe('active');
  });

  it('turns the link to needs-relink, deleting nothing, when the portal refuses the refresh token', async () => {
    const patient = await signedInPatient(t.app);
    await linkPortal(t.app, patient.cookie, portals.northside, DEMO_LOGIN);
    const [link] = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: Array<{ id: string }> }>().links;
    const before = await storedTokenStrings(link.id);
    const admin = sandbox.hospital('northside').admin;
    admin.setFaults({ refreshTokensRevoked: true });
    try {
      await expect(tokenKeeper().keeper.refreshNow(link.id)).rejects.toBeInstanceOf(NeedsRelinkError);
    } finally {
      admin.setFaults({ refreshTokensRevoked: null });
    }
    const shown = (await t.app.inject({ method: 'GET', url: `/api/links/${link.id}`, headers: { cookie: patient.cookie } })).json<{ status: string; statusReason: string }>();
    expect(shown.status).toBe('needs-relink');
    expect(shown.statusReason).toMatch(/invalid_grant/);
    expect(await storedTokenStrings(link.id)).toEqual(before);
  });
});

describe('linking failures', () => {
  it('creates no link when the patient denies consent, and says so', async () => {
    const patient = await signedInPatient(t.app);
    const attempt = await linkPortal(t.app, patient.cookie, portals.northside, DEMO_LOGIN, 'deny');
    expect(attempt.callback.searchParams.get('error')).toBe('access_denied');
    expect(attempt.location?.searchParams.get('link')).toBe('error');
    expect(attempt.location?.searchParams.get('reason')).toBe('access-denied');
    const listed = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: unknown[] }>();
    expect(listed.links).toHaveLength(0);
  });

  /** Starts linking `portalId` and signs in at the portal; returns the callback URL before carebinder sees it. */
  async function callbackFrom(cookie: string, portalId: string): Promise<URL> {
    const started = await t.app.inject({ method: 'POST', url: '/api/links', headers: { cookie }, payload: { portalId } });
    expect(started.statusCode).toBe(200);
    return signInAtPortal(started.json<{ authorizeUrl: string }>().authorizeUrl, DEMO_LOGIN);
  }

  async function linkCount(accountId: string): Promise<number> {
    const { rows } = await t.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM links WHERE account_id = $1`, [accountId]);
    return rows[0].n;
  }

  it("links nothing when a Northside callback names Riverside's server as its issuer (RFC 9207), and says why", async () => {
    const patient = await signedInPatient(t.app);
    const callback = await callbackFrom(patient.cookie, portals.northside);
    // The sandbox advertises authorization_response_iss_parameter_supported and sends its issuer.
    expect(callback.searchParams.get('iss')).toBe(sandbox.hospital('northside').fhirBaseUrl);
    expect(callback.searchParams.get('code')).toBeTruthy();
    callback.searchParams.set('iss', sandbox.hospital('riverside').fhirBaseUrl);

    const response = await t.app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}`, headers: { cookie: patient.cookie } });
    expect(response.statusCode).toBe(303);
    const location = new URL(String(response.headers.location));
    expect(Object.fromEntries(location.searchParams)).toEqual({ link: 'error', portal: portals.northside, reason: 'issuer-mismatch' });
    expect(await linkCount(patient.accountId)).toBe(0);
    expect(t.logs.join('')).toMatch(/"reason":"issuer-mismatch"/);
    // The attempt is spent and keeps no secret: the same callback with the right issuer is refused too.
    callback.searchParams.set('iss', sandbox.hospital('northside').fhirBaseUrl);
    const retry = await t.app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}`, headers: { cookie: patient.cookie } });
    expect(new URL(String(retry.headers.location)).searchParams.get('reason')).toBe('replayed');
    expect(await linkCount(patient.accountId)).toBe(0);
    const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM smart_launches WHERE account_id = $1 AND payload_enc IS NOT NULL`, [patient.accountId]);
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('links nothing when the callback lacks the iss the portal promised to send (RFC 9207)', async () => {
    const patient = await signedInPatient(t.app);
    const callback = await callbackFrom(patient.cookie, portals.riverside);
    callback.searchParams.delete('iss');
    const response = await t.app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}`, headers: { cookie: patient.cookie } });
    expect(new URL(String(response.headers.location)).searchParams.get('reason')).toBe('issuer-missing');
    expect(await linkCount(patient.accountId)).toBe(0);
  });

  it("refuses an error response that names another server as its issuer, before believing the error", async () => {
    const patient = await signedInPatient(t.app);
    const started = await t.app.inject({ method: 'POST', url: '/api/links', headers: { cookie: patient.cookie }, payload: { portalId: portals.northside } });
    const state = new URL(started.json<{ authorizeUrl: string }>().authorizeUrl).searchParams.get('state')!;
    const query = new URLSearchParams({ state, error: 'access_denied', iss: 'https://mix-up.example/fhir' });
    const response = await t.app.inject({ method: 'GET', url: `/smart/callback?${query}`, headers: { cookie: patient.cookie } });
    expect(new URL(String(response.headers.location)).searchParams.get('reason')).toBe('issuer-mismatch');
  });

  /** Where the callback sent the browser: the web client's address with the outcome's reason code. */
  const landing = (response: { statusCode: number; headers: Record<string, unknown> }) => {
    expect(response.statusCode).toBe(303);
    const location = new URL(String(response.headers.location));
    return { path: location.pathname, link: location.searchParams.get('link'), reason: location.searchParams.get('reason'), portal: location.searchParams.get('portal') };
  };

  it('sends the browser back to the client for an unknown state and a replayed one, storing nothing', async () => {
    const patient = await signedInPatient(t.app);
    const unknown = await t.app.inject({ method: 'GET', url: '/smart/callback?state=made-up&code=x', headers: { cookie: patient.cookie } });
    expect(landing(unknown)).toEqual({ path: '/', link: 'error', reason: 'stale', portal: null });

    const first = await linkPortal(t.app, patient.cookie, portals.riverside, DEMO_LOGIN);
    expect(first.location?.searchParams.get('link')).toBe('success');
    const replay = await t.app.inject({ method: 'GET', url: `${first.callback.pathname}${first.callback.search}`, headers: { cookie: patient.cookie } });
    expect(landing(replay)).toMatchObject({ link: 'error', reason: 'replayed', portal: portals.riverside });
    expect(await linkCount(patient.accountId)).toBe(1);
  });

  it('sends the browser back to the client for an expired state, a missing state, a malformed callback and no session', async () => {
    const patient = await signedInPatient(t.app);
    const started = await t.app.inject({ method: 'POST', url: '/api/links', headers: { cookie: patient.cookie }, payload: { portalId: portals.northside } });
    const state = new URL(started.json<{ authorizeUrl: string }>().authorizeUrl).searchParams.get('state')!;
    await t.pool.query(`UPDATE smart_launches SET expires_at = now() - interval '1 second' WHERE state = $1`, [state]);
    const late = await t.app.inject({ method: 'GET', url: `/smart/callback?state=${state}&code=whatever`, headers: { cookie: patient.cookie } });
    expect(landing(late)).toMatchObject({ link: 'error', reason: 'expired', portal: portals.northside });

    const none = await t.app.inject({ method: 'GET', url: '/smart/callback?code=x', headers: { cookie: patient.cookie } });
    expect(landing(none)).toMatchObject({ reason: 'stale' });
    const tooLong = await t.app.inject({ method: 'GET', url: `/smart/callback?state=${'s'.repeat(600)}`, headers: { cookie: patient.cookie } });
    expect(landing(tooLong)).toMatchObject({ reason: 'bad-callback' });
    const signedOut = await t.app.inject({ method: 'GET', url: `/smart/callback?state=${state}&code=x` });
    expect(landing(signedOut)).toMatchObject({ reason: 'signed-out' });
    expect(await linkCount(patient.accountId)).toBe(0);
  });

  it("sends the browser back to the client, linking nothing, for a state started by another account's session", async () => {
    const alice = await signedInPatient(t.app);
    const mallory = await signedInPatient(t.app);
    const started = await t.app.inject({ method: 'POST', url: '/api/links', headers: { cookie: alice.cookie }, payload: { portalId: portals.northside } });
    const state = new URL(started.json<{ authorizeUrl: string }>().authorizeUrl).searchParams.get('state')!;
    const stolen = await t.app.inject({ method: 'GET', url: `/smart/callback?state=${state}&code=x`, headers: { cookie: mallory.cookie } });
    expect(landing(stolen)).toEqual({ path: '/', link: 'error', reason: 'other-account', portal: null });
    const listed = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: mallory.cookie } })).json<{ links: unknown[] }>();
    expect(listed.links).toHaveLength(0);
  });

  it('answers 404 for an unknown portal and lists the registry for signed-in patients only', async () => {
    const patient = await signedInPatient(t.app);
    const unknown = await t.app.inject({ method: 'POST', url: '/api/links', headers: { cookie: patient.cookie }, payload: { portalId: 'no-such-portal' } });
    expect(unknown.statusCode).toBe(404);
    const catalog = await t.app.inject({ method: 'GET', url: '/api/portals', headers: { cookie: patient.cookie } });
    expect(catalog.json<{ portals: Array<{ id: string }> }>().portals.map((p) => p.id)).toEqual(expect.arrayContaining([portals.northside, portals.riverside]));
    expect(catalog.body).not.toContain('clientId');
    expect((await t.app.inject({ method: 'GET', url: '/api/portals' })).statusCode).toBe(401);
  });

  it('unlinks: revokes at the portal, deletes the tokens, keeps the link as the source of its records', async () => {
    const patient = await signedInPatient(t.app);
    await linkPortal(t.app, patient.cookie, portals.northside, DEMO_LOGIN);
    const [link] = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: Array<{ id: string }> }>().links;
    const tokens = await storedTokenStrings(link.id);
    const removed = await t.app.inject({ method: 'DELETE', url: `/api/links/${link.id}`, headers: { cookie: patient.cookie } });
    expect(removed.statusCode).toBe(204);
    const { rows } = await t.pool.query(`SELECT status, tokens_enc FROM links WHERE id = $1`, [link.id]);
    expect(rows[0]).toEqual({ status: 'unlinked', tokens_enc: null });
    // The portal no longer accepts the access token.
    const read = await fetch(`${sandbox.hospital('northside').fhirBaseUrl}/Patient`, { headers: { authorization: `Bearer ${tokens.access}` } });
    expect(read.status).toBe(401);
    const listed = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: unknown[] }>();
    expect(listed.links).toHaveLength(0);
    expect(await t.app.queues.sync.getJobScheduler(`sync-link:${link.id}`)).toBeUndefined();
  });
});
