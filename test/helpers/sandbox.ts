import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import type { Pool } from '../../src/db/pool.js';
import { createPortalRegistry } from '../../src/portals/registry.js';
import { testConfig } from './services.js';

export const DEMO_LOGIN = { username: 'jane', password: 'sandbox' } as const;

export async function startTestSandbox(): Promise<Sandbox> {
  return startSandbox({ ephemeralPorts: true });
}

/** Registers each sandbox hospital as a portal (public client carebinder-demo) under an id unique to this test file. */
export async function registerSandboxPortals(pool: Pool, sandbox: Sandbox, suffix: string): Promise<Record<string, string>> {
  const config = testConfig();
  const registry = createPortalRegistry(pool, createSecretBox(config.secretKey));
  const ids: Record<string, string> = {};
  for (const hospital of sandbox.hospitals) {
    const id = `${hospital.id}-${suffix}`;
    await registry.upsert({ id, name: hospital.name, fhirBaseUrl: hospital.fhirBaseUrl, clientId: 'carebinder-demo' });
    ids[hospital.id] = id;
  }
  return ids;
}
