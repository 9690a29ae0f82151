// The SMART Health Links receiver in the browser: read the shlink:/ payload, decrypt a compact JWE
// (alg dir, enc A256GCM, raw DEFLATE when zip is DEF) with Web Crypto. The key never leaves the page.
// No DOM: unit-tested in Node, which has the same Web Crypto and DecompressionStream.

export interface ShlPayload {
  url: string;
  key: string;
  exp?: number;
  flag?: string;
  label?: string;
  v?: number;
}

export class ShlFormatError extends Error {
  override name = 'ShlFormatError';
}

function base64UrlBytes(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new ShlFormatError('not base64url');
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The link in a URL fragment, a viewer URL or on its own; null when there is none. */
export function findShlink(text: string): string | null {
  const decoded = (() => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  })();
  const match = /shlink:\/[A-Za-z0-9_-]+/.exec(decoded);
  return match ? match[0] : null;
}

export function decodeShlink(link: string): ShlPayload {
  const encoded = link.startsWith('shlink:/') ? link.slice('shlink:/'.length) : '';
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(base64UrlBytes(encoded)));
  } catch {
    throw new ShlFormatError('This link is damaged: it could not be read. Ask for it again.');
  }
  const p = payload as Partial<ShlPayload> | null;
  if (!p || typeof p.url !== 'string' || typeof p.key !== 'string' || !URL.canParse(p.url)) throw new ShlFormatError('This link is damaged: it has no address or key. Ask for it again.');
  if (base64UrlBytes(p.key).length !== 32) throw new ShlFormatError('This link is damaged: its key is not 32 bytes. Ask for it again.');
  return p as ShlPayload;
}

async function inflateRaw(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  if (typeof DecompressionStream === 'undefined') throw new ShlFormatError('This browser cannot decompress the shared files. Open the link in a current Chrome, Edge, Firefox or Safari.');
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export interface DecryptedFile {
  contentType: string | undefined;
  plaintext: Uint8Array<ArrayBuffer>;
}

/** Opens a compact JWE under the link's key. Throws on any tampering (AES-GCM authenticates). */
export async function decryptJwe(jwe: string, keyB64url: string): Promise<DecryptedFile> {
  const parts = jwe.trim().split('.');
  if (parts.length !== 5) throw new ShlFormatError('A shared file is not a compact JWE.');
  const [protectedB64 = '', encryptedKey, iv = '', ciphertext = '', tag = ''] = parts;
  const header = JSON.parse(new TextDecoder().decode(base64UrlBytes(protectedB64))) as { alg?: string; enc?: string; cty?: string; zip?: string };
  if (header.alg !== 'dir' || header.enc !== 'A256GCM' || encryptedKey !== '') throw new ShlFormatError(`A shared file uses ${header.alg}/${header.enc}, not dir/A256GCM.`);
  const key = await crypto.subtle.importKey('raw', base64UrlBytes(keyB64url), { name: 'AES-GCM' }, false, ['decrypt']);
  const body = base64UrlBytes(ciphertext);
  const mac = base64UrlBytes(tag);
  const sealed = new Uint8Array(body.length + mac.length);
  sealed.set(body);
  sealed.set(mac, body.length);
  const opened = new Uint8Array(
    await crypto.subtle.decrypt({ name: 'AES-GCM', iv: base64UrlBytes(iv), additionalData: new TextEncoder().encode(protectedB64), tagLength: 128 }, key, sealed),
  );
  return { contentType: header.cty, plaintext: header.zip === 'DEF' ? await inflateRaw(opened) : opened };
}

export function base64Bytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
