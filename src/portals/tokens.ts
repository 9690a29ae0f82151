// What a portal's token endpoint returns, validated; and the calls carebinder makes to it
// itself (refresh, revocation, introspection). Token values never appear in error messages.
import { decodeJwt } from 'jose';
import * as oauth from 'openid-client';
import { z } from 'zod';
import { parseJsonObject, portalRequest, PortalResponseError, PortalUnreachableError } from '../http/portal-http.js';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export const TokenResponse = z
  .object({
    access_token: z.string().min(1),
    token_type: z.string().regex(/^bearer$/i, 'Bearer'),
    expires_in: z.coerce.number().positive().optional().catch(undefined),
    scope: z.string().optional(),
    refresh_token: z.string().min(1).optional(),
    id_token: z.string().optional(),
    patient: z.string().optional(),
  })
  .loose();
export type TokenResponse = z.infer<typeof TokenResponse>;

export class TokenResponseError extends Error {
  override name = 'TokenResponseError';
  constructor(
    message: string,
    /** What was wrong: the response as a whole, or only the missing patient. */
    readonly problem: 'unusable' | 'no-patient' = 'unusable',
  ) {
    super(message);
  }
}

/** The launch must name the patient whose records we will read; anything else is refused. */
export function validateLaunchTokenResponse(raw: unknown): TokenResponse & { patient: string } {
  const parsed = TokenResponse.safeParse(raw);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? 'body');
    throw new TokenResponseError(`the portal's token response is unusable (${field} missing or malformed)`);
  }
  const patient = parsed.data.patient;
  if (!patient || !FHIR_ID.test(patient)) {
    throw new TokenResponseError('the portal did not say which patient was authorized (no patient in the token response)', 'no-patient');
  }
  return { ...parsed.data, patient };
}

export interface ClientCredentials {
  clientId: string;
  clientSecret?: string | undefined;
}

export interface OAuthErrorBody {
  error?: string;
  error_description?: string;
}

/** The portal refused (4xx with an OAuth error): retrying will not help. */
export class TokenRefusedError extends Error {
  override name = 'TokenRefusedError';
  constructor(
    readonly error: string,
    readonly description: string | undefined,
  ) {
    super(description ? `${error}: ${description}` : error);
  }
}

// Refresh (RFC 6749 §6), revocation (RFC 7009) and introspection (RFC 7662) go through
// openid-client. SMART publishes .well-known/smart-configuration rather than OpenID discovery,
// so each call builds a Configuration by hand from the endpoints carebinder stored for the link.
// Every request goes through portalRequest (customFetch): the same time and size caps as every
// other answer from a portal, and its network errors typed as PortalUnreachableError.

interface Caps {
  timeoutMs: number;
  maxBytes: number;
  kind: 'token' | 'revoke' | 'introspect';
}

const REFRESH_CAPS: Caps = { timeoutMs: 20_000, maxBytes: 256 * 1024, kind: 'token' };
const REVOCATION_CAPS: Caps = { timeoutMs: 10_000, maxBytes: 64 * 1024, kind: 'revoke' };
const INTROSPECTION_CAPS: Caps = { timeoutMs: 10_000, maxBytes: 64 * 1024, kind: 'introspect' };

type Endpoint = 'token_endpoint' | 'revocation_endpoint' | 'introspection_endpoint';

function configurationFor(endpoint: Endpoint, url: string, credentials: ClientCredentials, caps: Caps, answer: (body: Buffer) => Buffer = (body) => body): oauth.Configuration {
  const server: oauth.ServerMetadata = {
    // No id_token is checked on these calls (see refreshAccessToken), so the issuer is only the
    // name openid-client requires; the endpoint's origin says which server it is.
    issuer: new URL(url).origin,
    [endpoint]: url,
  };
  // client_secret_basic for confidential clients (RFC 6749 §2.3.1); client_id in the body for public ones.
  const auth = credentials.clientSecret ? oauth.ClientSecretBasic(credentials.clientSecret) : oauth.None();
  const config = new oauth.Configuration(server, credentials.clientId, undefined, auth);
  config.timeout = Math.ceil(caps.timeoutMs / 1000);
  config[oauth.customFetch] = async (target, options) => {
    const response = await portalRequest(target, { method: options.method, headers: options.headers, body: options.body as BodyInit | undefined, redirect: options.redirect }, caps);
    const empty = response.status === 204 || response.status === 205 || response.status === 304;
    return new Response(empty ? null : new Uint8Array(answer(response.bytes)), { status: response.status, headers: response.headers });
  };
  // carebinder already accepts http:// portals (the sandbox, a local test server); https is
  // still what any real portal uses.
  if (new URL(url).protocol === 'http:') oauth.allowInsecureRequests(config);
  return config;
}

/**
 * carebinder reads fhirUser once, from the launch's id_token; an id_token in a refresh answer
 * is not used. openid-client would check that one against an issuer these calls do not know,
 * and refusing the whole answer would lose the rotated refresh token the portal has just
 * swapped for the old one, so the refresh answer is read without it.
 */
function withoutIdToken(body: Buffer): Buffer {
  const parsed = parseJsonObject(body.toString('utf8'));
  if (!parsed || !('id_token' in parsed)) return body;
  delete parsed.id_token;
  return Buffer.from(JSON.stringify(parsed));
}

/** openid-client's failures as the portal errors the rest of carebinder handles. */
async function portalFailure(error: unknown): Promise<unknown> {
  if (error instanceof oauth.ResponseBodyError) return refusalOrUnavailable(error.status, { error: error.error, error_description: error.error_description });
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = error.cause.find((c) => typeof c.parameters.error === 'string');
    const body = challenge ? { error: challenge.parameters.error, error_description: challenge.parameters.error_description } : await oauthErrorIn(error.response);
    return refusalOrUnavailable(error.status, body);
  }
  if (error instanceof oauth.ClientError) {
    const cause = error.cause;
    if (cause instanceof PortalUnreachableError || cause instanceof PortalResponseError) return cause;
    if (cause instanceof Response) {
      if (cause.status >= 200 && cause.status < 300) return new PortalResponseError('answered with something that is not a usable OAuth response', cause.status);
      return refusalOrUnavailable(cause.status, await oauthErrorIn(cause));
    }
    if (error.code === 'OAUTH_TIMEOUT' || error.code === 'OAUTH_ABORT') return new PortalUnreachableError('did not answer in time', { cause: error });
    return new PortalResponseError(`answered with something that is not a usable OAuth response (${error.message})`, 200);
  }
  return error;
}

async function oauthErrorIn(response: Response | undefined): Promise<OAuthErrorBody | undefined> {
  const body = response ? parseJsonObject(await response.clone().text().catch(() => '')) : undefined;
  return body && typeof body.error === 'string' ? (body) : undefined;
}

function refusalOrUnavailable(status: number, body: OAuthErrorBody | undefined): Error {
  // 408 and 429 are "try later", not a refusal; 5xx too.
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new TokenRefusedError(typeof body?.error === 'string' ? body.error : `http_${status}`, typeof body?.error_description === 'string' ? body.error_description : undefined);
  }
  return new PortalResponseError(`answered HTTP ${status}`, status, body);
}

export async function refreshAccessToken(tokenEndpoint: string, refreshToken: string, credentials: ClientCredentials): Promise<TokenResponse> {
  const config = configurationFor('token_endpoint', tokenEndpoint, credentials, REFRESH_CAPS, withoutIdToken);
  let answer: unknown;
  try {
    answer = await oauth.refreshTokenGrant(config, refreshToken);
  } catch (error) {
    throw await portalFailure(error);
  }
  const parsed = TokenResponse.safeParse(answer);
  if (!parsed.success) throw new PortalResponseError('refresh answer is not a usable token response', 200);
  return parsed.data;
}

/** RFC 7009. Best effort: a portal that cannot revoke does not stop an unlink. */
export async function revokeToken(revocationEndpoint: string, token: string, hint: 'refresh_token' | 'access_token', credentials: ClientCredentials): Promise<boolean> {
  try {
    await oauth.tokenRevocation(configurationFor('revocation_endpoint', revocationEndpoint, credentials, REVOCATION_CAPS), token, { token_type_hint: hint });
    return true;
  } catch (error) {
    const failure = await portalFailure(error);
    if (failure instanceof PortalUnreachableError) throw failure;
    // RFC 7009 answers 200; a portal answering 204 revoked all the same.
    return failure instanceof PortalResponseError && failure.status >= 200 && failure.status < 300;
  }
}

/** RFC 7662: when a token expires, if the portal will say. */
export async function introspectExpiry(endpoint: string, token: string, hint: 'refresh_token' | 'access_token', credentials: ClientCredentials): Promise<Date | null> {
  let answer: oauth.IntrospectionResponse;
  try {
    answer = await oauth.tokenIntrospection(configurationFor('introspection_endpoint', endpoint, credentials, INTROSPECTION_CAPS), token, { token_type_hint: hint });
  } catch (error) {
    throw await portalFailure(error);
  }
  return answer.active === true && typeof answer.exp === 'number' ? new Date(answer.exp * 1000) : null;
}

export function expiryFrom(expiresIn: number | undefined, now = Date.now()): Date | null {
  return expiresIn ? new Date(now + expiresIn * 1000) : null;
}

/**
 * The signed-in user's FHIR resource URL, from the token response or the id_token's claims.
 * Shown to the patient only: nothing is authorized on it, so the id_token is read, not verified.
 */
export function fhirUserOf(tokens: TokenResponse): string | null {
  if (typeof tokens.fhirUser === 'string') return tokens.fhirUser;
  if (!tokens.id_token) return null;
  try {
    const { fhirUser } = decodeJwt(tokens.id_token);
    return typeof fhirUser === 'string' ? fhirUser.slice(0, 512) : null;
  } catch {
    return null;
  }
}
