// Security headers, rate limiting, cookies, and the same-origin check that refuses
// cookie-authenticated state changes coming from another site's pages (CSRF).
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { ForbiddenError } from '../errors.js';

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

function originOf(referer: string | undefined): string | undefined {
  if (!referer || !URL.canParse(referer)) return undefined;
  return new URL(referer).origin;
}
