import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import webPlugin, { CLIENT_PATHS } from '../../../src/web/plugin.js';
import { CLIENT_PATHS as ROUTER_PATHS, matchRoute } from '../../../web/src/routes.js';

const apps: FastifyInstance[] = [];
const dirs: string[] = [];

async function serve(root: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(webPlugin, { root });
  apps.push(app);
  return app;
}

async function builtDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'carebinder-web-'));
  dirs.push(dir);
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>carebinder</title><script type="module" src="/app.js?v=abc"></script>');
  await writeFile(path.join(dir, 'app.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'app.css'), 'body{}');
  return dir;
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('web plugin', () => {
  it('should answer index.html for the client pages, revalidated every time', async () => {
    const app = await serve(await builtDir());
    for (const url of ['/', '/print', '/binder', '/documents/abc']) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toContain('<title>carebinder</title>');
    }
  });

  it('should cache versioned assets for a year and unversioned ones not at all', async () => {
    const app = await serve(await builtDir());
    const versioned = await app.inject({ url: '/app.js?v=abc' });
    expect(versioned.statusCode).toBe(200);
    expect(versioned.headers['content-type']).toMatch(/javascript/);
    expect(versioned.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const plain = await app.inject({ url: '/app.css' });
    expect(plain.headers['cache-control']).toBe('no-cache');
    expect(plain.headers.etag).toBeDefined();
  });

  it('should answer 503 problem+json until the client is built, then serve it without a restart', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'carebinder-web-empty-'));
    dirs.push(dir);
    const root = path.join(dir, 'dist');
    const app = await serve(root);
    for (const url of ['/', '/print', '/app.js']) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(503);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 503, title: 'Service Unavailable', detail: expect.stringContaining('npm run build:web') });
    }
    await mkdir(root);
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>built</title>');
    expect((await app.inject({ url: '/' })).statusCode).toBe(200);
  });

  it('should serve the SMART Health Links viewer at /shl with its own strict CSP and no referrer', async () => {
    const dir = await builtDir();
    await writeFile(path.join(dir, 'shl.html'), '<!doctype html><title>viewer</title>');
    const app = await serve(dir);
    const response = await app.inject({ url: '/shl' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<title>viewer</title>');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('should not answer for API paths or unknown files', async () => {
    const app = await serve(await builtDir());
    expect((await app.inject({ url: '/api/me' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/secret.txt' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/../package.json' })).statusCode).toBe(404);
  });

  it('should serve every page the client router knows, and the router should know every page served', () => {
    expect([...CLIENT_PATHS].sort()).toEqual([...ROUTER_PATHS].sort());
    for (const pattern of CLIENT_PATHS) expect(matchRoute(pattern.replace(':id', 'x')).name, pattern).not.toBe('not-found');
  });
});
