// Device cookies (OWASP, "Slow down online guessing attacks with device cookies"): a browser that
// signed in to an account keeps a signed token naming that account, and its sign-ins are judged
// by that token's own allowance instead of the throttles every other client shares. Pure: the key
// comes from the caller (derived from CAREBINDER_SECRET_KEY), so nothing here reads the database.
//
// Cookie value: up to MAX_ENTRIES entries joined by "~", newest first (a browser shared by a
// patient and a carer keeps both); each entry is `<account id>.<nonce>.<HMAC-SHA256 signature>`.
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export const DEVICE_COOKIE = 'carebinder_device';
/** A year, renewed at each successful sign-in. */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600;
const MAX_ENTRIES = 4;
const SIGNATURE_CONTEXT = 'carebinder device cookie v1';

export interface DeviceEntry {
  accountId: string;
  /** Random, names this browser's allowance in the sign-in throttle. */
  nonce: string;
}

/** The device-cookie key: HKDF-SHA256 of the server secret, so it is never the encryption key itself. */
export function deriveDeviceCookieKey(secretKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), SIGNATURE_CONTEXT, 32));
}

function signature(key: Buffer, accountId: string, nonce: string): Buffer {
  return createHmac('sha256', key).update(`${SIGNATURE_CONTEXT}\n${accountId}\n${nonce}`).digest();
}

export function newDeviceEntry(accountId: string): DeviceEntry {
  return { accountId, nonce: randomBytes(16).toString('base64url') };
}

const ENTRY = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/** The entries of a device cookie whose signatures hold, newest first; anything else is dropped. */
export function readDeviceCookie(key: Buffer, value: string | undefined): DeviceEntry[] {
  if (!value || value.length > 1024) return [];
  const entries: DeviceEntry[] = [];
  for (const part of value.split('~').slice(0, MAX_ENTRIES)) {
    const match = ENTRY.exec(part);
    if (!match) continue;
    const [, accountId, nonce, signed] = match;
    // Compared as text: base64url's last character has bits a decoder ignores, and only the one
    // encoding this server writes is accepted.
    const given = Buffer.from(signed);
    const expected = Buffer.from(signature(key, accountId, nonce).toString('base64url'));
    if (given.length === expected.length && timingSafeEqual(given, expected)) entries.push({ accountId, nonce });
  }
  return entries;
}

/** The cookie value with `entry` first, replacing any older entry of the same account, at most MAX_ENTRIES. */
export function writeDeviceCookie(key: Buffer, entry: DeviceEntry, others: DeviceEntry[]): string {
  return [entry, ...others.filter((other) => other.accountId !== entry.accountId)]
    .slice(0, MAX_ENTRIES)
    .map(({ accountId, nonce }) => `${accountId}.${nonce}.${signature(key, accountId, nonce).toString('base64url')}`)
    .join('~');
}
