// Serves the built web client (web/dist, made by `npm run build:web`) at `/`: index.html for the
// client's pages, its assets with a year's cache when index.html names them by content hash
// (?v=...), and a 503 problem when the client has not been built. A browser navigating to any
// other address (not /api, /docs, /smart or /admin) gets index.html with status 404, so the client
// shows its own not-found page instead of a problem+json body; every other request to an unknown
// address keeps the problem+json 404 (reply.callNotFound, the errors plugin's handler).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem } from '../errors.js';
import { sendProblem } from '../plugins/errors.js';

export interface WebPluginOptions {
  /** The built client (default: web/dist of this repository). */
  root?: string;
}

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** The client's pages (web/src/routes.ts CLIENT_PATHS; a unit test keeps the lists in step). */
export const CLIENT_PATHS = ['/', '/sign-in', '/portals', '/binder', '/treatment', '/documents/:id', '/print', '/missing', '/requests', '/requests/new', '/add', '/uploads', '/share', '/activity'] as const;

/** Addresses that belong to the API and its tools: their unknown paths always answer problem+json. */
const SERVER_PREFIXES = ['/api', '/docs', '/smart', '/admin', '/metrics', '/health'] as const;

/**
 * Whether a request is a browser loading a page (its address bar, a link): it asks for HTML, or
 * says it is a navigation (Sec-Fetch-Mode, sent by every current browser), and is not for the API.
 */
export function isPageNavigation(method: string, url: string, headers: Record<string, string | string[] | undefined>): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const pathname = url.split('?')[0] ?? '/';
  if (SERVER_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))) return false;
  const mode = headers['sec-fetch-mode'];
  if (mode === 'navigate') return true;
  if (typeof mode === 'string' && mode !== '') return false;
  const accept = headers.accept;
  return typeof accept === 'string' && /\btext\/html\b/i.test(accept);
}

/** What web/build.ts writes besides the pages (index.html, shl.html). */
export const ASSETS = ['app.js', 'shl.js', 'app.css', 'favicon.svg'] as const;

/**
 * The SMART Health Links viewer (/shl, web/src/shl.ts) decrypts a patient's records in the reader's
 * browser: its own page with a CSP stricter than the app's. Nothing but its own script and styles;
 * requests only to this server (the manifest and files); the decrypted PDF shown from a blob: URL;
 * no framing by others, no forms posted anywhere, and no referrer (the key is in the fragment).
 */
export const SHL_VIEWER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  'frame-src blob:',
  'object-src blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';
// The page and unversioned assets: always ask whether they changed (cheap with the ETag).
const REVALIDATE = 'no-cache';

export default fp<WebPluginOptions>(
  async (app, options) => {
    const root = path.resolve(options.root ?? DEFAULT_WEB_ROOT);
    const indexFile = path.join(root, 'index.html');
    // Checked per request until found, so building after the server started needs no restart.
    let built = existsSync(indexFile);
    if (!built) app.log.warn({ root }, 'web client not built: run `npm run build:web`; `/` answers 503 until then');

    const notBuilt = (reply: FastifyReply) =>
      sendProblem(
        reply.header('cache-control', 'no-store'),
        problem(503, 'Service Unavailable', 'The web client has not been built. Run `npm run build:web` (npx tsx web/build.ts), then reload this page.'),
      );

    const isBuilt = () => (built ||= existsSync(indexFile));

    // A browser's navigation to an address no route serves: the client (which shows "Page not
    // found") with status 404. Everything else reaches the errors plugin's problem+json 404.
    // A hook rather than a catch-all route, so the router's own answers (414, 400) stay as they are.
    app.addHook('onRequest', async (request, reply) => {
      if (!request.is404 || !isPageNavigation(request.method, request.url, request.headers) || !isBuilt()) return;
      const html = await readFile(indexFile).catch(() => null);
      if (html === null) return;
      return reply.code(404).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
    });

    // Encapsulated: @fastify/static's reply.sendFile stays inside this scope and cannot clash with
    // another plugin's copy (swagger-ui registers its own).
    await app.register(async (scope) => {
      await scope.register(fastifyStatic, { root, serve: false, index: false });

      const page = async (_request: FastifyRequest, reply: FastifyReply) => {
        if (!isBuilt()) return notBuilt(reply);
        return reply.header('cache-control', REVALIDATE).sendFile('index.html', { cacheControl: false });
      };
      for (const url of CLIENT_PATHS) scope.get(url, { schema: { hide: true } }, page);

      scope.get('/shl', { schema: { hide: true } }, async (_request, reply) => {
        if (!isBuilt()) return notBuilt(reply);
        return reply
          .header('cache-control', REVALIDATE)
          .header('content-security-policy', SHL_VIEWER_CSP)
          .header('referrer-policy', 'no-referrer')
          .header('x-frame-options', 'DENY')
          .sendFile('shl.html', { cacheControl: false });
      });

      for (const asset of ASSETS) {
        scope.get(`/${asset}`, { schema: { hide: true } }, async (request, reply) => {
          if (!isBuilt()) return notBuilt(reply);
          const versioned = typeof (request.query as Record<string, unknown>).v === 'string';
          return reply.header('cache-control', versioned ? IMMUTABLE : REVALIDATE).sendFile(asset, { cacheControl: false });
        });
      }
    });
  },
  { name: 'web' },
);
