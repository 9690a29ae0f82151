// Security headers, rate limiting, cookies, the same-origin check that refuses
// cookie-authenticated state changes coming from another site's pages (CSRF), and the edge
// check that refuses text PostgreSQL cannot hold before any route runs.
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { BadRequestError, ForbiddenError } from '../errors.js';

export interface SecurityPluginOptions {
  publicUrl: string;
  /** Requests per minute per client address across the whole API. */
  requestsPerMinute: number;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const SESSION_COOKIE = 'carebinder_session';

export default fp<SecurityPluginOptions>(
  async (app, { publicUrl, requestsPerMinute }) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'https:'],
          connectSrc: ["'self'"],
          frameSrc: ["'self'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'self'"],
          formAction: ["'self'", 'https:', 'http:'],
          upgradeInsecureRequests: null,
        },
      },
      // The portal sign-in is a top-level navigation to another origin; the default COOP is fine,
      // but a strict CORP would block the PDF viewer embedding our own documents.
      crossOriginResourcePolicy: { policy: 'same-origin' },
    });
    await app.register(rateLimit, {
      max: requestsPerMinute,
      timeWindow: '1 minute',
      // Health probes must keep answering under load.
      allowList: (request) => request.url.startsWith('/health/'),
    });
    await app.register(cookie);

    // Every string that comes from outside (path parameters, query, headers, cookies, and each
    // string and key of a parsed body) must be text PostgreSQL can store: checked once here, so no
    // route can hand the database a value it refuses with a 5xx (SQLSTATE 22021 / 22P05).
    app.addHook('onRequest', async (request) => {
      refuseUnstorable([
        ['params', request.params],
        ['query', request.query],
        ['header', request.headers],
        ['cookie', request.cookies],
      ]);
    });
    app.addHook('preValidation', async (request) => {
      refuseUnstorable([['body', request.body]]);
    });

    const trustedOrigin = new URL(publicUrl).origin;
    app.addHook('onRequest', async (request) => {
      if (!STATE_CHANGING.has(request.method)) return;
      if (request.cookies[SESSION_COOKIE] === undefined) return; // no ambient credential to abuse
      const origin = request.headers.origin ?? originOf(request.headers.referer);
      if (origin === undefined) return; // not a browser: the cookie was sent deliberately
      const sameHost = origin === `${request.protocol}://${request.host}`;
      if (origin !== trustedOrigin && !sameHost) {
        throw new ForbiddenError(`Requests from ${origin} may not change data here (cross-site request refused).`);
      }
    });
  },
  { name: 'security' },
);

// NUL, or a UTF-16 surrogate without its pair (with the u flag a proper pair is one code point).
const UNSTORABLE = /[\0\p{Cs}]/u;

/** True when PostgreSQL's text (UTF-8, no NUL) cannot hold this string as it is. */
export function isUnstorableText(text: string): boolean {
  return UNSTORABLE.test(text);
}

/**
 * The path (e.g. `body.items.2.name`) of the first string or object key that PostgreSQL text cannot
 * hold, or null. Walks objects and arrays without recursion, so a deeply nested body cannot
 * overflow the stack; buffers and streams are not text and are left to their route.
 */
export function findUnstorableText(roots: ReadonlyArray<readonly [string, unknown]>): string | null {
  const stack: Array<readonly [string, unknown]> = [...roots].reverse();
  while (stack.length > 0) {
    const [path, value] = stack.pop()!;
    if (typeof value === 'string') {
      if (isUnstorableText(value)) return path;
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([`${path}.${i}`, value[i]]);
    } else if (isPlainObject(value)) {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        if (isUnstorableText(key)) return `${path} (a key)`;
        stack.push([`${path}.${key}`, child]);
      }
    }
  }
  return null;
}

// Parsed JSON and form bodies, and Fastify's params and query (objects of their own prototype-less
// classes), are walked; binary and streamed bodies are not text.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date) return false;
  return typeof (value as { pipe?: unknown }).pipe !== 'function';
}

function refuseUnstorable(roots: ReadonlyArray<readonly [string, unknown]>): void {
  const path = findUnstorableText(roots);
  if (path === null) return;
  const message = 'contains a character carebinder cannot store (a NUL byte or an unpaired UTF-16 surrogate)';
  throw new BadRequestError(`${path}: ${message}.`, { errors: [{ path, message }] });
}

function originOf(referer: string | undefined): string | undefined {
  if (!referer || !URL.canParse(referer)) return undefined;
  return new URL(referer).origin;
}
