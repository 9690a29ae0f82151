// Prometheus metrics, one registry per process: the API serves it at /metrics (src/admin/metrics.ts),
// a worker on METRICS_PORT (metrics-server.ts), the demo (API and worker in one process) at /metrics.
// Counters and histograms are recorded where the work happens; the queue and link gauges are read
// at scrape time from the sources the process registered (provideScrapeSources).
//
// Labels never carry a patient, an account, a link or a URL: portals are named by their registry
// id, routes by their pattern, statuses by their code. Every label value comes from a closed set
// or from the deployment's own configuration.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { withTimeout } from '../util/timeout.js';

/** What a request to a portal was for (the `kind` label). */
export type PortalRequestKind = 'metadata' | 'search' | 'read' | 'binary' | 'token' | 'revoke' | 'introspect' | 'discovery' | 'other';

/**
 * How one attempt of a sync job ended: as the run's state, or `retrying` (this attempt failed,
 * BullMQ tries again), `rate-limited` (the portal asked to wait; the job waits without using an
 * attempt) and `failed` (no attempt left, or the patient must link again).
 */
export type SyncRunOutcome = 'succeeded' | 'incomplete' | 'skipped' | 'failed' | 'retrying' | 'rate-limited';

export interface QueueJobCount {
  queue: string;
  state: string;
  count: number;
}

export interface LinkCount {
  status: string;
  count: number;
}

/** Where the scrape-time gauges read from; each source is optional. */
export interface ScrapeSources {
  queueJobs?: () => Promise<QueueJobCount[]>;
  links?: () => Promise<LinkCount[]>;
}

/** A source that does not answer within this time leaves its gauge empty for that scrape. */
const SOURCE_TIMEOUT_MS = 2_000;

const PORTAL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sources: ScrapeSources[] = [];
  /** The most recently registered source that provides `key` (the demo's API and worker see the same stores). */
  const sourceOf = <K extends keyof ScrapeSources>(key: K): ScrapeSources[K] => [...sources].reverse().find((s) => s[key])?.[key];

  const sourceErrors = new Counter({
    name: 'carebinder_metrics_source_errors_total',
    help: 'Scrapes at which a gauge source (queue store, database) failed or did not answer in time',
    labelNames: ['source'] as const,
    registers: [registry],
  });

  const metrics = {
    registry,
    sources,
    syncRuns: new Counter({
      name: 'carebinder_sync_runs_total',
      help: 'Sync job attempts by how they ended (succeeded, incomplete, skipped, retrying, rate-limited, failed)',
      labelNames: ['portal', 'outcome'] as const,
      registers: [registry],
    }),
    syncResources: new Counter({
      name: 'carebinder_sync_resources_total',
      help: 'Resources written by syncs (new or changed), by portal and resource type ("referenced": what records point to, documents included)',
      labelNames: ['portal', 'resource_type'] as const,
      registers: [registry],
    }),
    portalRequestDuration: new Histogram({
      name: 'carebinder_portal_request_duration_seconds',
      help: 'Time for one HTTP request to a portal, answer read included (each retry counts on its own)',
      labelNames: ['portal', 'kind'] as const,
      buckets: PORTAL_BUCKETS,
      registers: [registry],
    }),
    portalResponses: new Counter({
      name: 'carebinder_portal_responses_total',
      help: 'Answers from portals by HTTP status ("network" when the request failed without one: refused, reset, timed out)',
      labelNames: ['portal', 'status'] as const,
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: 'carebinder_http_request_duration_seconds',
      help: "Time to answer an API request, by method, route pattern and status (route \"unmatched\" for paths no route serves)",
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: HTTP_BUCKETS,
      registers: [registry],
    }),
    queueJobs: new Gauge({
      name: 'carebinder_queue_jobs',
      help: 'Jobs in each queue by state, read from the queue store at scrape time',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const read = sourceOf('queueJobs');
        if (!read) return;
        try {
          for (const { queue, state, count } of await withTimeout(read(), SOURCE_TIMEOUT_MS, 'queue store did not answer in time')) this.set({ queue, state }, count);
        } catch {
          sourceErrors.inc({ source: 'queue' });
        }
      },
    }),
    links: new Gauge({
      name: 'carebinder_links',
      help: 'Portal links by status, counted in the database at scrape time',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const read = sourceOf('links');
        if (!read) return;
        try {
          for (const { status, count } of await withTimeout(read(), SOURCE_TIMEOUT_MS, 'database did not answer in time')) this.set({ status }, count);
        } catch {
          sourceErrors.inc({ source: 'database' });
        }
      },
    }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

let processMetrics: Metrics | undefined;

/** This process's metrics (created on first use, with the default process metrics). */
export function metrics(): Metrics {
  return (processMetrics ??= createMetrics());
}

/** The text a Prometheus scrape gets, and its content type. */
export async function scrape(): Promise<{ contentType: string; body: string }> {
  const { registry } = metrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** Registers where the scrape-time gauges read from; the returned function removes them again (on close). */
export function provideScrapeSources(sources: ScrapeSources): () => void {
  const list = metrics().sources;
  list.push(sources);
  return () => {
    const index = list.indexOf(sources);
    if (index >= 0) list.splice(index, 1);
  };
}

export function recordSyncRun(portal: string, outcome: SyncRunOutcome): void {
  metrics().syncRuns.inc({ portal, outcome });
}

/** Adds what one sync attempt wrote, per report type (a FHIR type, or "(referenced)"). */
export function recordSyncResources(portal: string, storedByType: Record<string, number>): void {
  for (const [type, stored] of Object.entries(storedByType)) {
    if (stored > 0) metrics().syncResources.inc({ portal, resource_type: type.replace(/[()]/g, '') }, stored);
  }
}

export function recordPortalRequest(portal: string, kind: PortalRequestKind, status: number | 'network', seconds: number): void {
  const m = metrics();
  m.portalRequestDuration.observe({ portal, kind }, seconds);
  m.portalResponses.inc({ portal, status: String(status) });
}

export function recordHttpRequest(method: string, route: string, statusCode: number, seconds: number): void {
  metrics().httpRequestDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
}
