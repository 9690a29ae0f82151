// The deployment administrator's token (ADMIN_TOKEN), as the queue dashboard and the metrics
// endpoints accept it: a Bearer header, or HTTP Basic with any user name and the token as password.
import { createHash, timingSafeEqual } from 'node:crypto';

/** The token an Authorization header presents, or null when it presents none. */
export function presentedAdminToken(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const [scheme, value = ''] = authorization.split(' ');
  if (scheme?.toLowerCase() === 'bearer') return value;
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return null;
}

/** Whether the header presents `expected`, compared in constant time (digests, so lengths do not leak either). */
export function isAdminAuthorization(authorization: string | undefined, expected: string): boolean {
  const given = presentedAdminToken(authorization);
  if (given === null) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
