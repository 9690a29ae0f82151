// GETs against one linked portal, coping with what real portals do: 429 with Retry-After
// (waited out without using up a job attempt), 5xx bursts, timeouts and dropped connections
// (exponential backoff with jitter, bounded), and an access token that expires mid-sync
// (refresh once on 401, then continue). Tokens go only to the portal's own origin.
// Written here rather than taken from a retry library because the retry is tied to the token:
// a 401 must refresh through the link's locked, rotating refresh token (src/portals/token-refresh.ts)
// once and replay, a 429 must wait without spending an attempt, and each wait is reported to the
// sync's progress; generic retry wrappers (p-retry, got's retry) see only status codes.
import { sourceUrlResolver } from '../records/source-url.js';
import { portalRequest, PortalUnreachableError, parseJsonObject, type PortalResponse } from '../http/portal-http.js';
import type { PortalRequestKind } from '../observability/metrics.js';
import type { TokenKeeper } from '../portals/token-refresh.js';
import type { PortalLimiter } from './portal-limiter.js';

export interface RetryPolicy {
  /** Transient failures (5xx, network) retried per request before the job attempt fails. */
  transientRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this ends the request with PortalRateLimitedError (the job waits instead). */
  maxRetryAfterMs: number;
  /** 429s waited out per request before giving the wait to the job. */
  rateLimitWaits: number;
}

/**
 * The largest search page accepted. With three pages in flight (fetching, preparing, writing)
 * this bounds the worker's heap well inside the 192 MB `npm run worker` gives it.
 */
export const MAX_PAGE_BYTES = 16 * 1024 * 1024;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  transientRetries: 4,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
  rateLimitWaits: 10,
};

/** The portal asked us to wait longer than a request should: the job reschedules itself. */
export class PortalRateLimitedError extends Error {
  override name = 'PortalRateLimitedError';
  constructor(readonly retryAfterMs: number) {
    super(`the portal asked to wait ${Math.round(retryAfterMs / 1000)} s (429)`);
  }
}

/** The portal kept failing (5xx, timeouts, resets, unreadable pages) past the retries. */
export class PortalUnavailableError extends Error {
  override name = 'PortalUnavailableError';
}

/** A definite 4xx answer (other than 401/429): the caller decides what it means. */
export class PortalClientError extends Error {
  override name = 'PortalClientError';
  constructor(
    readonly status: number,
    readonly url: string,
    readonly outcome: string | null,
  ) {
    super(`HTTP ${status}${outcome ? ` (${outcome})` : ''}`);
  }
}

export interface FhirHttpDeps {
  fhirBaseUrl: string;
  portalId: string;
  linkId: string;
  tokens: TokenKeeper;
  limiter: PortalLimiter;
  retry?: Partial<RetryPolicy>;
  /** Called when a wait starts, for progress and logs. */
  onWait?: (reason: string, ms: number) => void;
}

export function createFhirHttp(deps: FhirHttpDeps) {
  const policy = { ...DEFAULT_RETRY_POLICY, ...deps.retry };
  const base = deps.fhirBaseUrl.replace(/\/+$/, '');
  let token: string | undefined;

  /** Absolute URL on the portal for a relative reference or link; null when it points elsewhere. */
  const resolve = sourceUrlResolver(base);

  async function send(url: string, accept: string, maxBytes: number, kind: PortalRequestKind): Promise<PortalResponse> {
    const release = await deps.limiter.acquire(deps.portalId);
    try {
      token ??= await deps.tokens.accessToken(deps.linkId);
      return await portalRequest(url, { headers: { accept, authorization: `Bearer ${token}` } }, { maxBytes, timeoutMs: 30_000, kind });
    } finally {
      await release();
    }
  }

  async function get(url: string, options: { accept?: string; maxBytes?: number; kind?: PortalRequestKind } = {}): Promise<PortalResponse> {
    const target = resolve(url);
    if (!target) throw new PortalClientError(400, url, 'the URL is not on the portal, so no token is sent there');
    const kind = options.kind ?? requestKind(target);
    const accept = options.accept ?? 'application/fhir+json, application/json;q=0.9';
    const maxBytes = options.maxBytes ?? MAX_PAGE_BYTES;
    let transientFailures = 0;
    let rateLimitWaits = 0;
    let refreshed = false;
    for (;;) {
      let response: PortalResponse;
      try {
        response = await send(target, accept, maxBytes, kind);
      } catch (error) {
        if (!(error instanceof PortalUnreachableError)) throw error;
        if (++transientFailures > policy.transientRetries) throw new PortalUnavailableError(`the portal ${error.message}`, { cause: error });
        await pause(backoff(transientFailures), 'network');
        continue;
      }
      if (response.status >= 200 && response.status < 300) return response;
      if (response.status === 401 && !refreshed) {
        refreshed = true;
        const rejectedAt = new Date();
        token = await deps.tokens.accessToken(deps.linkId, { rejectedAt });
        continue;
      }
      if (response.status === 429) {
        const wait = retryAfterMs(response) ?? backoff(rateLimitWaits + 1);
        if (wait > policy.maxRetryAfterMs || ++rateLimitWaits > policy.rateLimitWaits) throw new PortalRateLimitedError(wait);
        // Waited out in the limiter: every request to this portal, in every worker, holds back
        // until then, instead of each one finding the 429 for itself.
        await deps.limiter.backOff(deps.portalId, wait);
        deps.onWait?.('429', wait);
        continue;
      }
      if (response.status >= 500 || response.status === 408) {
        if (++transientFailures > policy.transientRetries) throw new PortalUnavailableError(`the portal answered HTTP ${response.status} ${transientFailures} times`);
        await pause(Math.max(backoff(transientFailures), retryAfterMs(response) ?? 0), `HTTP ${response.status}`);
        continue;
      }
      throw new PortalClientError(response.status, target, outcomeText(response.text));
    }
  }

  /** GET a JSON body; an unreadable body counts as a transient failure (a truncated page) and is retried. */
  async function getJson(url: string): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const response = await get(url);
      const body = parseJsonObject(response.text);
      if (body !== undefined) return body;
      if (attempt > policy.transientRetries) throw new PortalUnavailableError('the portal kept answering with unreadable JSON');
      await pause(backoff(attempt), 'malformed JSON');
    }
  }

  function backoff(failures: number): number {
    const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - 1));
    return exponential / 2 + Math.random() * (exponential / 2);
  }

  async function pause(ms: number, reason: string): Promise<void> {
    deps.onWait?.(reason, ms);
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  return { get, getJson, resolve, base };
}

export type FhirHttp = ReturnType<typeof createFhirHttp>;

/** What a GET is for, read from its URL: the CapabilityStatement, a search (or its next page), a Binary, or a read. */
function requestKind(url: string): PortalRequestKind {
  const { pathname, search } = new URL(url);
  if (/\/metadata$/.test(pathname)) return 'metadata';
  if (search !== '' || /\/[A-Z][A-Za-z]+\/?$/.test(pathname)) return 'search';
  return /\/Binary\/[^/]+$/.test(pathname) ? 'binary' : 'read';
}

function retryAfterMs(response: PortalResponse): number | null {
  const header = response.headers.get('retry-after');
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function outcomeText(text: string): string | null {
  const body = parseJsonObject(text) as { resourceType?: string; issue?: Array<{ diagnostics?: string; details?: { text?: string } }> } | undefined;
  if (body?.resourceType !== 'OperationOutcome') return null;
  return (body.issue ?? []).map((i) => i.diagnostics ?? i.details?.text ?? '').filter(Boolean).join('; ').slice(0, 300) || null;
}

