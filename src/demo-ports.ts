// Ports for `npm run demo`: its usual port when free, else one the kernel picks, so a second demo
// (or anything else on 3000) does not stop it. A port the user chose (PORT) is never moved.
import { createServer } from 'node:net';

/** Whether something already listens on host:port (EADDRINUSE when we try). */
export async function portInUse(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(true) : reject(error)));
    probe.listen(port, host, () => probe.close(() => resolve(false)));
  });
}

/** A port free right now on host (the kernel's pick). */
export async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export interface PortChoice {
  port: number;
  /** Set when the usual port was taken: one line saying where the demo went. */
  moved: string | null;
}

/**
 * The demo's port: PORT when set (kept even when taken: startup then names PORT), else `usual`
 * when free, else a free one. With PUBLIC_URL set the port is the user's business too.
 */
export async function choosePort(env: NodeJS.ProcessEnv, usual: number, host: string): Promise<PortChoice> {
  if (env.PORT || env.PUBLIC_URL) return { port: Number(env.PORT ?? usual), moved: null };
  if (!(await portInUse(usual, host))) return { port: usual, moved: null };
  const port = await freePort(host);
  return { port, moved: `port ${usual} is taken: carebinder moved to port ${port} (set PORT to choose another)` };
}

/** One line for a port that cannot be listened on, naming the variable that sets it. */
export function portTakenMessage(error: unknown, variable: string): string | null {
  const failure = error as { code?: string; port?: number } | null;
  if (failure?.code !== 'EADDRINUSE') return null;
  const which = failure.port === undefined ? 'its port' : `port ${failure.port}`;
  return `${which} is already in use: set ${variable} to a free port (for example ${variable}=3001)`;
}
