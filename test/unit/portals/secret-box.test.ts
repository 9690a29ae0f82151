import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, keyIdOf, needsResealing, SecretBoxError } from '../../../src/crypto/secret-box.js';

const key = randomBytes(32);

describe('secret box', () => {
  it('round-trips a secret without the plaintext appearing in the sealed form', () => {
    const box = createSecretBox(key);
    const sealed = box.seal('refresh-token-value', 'link:1:tokens');
    expect(sealed).not.toContain('refresh-token-value');
    expect(sealed.split('.')[1]).toBe(keyIdOf(key));
    expect(box.open(sealed, 'link:1:tokens')).toBe('refresh-token-value');
  });

  it('seals the same value differently every time (random IV)', () => {
    const box = createSecretBox(key);
    expect(box.seal('x', 'c')).not.toBe(box.seal('x', 'c'));
  });

  it('refuses a ciphertext moved to another row (context mismatch)', () => {
    const box = createSecretBox(key);
    const sealed = box.sealJson({ access_token: 'a' }, 'link:1:tokens');
    expect(() => box.open(sealed, 'link:2:tokens')).toThrow(SecretBoxError);
  });

  it('refuses tampered ciphertext', () => {
    const box = createSecretBox(key);
    const parts = box.seal('secret', 'c').split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'c')).toThrow(/failed authentication/);
  });

  it('still opens secrets sealed with an older key after rotation, and says they need resealing', () => {
    const oldKey = randomBytes(32);
    const sealedWithOld = createSecretBox(oldKey).seal('secret', 'c');
    const rotated = createSecretBox(randomBytes(32), [oldKey]);
    expect(rotated.open(sealedWithOld, 'c')).toBe('secret');
    expect(needsResealing(sealedWithOld, rotated)).toBe(true);
    expect(needsResealing(rotated.seal('secret', 'c'), rotated)).toBe(false);
  });

  it('names the missing key when a secret was sealed with a key that is not configured', () => {
    const sealed = createSecretBox(randomBytes(32)).seal('secret', 'c');
    expect(() => createSecretBox(key).open(sealed, 'c')).toThrow(/not configured/);
  });
});
