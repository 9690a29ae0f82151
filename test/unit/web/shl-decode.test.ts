// The viewer's decoder (web/src/shl-decode.ts) against carebinder's encryption (src/shares/jwe.ts)
// and the link format (src/shares/link.ts): they meet only through the SHL specification's formats.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptShareFile } from '../../../src/shares/jwe.js';
import { encodeShlink, viewerUrl } from '../../../src/shares/link.js';
import { decodeShlink, decryptJwe, findShlink, ShlFormatError } from '../../../web/src/shl-decode.js';

const key = randomBytes(32);
const payload = { url: 'https://binder.example.org/api/shl/abc', key: key.toString('base64url'), exp: 1_900_000_000, flag: 'P' as const, label: 'For Dr. Lee', v: 1 as const };

describe('the SHL viewer decoder', () => {
  it('finds the link in a viewer URL (also percent-encoded) and decodes its payload', () => {
    const link = encodeShlink(payload);
    expect(findShlink(new URL(viewerUrl('https://binder.example.org/', link)).hash)).toBe(link);
    expect(findShlink(`#${encodeURIComponent(link)}`)).toBe(link);
    expect(findShlink('#nothing-here')).toBeNull();
    expect(decodeShlink(link)).toEqual(payload);
  });

  it('refuses a damaged payload or a key that is not 32 bytes', () => {
    expect(() => decodeShlink('shlink:/not-json')).toThrow(ShlFormatError);
    expect(() => decodeShlink(encodeShlink({ ...payload, key: randomBytes(16).toString('base64url') }))).toThrow(/32 bytes/);
  });

  it('decrypts what the server encrypted (zip DEF), and refuses a tampered file or another key', async () => {
    const text = JSON.stringify({ resourceType: 'Bundle', entry: Array.from({ length: 50 }, (_, i) => ({ i, note: 'Zoë — µmol/L' })) });
    const jwe = await encryptShareFile(Buffer.from(text), key, 'application/fhir+json');
    const opened = await decryptJwe(jwe, key.toString('base64url'));
    expect(opened.contentType).toBe('application/fhir+json');
    expect(new TextDecoder().decode(opened.plaintext)).toBe(text);

    const parts = jwe.split('.');
    const body = Buffer.from(parts[3], 'base64url');
    body[0] = body[0] ^ 1;
    parts[3] = body.toString('base64url');
    await expect(decryptJwe(parts.join('.'), key.toString('base64url'))).rejects.toThrow();
    await expect(decryptJwe(jwe, randomBytes(32).toString('base64url'))).rejects.toThrow();
  });
});
