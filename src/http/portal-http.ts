// HTTP to portals (other people's servers): bounded time, bounded size, and failures turned
// into typed errors that name the portal, never echoing tokens or bodies into messages. Each
// request is timed and counted (src/observability/metrics.ts, labelled with the current portal's
// registry id and the request's kind) and traced as a client span whose URL has no query and no ids.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { recordPortalRequest, type PortalRequestKind } from '../observability/metrics.js';
import { currentPortal } from '../observability/portal-context.js';
import { redactUrl, withSpan } from '../observability/tracing.js';

export class PortalUnreachableError extends Error {
  override name = 'PortalUnreachableError';
}

/** The portal answered, but with something we cannot use (wrong status, not JSON, too large). */
export class PortalResponseError extends Error {
  override name = 'PortalResponseError';
  constructor(
    message: string,
    readonly status: number,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/** The answer was larger than the caller's cap: a rule refused it, the portal is not at fault. */
export class PortalResponseTooLargeError extends PortalResponseError {
  override name = 'PortalResponseTooLargeError';
  constructor(
    readonly maxBytes: number,
    status: number,
    declared?: number,
  ) {
    super(declared !== undefined ? `answered with ${declared} bytes, more than the ${maxBytes}-byte limit` : `answered with more than the ${maxBytes}-byte limit`, status);
  }
}

export interface PortalRequestOptions {
  timeoutMs?: number;
  maxBytes?: number;
  /** What the request is for, as metrics and traces label it. */
  kind?: PortalRequestKind;
}

export interface PortalResponse {
  status: number;
  headers: Headers;
  bytes: Buffer;
  /** The body as UTF-8 text (decoded on first use). */
  readonly text: string;
  url: string;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;

export async function portalRequest(url: string, init: RequestInit = {}, options: PortalRequestOptions = {}): Promise<PortalResponse> {
  const kind = options.kind ?? 'other';
  const portal = currentPortal();
  const method = (init.method ?? 'GET').toUpperCase();
  const attributes = { 'http.request.method': method, 'url.full': redactUrl(url), 'server.address': hostOf(url), 'carebinder.portal': portal, 'carebinder.portal.request_kind': kind };
  return withSpan(`portal ${kind}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    const started = performance.now();
    let status: number | 'network' = 'network';
    try {
      let response: Response;
      try {
        response = await fetch(url, { redirect: 'follow', ...init, signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
      } catch (error) {
        throw new PortalUnreachableError(describeNetworkError(error), { cause: error });
      }
      status = response.status;
      span.setAttribute('http.response.status_code', status);
      if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
      const bytes = await readCapped(response, options.maxBytes ?? DEFAULT_MAX_BYTES);
      let text: string | undefined;
      return {
        status: response.status,
        headers: response.headers,
        bytes,
        get text() {
          return (text ??= bytes.toString('utf8'));
        },
        url: response.url || url,
      };
    } finally {
      recordPortalRequest(portal, kind, status, (performance.now() - started) / 1000);
    }
  });
}

function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).hostname : 'unknown';
}

/** GET/POST expecting a JSON object; non-2xx or malformed answers throw PortalResponseError. */
export async function portalJson<T = Record<string, unknown>>(url: string, init: RequestInit = {}, options: PortalRequestOptions = {}): Promise<T> {
  const response = await portalRequest(url, { ...init, headers: { accept: 'application/json', ...init.headers } }, options);
  const body = parseJsonObject(response.text);
  if (response.status < 200 || response.status >= 300) {
    throw new PortalResponseError(`answered HTTP ${response.status}`, response.status, body);
  }
  if (body === undefined) throw new PortalResponseError('answered with something that is not a JSON object', response.status);
  return body as T;
}

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new PortalResponseTooLargeError(maxBytes, response.status, declared);
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new PortalResponseTooLargeError(maxBytes, response.status);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof PortalResponseError) throw error;
    throw new PortalUnreachableError(`connection broke while reading the answer (${describeNetworkError(error)})`, { cause: error });
  }
  return Buffer.concat(chunks);
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'did not answer in time';
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  const code = cause?.code ?? (error as { code?: string } | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused the connection';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'dropped the connection';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'could not be found (DNS)';
    default:
      return 'could not be reached';
  }
}
