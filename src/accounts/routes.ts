import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Account, Credentials, SignIn, SignUpAccepted } from '../api/accounts.js';
import { TooManyRequestsError, UnauthorizedError } from '../errors.js';
import { requireAccount } from '../plugins/auth.js';
import { SESSION_COOKIE } from '../plugins/security.js';
import {
  DEVICE_COOKIE,
  DEVICE_COOKIE_MAX_AGE_SECONDS,
  deriveDeviceCookieKey,
  newDeviceEntry,
  readDeviceCookie,
  writeDeviceCookie,
} from './device-cookies.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './passwords.js';
import { bucket, createSignInThrottle, DEFAULT_SIGN_IN_THROTTLE, type BucketKind, type SignInThrottlePolicy } from './sign-in-throttle.js';

export interface AccountRoutesOptions {
  sessionTtlMs: number;
  secureCookies: boolean;
  /** CAREBINDER_SECRET_KEY: device cookies are signed with a key derived from it. */
  secretKey: Buffer;
  signInThrottle?: SignInThrottlePolicy;
  signUpsPerMinutePerIp: number;
  signInsPerMinutePerIp: number;
}

/** The one answer to every well-formed sign-up, whether the address was free or not. */
export const SIGN_UP_ACCEPTED = {
  message:
    'Sign-up received. Sign in with this email address and the password you chose. ' +
    'If the address already had an account, nothing about it was changed.',
} as const;

const WHO: Record<BucketKind, string> = {
  device: 'from this browser',
  'account-address': 'for this email from your network address',
  address: 'from your network address',
  account: 'for this email from browsers not used with it before',
};

function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export const accountRoutes: FastifyPluginAsyncZod<AccountRoutesOptions> = async (app, options) => {
  const accounts = app.accounts;
  const throttle = createSignInThrottle(app.db, options.signInThrottle ?? DEFAULT_SIGN_IN_THROTTLE);
  const deviceKey = deriveDeviceCookieKey(options.secretKey);
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: options.secureCookies,
  };
  // Sent only with sign-in and sign-out requests, never script-readable, never cross-site.
  const deviceCookieOptions = {
    path: '/api/session',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: options.secureCookies,
    maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
  };
  const devicesOf = (request: FastifyRequest) => readDeviceCookie(deviceKey, request.cookies[DEVICE_COOKIE]);

  app.post(
    '/api/accounts',
    {
      config: { public: true, rateLimit: { max: options.signUpsPerMinutePerIp, timeWindow: '1 minute' } },
      schema: {
        tags: ['accounts'],
        summary: 'Create a patient account; the same answer whether or not the address already has one',
        body: Credentials,
        response: { 202: SignUpAccepted },
      },
    },
    async (request, reply) => {
      // Hashed first in both cases, so a taken address costs the same time as a free one.
      const account = await accounts.create(request.body.email.trim(), await hashPassword(request.body.password));
      if (account) request.log.info({ accountId: account.id }, 'account created');
      else request.log.info('sign-up for an address that already has an account: nothing changed');
      return reply.code(202).send(SIGN_UP_ACCEPTED);
    },
  );

  app.post(
    '/api/session',
    {
      config: {
        public: true,
        rateLimit: {
          max: options.signInsPerMinutePerIp,
          timeWindow: '1 minute',
          // A browser with a genuine device cookie has a budget of its own: others at its address
          // (a shared network) cannot use it up.
          keyGenerator: (request: FastifyRequest) => {
            const device = devicesOf(request)[0];
            return device ? `device:${device.nonce}` : request.ip;
          },
        },
      },
      schema: { tags: ['accounts'], summary: 'Sign in: sets the session cookie', body: SignIn, response: { 200: Account } },
    },
    async (request, reply) => {
      const emailKey = request.body.email.trim().toLowerCase();
      const found = await accounts.findCredentials(emailKey);
      const devices = devicesOf(request);
      const device = found ? devices.find((entry) => entry.accountId === found.account.id) : undefined;
      const buckets = device
        ? [bucket('device', device.nonce)]
        : [bucket('account-address', emailKey, request.ip), bucket('address', request.ip), bucket('account', emailKey)];

      const refusal = await throttle.charge(buckets);
      if (refusal) {
        const now = new Date();
        const retryAt = new Date(now.getTime() + refusal.retryAfterSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        request.log.info({ throttle: refusal.kind, retryAfterSeconds: refusal.retryAfterSeconds }, 'sign-in held back');
        // The owner's trail shows attempts on their account; an unknown address has no account, no trail.
        if (found) await app.audit.record(request, 'sign-in.held-back', null, found.account.id);
        throw new TooManyRequestsError(
          `Too many failed sign-ins ${WHO[refusal.kind]}. Try again in ${waitText(refusal.retryAfterSeconds)} (after ${retryAt}).` +
            (device ? '' : ' A browser you signed in with before is not held back.'),
          refusal.retryAfterSeconds,
          now,
        );
      }

      const valid = await verifyPassword(request.body.password, found?.passwordHash ?? DUMMY_PASSWORD_HASH);
      if (!found || !valid) {
        if (found) await app.audit.record(request, 'sign-in.failed', null, found.account.id);
        throw new UnauthorizedError('Email or password is wrong.');
      }

      // The owner proved the password: their buckets start afresh; the address's, shared with
      // everyone there, only gets this attempt back.
      if (device) await throttle.forgive(buckets, []);
      else await throttle.forgive([buckets[0], buckets[2]], [buckets[1]]);

      await app.audit.record(request, 'sign-in', null, found.account.id);
      const session = await accounts.createSession(found.account.id, options.sessionTtlMs);
      reply.setCookie(SESSION_COOKIE, session.token, { ...cookieOptions, expires: session.expiresAt });
      reply.setCookie(DEVICE_COOKIE, writeDeviceCookie(deviceKey, device ?? newDeviceEntry(found.account.id), devices), deviceCookieOptions);
      return { id: found.account.id, email: found.account.email, createdAt: found.account.createdAt.toISOString() };
    },
  );

  app.delete(
    '/api/session',
    { schema: { tags: ['accounts'], summary: 'Sign out: revokes the session', response: { 204: z.null() } } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await accounts.revokeSession(token);
      await app.audit.record(request, 'sign-out');
      // The device cookie stays: signing out does not make this browser a stranger to the account.
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/me',
    { schema: { tags: ['accounts'], summary: 'The signed-in account', response: { 200: Account } } },
    async (request) => {
      const account = requireAccount(request);
      return { id: account.id, email: account.email, createdAt: account.createdAt.toISOString() };
    },
  );
};
