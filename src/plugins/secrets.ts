import fp from 'fastify-plugin';
import { createSecretBox, type SecretBox } from '../crypto/secret-box.js';

declare module 'fastify' {
  interface FastifyInstance {
    secretBox: SecretBox;
  }
}

export default fp<{ secretKey: Buffer; oldSecretKeys: Buffer[] }>(
  async (app, { secretKey, oldSecretKeys }) => {
    app.decorate('secretBox', createSecretBox(secretKey, oldSecretKeys));
  },
  { name: 'secrets' },
);
