// OpenTelemetry traces, on only when OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-only
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: the Node SDK exporting OTLP/HTTP, with spans for
// API requests (HTTP and fastify instrumentation), PostgreSQL queries (without their
// parameters), the queues (bullmq-otel: a job's processing continues the trace that queued it),
// each sync (withSpan in src/sync/sync-link.ts) and its portal requests (src/http/portal-http.ts).
// Started by preload.ts, which each process imports before anything else so the instrumented
// modules are patched when they load. Off, nothing of the SDK is even loaded.
//
// Nothing secret or about a patient leaves in a span: RedactingSpanExporter rewrites every
// span as it is exported (URLs lose their query, FHIR ids in paths become ":id", a value that
// mentions a token or an OAuth code is replaced), whatever instrumentation set it.
import { SpanKind, SpanStatusCode, trace, type Attributes, type AttributeValue, type Span } from '@opentelemetry/api';
import type * as FastifyOtel from '@fastify/otel';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as HttpInstrumentationModule from '@opentelemetry/instrumentation-http';
import type * as PgInstrumentationModule from '@opentelemetry/instrumentation-pg';
import type * as SdkNode from '@opentelemetry/sdk-node';
import type { NodeSDK, NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { BullMQOtel } from 'bullmq-otel';
import { createRequire } from 'node:module';

const TRACER = 'carebinder';

export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  // A malformed endpoint leaves tracing off; loadConfig then stops startup naming the variable.
  return endpoint !== undefined && URL.canParse(endpoint) && /^https?:$/.test(new URL(endpoint).protocol) && env.OTEL_SDK_DISABLED !== 'true';
}

let sdk: NodeSDK | undefined;

// Loaded synchronously, and only when tracing is on: ES modules that sit beside preload.ts in an
// entry's imports do not wait for a top-level await, so an async start would miss http and fastify.
const require = createRequire(import.meta.url);

/**
 * Starts the Node SDK when tracing is configured; answers whether it did. Idempotent. The
 * exporter reads the standard OTEL_* variables (endpoint, headers, timeout, batch delay);
 * the service name is OTEL_SERVICE_NAME, else `serviceName`.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (sdk) return true;
  if (!tracingEnabled(env)) return false;
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNode;
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof HttpInstrumentationModule;
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof PgInstrumentationModule;
  const { FastifyOtelInstrumentation } = require('@fastify/otel') as typeof FastifyOtel;
  const quiet = (path: string | undefined) => /^\/(health|metrics)(\/|$|\?)/.test(path ?? '');
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME || serviceName,
    // Batched as the OTEL_BSP_* variables say.
    traceExporter: new RedactingSpanExporter(new OTLPTraceExporter()),
    // Traces only: metrics are Prometheus's (/metrics), logs are pino's.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes every few seconds would bury the traces that matter.
        ignoreIncomingRequestHook: (request) => quiet(request.url),
      }),
      // Statement text with its $n placeholders, never the values bound to them.
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: (route: { url: string }) => quiet(route.url) }),
    ],
  });
  sdk.start();
  return true;
}

/** Sends the spans still waiting and stops the SDK (part of every process's graceful shutdown). */
export async function shutdownTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown().catch(() => {});
}

/** BullMQ's telemetry option: the queues' and workers' spans, and the trace carried from producer to job. */
export function queueTelemetry(): { telemetry: BullMQOtel } | Record<string, never> {
  return sdk ? { telemetry: new BullMQOtel({ tracerName: TRACER }) } : {};
}

/**
 * Runs `work` in a span of its own (a no-op span when tracing is off). A throw marks the span
 * failed, records the error (redacted on export like everything else) and is rethrown.
 */
export async function withSpan<T>(name: string, options: { attributes?: Attributes; kind?: SpanKind }, work: (span: Span) => Promise<T>): Promise<T> {
  return trace.getTracer(TRACER).startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
      throw error;
    } finally {
      span.end();
    }
  });
}

// ---- Redaction -------------------------------------------------------------------------------

/** Attributes that hold a URL or a path: the query goes, FHIR ids in the path become ":id". */
const URL_KEYS = new Set(['url.full', 'http.url', 'url.original', 'url.path', 'http.target', 'http.route']);
/** Attributes of free text (errors, job results) that may quote a portal URL or a FHIR reference. */
const FREE_TEXT_KEYS = /(message|reason|result|stacktrace|description)$|^exception\./;
/** Attributes that only ever hold a query string. */
const DROPPED_KEYS = new Set(['url.query']);
/** A value mentioning one of these is replaced whole: whatever follows may be a credential. */
const SECRET = /bearer\s|access_token|refresh_token|id_token|client_secret|\bpassword\b|[?&;\s]code=|^code=|\bcode_verifier\b|\bsession=|carebinder_session/i;
/** A query string: "?" followed by name=value pairs, up to whitespace or a quote. */
const QUERY = /\?[^\s"'<>#]*/g;
/** `Patient/123`, `Observation/abc-1/_history/2`: a FHIR type and an id (the id may be a patient's). */
const FHIR_ID_IN_PATH = /\b([A-Z][a-z][A-Za-z]+)\/(?!:id\b)[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?/g;

/** A URL or text as it may appear in a span: no query values, no FHIR ids. */
export function redactUrl(value: string): string {
  return value.replace(QUERY, '').replace(FHIR_ID_IN_PATH, '$1/:id');
}

function redactValue(key: string, value: AttributeValue): AttributeValue | undefined {
  if (DROPPED_KEYS.has(key)) return undefined;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? redactString(key, v) : v)) as AttributeValue;
  return typeof value === 'string' ? redactString(key, value) : value;
}

function redactString(key: string, value: string): string {
  const scrubbed = URL_KEYS.has(key) || FREE_TEXT_KEYS.test(key) ? redactUrl(value) : value;
  return SECRET.test(scrubbed) ? '[redacted]' : scrubbed;
}

export function redactAttributes(attributes: Attributes): void {
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    const redacted = redactValue(key, value);
    if (redacted === undefined) delete attributes[key];
    else attributes[key] = redacted;
  }
}

type SpanExporter = NodeSDKConfiguration['traceExporter'];
type ReadableSpan = Parameters<SpanExporter['export']>[0][number];

/** Rewrites each finished span's name, attributes and events, then hands the batch to the real exporter. */
export class RedactingSpanExporter implements SpanExporter {
  constructor(private readonly next: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: Parameters<SpanExporter['export']>[1]): void {
    // The SDK's finished spans keep plain objects; they are rewritten in place (nothing reads them after export).
    for (const span of spans) {
      const writable = span as { name: string; attributes: Attributes; events: ReadableSpan['events'] };
      writable.name = redactString('url.path', span.name);
      redactAttributes(writable.attributes);
      for (const event of writable.events) if (event.attributes) redactAttributes(event.attributes);
    }
    this.next.export(spans, resultCallback);
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush?.() ?? Promise.resolve();
  }
}
