import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox, SandboxHospital } from '../../sandbox/server.js';
import {
  ALL_READ,
  DEMO_CLIENT,
  REDIRECT_URI,
  authorizeUrl,
  discover,
  fhirGet,
  launch,
  pkce,
  postForm,
  readForm,
  signInAndConsent,
  startTestSandbox,
  tokenRequest,
  type SmartConfiguration,
  type TokenResponse,
} from './helpers.js';

const JANE_NORTHSIDE = 'eJn7vQ2xRt5kLm9pWc4HsB3';
const JANE_RIVERSIDE = '41937702';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('standalone launch with a generic OpenID/OAuth client (openid-client)', () => {
  it.each([
    ['northside', JANE_NORTHSIDE, 3600],
    ['riverside', JANE_RIVERSIDE, 600],
  ])('completes a launch at %s, validates the id_token, reads data and rotates the refresh token', async (id, patientId, lifetime) => {
    const hospital = sandbox.hospital(id);
    const smart = await discover(hospital);
    const config = new oidc.Configuration(smart as unknown as oidc.ServerMetadata, DEMO_CLIENT, undefined, oidc.None());
    oidc.allowInsecureRequests(config);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: ALL_READ,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      aud: hospital.fhirBaseUrl,
    });

    const callback = await signInAndConsent(url);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });

    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBe(lifetime);
    expect(tokens.patient).toBe(patientId);
    expect(tokens.scope?.split(' ')).toEqual(expect.arrayContaining(['patient/*.rs', 'offline_access', 'openid']));
    expect(tokens.claims()?.fhirUser).toBe(`${hospital.fhirBaseUrl}/Patient/${patientId}`);

    const patient = await fhirGet(`Patient/${patientId}`, hospital, tokens.access_token);
    expect(patient.status).toBe(200);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).toBeDefined();
    expect((await fhirGet(`Patient/${patientId}`, hospital, refreshed.access_token)).status).toBe(200);
    // Rotation: the spent refresh token is refused; the new one works.
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).resolves.toMatchObject({ token_type: 'bearer' });
  });
});

describe('authorization endpoint', () => {
  let hospital: SandboxHospital;
  let smart: SmartConfiguration;
  beforeAll(async () => {
    hospital = sandbox.hospital('northside');
    smart = await discover(hospital);
  });

  async function authorizeRedirect(params: Record<string, string | undefined>): Promise<URL> {
    const response = await fetch(authorizeUrl(hospital, smart, { params }), { redirect: 'manual' });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location')!);
  }

  it('requires PKCE: no code_challenge is an invalid_request sent back to the client', async () => {
    const redirect = await authorizeRedirect({ code_challenge: undefined, code_challenge_method: undefined });
    expect(redirect.searchParams.get('error')).toBe('invalid_request');
    expect(redirect.searchParams.get('state')).toBe('state-123');
  });

  it('refuses the plain PKCE method, also when the method is left to default to plain', async () => {
    const { verifier } = pkce();
    expect((await authorizeRedirect({ code_challenge: verifier, code_challenge_method: 'plain' })).searchParams.get('error')).toBe('invalid_request');
    expect((await authorizeRedirect({ code_challenge_method: undefined })).searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses an aud that is not its FHIR base URL', async () => {
    const redirect = await authorizeRedirect({ aud: 'https://elsewhere.example/fhir' });
    expect(redirect.searchParams.get('error')).toBe('invalid_request');
    expect(redirect.searchParams.get('error_description')).toContain('aud');
  });

  it('refuses a request without state and an unsupported response_type', async () => {
    expect((await authorizeRedirect({ state: undefined })).searchParams.get('error')).toBe('invalid_request');
    expect((await authorizeRedirect({ response_type: 'token' })).searchParams.get('error')).toBe('unsupported_response_type');
  });

  it('never redirects to an unregistered redirect_uri or for an unknown client', async () => {
    for (const params of [{ redirect_uri: 'https://attacker.example/cb' }, { client_id: 'nobody' }, { redirect_uri: 'http://127.0.0.1:4000/cb#frag' }]) {
      const response = await fetch(authorizeUrl(hospital, smart, { params }), { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toContain('text/html');
    }
  });

  it('lets carebinder-demo redirect to loopback addresses on any port (RFC 8252)', async () => {
    for (const redirectUri of ['http://localhost:8123/done', 'http://127.0.0.1:61000/oauth/callback', 'http://[::1]:7000/cb']) {
      const response = await fetch(authorizeUrl(hospital, smart, { redirectUri }), { redirect: 'manual' });
      expect(response.status, redirectUri).toBe(200);
    }
  });

  it('renders a labelled sign-in form and re-asks after a wrong password', async () => {
    const page = await fetch(authorizeUrl(hospital, smart));
    const html = await page.text();
    expect(html).toMatch(/<label for="username">/);
    expect(html).toMatch(/<label for="password">/);
    expect(html).not.toMatch(/set-cookie/i);
    expect(page.headers.get('set-cookie')).toBeNull();
    const form = readForm(html, page.url);
    expect(form.fields.transaction).toBeTruthy();

    const wrong = await postForm(form, { username: 'jane', password: 'nope' });
    expect(wrong.status).toBe(401);
    const again = readForm(await wrong.text(), form.action.toString());
    const consent = await postForm(again, { username: 'jane', password: 'sandbox' });
    expect(consent.status).toBe(200);
    const consentHtml = await consent.text();
    expect(consentHtml).toContain('name="decision" value="approve"');
    expect(consentHtml).toContain('patient/*.rs');
  });

  it('sends access_denied with the state when the patient denies', async () => {
    const redirect = await signInAndConsent(authorizeUrl(hospital, smart, { state: 'deny-state' }), { decision: 'deny' });
    expect(redirect.origin + redirect.pathname).toBe(REDIRECT_URI);
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe('deny-state');
    expect(redirect.searchParams.get('code')).toBeNull();
  });

  it('accepts the authorization request as a form POST (authorize-post)', async () => {
    const url = authorizeUrl(hospital, smart);
    const response = await fetch(smart.authorization_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: url.searchParams.toString(),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('name="password"');
  });

  it('refuses scopes it cannot grant with invalid_scope', async () => {
    const redirect = await authorizeRedirect({ scope: 'openid user/*.cruds system/*.rs' });
    expect(redirect.searchParams.get('error')).toBe('invalid_scope');
  });
});

describe('token endpoint', () => {
  let hospital: SandboxHospital;
  let smart: SmartConfiguration;
  beforeAll(async () => {
    hospital = sandbox.hospital('northside');
    smart = await discover(hospital);
  });

  async function codeFor(challenge = pkce(), options: { redirectUri?: string; clientId?: string; scope?: string } = {}): Promise<string> {
    const redirect = await signInAndConsent(authorizeUrl(hospital, smart, { pkce: challenge, ...options }));
    return redirect.searchParams.get('code')!;
  }

  function exchange(code: string, verifier: string, extra: Record<string, string> = {}) {
    return tokenRequest(smart, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_id: DEMO_CLIENT, ...extra });
  }

  it('answers with the SMART token response fields and no-store caching', async () => {
    const challenge = pkce();
    const response = await exchange(await codeFor(challenge), challenge.verifier);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as TokenResponse;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, patient: JANE_NORTHSIDE });
    expect(body.access_token).toBeTruthy();
    expect(body.refresh_token).toBeTruthy();
    expect(body.id_token?.split('.')).toHaveLength(3);
  });

  it('refuses a wrong code_verifier', async () => {
    const response = await exchange(await codeFor(), pkce().verifier);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.any(String) });
  });

  it('refuses a replayed code and revokes the tokens issued from it', async () => {
    const challenge = pkce();
    const code = await codeFor(challenge);
    const first = (await (await exchange(code, challenge.verifier)).json()) as TokenResponse;
    expect((await fhirGet(`Patient/${first.patient}`, hospital, first.access_token)).status).toBe(200);

    const replay = await exchange(code, challenge.verifier);
    expect(replay.status).toBe(400);
    expect(((await replay.json())).error).toBe('invalid_grant');
    expect((await fhirGet(`Patient/${first.patient}`, hospital, first.access_token)).status).toBe(401);
  });

  it('binds a code to its redirect_uri and its client', async () => {
    const challenge = pkce();
    const otherRedirect = await exchange(await codeFor(challenge), challenge.verifier, { redirect_uri: 'http://127.0.0.1:53117/other' });
    expect(((await otherRedirect.json())).error).toBe('invalid_grant');

    const basic = Buffer.from('northside-confidential-test:northside-test-secret').toString('base64');
    const otherClient = await tokenRequest(
      smart,
      { grant_type: 'authorization_code', code: await codeFor(challenge), redirect_uri: REDIRECT_URI, code_verifier: challenge.verifier },
      { authorization: `Basic ${basic}` },
    );
    expect(((await otherClient.json())).error).toBe('invalid_grant');
  });

  it('authenticates confidential clients with client_secret_basic only', async () => {
    const clientId = 'northside-confidential-test';
    const challenge = pkce();
    const params = (code: string) => ({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: challenge.verifier });

    const noAuth = await tokenRequest(smart, { ...params(await codeFor(challenge, { clientId })), client_id: clientId });
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(((await noAuth.json())).error).toBe('invalid_client');

    const wrongSecret = await tokenRequest(smart, params(await codeFor(challenge, { clientId })), {
      authorization: `Basic ${Buffer.from(`${clientId}:wrong`).toString('base64')}`,
    });
    expect(wrongSecret.status).toBe(401);

    const good = await tokenRequest(smart, params(await codeFor(challenge, { clientId })), {
      authorization: `Basic ${Buffer.from(`${clientId}:northside-test-secret`).toString('base64')}`,
    });
    expect(good.status).toBe(200);
  });

  it('issues no refresh token without offline_access or online_access', async () => {
    const tokens = await launch(hospital, { scope: 'launch/patient patient/Observation.rs' });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope).toBe('launch/patient patient/Observation.rs');
  });

  it('grants v2 scopes with a query and v1 scopes as asked, narrowing writes away', async () => {
    const v2 = await launch(hospital, { scope: 'launch/patient patient/Observation.rs?category=laboratory patient/Condition.cruds' });
    expect(v2.scope).toBe('launch/patient patient/Observation.rs?category=laboratory patient/Condition.rs');
    const v1 = await launch(hospital, { scope: 'launch/patient patient/*.read patient/*.write' });
    expect(v1.scope).toBe('launch/patient patient/*.read');
  });

  it('rotates refresh tokens for a public client with raw requests', async () => {
    const tokens = await launch(hospital);
    const refresh = (token: string) => tokenRequest(smart, { grant_type: 'refresh_token', refresh_token: token, client_id: DEMO_CLIENT });
    const first = await refresh(tokens.refresh_token!);
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as TokenResponse;
    expect(rotated).toMatchObject({ patient: JANE_NORTHSIDE, token_type: 'Bearer' });
    const reused = await refresh(tokens.refresh_token!);
    expect(reused.status).toBe(400);
    expect(((await reused.json())).error).toBe('invalid_grant');
    expect((await refresh(rotated.refresh_token!)).status).toBe(200);
  });

  it('lets a public client refresh without client_id (SMART), but not a confidential one', async () => {
    const tokens = await launch(hospital);
    const anonymous = await tokenRequest(smart, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    expect(anonymous.status).toBe(200);

    const clientId = 'northside-confidential-test';
    const challenge = pkce();
    const code = (await signInAndConsent(authorizeUrl(hospital, smart, { pkce: challenge, clientId }))).searchParams.get('code')!;
    const basic = { authorization: `Basic ${Buffer.from(`${clientId}:northside-test-secret`).toString('base64')}` };
    const confidential = (await (
      await tokenRequest(smart, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: challenge.verifier }, basic)
    ).json()) as TokenResponse;
    const unauthenticated = await tokenRequest(smart, { grant_type: 'refresh_token', refresh_token: confidential.refresh_token! });
    expect(unauthenticated.status).toBe(401);
    expect((await tokenRequest(smart, { grant_type: 'refresh_token', refresh_token: confidential.refresh_token! }, basic)).status).toBe(200);
  });

  it('answers RFC 6749 errors for a bad grant_type and a non-form body', async () => {
    const bad = await tokenRequest(smart, { grant_type: 'password', client_id: DEMO_CLIENT });
    expect(await bad.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const json = await fetch(smart.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('revocation and introspection', () => {
  let hospital: SandboxHospital;
  let smart: SmartConfiguration;
  beforeAll(async () => {
    hospital = sandbox.hospital('riverside');
    smart = await discover(hospital);
  });

  const introspect = (token: string, auth: Record<string, string>) =>
    fetch(smart.introspection_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth },
      body: new URLSearchParams({ token }).toString(),
    });
  const revoke = (token: string) => tokenRequest({ ...smart, token_endpoint: smart.revocation_endpoint }, { token, client_id: DEMO_CLIENT });

  it('introspects an active access token for a resource server holding a bearer token', async () => {
    const tokens = await launch(hospital);
    const response = await introspect(tokens.access_token, { authorization: `Bearer ${tokens.access_token}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ active: true, patient: JANE_RIVERSIDE, client_id: DEMO_CLIENT, scope: tokens.scope, exp: expect.any(Number) });
    const anonymous = await introspect(tokens.access_token, {});
    expect(anonymous.status).toBe(401);
  });

  it('revoking a refresh token ends the grant: the refresh and its access token stop working', async () => {
    const tokens = await launch(hospital);
    const auth = { authorization: `Basic ${Buffer.from('riverside-confidential-test:riverside-test-secret').toString('base64')}` };
    expect(((await (await introspect(tokens.refresh_token!, auth)).json())).active).toBe(true);

    expect((await revoke(tokens.refresh_token!)).status).toBe(200);
    const refresh = await tokenRequest(smart, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: DEMO_CLIENT });
    expect(((await refresh.json())).error).toBe('invalid_grant');
    expect((await fhirGet(`Patient/${JANE_RIVERSIDE}`, hospital, tokens.access_token)).status).toBe(401);
    expect(await (await introspect(tokens.access_token, auth)).json()).toEqual({ active: false });
  });

  it('revokes a single access token and ignores unknown tokens', async () => {
    const tokens = await launch(hospital);
    expect((await revoke(tokens.access_token)).status).toBe(200);
    expect((await fhirGet(`Patient/${JANE_RIVERSIDE}`, hospital, tokens.access_token)).status).toBe(401);
    expect((await revoke('not-a-token')).status).toBe(200);
  });
});

describe('authorization codes are short-lived', () => {
  let shortLived: Sandbox;
  beforeAll(async () => {
    shortLived = await startTestSandbox({
      hospitals: [
        {
          id: 'brief',
          name: 'Brief Codes Hospital',
          port: 0,
          signingSecret: 'brief-signing-secret-0123456789ab',
          dataDir: 'data/northside',
          maxPageSize: 50,
          lifetimes: { authorizationCodeSeconds: 1 },
          patients: [{ username: 'jane', password: 'sandbox', patientId: JANE_NORTHSIDE }],
        },
      ],
    });
  });
  afterAll(async () => {
    await shortLived.close();
  });

  it('refuses a code exchanged after its lifetime', async () => {
    const hospital = shortLived.hospital('brief');
    const smart = await discover(hospital);
    const challenge = pkce();
    const code = (await signInAndConsent(authorizeUrl(hospital, smart, { pkce: challenge }))).searchParams.get('code')!;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const response = await tokenRequest(smart, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: challenge.verifier, client_id: DEMO_CLIENT });
    expect(await response.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('expired') });
  });
});
