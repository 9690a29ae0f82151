// The authorization server's memory: pending sign-ins, authorization codes, grants and the
// tokens issued from them. A grant is one approval by one patient for one client; revoking it
// (code replay, revoked refresh token) ends every token derived from it.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { PatientAccount } from '../config.js';
import { OAuthError } from '../errors.js';
import { signHs256, verifyHs256 } from './jwt.js';

export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly grantedScope: readonly string[];
  readonly codeChallenge: string;
  readonly nonce: string | undefined;
}

export interface PendingAuthorization extends AuthorizationRequest {
  readonly id: string;
  readonly expiresAtMs: number;
  /** Set once the patient has signed in; consent is only possible after that. */
  account: PatientAccount | undefined;
}

export interface Grant {
  readonly id: string;
  readonly clientId: string;
  readonly patientId: string;
  readonly username: string;
  readonly nonce: string | undefined;
  revoked: boolean;
}

interface CodeRecord {
  readonly grant: Grant;
  readonly scope: readonly string[];
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly expiresAtMs: number;
  used: boolean;
}

interface AccessTokenRecord {
  readonly jti: string;
  readonly grant: Grant;
  readonly scope: readonly string[];
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
  revoked: boolean;
}

interface RefreshTokenRecord {
  readonly grant: Grant;
  readonly scope: readonly string[];
  readonly expiresAtMs: number;
  used: boolean;
  revoked: boolean;
}

export interface ActiveAccessToken {
  readonly grant: Grant;
  readonly scope: readonly string[];
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly refreshToken: string | undefined;
  readonly scope: readonly string[];
}

export interface TokenLifetimes {
  readonly accessTokenSeconds: number;
  /** Undefined when no refresh token is issued (neither offline_access nor online_access granted). */
  readonly refreshTokenSeconds: number | undefined;
}

export type AccessTokenCheck =
  | { readonly ok: true; readonly token: ActiveAccessToken }
  | { readonly ok: false; readonly reason: string };

const PENDING_LIFETIME_MS = 10 * 60 * 1000;
// Expired records are kept a while so a late request still hears "expired", not "unknown".
const FORGET_AFTER_MS = 10 * 60 * 1000;

export class AuthorizationState {
  private readonly pending = new Map<string, PendingAuthorization>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();

  constructor(
    private readonly signingSecret: string,
    private readonly issuer: () => string,
  ) {}

  begin(request: AuthorizationRequest): PendingAuthorization {
    this.purgeExpired();
    const pending: PendingAuthorization = {
      ...request,
      id: randomToken(),
      expiresAtMs: Date.now() + PENDING_LIFETIME_MS,
      account: undefined,
    };
    this.pending.set(pending.id, pending);
    return pending;
  }

  /** The pending authorization behind a transaction id from a form, if still open. */
  findPending(id: string): PendingAuthorization | undefined {
    const pending = this.pending.get(id);
    if (pending && pending.expiresAtMs < Date.now()) {
      this.pending.delete(id);
      return undefined;
    }
    return pending;
  }

  /** Ends a pending authorization; on approval, returns a fresh single-use authorization code. */
  finish(pending: PendingAuthorization, approved: boolean, codeLifetimeSeconds: number): string | undefined {
    this.pending.delete(pending.id);
    if (!approved || !pending.account) return undefined;
    const grant: Grant = {
      id: randomUUID(),
      clientId: pending.clientId,
      patientId: pending.account.patientId,
      username: pending.account.username,
      nonce: pending.nonce,
      revoked: false,
    };
    const code = randomToken();
    this.codes.set(code, {
      grant,
      scope: pending.grantedScope,
      redirectUri: pending.redirectUri,
      codeChallenge: pending.codeChallenge,
      expiresAtMs: Date.now() + codeLifetimeSeconds * 1000,
      used: false,
    });
    return code;
  }

  /** Checks a code against RFC 6749 §4.1.3 and RFC 7636 §4.6; a replayed code revokes its grant. */
  redeemCode(code: string, clientId: string, redirectUri: string | undefined, verifier: string | undefined): { grant: Grant; scope: readonly string[] } {
    const record = this.codes.get(code);
    if (!record) throw invalidGrant('authorization code is not known');
    if (record.used) {
      // RFC 6749 §4.1.2: a code used twice may be stolen; tokens already issued from it are revoked.
      this.revokeGrant(record.grant);
      throw invalidGrant('authorization code was already used; tokens issued from it are revoked');
    }
    record.used = true;
    if (record.expiresAtMs < Date.now()) throw invalidGrant('authorization code has expired');
    if (record.grant.clientId !== clientId) throw invalidGrant('authorization code was issued to another client');
    if (redirectUri !== record.redirectUri) throw invalidGrant('redirect_uri does not match the authorization request');
    if (verifier === undefined || !verifierMatches(verifier, record.codeChallenge)) {
      throw invalidGrant('code_verifier does not match the code_challenge');
    }
    return { grant: record.grant, scope: record.scope };
  }

  /** Rotates a refresh token: the presented one is spent, a new pair comes back. */
  redeemRefreshToken(token: string, clientId: string): { grant: Grant; scope: readonly string[] } {
    const record = this.refreshTokens.get(token);
    if (!record) throw invalidGrant('refresh token is not known');
    if (record.revoked || record.grant.revoked) throw invalidGrant('refresh token has been revoked');
    if (record.used) throw invalidGrant('refresh token was already used (refresh tokens rotate)');
    if (record.expiresAtMs < Date.now()) throw invalidGrant('refresh token has expired');
    if (record.grant.clientId !== clientId) throw invalidGrant('refresh token was issued to another client');
    record.used = true;
    return { grant: record.grant, scope: record.scope };
  }

  /** The client a refresh token was issued to, whatever its state. */
  refreshTokenClient(token: string): string | undefined {
    return this.refreshTokens.get(token)?.grant.clientId;
  }

  async issueTokens(grant: Grant, scope: readonly string[], lifetimes: TokenLifetimes): Promise<IssuedTokens> {
    const now = Date.now();
    const jti = randomUUID();
    const expiresAtMs = now + lifetimes.accessTokenSeconds * 1000;
    this.accessTokens.set(jti, { jti, grant, scope, issuedAtMs: now, expiresAtMs, revoked: false });
    const accessToken = await signHs256(
      {
        iss: this.issuer(),
        aud: this.issuer(),
        sub: grant.patientId,
        client_id: grant.clientId,
        patient: grant.patientId,
        scope: scope.join(' '),
        jti,
        iat: Math.floor(now / 1000),
        exp: Math.floor(expiresAtMs / 1000),
      },
      this.signingSecret,
    );
    let refreshToken: string | undefined;
    if (lifetimes.refreshTokenSeconds !== undefined) {
      refreshToken = randomToken();
      this.refreshTokens.set(refreshToken, {
        grant,
        scope,
        expiresAtMs: now + lifetimes.refreshTokenSeconds * 1000,
        used: false,
        revoked: false,
      });
    }
    return { accessToken, expiresIn: lifetimes.accessTokenSeconds, refreshToken, scope };
  }

  async checkAccessToken(token: string): Promise<AccessTokenCheck> {
    const claims = await verifyHs256(token, this.signingSecret);
    const record = typeof claims?.jti === 'string' ? this.accessTokens.get(claims.jti) : undefined;
    if (!record) return { ok: false, reason: 'The access token is not valid here' };
    if (record.revoked || record.grant.revoked) return { ok: false, reason: 'The access token has been revoked' };
    if (record.expiresAtMs <= Date.now()) return { ok: false, reason: 'The access token has expired' };
    return { ok: true, token: record };
  }

  /** An active refresh token's record, for introspection. */
  findRefreshToken(token: string): (ActiveAccessToken & { kind: 'refresh' }) | undefined {
    const record = this.refreshTokens.get(token);
    if (!record || record.used || record.revoked || record.grant.revoked || record.expiresAtMs <= Date.now()) {
      return undefined;
    }
    return { kind: 'refresh', grant: record.grant, scope: record.scope, issuedAtMs: 0, expiresAtMs: record.expiresAtMs };
  }

  /**
   * RFC 7009: revokes an access or refresh token held by `clientId`. Revoking a refresh token
   * ends its grant (and so the access tokens issued with it). Unknown tokens are ignored.
   */
  async revokeToken(token: string, clientId: string): Promise<void> {
    const refresh = this.refreshTokens.get(token);
    if (refresh) {
      assertOwnedBy(refresh.grant, clientId);
      this.revokeGrant(refresh.grant);
      return;
    }
    const claims = await verifyHs256(token, this.signingSecret);
    const access = typeof claims?.jti === 'string' ? this.accessTokens.get(claims.jti) : undefined;
    if (access) {
      assertOwnedBy(access.grant, clientId);
      access.revoked = true;
    }
  }

  /** Revokes every refresh token (optionally only a patient's); returns how many were live. */
  revokeRefreshTokens(patientId?: string): number {
    let revoked = 0;
    for (const record of this.refreshTokens.values()) {
      if (patientId !== undefined && record.grant.patientId !== patientId) continue;
      if (!record.used && !record.revoked) revoked += 1;
      record.revoked = true;
    }
    return revoked;
  }

  private revokeGrant(grant: Grant): void {
    grant.revoked = true;
  }

  private purgeExpired(): void {
    const now = Date.now() - FORGET_AFTER_MS;
    for (const [id, pending] of this.pending) if (pending.expiresAtMs < now) this.pending.delete(id);
    for (const [code, record] of this.codes) if (record.expiresAtMs < now) this.codes.delete(code);
    for (const [jti, record] of this.accessTokens) if (record.expiresAtMs < now) this.accessTokens.delete(jti);
    for (const [token, record] of this.refreshTokens) if (record.expiresAtMs < now) this.refreshTokens.delete(token);
  }
}

function verifierMatches(verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  return createHash('sha256').update(verifier).digest('base64url') === challenge;
}

function assertOwnedBy(grant: Grant, clientId: string): void {
  if (grant.clientId !== clientId) {
    throw new OAuthError(400, 'invalid_request', 'the token was issued to another client');
  }
}

function invalidGrant(description: string): OAuthError {
  return new OAuthError(400, 'invalid_grant', description);
}

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
