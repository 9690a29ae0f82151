// Compact JWTs with node:crypto: HS256 access tokens signed with the hospital's secret,
// RS256 id_tokens signed with a key pair generated at start and published as a JWKS.
import { createHmac, createSign, generateKeyPairSync, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';

export type JwtClaims = Record<string, unknown>;

export function signHs256(claims: JwtClaims, secret: string): string {
  const signingInput = `${encodeSegment({ alg: 'HS256', typ: 'JWT' })}.${encodeSegment(claims)}`;
  const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** The claims of an HS256 token signed with `secret`, or undefined if it is not one. */
export function verifyHs256(token: string, secret: string): JwtClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header = '', payload = '', signature = ''] = parts;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const decodedHeader = decodeSegment(header);
  if (decodedHeader?.alg !== 'HS256') return undefined;
  return decodeSegment(payload);
}

export interface RsaSigner {
  readonly kid: string;
  sign(claims: JwtClaims): string;
  /** The public key as a JSON Web Key Set. */
  jwks(): { keys: Array<Record<string, unknown>> };
}

export function createRsaSigner(): RsaSigner {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return {
    kid,
    sign: (claims) => signRs256(claims, privateKey, kid),
    jwks: () => ({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] }),
  };
}

function signRs256(claims: JwtClaims, privateKey: KeyObject, kid: string): string {
  const signingInput = `${encodeSegment({ alg: 'RS256', typ: 'JWT', kid })}.${encodeSegment(claims)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

function encodeSegment(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeSegment(segment: string): JwtClaims | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}
