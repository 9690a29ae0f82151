// Portal catalog, linking (SMART standalone launch) and link management.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LinkList, LinkParams, Link as LinkAnswer, LinkStarted, PortalList, SmartCallbackQuery, StartLink, UnlinkQuery } from '../api/portals.js';
import { AppError, BadGatewayError, NotFoundError } from '../errors.js';
import { requireAccount } from '../plugins/auth.js';
import { SESSION_COOKIE } from '../plugins/security.js';
import { createAccountRepository } from '../accounts/repository.js';
import { PortalResponseError, PortalUnreachableError } from '../http/portal-http.js';
import { enqueueSync, scheduleLinkSync, unscheduleLinkSync } from '../jobs/sync.js';
import { withPortal } from '../observability/portal-context.js';
import { createPortalRegistry, type Portal } from './registry.js';
import { createLinkRepository, type Link, type StoredTokens } from './links.js';
import { createSmartLaunch, isNetworkFailure, issuerProblem, oauthErrorFrom } from './smart-launch.js';
import { discoverSmartConfiguration, expectedIssuer } from './discovery.js';
import { linkOutcomePath, reasonForTokenError, type LinkFailureReason } from './link-outcome.js';
import { expiryFrom, fhirUserOf, introspectExpiry, revokeToken, TokenResponseError, validateLaunchTokenResponse } from './tokens.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function linkView(link: Link): LinkAnswer {
  return {
    id: link.id,
    portal: { id: link.portalId, name: link.portalName },
    portalPatientId: link.portalPatientId,
    status: link.status === 'unlinked' ? 'error' : link.status,
    statusReason: link.statusReason,
    grantedScopes: link.grantedScopes.split(/\s+/).filter(Boolean),
    lastSync: { startedAt: iso(link.lastSyncStartedAt), finishedAt: iso(link.lastSyncFinishedAt), state: link.lastSyncState },
    accessTokenExpiresAt: iso(link.accessExpiresAt),
    refreshTokenExpiresAt: iso(link.refreshExpiresAt),
    hasRefreshToken: link.hasRefreshToken,
    createdAt: link.createdAt.toISOString(),
  };
}

/** An OAuth error code for the log: RFC 6749 codes are short ASCII; anything else is not repeated. */
const oauthErrorCode = (error: string) => (/^[\w.-]{1,64}$/.test(error) ? error : 'other');

/** The issuer of a launch started before carebinder stored it with the launch (migration 0008). */
async function issuerDiscoveredNow(portal: Portal): Promise<string | null> {
  return withPortal(portal.id, () => discoverSmartConfiguration(portal.fhirBaseUrl)).then(
    (configuration) => expectedIssuer(configuration, portal.fhirBaseUrl),
    () => null,
  );
}

const portalView = (portal: Portal) => ({ id: portal.id, name: portal.name, fhirBaseUrl: portal.fhirBaseUrl, brand: portal.brand });

export const portalRoutes: FastifyPluginAsyncZod<{ publicUrl: string; syncEveryMs: number }> = async (app, { publicUrl, syncEveryMs }) => {
  const registry = createPortalRegistry(app.db, app.secretBox);
  const links = createLinkRepository(app.db, app.secretBox);
  const accounts = createAccountRepository(app.db);
  const launch = createSmartLaunch({ pool: app.db, box: app.secretBox, registry, publicUrl });

  app.get(
    '/api/portals',
    { schema: { tags: ['portals'], summary: 'The hospital portals this carebinder can link', response: { 200: PortalList } } },
    async () => ({ portals: (await registry.list()).map(portalView) }),
  );

  app.post(
    '/api/links',
    {
      schema: {
        tags: ['links'],
        summary: 'Start linking a portal: returns the portal sign-in URL to open in the browser',
        body: StartLink,
        response: { 200: LinkStarted },
      },
    },
    async (request) => {
      const account = requireAccount(request);
      const portal = await registry.find(request.body.portalId);
      if (!portal) throw new NotFoundError(`There is no portal "${request.body.portalId}".`);
      try {
        const started = await withPortal(portal.id, () => launch.start(account.id, portal));
        await app.audit.record(request, 'link.start', `portal:${portal.id}`);
        request.log.info({ portalId: portal.id, scopes: started.scopes }, 'link started');
        return { authorizeUrl: started.authorizeUrl, expiresInSeconds: 600 };
      } catch (error) {
        if (error instanceof PortalUnreachableError || error instanceof PortalResponseError || isNetworkFailure(error)) {
          throw new BadGatewayError(`The portal "${portal.name}" (${portal.fhirBaseUrl}) is unreachable or not answering as a SMART on FHIR server: try again later.`, { cause: error });
        }
        throw error;
      }
    },
  );

  app.get('/api/links', { schema: { tags: ['links'], summary: "The patient's linked portals", response: { 200: LinkList } } }, async (request) => ({
    links: (await links.listForAccount(requireAccount(request).id)).map(linkView),
  }));

  app.get(
    '/api/links/:id',
    { schema: { tags: ['links'], summary: 'One linked portal', params: LinkParams, response: { 200: LinkAnswer } } },
    async (request) => {
      const link = await links.findForAccount(request.params.id, requireAccount(request).id);
      if (!link) throw new NotFoundError('No such link.');
      return linkView(link);
    },
  );

  app.delete(
    '/api/links/:id',
    {
      schema: {
        tags: ['links'],
        summary: "Unlink a portal: revokes carebinder's access at the portal and deletes the tokens; records stay unless deleteRecords=true",
        params: LinkParams,
        querystring: UnlinkQuery,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const link = await links.findForAccount(request.params.id, requireAccount(request).id);
      if (!link) throw new NotFoundError('No such link.');
      await unscheduleLinkSync(app.queues.sync, link.id);
      const tokens = await links.tokens(link.id).catch(() => null);
      if (tokens && link.revocationEndpoint) await revokeAtPortal(link, tokens, await registry.find(link.portalId));
      if (request.query.deleteRecords === 'true') await links.delete(link.id);
      else await links.markUnlinked(link.id);
      await app.audit.record(request, 'link.remove', `link:${link.id}`);
      request.log.info({ linkId: link.id, deleteRecords: request.query.deleteRecords }, 'link removed');
      return reply.code(204).send(null);
    },
  );

  async function revokeAtPortal(link: Link, tokens: StoredTokens, portal: Portal | null): Promise<void> {
    const endpoint = link.revocationEndpoint;
    if (!portal || !endpoint) return;
    const credentials = { clientId: portal.clientId, clientSecret: await registry.clientSecret(portal.id) };
    for (const [token, hint] of [
      [tokens.refresh_token, 'refresh_token'],
      [tokens.access_token, 'access_token'],
    ] as const) {
      if (!token) continue;
      const revoked = await withPortal(portal.id, () => revokeToken(endpoint, token, hint, credentials)).catch(() => false);
      if (!revoked) app.log.warn({ linkId: link.id, hint }, 'portal did not confirm revocation; tokens deleted here anyway');
    }
  }

  // The redirect URI. A browser navigation: every outcome goes back to the web client as a reason
  // code (link-outcome.ts), never as a JSON body; a state we cannot trust stores nothing.
  app.get(
    '/smart/callback',
    {
      // A malformed callback still sends the browser back to the client (bad-callback).
      attachValidation: true,
      // Whatever else goes wrong (the database down, say) is logged and still ends on the client.
      errorHandler: (failure, request, reply) => {
        const status = failure instanceof AppError ? failure.status : (failure as { statusCode?: unknown }).statusCode;
        if (typeof status === 'number' && status < 500) request.log.warn({ status }, 'link callback refused');
        else request.log.error({ err: failure }, 'link callback failed');
        void reply.redirect(`${publicUrl}${linkOutcomePath(null, { ok: false, reason: 'failed' })}`, 303);
      },
      schema: {
        tags: ['links'],
        summary: 'SMART redirect URI (the portal sends the browser here); always answers 303 to the web client',
        querystring: SmartCallbackQuery,
      },
    },
    async (request, reply) => {
      const leave = (portalId: string | null, reason: LinkFailureReason) => {
        request.log.warn({ portalId, reason }, 'link failed');
        return reply.redirect(`${publicUrl}${linkOutcomePath(portalId, { ok: false, reason })}`, 303);
      };
      if (request.validationError) return leave(null, 'bad-callback');
      const { state, code, error, iss } = request.query;
      // carebinder's states are printable ASCII; anything else (a NUL, say) was never issued.
      if (!state || !/^[\x21-\x7e]+$/.test(state)) return leave(null, 'stale');
      const token = request.cookies[SESSION_COOKIE];
      const account = token ? await accounts.findSessionAccount(token) : null;
      if (!account) return leave(null, 'signed-out');

      const pending = await launch.findLaunch(state);
      if (!pending) return leave(null, 'stale');
      if (pending.account_id !== account.id) return leave(null, 'other-account');
      const sealed = await launch.claim(state);
      if (pending.used || sealed === null) return leave(pending.portal_id, pending.expired ? 'expired' : 'replayed');
      const portal = await registry.find(pending.portal_id);
      if (!portal) return leave(null, 'portal-removed');

      const back = (outcome: { ok: true } | { ok: false; reason: LinkFailureReason }) => reply.redirect(`${publicUrl}${linkOutcomePath(portal.id, outcome)}`, 303);
      const refuse = (reason: LinkFailureReason, detail: Record<string, unknown> = {}) => {
        request.log.warn({ portalId: portal.id, reason, ...detail }, 'link failed');
        return back({ ok: false, reason });
      };

      // RFC 9207, before anything in the response is believed (an error included): a response
      // naming another server is a mix-up attempt and its code is never sent anywhere.
      const launchIssuer = {
        issuer: pending.issuer ?? (iss === undefined ? null : await issuerDiscoveredNow(portal)),
        issParameterSupported: pending.iss_parameter_supported,
      };
      const issuerRefusal = issuerProblem(launchIssuer, iss);
      if (issuerRefusal) return refuse(issuerRefusal);

      if (error) return refuse(error === 'access_denied' ? 'access-denied' : 'portal-error', { error: oauthErrorCode(error) });
      if (!code) return refuse('no-code');

      let tokenResponse;
      try {
        tokenResponse = validateLaunchTokenResponse(await launch.exchangeCode(state, sealed, code, portal.id));
      } catch (failure) {
        const oauth = oauthErrorFrom(failure);
        if (oauth) return refuse(reasonForTokenError(oauth.error), { error: oauthErrorCode(oauth.error) });
        if (failure instanceof TokenResponseError) return refuse(failure.problem === 'no-patient' ? 'no-patient' : 'token-unusable');
        if (isNetworkFailure(failure)) return refuse('portal-unreachable');
        return refuse('failed', { error: (failure as Error).name });
      }

      const configuration = await withPortal(portal.id, () => discoverSmartConfiguration(portal.fhirBaseUrl));
      let refreshExpiresAt: Date | null = null;
      if (tokenResponse.refresh_token && configuration.introspectionEndpoint) {
        const credentials = { clientId: portal.clientId, clientSecret: await registry.clientSecret(portal.id) };
        const { introspectionEndpoint } = configuration;
        const refreshToken = tokenResponse.refresh_token;
        refreshExpiresAt = await withPortal(portal.id, () => introspectExpiry(introspectionEndpoint, refreshToken, 'refresh_token', credentials)).catch(() => null);
      }
      const { link, created } = await links.saveGrant({
        accountId: account.id,
        portalId: portal.id,
        portalPatientId: tokenResponse.patient,
        fhirUser: fhirUserOf(tokenResponse),
        tokens: tokenResponse,
        accessExpiresAt: expiryFrom(tokenResponse.expires_in),
        refreshExpiresAt,
        endpoints: { token: configuration.tokenEndpoint, revocation: configuration.revocationEndpoint, introspection: configuration.introspectionEndpoint },
      });
      // The callback has no guarded session (it is not under /api): the account is the launch's.
      await app.audit.record(request, 'link.create', `link:${link.id}`, account.id);
      try {
        await scheduleLinkSync(app.queues.sync, link.id, syncEveryMs);
        await enqueueSync(app.queues.sync, link.id);
        await links.markSyncQueued(link.id);
      } catch (failure) {
        request.log.error({ linkId: link.id, err: failure }, 'could not queue the sync; "Sync now" or the next start will retry');
      }
      request.log.info({ linkId: link.id, portalId: portal.id, created }, 'portal linked');
      return back({ ok: true });
    },
  );
};
