// The one-click unsubscribe link of every notice: a token that names the account and the kind of
// notice, signed with HMAC-SHA256 under a key derived from CAREBINDER_SECRET_KEY. It carries no
// secret and grants nothing but turning that kind of mail off. Pure: the key comes from the caller.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { isNoticeKind, type NoticeKind } from './preferences.js';

const CONTEXT = 'carebinder unsubscribe v1';

/** HKDF-SHA256 of the server secret, so the signing key is never the encryption key itself. */
export function deriveUnsubscribeKey(secretKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), CONTEXT, 32));
}

function signature(key: Buffer, accountId: string, kind: NoticeKind): Buffer {
  return createHmac('sha256', key).update(`${CONTEXT}\n${accountId}\n${kind}`).digest();
}

/** `<account id>.<kind>.<signature>`, URL-safe as it is. */
export function unsubscribeToken(key: Buffer, accountId: string, kind: NoticeKind): string {
  return `${accountId}.${kind}.${signature(key, accountId, kind).toString('base64url')}`;
}

const TOKEN = /^([0-9a-f-]{36})\.([a-z-]{1,32})\.([A-Za-z0-9_-]{43})$/;

/** What a token unsubscribes from, or null when it is not one carebinder signed. */
export function readUnsubscribeToken(key: Buffer, token: string): { accountId: string; kind: NoticeKind } | null {
  const match = TOKEN.exec(token);
  if (!match) return null;
  const [, accountId, kind, presented] = match;
  if (!isNoticeKind(kind)) return null;
  const expected = signature(key, accountId, kind);
  const given = Buffer.from(presented, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected) ? { accountId, kind } : null;
}
