// The whole of carebinder for a real browser: the web client built, the API listening on a real
// port that equals PUBLIC_URL (the SMART redirect URI, the session cookie and the same-origin
// checks depend on it), the two sandbox hospitals registered as portals, and the sync workers on
// the API's queue prefix, which the test starts and stops.
import { createServer } from 'node:net';
import type { Sandbox } from '../../../sandbox/server.js';
import { buildWeb } from '../../../web/build.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { registerSandboxPortals, startTestSandbox } from '../../helpers/sandbox.js';
import { uniquePrefix } from '../../helpers/services.js';
import { startTestWorkers } from '../../helpers/workers.js';

export interface BrowserStack {
  /** http://127.0.0.1:<port>, also the app's PUBLIC_URL. */
  baseUrl: string;
  app: TestApp;
  sandbox: Sandbox;
  /** Sandbox hospital id → the portal id registered for it. */
  portals: Record<string, string>;
  /**
   * The sync workers (on the app's queue prefix) start stopped. Stopped, a queued sync waits, as
   * it does behind other patients' jobs on a busy deployment; both calls are idempotent.
   */
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

/** A port nobody listens on right now (the kernel's pick, released again). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export async function startBrowserStack(): Promise<BrowserStack> {
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const closeOne of closers.reverse()) await closeOne().catch((error: unknown) => console.error('browser stack close:', error));
    closers.length = 0;
  };
  try {
    await buildWeb();
    const sandbox = await startTestSandbox();
    closers.push(() => sandbox.close());

    const prefix = uniquePrefix('browser');
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const app = await buildTestApp({ env: { PUBLIC_URL: baseUrl, PORT: String(port) }, queuePrefix: prefix });
    closers.push(() => app.close());
    await app.app.listen({ port, host: '127.0.0.1' });

    const portals = await registerSandboxPortals(app.pool, sandbox, uniquePrefix('w').slice(-8));
    let workers: Awaited<ReturnType<typeof startTestWorkers>> | null = null;
    const stopWorkers = async () => {
      const running = workers;
      workers = null;
      await running?.close();
    };
    closers.push(stopWorkers);
    const startWorkers = async () => {
      workers ??= await startTestWorkers(prefix);
    };
    return { baseUrl, app, sandbox, portals, startWorkers, stopWorkers, close };
  } catch (error) {
    await close();
    throw error;
  }
}
