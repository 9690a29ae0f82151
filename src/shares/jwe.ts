// The encryption of a shared file, as the SMART Health Links specification asks: a compact JWE
// with `alg: dir` and `enc: A256GCM` under the link's 32-byte key, the content type in `cty`, and
// the plaintext compressed first (`zip: DEF`, raw DEFLATE; jose compresses through the platform's
// CompressionStream). Every file carebinder shares is FHIR JSON, which deflates well.
import { CompactEncrypt } from 'jose';

export const SHL_KEY_BYTES = 32;

export type JweHeader = { alg: 'dir'; enc: 'A256GCM'; cty: string; zip: 'DEF' };

/** The file as a compact JWE under `key` (32 bytes). */
export async function encryptShareFile(plaintext: Uint8Array, key: Uint8Array, contentType: string): Promise<string> {
  if (key.length !== SHL_KEY_BYTES) throw new Error(`an SHL key is ${SHL_KEY_BYTES} bytes`);
  const header: JweHeader = { alg: 'dir', enc: 'A256GCM', cty: contentType, zip: 'DEF' };
  return new CompactEncrypt(plaintext).setProtectedHeader(header).encrypt(key);
}
