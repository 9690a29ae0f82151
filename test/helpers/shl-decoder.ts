// A SMART Health Links receiver written from the specification (HL7 SMART Health Cards and Links,
// "SMART Health Links"), not from carebinder's code: decode the shlink:/ payload, POST the manifest,
// fetch each location (or take the embedded JWE) and decrypt the compact JWE (alg dir, enc A256GCM,
// raw DEFLATE when zip is DEF) with Node's WebCrypto.
import { webcrypto } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';

export interface ShlPayload {
  url: string;
  key: string;
  exp?: number;
  flag?: string;
  label?: string;
  v?: number;
}

export function decodeShlink(link: string): ShlPayload {
  // The link may come with a viewer prefix: https://viewer.example/#shlink:/...
  const at = link.indexOf('shlink:/');
  if (at < 0) throw new Error('not a SMART Health Link');
  const encoded = link.slice(at + 'shlink:/'.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) throw new Error('the payload is not base64url');
  return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as ShlPayload;
}

export interface JweParts {
  header: { alg: string; enc: string; cty?: string; zip?: string; [name: string]: unknown };
  plaintext: Buffer;
}

/** Decrypts a compact JWE (RFC 7516 §7.1) with a direct 256-bit key, AES-GCM (RFC 7518 §5.3). */
export async function decryptCompactJwe(jwe: string, keyB64url: string): Promise<JweParts> {
  const parts = jwe.split('.');
  if (parts.length !== 5) throw new Error(`a compact JWE has 5 parts, this has ${parts.length}`);
  const [protectedB64, encryptedKey, ivB64, ciphertextB64, tagB64] = parts as [string, string, string, string, string];
  const header = JSON.parse(Buffer.from(protectedB64, 'base64url').toString('utf8')) as JweParts['header'];
  if (header.alg !== 'dir' || header.enc !== 'A256GCM') throw new Error(`unexpected alg/enc ${header.alg}/${header.enc}`);
  if (encryptedKey !== '') throw new Error('alg dir has an empty encrypted key');
  const rawKey = Buffer.from(keyB64url, 'base64url');
  if (rawKey.length !== 32) throw new Error('the key is not 32 bytes');
  const key = await webcrypto.subtle.importKey('raw', rawKey, { name: 'AES-GCM' }, false, ['decrypt']);
  const iv = Buffer.from(ivB64, 'base64url');
  const sealed = Buffer.concat([Buffer.from(ciphertextB64, 'base64url'), Buffer.from(tagB64, 'base64url')]);
  // The additional authenticated data is the ASCII of the encoded protected header.
  const opened = Buffer.from(await webcrypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: Buffer.from(protectedB64, 'ascii'), tagLength: 128 }, key, sealed));
  const plaintext = header.zip === 'DEF' ? inflateRawSync(opened) : opened;
  return { header, plaintext };
}

export interface ManifestFile {
  contentType: string;
  location?: string;
  embedded?: string;
}

/** Reads every file a link shares, through any fetch (real HTTP or an inject adapter). */
export async function readShl(
  link: string,
  request: { recipient: string; passcode?: string; embeddedLengthMax?: number },
  fetchFn: (url: string, init?: { method?: string; body?: string; headers?: Record<string, string> }) => Promise<{ status: number; text(): Promise<string> }>,
): Promise<Array<{ contentType: string; header: JweParts['header']; json: Record<string, unknown> }>> {
  const payload = decodeShlink(link);
  const manifest = await fetchFn(payload.url, { method: 'POST', body: JSON.stringify(request), headers: { 'content-type': 'application/json' } });
  if (manifest.status !== 200) throw new Error(`manifest answered ${manifest.status}: ${await manifest.text()}`);
  const { files } = JSON.parse(await manifest.text()) as { files: ManifestFile[] };
  const out = [];
  for (const file of files) {
    let jwe = file.embedded;
    if (jwe === undefined) {
      const response = await fetchFn(file.location!);
      if (response.status !== 200) throw new Error(`location answered ${response.status}`);
      jwe = await response.text();
    }
    const { header, plaintext } = await decryptCompactJwe(jwe, payload.key);
    out.push({ contentType: file.contentType, header, json: JSON.parse(plaintext.toString('utf8')) as Record<string, unknown> });
  }
  return out;
}
