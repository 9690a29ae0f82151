// Compact JWTs through jose: HS256 access tokens signed with the hospital's secret,
// RS256 id_tokens signed with a key pair generated at start and published as a JWKS.
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { compactVerify, SignJWT, type JWTPayload } from 'jose';

export type JwtClaims = JWTPayload;

export async function signHs256(claims: JwtClaims, secret: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secretBytes(secret));
}

/**
 * The claims of an HS256 token signed with `secret`, or undefined if it is not one. Only the
 * signature is checked here: expiry and revocation are the token store's to judge, so that an
 * expired token is reported as expired rather than as unknown.
 */
export async function verifyHs256(token: string, secret: string): Promise<JwtClaims | undefined> {
  try {
    const { payload } = await compactVerify(token, secretBytes(secret), { algorithms: ['HS256'] });
    const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}

export interface RsaSigner {
  readonly kid: string;
  sign(claims: JwtClaims): Promise<string>;
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

async function signRs256(claims: JwtClaims, privateKey: KeyObject, kid: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(privateKey);
}

function secretBytes(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}
