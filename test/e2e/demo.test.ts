import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';

const dataDir = mkdtempSync(join(tmpdir(), 'carebinder-demo-'));
chmodSync(dataDir, 0o755); // as .data/ is: run as root, PostgreSQL runs as its own user and must reach it
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('npm run demo', () => {
  it('starts on the embedded PostgreSQL and stops cleanly when Ctrl+C reaches its whole process group', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, CAREBINDER_DATA_DIR: dataDir, PORT: String(port) };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'CAREBINDER_SECRET_KEY', 'PUBLIC_URL']) delete env[name];
    // Its own process group, as a terminal gives it: the signal reaches PostgreSQL too.
    const demo = spawn(process.execPath, ['--import', 'tsx', 'src/demo.ts'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    demo.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));

    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const found = /^carebinder (\S+)$/m.exec(stdout)?.[1];
        if (found) {
          clearInterval(timer);
          resolve(found);
        }
      }, 100);
      void exited.then((code) => {
        clearInterval(timer);
        reject(new Error(`the demo exited ${code}: ${stderr}`));
      });
    });
    const ready = await fetch(`${url}/health/ready`);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: 'up', queueStore: 'postgres' } });
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(true);

    process.kill(-demo.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/Unhandled 'error' event|uncaught/i);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 120_000);
});
