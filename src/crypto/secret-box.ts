// Secrets at rest (portal tokens, client secrets, pending launch state): AES-256-GCM under
// CAREBINDER_SECRET_KEY. Each ciphertext names its key by id, so keys can rotate: new writes
// use the current key, and older keys stay usable for reading until everything is re-encrypted.
// The associated data binds a ciphertext to the row and purpose it was written for, so a
// ciphertext copied into another row does not decrypt.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export interface SecretBox {
  /** Id of the key new secrets are written with. */
  readonly keyId: string;
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  sealJson(value: unknown, context: string): string;
  openJson<T>(sealed: string, context: string): T;
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

export function createSecretBox(currentKey: Buffer, olderKeys: Buffer[] = []): SecretBox {
  if (currentKey.length !== 32) throw new SecretBoxError('the secret key must be 32 bytes');
  const keys = new Map<string, Buffer>([currentKey, ...olderKeys].map((key) => [keyIdOf(key), key]));
  const keyId = keyIdOf(currentKey);

  const seal = (plaintext: string, context: string): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  };

  const open = (sealed: string, context: string): string => {
    const [version, id, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || !id || !iv || !tag || ciphertext === undefined) throw new SecretBoxError('not a sealed secret');
    const key = keys.get(id);
    if (!key) throw new SecretBoxError(`sealed with key ${id}, which is not configured (CAREBINDER_SECRET_KEY / CAREBINDER_OLD_SECRET_KEYS)`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('sealed secret failed authentication (wrong key, context or tampered data)');
    }
  };

  return {
    keyId,
    seal,
    open,
    sealJson: (value, context) => seal(JSON.stringify(value), context),
    openJson: <T>(sealed: string, context: string) => JSON.parse(open(sealed, context)) as T,
  };
}

/** Whether a sealed value was written with an older key and should be re-sealed. */
export function needsResealing(sealed: string, box: SecretBox): boolean {
  return sealed.split('.')[1] !== box.keyId;
}
