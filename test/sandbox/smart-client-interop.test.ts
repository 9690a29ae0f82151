// A SMART client written elsewhere (SMART Health IT's fhirclient, as a server-side app) completes
// a standalone launch against each hospital, reads records page by page and refreshes its token.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import smart from 'fhirclient';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/server.js';
import { ALL_READ, DEMO_CLIENT, signInAndConsent, startTestSandbox } from './helpers.js';

interface AppResult {
  patient: string;
  observations: number;
  total: number;
  refreshedToken: boolean;
}

/** A tiny server-side app: /launch answers the authorize URL, /callback finishes the launch and reads data. */
function startApp(): Promise<{ origin: string; close(): Promise<void> }> {
  const sessions = new Map<string, unknown>();
  const storage = {
    get: async (key: string) => sessions.get(key),
    set: async (key: string, value: unknown) => {
      sessions.set(key, value);
      return value;
    },
    unset: async (key: string) => sessions.delete(key),
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(error instanceof Error ? error.message : String(error));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url!, 'http://127.0.0.1');
    if (url.pathname === '/launch') {
      const authorizeUrl = await smart(req, res, storage).authorize({
        iss: url.searchParams.get('iss')!,
        clientId: DEMO_CLIENT,
        scope: ALL_READ,
        redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
        pkceMode: 'required',
        noRedirect: true,
      });
      res.end(authorizeUrl);
      return;
    }
    const client = await smart(req, res, storage).ready();
    const observations = await client.request<unknown[]>('Observation?_count=4', { pageLimit: 0, flat: true });
    const firstPage = await client.request<{ total: number }>('Observation?_count=4');
    const before = client.state.tokenResponse?.access_token;
    await client.refresh();
    const result: AppResult = {
      patient: client.getPatientId()!,
      observations: observations.length,
      total: firstPage.total,
      refreshedToken: client.state.tokenResponse?.access_token !== before,
    };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(result));
  }

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

describe('interoperability with fhirclient (SMART Health IT)', () => {
  let sandbox: Sandbox;
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    [sandbox, app] = await Promise.all([startTestSandbox(), startApp()]);
  });
  afterAll(async () => {
    await Promise.all([sandbox.close(), app.close()]);
  });

  it.each([
    ['northside', 'eJn7vQ2xRt5kLm9pWc4HsB3'],
    ['riverside', '41937702'],
  ])('launches against %s, pages through Observations and refreshes', async (id, patientId) => {
    const hospital = sandbox.hospital(id);
    const authorizeUrl = await (await fetch(`${app.origin}/launch?iss=${encodeURIComponent(hospital.fhirBaseUrl)}`)).text();
    expect(authorizeUrl).toContain('code_challenge_method=S256');
    const callback = await signInAndConsent(new URL(authorizeUrl));
    const response = await fetch(callback);
    expect(response.status, await response.clone().text()).toBe(200);
    const result = (await response.json()) as AppResult;
    expect(result.patient).toBe(patientId);
    expect(result.observations).toBe(result.total);
    expect(result.total).toBeGreaterThan(4);
    expect(result.refreshedToken).toBe(true);
  });
});
