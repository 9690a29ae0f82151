// What a portal's token endpoint returns, validated; and the calls carebinder makes to it
// itself (refresh, revocation, introspection). Token values never appear in error messages.
import { z } from 'zod';
import { portalJson, portalRequest, PortalResponseError } from '../http/portal-http.js';

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

/** client_secret_basic for confidential clients (RFC 6749 §2.3.1); client_id in the body for public ones. */
function clientAuth(credentials: ClientCredentials, body: URLSearchParams): Record<string, string> {
  if (credentials.clientSecret) {
    const encode = (value: string) => encodeURIComponent(value);
    const basic = Buffer.from(`${encode(credentials.clientId)}:${encode(credentials.clientSecret)}`).toString('base64');
    return { authorization: `Basic ${basic}` };
  }
  body.set('client_id', credentials.clientId);
  return {};
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

export async function refreshAccessToken(tokenEndpoint: string, refreshToken: string, credentials: ClientCredentials): Promise<TokenResponse> {
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
  const headers = { 'content-type': 'application/x-www-form-urlencoded', ...clientAuth(credentials, body) };
  try {
    const raw = await portalJson(tokenEndpoint, { method: 'POST', headers, body }, { timeoutMs: 20_000, maxBytes: 256 * 1024 });
    const parsed = TokenResponse.safeParse(raw);
    if (!parsed.success) throw new PortalResponseError('refresh answer is not a usable token response', 200);
    return parsed.data;
  } catch (error) {
    throw asTokenRefusal(error) ?? error;
  }
}

/** RFC 7009. Best effort: a portal that cannot revoke does not stop an unlink. */
export async function revokeToken(revocationEndpoint: string, token: string, hint: 'refresh_token' | 'access_token', credentials: ClientCredentials): Promise<boolean> {
  const body = new URLSearchParams({ token, token_type_hint: hint });
  const headers = { 'content-type': 'application/x-www-form-urlencoded', ...clientAuth(credentials, body) };
  const response = await portalRequest(revocationEndpoint, { method: 'POST', headers, body }, { timeoutMs: 10_000, maxBytes: 64 * 1024 });
  return response.status >= 200 && response.status < 300;
}

/** RFC 7662: when a token expires, if the portal will say. */
export async function introspectExpiry(endpoint: string, token: string, hint: 'refresh_token' | 'access_token', credentials: ClientCredentials): Promise<Date | null> {
  const body = new URLSearchParams({ token, token_type_hint: hint });
  const headers = { 'content-type': 'application/x-www-form-urlencoded', ...clientAuth(credentials, body) };
  const answer = await portalJson<{ active?: boolean; exp?: number }>(endpoint, { method: 'POST', headers, body }, { timeoutMs: 10_000, maxBytes: 64 * 1024 });
  return answer.active === true && typeof answer.exp === 'number' ? new Date(answer.exp * 1000) : null;
}

function asTokenRefusal(error: unknown): TokenRefusedError | null {
  // 408 and 429 are "try later", not a refusal.
  if (!(error instanceof PortalResponseError) || error.status < 400 || error.status >= 500 || error.status === 408 || error.status === 429) return null;
  const body = (error.body ?? {}) as OAuthErrorBody;
  return new TokenRefusedError(typeof body.error === 'string' ? body.error : `http_${error.status}`, typeof body.error_description === 'string' ? body.error_description : undefined);
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
  const payload = tokens.id_token?.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { fhirUser?: unknown };
    return typeof claims.fhirUser === 'string' ? claims.fhirUser.slice(0, 512) : null;
  } catch {
    return null;
  }
}
