// The authorization server: /oauth/authorize (+ sign-in and consent forms), /oauth/token,
// /oauth/revoke (RFC 7009), /oauth/introspect (RFC 7662) and /oauth/jwks.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClientConfig } from '../config.js';
import { OAuthError } from '../errors.js';
import type { HospitalContext } from '../hospital-context.js';
import { redirectAllowed } from './clients.js';
import { consentPage, errorPage, signInPage } from './pages.js';
import { decideGrantedScopes, describeScope } from './scopes.js';
import type { ActiveAccessToken, Grant, PendingAuthorization } from './state.js';

type Params = Record<string, unknown>;

export function registerOAuthRoutes(app: FastifyInstance, hospital: HospitalContext): void {
  app.get('/oauth/authorize', async (request, reply) => startAuthorization(hospital, request.query as Params, reply));
  // SMART "authorize-post": the same request as form fields.
  app.post('/oauth/authorize', async (request, reply) => startAuthorization(hospital, formBody(request), reply));
  app.post('/oauth/authorize/sign-in', async (request, reply) => signIn(hospital, formBody(request), reply));
  app.post('/oauth/authorize/consent', async (request, reply) => decide(hospital, formBody(request), reply));
  app.post('/oauth/token', async (request, reply) => token(hospital, request, reply));
  app.post('/oauth/revoke', async (request, reply) => revoke(hospital, request, reply));
  app.post('/oauth/introspect', async (request, reply) => introspect(hospital, request, reply));
  app.get('/oauth/jwks', async () => hospital.signer.jwks());
}

// ---- authorization endpoint ----------------------------------------------------------------

async function startAuthorization(hospital: HospitalContext, params: Params, reply: FastifyReply): Promise<FastifyReply> {
  // Until client and redirect_uri are trusted, errors are shown, never redirected (RFC 6749 §4.1.2.1).
  const clientId = single(params, 'client_id');
  const client = clientId === undefined ? undefined : hospital.clients.find(clientId);
  if (!client) return htmlError(reply, 400, 'Unknown application', 'The client_id is missing or not registered here.');
  const redirectUri = single(params, 'redirect_uri');
  if (redirectUri === undefined || !redirectAllowed(client, redirectUri)) {
    return htmlError(reply, 400, 'Redirect not allowed', 'The redirect_uri is missing or not registered for this application.');
  }

  const state = single(params, 'state');
  const fail = (error: string, description: string) =>
    redirectBack(reply, hospital, redirectUri, { error, error_description: description, state });

  if (single(params, 'response_type') !== 'code') return fail('unsupported_response_type', 'response_type must be "code"');
  if (state === undefined || state === '') return fail('invalid_request', 'state is required');
  if (!sameBase(single(params, 'aud'), hospital.urls.fhirBase)) {
    return fail('invalid_request', `aud must be this server's FHIR base URL (${hospital.urls.fhirBase})`);
  }
  const codeChallenge = single(params, 'code_challenge');
  const method = single(params, 'code_challenge_method');
  if (codeChallenge === undefined) return fail('invalid_request', 'PKCE is required: send code_challenge with method S256');
  if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256 ("plain" is not accepted)');
  if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) return fail('invalid_request', 'code_challenge is not a base64url SHA-256 digest');

  const requested = (single(params, 'scope') ?? '').split(' ').filter((s) => s !== '');
  const decision = decideGrantedScopes(requested, hospital.config.scopeVersions);
  if (!decision.grantsResourceAccess) {
    return fail('invalid_scope', `no patient-level resource scope this server grants (supported: ${hospital.config.scopeVersions.join(', ')})`);
  }

  const pending = hospital.auth.begin({
    clientId: client.clientId,
    redirectUri,
    state,
    grantedScope: decision.granted,
    codeChallenge,
    nonce: single(params, 'nonce'),
  });
  return html(reply, 200, signInPage(frameOf(hospital, client, pending)));
}

async function signIn(hospital: HospitalContext, params: Params, reply: FastifyReply): Promise<FastifyReply> {
  const pending = findPendingOrNull(hospital, params);
  if (!pending) return expiredPage(reply);
  const client = hospital.clients.find(pending.clientId) as ClientConfig;
  const username = single(params, 'username') ?? '';
  const account = hospital.findAccount(username);
  if (!account || !secretsEqual(account.password, single(params, 'password') ?? '')) {
    const page = signInPage({ ...frameOf(hospital, client, pending), username, error: 'That username and password do not match.' });
    return html(reply, 401, page);
  }
  pending.account = account;
  return html(
    reply,
    200,
    consentPage({
      ...frameOf(hospital, client, pending),
      patientName: patientName(hospital, account.patientId),
      scopes: pending.grantedScope.map((scope) => ({ scope, description: describeScope(scope) })),
    }),
  );
}

async function decide(hospital: HospitalContext, params: Params, reply: FastifyReply): Promise<FastifyReply> {
  const pending = findPendingOrNull(hospital, params);
  if (!pending?.account) return expiredPage(reply);
  const approved = single(params, 'decision') === 'approve';
  const code = hospital.auth.finish(pending, approved, hospital.config.lifetimes.authorizationCodeSeconds);
  if (code === undefined) {
    return redirectBack(reply, hospital, pending.redirectUri, {
      error: 'access_denied',
      error_description: 'The patient denied access',
      state: pending.state,
    });
  }
  return redirectBack(reply, hospital, pending.redirectUri, { code, state: pending.state });
}

// ---- token endpoint ---------------------------------------------------------------------------

async function token(hospital: HospitalContext, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const params = tokenRequestBody(request);
  const grantType = single(params, 'grant_type');
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  switch (grantType) {
    case 'authorization_code': {
      const client = authenticateClient(hospital, request, params);
      const code = required(params, 'code');
      const { grant, scope } = hospital.auth.redeemCode(code, client.clientId, single(params, 'redirect_uri'), single(params, 'code_verifier'));
      return tokenResponse(hospital, grant, scope, true);
    }
    case 'refresh_token': {
      const refreshToken = required(params, 'refresh_token');
      const clientId = refreshingClientId(hospital, request, params, refreshToken);
      if (hospital.faults.refreshTokensRevoked()) {
        throw new OAuthError(400, 'invalid_grant', 'refresh token has been revoked');
      }
      const { grant, scope } = hospital.auth.redeemRefreshToken(refreshToken, clientId);
      return tokenResponse(hospital, grant, narrowScope(scope, single(params, 'scope')), false);
    }
    case undefined:
      throw new OAuthError(400, 'invalid_request', 'grant_type is required');
    default:
      throw new OAuthError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  }
}

async function tokenResponse(hospital: HospitalContext, grant: Grant, scope: readonly string[], withIdToken: boolean): Promise<Record<string, unknown>> {
  const wantsRefresh = scope.includes('offline_access') || scope.includes('online_access');
  const issued = await hospital.auth.issueTokens(grant, scope, {
    accessTokenSeconds: hospital.faults.accessTokenLifetimeSeconds() ?? hospital.config.lifetimes.accessTokenSeconds,
    refreshTokenSeconds: wantsRefresh ? hospital.config.lifetimes.refreshTokenSeconds : undefined,
  });
  return {
    access_token: issued.accessToken,
    token_type: 'Bearer',
    expires_in: issued.expiresIn,
    scope: issued.scope.join(' '),
    ...(issued.refreshToken === undefined ? {} : { refresh_token: issued.refreshToken }),
    patient: grant.patientId,
    need_patient_banner: true,
    ...(withIdToken && scope.includes('openid') ? { id_token: await idToken(hospital, grant) } : {}),
  };
}

async function idToken(hospital: HospitalContext, grant: Grant): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return hospital.signer.sign({
    iss: hospital.urls.fhirBase,
    sub: grant.patientId,
    aud: grant.clientId,
    iat: now,
    exp: now + 3600,
    ...(grant.nonce === undefined ? {} : { nonce: grant.nonce }),
    fhirUser: `${hospital.urls.fhirBase}/Patient/${grant.patientId}`,
    name: patientName(hospital, grant.patientId),
    preferred_username: grant.username,
  });
}

/**
 * RFC 6749 §6 and SMART: a confidential client authenticates to refresh; a public client cannot,
 * so it may send its client_id or nothing, and the refresh token tells which client it was issued to.
 */
function refreshingClientId(hospital: HospitalContext, request: FastifyRequest, params: Params, refreshToken: string): string {
  const presentsClient = request.headers.authorization !== undefined || single(params, 'client_id') !== undefined || single(params, 'client_secret') !== undefined;
  if (presentsClient) return authenticateClient(hospital, request, params).clientId;
  const issuedTo = hospital.auth.refreshTokenClient(refreshToken);
  if (issuedTo === undefined) throw new OAuthError(400, 'invalid_grant', 'refresh token is not known');
  if (hospital.clients.find(issuedTo)?.type !== 'public') {
    throw new OAuthError(401, 'invalid_client', 'a confidential client must authenticate with client_secret_basic', { 'www-authenticate': 'Basic realm="oauth"' });
  }
  return issuedTo;
}

/** A refresh may ask for less than was granted, never more (RFC 6749 §6). */
function narrowScope(granted: readonly string[], requested: string | undefined): readonly string[] {
  if (requested === undefined) return granted;
  const asked = requested.split(' ').filter((s) => s !== '');
  const extra = asked.filter((scope) => !granted.includes(scope));
  if (extra.length > 0) throw new OAuthError(400, 'invalid_scope', `not granted originally: ${extra.join(' ')}`);
  return asked;
}

// ---- revocation and introspection ---------------------------------------------------------------

async function revoke(hospital: HospitalContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = tokenRequestBody(request);
  const client = authenticateClient(hospital, request, params);
  await hospital.auth.revokeToken(required(params, 'token'), client.clientId);
  return reply.code(200).header('cache-control', 'no-store').send({});
}

async function introspect(hospital: HospitalContext, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const params = tokenRequestBody(request);
  await authenticateIntrospector(hospital, request, params);
  reply.header('cache-control', 'no-store');
  const presented = required(params, 'token');
  const access = await hospital.auth.checkAccessToken(presented);
  const active: (ActiveAccessToken & { kind?: 'refresh' }) | undefined = access.ok
    ? access.token
    : hospital.auth.findRefreshToken(presented);
  if (!active) return { active: false };
  return {
    active: true,
    token_type: active.kind === 'refresh' ? 'refresh_token' : 'Bearer',
    scope: active.scope.join(' '),
    client_id: active.grant.clientId,
    username: active.grant.username,
    sub: active.grant.patientId,
    patient: active.grant.patientId,
    fhirUser: `${hospital.urls.fhirBase}/Patient/${active.grant.patientId}`,
    iss: hospital.urls.fhirBase,
    aud: hospital.urls.fhirBase,
    exp: Math.floor(active.expiresAtMs / 1000),
    ...(active.issuedAtMs > 0 ? { iat: Math.floor(active.issuedAtMs / 1000) } : {}),
  };
}

/** A resource server may introspect with a valid access token; a client with its own credentials. */
async function authenticateIntrospector(hospital: HospitalContext, request: FastifyRequest, params: Params): Promise<void> {
  const authorization = request.headers.authorization ?? '';
  if (/^Bearer /i.test(authorization)) {
    if ((await hospital.auth.checkAccessToken(authorization.slice(7).trim())).ok) return;
    throw new OAuthError(401, 'invalid_token', 'the bearer token is not valid', { 'www-authenticate': 'Bearer error="invalid_token"' });
  }
  authenticateClient(hospital, request, params);
}

// ---- client authentication ----------------------------------------------------------------------

/** client_secret_basic for confidential clients; a public client names itself with client_id. */
function authenticateClient(hospital: HospitalContext, request: FastifyRequest, params: Params): ClientConfig {
  const basic = parseBasicAuthorization(request.headers.authorization);
  const bodyClientId = single(params, 'client_id');
  const invalidClient = (description: string) =>
    new OAuthError(401, 'invalid_client', description, { 'www-authenticate': 'Basic realm="oauth"' });

  if (basic) {
    const client = hospital.clients.find(basic.clientId);
    if (!client || client.type !== 'confidential' || !secretsEqual(client.secret ?? '', basic.secret)) {
      throw invalidClient('client authentication failed');
    }
    if (bodyClientId !== undefined && bodyClientId !== client.clientId) {
      throw new OAuthError(400, 'invalid_request', 'client_id does not match the authenticated client');
    }
    return client;
  }
  if (single(params, 'client_secret') !== undefined) {
    throw invalidClient('send the client secret with HTTP Basic authentication (client_secret_basic)');
  }
  if (bodyClientId === undefined) throw invalidClient('client_id is required');
  const client = hospital.clients.find(bodyClientId);
  if (!client) throw invalidClient('client is not registered');
  if (client.type === 'confidential') throw invalidClient('a confidential client must authenticate with client_secret_basic');
  return client;
}

function parseBasicAuthorization(header: string | undefined): { clientId: string; secret: string } | undefined {
  if (header === undefined || !/^Basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
  const decode = (part: string) => decodeURIComponent(part.replaceAll('+', ' '));
  try {
    return { clientId: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

// ---- helpers -------------------------------------------------------------------------------------

function tokenRequestBody(request: FastifyRequest): Params {
  const contentType = request.headers['content-type'] ?? '';
  if (!contentType.startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthError(400, 'invalid_request', 'send the request as application/x-www-form-urlencoded');
  }
  return formBody(request);
}

function formBody(request: FastifyRequest): Params {
  const body = request.body;
  return typeof body === 'object' && body !== null ? (body as Params) : {};
}

/** One value of a parameter; repeating a parameter is an error (RFC 6749 §3.1). */
function single(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new OAuthError(400, 'invalid_request', `${name} must appear once`);
  return value;
}

function required(params: Params, name: string): string {
  const value = single(params, name);
  if (value === undefined || value === '') throw new OAuthError(400, 'invalid_request', `${name} is required`);
  return value;
}

function sameBase(aud: string | undefined, fhirBase: string): boolean {
  return aud !== undefined && aud.replace(/\/+$/, '') === fhirBase;
}

function secretsEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function findPendingOrNull(hospital: HospitalContext, params: Params): PendingAuthorization | undefined {
  const transaction = single(params, 'transaction');
  return transaction === undefined ? undefined : hospital.auth.findPending(transaction);
}

function frameOf(hospital: HospitalContext, client: ClientConfig, pending: PendingAuthorization) {
  return { hospitalName: hospital.config.name, clientName: client.name ?? client.clientId, transactionId: pending.id };
}

function patientName(hospital: HospitalContext, patientId: string): string {
  const entry = hospital.store.get('Patient', patientId);
  if (!entry) return patientId;
  const patient = hospital.store.parse(entry) as { name?: Array<{ text?: string; given?: string[]; family?: string }> };
  const name = patient.name?.[0];
  return name?.text ?? [...(name?.given ?? []), name?.family].filter(Boolean).join(' ');
}

function redirectBack(reply: FastifyReply, hospital: HospitalContext, redirectUri: string, params: Record<string, string | undefined>): FastifyReply {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  // RFC 9207: tells the client which server answered, against mix-up attacks.
  url.searchParams.set('iss', hospital.urls.fhirBase);
  return reply.code(302).header('location', url.toString()).header('cache-control', 'no-store').send();
}

function html(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page);
}

function htmlError(reply: FastifyReply, status: number, title: string, message: string): FastifyReply {
  return html(reply, status, errorPage(title, message));
}

function expiredPage(reply: FastifyReply): FastifyReply {
  return htmlError(reply, 400, 'Sign-in expired', 'This sign-in is no longer open. Start again from the application.');
}
