// SMART Health Links (HL7 SMART Health Cards and Links, the SHL protocol).
// The patient's side (/api/shares, signed in): create a share, which snapshots the chosen contents,
// encrypts each file under a fresh key and answers the link once; list, read (with the access log)
// and revoke. The recipient's side (/api/shl, no session: the link is the credential): the manifest
// (POST, with the passcode if the link has the P flag) and the file locations it hands out.
// The server never holds the key: it stores ciphertext, and the link that carries the key is
// answered once and forgotten.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import { hashPassword, verifyPassword } from '../accounts/passwords.js';
import type {
  Share as ShareAnswer} from '../api/shares.js';
import {
  CreateShareBody,
  SHARE_MAX_DAYS,
  SHARE_PASSCODE_ATTEMPTS,
  ShareCreated,
  ShareDetail,
  ShareList,
  ShareParams,
  ShlFileParams,
  ShlManifest,
  ShlManifestParams,
  ShlManifestRequest,
} from '../api/shares.js';
import { BadRequestError, NotFoundError, PasscodeError } from '../errors.js';
import { requireAccount } from '../plugins/auth.js';
import { encryptShareFile, SHL_KEY_BYTES } from './jwe.js';
import { encodeShlink, isRandomName, nameHash, randomName, trimSlash, viewerUrl } from './link.js';
import { createShareRepository, shareState, type Share } from './repository.js';
import { snapshotShare } from './snapshot.js';

export interface ShareRoutesOptions {
  publicUrl: string;
  /** Manifest requests per link per minute (passcode guesses included). */
  manifestRequestsPerMinute: number;
}

/** A file location lives at most this long (the SHL specification's upper bound). */
const LOCATION_TTL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const GONE = 'This link does not exist, has expired, was revoked, or was disabled after too many wrong passcodes.';

function view(share: Share): ShareAnswer {
  return {
    id: share.id,
    label: share.label,
    contents: share.contents,
    passcode: share.passcodeHash !== null,
    state: shareState(share),
    attemptsLeft: share.attemptsLeft,
    expiresAt: share.expiresAt.toISOString(),
    createdAt: share.createdAt.toISOString(),
    revokedAt: share.revokedAt?.toISOString() ?? null,
    accessCount: share.accessCount,
    lastAccessAt: share.lastAccessAt?.toISOString() ?? null,
  };
}

/** SHL apps and viewers on other origins read the manifest and files: CORS for anyone, no caching. */
async function recipientHeaders(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply
    .header('access-control-allow-origin', '*')
    .header('access-control-expose-headers', 'retry-after')
    .header('cross-origin-resource-policy', 'cross-origin')
    .header('cache-control', 'no-store');
}

export const shareRoutes: FastifyPluginAsyncZod<ShareRoutesOptions> = async (app, options) => {
  const shares = createShareRepository(app.db);
  const base = trimSlash(options.publicUrl);

  app.post(
    '/api/shares',
    {
      schema: {
        tags: ['shares'],
        summary:
          'Share a snapshot as a SMART Health Link: each file is encrypted (JWE, dir + A256GCM) under a fresh key that only the link holds. The link is answered this once',
        body: CreateShareBody,
        response: { 201: ShareCreated },
      },
    },
    async (request, reply) => {
      const account = requireAccount(request);
      const body = request.body;
      const expiresAt = new Date(body.expiresAt);
      const now = new Date();
      if (expiresAt.getTime() <= now.getTime() + 60_000) throw new BadRequestError('"expiresAt" must be in the future (a minute from now at least).');
      if (expiresAt.getTime() > now.getTime() + SHARE_MAX_DAYS * DAY_MS) throw new BadRequestError(`"expiresAt" may be at most ${SHARE_MAX_DAYS} days away.`);
      const contents = [...new Set(body.contents)];

      const snapshot = await snapshotShare(app.db, account.id, contents, now);
      const key = randomBytes(SHL_KEY_BYTES);
      const manifestId = randomName();
      let link: string;
      try {
        const files = [];
        for (const file of snapshot) files.push({ contentType: file.contentType, jwe: await encryptShareFile(file.body, key, file.contentType) });
        const share = await shares.create({
          accountId: account.id,
          manifestHash: nameHash(manifestId),
          label: body.label,
          contents,
          passcodeHash: body.passcode === undefined ? null : await hashPassword(body.passcode),
          attempts: SHARE_PASSCODE_ATTEMPTS,
          expiresAt,
          files,
        });
        link = encodeShlink({
          url: `${base}/api/shl/${manifestId}`,
          key: key.toString('base64url'),
          exp: Math.floor(expiresAt.getTime() / 1000),
          ...(body.passcode === undefined ? {} : { flag: 'P' as const }),
          label: body.label,
          v: 1,
        });
        const viewer = viewerUrl(base, link);
        const qrPng = await QRCode.toDataURL(viewer, { errorCorrectionLevel: 'M', margin: 2, scale: 6 });
        await app.audit.record(request, 'share.create', `share:${share.id}`);
        request.log.info({ shareId: share.id, contents, passcode: body.passcode !== undefined }, 'share created');
        return reply.code(201).header('cache-control', 'no-store').send({ id: share.id, link, viewerUrl: viewer, qrPng, expiresAt: expiresAt.toISOString() });
      } finally {
        key.fill(0);
      }
    },
  );

  app.get(
    '/api/shares',
    { schema: { tags: ['shares'], summary: "The patient's shares, newest first, with their state (active, expired, revoked, locked)", response: { 200: ShareList } } },
    async (request) => ({ shares: (await shares.listForAccount(requireAccount(request).id)).map(view) }),
  );

  app.get(
    '/api/shares/:id',
    {
      schema: {
        tags: ['shares'],
        summary: 'One share and its access log: when, the recipient they named, the address, and how it went. The link itself is not kept',
        params: ShareParams,
        response: { 200: ShareDetail },
      },
    },
    async (request) => {
      const found = await shares.findForAccount(request.params.id, requireAccount(request).id);
      if (!found) throw new NotFoundError('No such share.');
      return { ...view(found.share), accesses: found.accesses.map((a) => ({ ...a, at: a.at.toISOString() })) };
    },
  );

  app.delete(
    '/api/shares/:id',
    { schema: { tags: ['shares'], summary: 'Revoke a share: the link answers 404 from now on and its encrypted files are deleted', params: ShareParams, response: { 204: z.null() } } },
    async (request, reply) => {
      if (!(await shares.revoke(request.params.id, requireAccount(request).id))) throw new NotFoundError('No such share.');
      await app.audit.record(request, 'share.revoke', `share:${request.params.id}`);
      return reply.code(204).send(null);
    },
  );

  // --- The recipient's side: the SHL manifest and file locations. ---

  app.options('/api/shl/:manifestId', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply
      .code(204)
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '600')
      .send(),
  );

  app.post(
    '/api/shl/:manifestId',
    {
      config: {
        public: true,
        rateLimit: {
          max: options.manifestRequestsPerMinute,
          timeWindow: '1 minute',
          // Per link: passcode guesses against one link are slowed wherever they come from.
          keyGenerator: (request: FastifyRequest) => `shl:${(request.params as { manifestId?: string }).manifestId ?? ''}`,
        },
      },
      onRequest: recipientHeaders,
      schema: {
        tags: ['shares'],
        summary:
          'The SHL manifest (no session: the link is the credential). 401 with remainingAttempts for a missing or wrong passcode; 404 once the link has expired, was revoked or is locked',
        params: ShlManifestParams,
        body: ShlManifestRequest,
        response: { 200: ShlManifest },
      },
    },
    async (request) => {
      const { manifestId } = request.params;
      const share = isRandomName(manifestId) ? await shares.findOpenByManifest(nameHash(manifestId)) : null;
      if (!share) throw new NotFoundError(GONE);
      const { recipient, passcode, embeddedLengthMax } = request.body;
      const address = request.ip;

      if (share.passcodeHash !== null) {
        const right = passcode !== undefined && (await verifyPassword(passcode, share.passcodeHash));
        if (!right) {
          const left = await shares.spendAttempt(share.id);
          if (left === null) throw new NotFoundError(GONE);
          await shares.recordAccess(share.id, { recipient, address, outcome: left === 0 ? 'locked' : 'wrong-passcode' });
          // In the owner's trail: the recipient's address and browser (the name they typed stays in the share's own log).
          await app.audit.record(request, 'share.read-refused', `share:${share.id}`, share.accountId);
          request.log.info({ shareId: share.id, remainingAttempts: left }, 'share: wrong passcode');
          throw new PasscodeError(
            left === 0
              ? 'Wrong passcode. No attempts are left: this link is now disabled for good.'
              : `${passcode === undefined ? 'This link needs a passcode.' : 'Wrong passcode.'} ${left} attempt${left === 1 ? '' : 's'} left.`,
            left,
          );
        }
      }

      const files = await shares.files(share.id);
      if (files.length === 0) throw new NotFoundError(GONE);
      const expiresAt = new Date(Math.min(Date.now() + LOCATION_TTL_MS, share.expiresAt.getTime()));
      const locations: Array<{ tokenHash: Buffer; position: number }> = [];
      const answer = files.map((file) => {
        if (embeddedLengthMax !== undefined && file.jwe.length <= embeddedLengthMax) return { contentType: file.contentType, embedded: file.jwe };
        const token = randomName();
        locations.push({ tokenHash: nameHash(token), position: file.position });
        return { contentType: file.contentType, location: `${base}/api/shl/files/${token}` };
      });
      await shares.addLocations(share.id, locations, expiresAt);
      await shares.recordAccess(share.id, { recipient, address, outcome: 'served' });
      await app.audit.record(request, 'share.read', `share:${share.id}`, share.accountId);
      return { files: answer };
    },
  );

  app.get(
    '/api/shl/files/:token',
    {
      config: { public: true },
      onRequest: recipientHeaders,
      schema: {
        tags: ['shares'],
        summary: 'A file a manifest pointed at: a compact JWE (application/jose). Each location lives an hour at most',
        params: ShlFileParams,
      },
    },
    async (request, reply) => {
      const { token } = request.params;
      const jwe = isRandomName(token) ? await shares.readLocation(nameHash(token)) : null;
      if (jwe === null) throw new NotFoundError('No such file, or its location has expired: ask the manifest again.');
      return reply.type('application/jose').send(jwe);
    },
  );
};
