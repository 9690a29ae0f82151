// The link itself (SMART Health Links, "shlink:/" + base64url JSON) and the random names behind it.
// The link is the only place the key ever exists: whoever holds it can read the files, so it is
// shown to the patient once and never stored.
import { createHash, randomBytes } from 'node:crypto';

export interface ShlinkPayload {
  /** The manifest URL. */
  url: string;
  /** The decryption key: 32 bytes, base64url. */
  key: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** P: a passcode is needed (the only flag carebinder sets). */
  flag?: 'P';
  label?: string;
  v: 1;
}

/** A name nobody can guess: 256 random bits, base64url (43 characters). */
export function randomName(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps of a bearer name. */
export function nameHash(name: string): Buffer {
  return createHash('sha256').update(name, 'utf8').digest();
}

/** Names as randomName makes them; anything else cannot be one and is not looked up. */
export function isRandomName(name: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(name);
}

export function encodeShlink(payload: ShlinkPayload): string {
  return `shlink:/${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
}

/** The address of the built-in viewer with the link in its fragment, which browsers never send to a server. */
export function viewerUrl(publicUrl: string, link: string): string {
  return `${trimSlash(publicUrl)}/shl#${link}`;
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
