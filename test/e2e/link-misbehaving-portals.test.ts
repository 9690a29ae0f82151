// Portal misbehaviour the sandbox cannot produce, faked with nock (another party's server):
// token endpoint errors, token responses without a patient, a portal down at discovery.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createPortalRegistry } from '../../src/portals/registry.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { uniquePrefix } from '../helpers/services.js';

const PORTAL = 'https://fhir.misbehaving.example';
const BASE = `${PORTAL}/api/FHIR/R4`;
let t: TestApp;
let portalId: string;

const smartConfiguration = {
  issuer: BASE,
  authorization_endpoint: `${PORTAL}/oauth2/authorize`,
  token_endpoint: `${PORTAL}/oauth2/token`,
  capabilities: ['launch-standalone', 'client-public', 'permission-v2', 'permission-offline', 'context-standalone-patient'],
  code_challenge_methods_supported: ['S256'],
};

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  t = await buildTestApp({ queuePrefix: uniquePrefix('nock') });
  portalId = `misbehaving-${uniquePrefix('m').slice(-6)}`;
  await createPortalRegistry(t.pool, createSecretBox(t.config.secretKey)).upsert({ id: portalId, name: 'Misbehaving Health', fhirBaseUrl: BASE, clientId: 'carebinder' });
});
afterEach(() => nock.cleanAll());
afterAll(async () => {
  nock.enableNetConnect();
  await t?.close();
});

async function startLink(cookie: string) {
  const started = await t.app.inject({ method: 'POST', url: '/api/links', headers: { cookie }, payload: { portalId } });
  return started;
}

async function comeBack(cookie: string, authorizeUrl: string, code = 'the-code') {
  const state = new URL(authorizeUrl).searchParams.get('state')!;
  const response = await t.app.inject({ method: 'GET', url: `/smart/callback?state=${state}&code=${code}`, headers: { cookie } });
  return { response, location: new URL(String(response.headers.location)) };
}

describe('portals that misbehave', () => {
  it('sends back only a reason code when the token endpoint refuses the code (its words go to the log), and stores nothing', async () => {
    nock(BASE).get('/.well-known/smart-configuration').times(3).reply(200, smartConfiguration);
    nock(PORTAL).post('/oauth2/token').reply(400, { error: 'invalid_grant', error_description: 'The authorization code has expired.' });
    const patient = await signedInPatient(t.app);
    const started = await startLink(patient.cookie);
    expect(started.statusCode).toBe(200);
    const { location } = await comeBack(patient.cookie, started.json<{ authorizeUrl: string }>().authorizeUrl);
    expect(location.searchParams.get('link')).toBe('error');
    expect(location.searchParams.get('reason')).toBe('grant-refused');
    expect(location.href).not.toContain('expired');
    const links = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: unknown[] }>();
    expect(links.links).toHaveLength(0);
  });

  it('refuses a token response that names no patient', async () => {
    nock(BASE).get('/.well-known/smart-configuration').times(3).reply(200, smartConfiguration);
    nock(PORTAL).post('/oauth2/token').reply(200, { access_token: 'at-without-patient', token_type: 'Bearer', expires_in: 3600, scope: 'patient/*.rs' });
    const patient = await signedInPatient(t.app);
    const started = await startLink(patient.cookie);
    const { location } = await comeBack(patient.cookie, started.json<{ authorizeUrl: string }>().authorizeUrl);
    expect(location.searchParams.get('link')).toBe('error');
    expect(location.searchParams.get('reason')).toBe('no-patient');
    expect((await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: unknown[] }>().links).toHaveLength(0);
    const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM links WHERE account_id = $1`, [patient.accountId]);
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('sends the code URL-encoded to the token endpoint and PKCE verifier with it', async () => {
    nock(BASE).get('/.well-known/smart-configuration').times(3).reply(200, smartConfiguration);
    let body = '';
    nock(PORTAL)
      .post('/oauth2/token', (sent: string) => {
        body = sent;
        return true;
      })
      .reply(400, { error: 'invalid_grant' });
    const patient = await signedInPatient(t.app);
    const started = await startLink(patient.cookie);
    await comeBack(patient.cookie, started.json<{ authorizeUrl: string }>().authorizeUrl, encodeURIComponent('a+b/c='));
    const form = new URLSearchParams(body);
    expect(form.get('code')).toBe('a+b/c=');
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9_~.-]{43,128}$/);
  });

  it('answers 502 naming the portal when it is unreachable, and works once it recovers, without a restart', async () => {
    const patient = await signedInPatient(t.app);
    nock(BASE).get('/.well-known/smart-configuration').replyWithError('connect ECONNREFUSED');
    nock(BASE).get('/metadata').replyWithError('connect ECONNREFUSED');
    const down = await startLink(patient.cookie);
    expect(down.statusCode).toBe(502);
    expect(down.json()).toMatchObject({ status: 502, detail: expect.stringContaining('Misbehaving Health') });

    nock(BASE).get('/.well-known/smart-configuration').times(3).reply(200, smartConfiguration);
    const up = await startLink(patient.cookie);
    expect(up.statusCode).toBe(200);
    const authorize = new URL(up.json<{ authorizeUrl: string }>().authorizeUrl);
    expect(authorize.origin + authorize.pathname).toBe(smartConfiguration.authorization_endpoint);
    expect(authorize.searchParams.get('aud')).toBe(BASE);
  });

  it('falls back to the CapabilityStatement oauth-uris and v1 scopes when the portal has no SMART configuration', async () => {
    nock(BASE).get('/.well-known/smart-configuration').times(3).reply(404, 'Not Found');
    nock(BASE)
      .get('/metadata')
      .times(3)
      .reply(200, {
        resourceType: 'CapabilityStatement',
        rest: [
          {
            mode: 'server',
            security: {
              extension: [
                {
                  url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
                  extension: [
                    { url: 'authorize', valueUri: `${PORTAL}/legacy/authorize` },
                    { url: 'token', valueUri: `${PORTAL}/legacy/token` },
                  ],
                },
              ],
            },
          },
        ],
      });
    const patient = await signedInPatient(t.app);
    const started = await startLink(patient.cookie);
    expect(started.statusCode).toBe(200);
    const authorize = new URL(started.json<{ authorizeUrl: string }>().authorizeUrl);
    expect(authorize.pathname).toBe('/legacy/authorize');
    expect(authorize.searchParams.get('scope')).toContain('patient/*.read');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  });
});
