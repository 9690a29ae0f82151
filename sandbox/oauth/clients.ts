// Registered OAuth clients and redirect URI rules: exact match (RFC 6749 §3.1.2.2), except
// that a native app's loopback redirect may use any port (RFC 8252 §7.3).
import type { ClientConfig } from '../config.js';

/** Registered at every hospital so the demo and tests can link from any local port. */
export const DEMO_CLIENT: ClientConfig = {
  clientId: 'carebinder-demo',
  name: 'carebinder (demo)',
  type: 'public',
  redirectUris: [],
  loopbackRedirects: true,
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export class ClientRegistry {
  private readonly clients = new Map<string, ClientConfig>();

  constructor(configured: readonly ClientConfig[]) {
    this.clients.set(DEMO_CLIENT.clientId, DEMO_CLIENT);
    // A client in the file may redefine carebinder-demo (e.g. to make it confidential).
    for (const client of configured) this.clients.set(client.clientId, client);
  }

  find(clientId: string): ClientConfig | undefined {
    return this.clients.get(clientId);
  }

  all(): ClientConfig[] {
    return [...this.clients.values()];
  }
}

export function redirectAllowed(client: ClientConfig, redirectUri: string): boolean {
  const requested = parseUrl(redirectUri);
  if (!requested || requested.hash !== '' || requested.username !== '' || requested.password !== '') return false;
  if (client.loopbackRedirects && isLoopback(requested)) return true;
  return client.redirectUris.some((registered) => {
    if (registered === redirectUri) return true;
    const registeredUrl = parseUrl(registered);
    return registeredUrl !== undefined && isLoopback(registeredUrl) && sameExceptPort(registeredUrl, requested);
  });
}

function isLoopback(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

function sameExceptPort(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.hostname === b.hostname && a.pathname === b.pathname && a.search === b.search;
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
