// The SMART standalone launch, run server-side with fhirclient (SMART client-js): authorize()
// builds the portal's sign-in URL with PKCE S256, ready() exchanges the code. Its launch state
// lives in PostgreSQL, sealed, bound to the patient who started it, single use, 10 minutes.
//
// fhirclient's server-side pitfalls (../shared/STACK.md), and how each is handled here:
// 1. SMART_KEY is one global "current launch" slot: the storage ignores that key entirely;
//    ready() works from the URL's `state`.
// 2-4. Refresh via fhirclient (client_id omitted, 401 wiping tokens, unawaited saves): carebinder
//    does not refresh through fhirclient; token-refresh.ts does it under a row lock.
// 5. Discovery results, failures included, cached for the process's life: getAndCache is
//    replaced with an uncached fetch (discovery.ts caches nothing either).
// 6. node-fetch 2 underneath: nothing to do (nock intercepts it in tests).
// Also: ready() puts the authorization code into the token request body without URL-encoding
// it, so the code is handed over pre-encoded.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import smart from 'fhirclient';
import type { fhirclient } from 'fhirclient/lib/types.js';
import type { Pool } from '../db/pool.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Portal, PortalRegistry } from './registry.js';
import { discoverSmartConfiguration, expectedIssuer, scopesFor, type SmartConfiguration } from './discovery.js';

const require = createRequire(import.meta.url);
const fhirclientLib = require('fhirclient/lib/lib.js') as {
  getAndCache: (url: string, options?: object, force?: boolean) => Promise<unknown>;
  request: (url: string, options?: object) => Promise<unknown>;
};
fhirclientLib.getAndCache = (url, options) => fhirclientLib.request(url, options);

/** fhirclient's name for its "current launch" pointer (settings.SMART_KEY). */
const SMART_KEY = 'SMART_KEY';
export const LAUNCH_TTL_MS = 10 * 60_000;

const launchContext = (state: string) => `launch:${state}`;

interface LaunchRow {
  state: string;
  account_id: string;
  portal_id: string;
  payload_enc: string | null;
  expired: boolean;
  used: boolean;
  /** The issuer discovered when the launch started (NULL for launches from before migration 0008). */
  issuer: string | null;
  iss_parameter_supported: boolean;
}

/** The RFC 9207 facts a launch keeps for its callback. */
export interface LaunchIssuer {
  issuer: string | null;
  issParameterSupported: boolean;
}

/**
 * RFC 9207 §2.4: why an authorization response must be refused, or null when its `iss` is fine.
 * When the server promised `iss` (authorization_response_iss_parameter_supported), a response
 * without it is refused; whenever `iss` is present it must equal the issuer discovered for this
 * launch, by simple string comparison. Applies to error responses as well as to codes.
 */
export function issuerProblem(launch: LaunchIssuer, iss: string | undefined): 'issuer-missing' | 'issuer-mismatch' | null {
  if (iss === undefined) return launch.issParameterSupported ? 'issuer-missing' : null;
  return launch.issuer !== null && iss === launch.issuer ? null : 'issuer-mismatch';
}

/** A stand-in for the incoming request: fhirclient only reads its URL and host. */
function requestAt(publicUrl: string, pathAndQuery: string): IncomingMessage {
  const url = new URL(publicUrl);
  return {
    url: pathAndQuery,
    headers: { host: url.host, 'x-forwarded-proto': url.protocol.replace(':', '') },
    socket: { encrypted: url.protocol === 'https:' },
  } as unknown as IncomingMessage;
}
const noResponse = {} as ServerResponse;

export interface StartedLaunch {
  authorizeUrl: string;
  state: string;
  scopes: string;
  configuration: SmartConfiguration;
}

export function createSmartLaunch(deps: { pool: Pool; box: SecretBox; registry: PortalRegistry; publicUrl: string }) {
  const { pool, box, registry, publicUrl } = deps;
  const redirectUri = `${publicUrl}/smart/callback`;

  /** Storage for authorize(): every write is bound to this patient and portal. */
  const storageForStart = (accountId: string, portalId: string, issuer: LaunchIssuer): fhirclient.Storage => ({
    get: async () => undefined,
    unset: async () => true,
    set: async (key: string, value: unknown) => {
      if (key === SMART_KEY || !key) return value;
      await pool.query(
        `INSERT INTO smart_launches (state, account_id, portal_id, payload_enc, expires_at, issuer, iss_parameter_supported)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), $6, $7)
         ON CONFLICT (state) DO UPDATE SET payload_enc = excluded.payload_enc
           WHERE smart_launches.account_id = excluded.account_id`,
        [key, accountId, portalId, box.sealJson(value, launchContext(key)), LAUNCH_TTL_MS / 1000, issuer.issuer, issuer.issParameterSupported],
      );
      return value;
    },
  });

  /** Storage for ready(): reads the sealed launch state (adding the client secret back); writes stay in memory. */
  const storageForCompletion = (state: string, sealed: string, clientSecret: string | undefined): fhirclient.Storage => {
    const memory = new Map<string, unknown>();
    return {
      get: async (key: string) => {
        if (key !== state) return undefined;
        if (memory.has(key)) return memory.get(key);
        const value = box.openJson<Record<string, unknown>>(sealed, launchContext(state));
        return clientSecret ? { ...value, clientSecret } : value;
      },
      set: async (key: string, value: unknown) => {
        if (key !== SMART_KEY) memory.set(key, value);
        return value;
      },
      unset: async () => true,
    };
  };

  return {
    redirectUri,

    async start(accountId: string, portal: Portal): Promise<StartedLaunch> {
      const configuration = await discoverSmartConfiguration(portal.fhirBaseUrl);
      const scopes = scopesFor(configuration, portal.scopes);
      const state = randomBytes(24).toString('base64url');
      await pool.query(`DELETE FROM smart_launches WHERE expires_at < now() - interval '1 day'`);
      const issuer = { issuer: expectedIssuer(configuration, portal.fhirBaseUrl), issParameterSupported: configuration.issParameterSupported };
      const client = smart(requestAt(publicUrl, '/'), noResponse, storageForStart(accountId, portal.id, issuer));
      const authorizeUrl = await client.authorize({
        iss: portal.fhirBaseUrl,
        clientId: portal.clientId,
        scope: scopes,
        redirectUri,
        noRedirect: true,
        // PKCE S256 always, also for portals whose discovery does not list it (SMART v1 era):
        // "unsafeV1" is fhirclient's name for "send the challenge regardless".
        pkceMode: 'unsafeV1',
        stateKey: state,
      });
      if (typeof authorizeUrl !== 'string') throw new Error('fhirclient did not return an authorize URL');
      return { authorizeUrl, state, scopes, configuration };
    },

    async findLaunch(state: string): Promise<LaunchRow | null> {
      const { rows } = await pool.query<LaunchRow>(
        `SELECT state, account_id, portal_id, payload_enc, expires_at <= now() AS expired, used_at IS NOT NULL AS used,
                issuer, iss_parameter_supported
           FROM smart_launches WHERE state = $1`,
        [state],
      );
      return rows[0] ?? null;
    },

    /**
     * Marks the launch used and returns its sealed state, which leaves the table in the same
     * statement (whatever the callback's outcome, a used launch holds no secret); null when it
     * was already used or has expired (single use).
     */
    async claim(state: string): Promise<string | null> {
      const { rows } = await pool.query<{ payload_enc: string | null }>(
        `UPDATE smart_launches s SET used_at = now(), payload_enc = NULL
           FROM (SELECT state, payload_enc FROM smart_launches WHERE state = $1 FOR UPDATE) before
          WHERE s.state = before.state AND s.used_at IS NULL AND s.expires_at > now()
          RETURNING before.payload_enc`,
        [state],
      );
      return rows[0]?.payload_enc ?? null;
    },

    /** Exchanges the code with fhirclient's ready(); returns the raw token response. */
    async exchangeCode(state: string, sealedPayload: string, code: string, portalId: string): Promise<Record<string, unknown>> {
      const clientSecret = await registry.clientSecret(portalId);
      const query = new URLSearchParams({ state, code: encodeURIComponent(code) });
      const client = smart(requestAt(publicUrl, `/smart/callback?${query}`), noResponse, storageForCompletion(state, sealedPayload, clientSecret));
      const ready = await client.ready();
      return { ...(ready.state.tokenResponse ?? {}) };
    },
  };
}

export type SmartLaunch = ReturnType<typeof createSmartLaunch>;

/** What fhirclient's HttpError says the token endpoint answered ("error: description"). */
export function oauthErrorFrom(error: unknown): { error: string; description?: string } | null {
  if (!(error instanceof Error) || error.name !== 'HttpError') return null;
  // HttpError.message: "<status> <text>\nURL: <url>\n<error>: <error_description>"
  const detail = error.message.split('\n')[2];
  const match = detail ? /^([\w.-]+)(?::\s*([\s\S]*))?$/.exec(detail.trim()) : null;
  if (!match) return { error: `http_${(error as { status?: number }).status ?? 'error'}` };
  return match[2] ? { error: match[1], description: match[2] } : { error: match[1] };
}

/** fhirclient's network failures (node-fetch FetchError with a system code). */
export function isNetworkFailure(error: unknown): boolean {
  const e = error as { name?: string; type?: string; code?: string } | undefined;
  return e?.name === 'FetchError' || e?.type === 'system' || /ECONN|ENOTFOUND|EAI_AGAIN|socket hang up/.test(String(e?.code ?? (error as Error)?.message));
}
