import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/app.js';
import { signInAtPortal } from './portal-browser.js';

export interface LinkAttempt {
  authorizeUrl: string;
  callback: URL;
  response: LightMyRequestResponse;
  /** Where carebinder sent the browser afterwards. */
  location: URL | null;
}

/** A patient links a portal as in a browser: start, sign in and consent at the portal, come back. */
export async function linkPortal(
  app: App,
  cookie: string,
  portalId: string,
  login: { username: string; password: string },
  decision: 'approve' | 'deny' = 'approve',
): Promise<LinkAttempt> {
  const started = await app.inject({ method: 'POST', url: '/api/links', headers: { cookie }, payload: { portalId } });
  if (started.statusCode !== 200) throw new Error(`POST /api/links answered ${started.statusCode}: ${started.body}`);
  const { authorizeUrl } = started.json<{ authorizeUrl: string }>();
  const callback = await signInAtPortal(authorizeUrl, login, decision);
  const response = await app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}`, headers: { cookie } });
  const location = response.headers.location;
  return { authorizeUrl, callback, response, location: typeof location === 'string' ? new URL(location) : null };
}
