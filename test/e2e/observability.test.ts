// The operator's view of a real deployment: the API (src/server.ts) and a worker (workers/main.ts)
// run as their own processes with ADMIN_TOKEN, METRICS_PORT and OTEL_EXPORTER_OTLP_ENDPOINT set,
// pointing at an OTLP/HTTP receiver started here. A patient links a sandbox hospital over HTTP and
// syncs; the admin then scrapes both processes, and the receiver holds the traces: the API
// requests, the sync job continuing the request's trace, and the job's portal requests. No
// attribute anywhere carries a token, an OAuth code, a query value or the patient's portal id.
//
// Both processes use BullMQ's PostgreSQL backend inside this run's own test database, so their
// queues are shared with no other test file and no other run.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/server.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { signInAtPortal } from '../helpers/portal-browser.js';
import { DEMO_LOGIN, registerSandboxPortals, startTestSandbox } from '../helpers/sandbox.js';
import { TEST_DATABASE_URL, TEST_SECRET_KEY, uniquePrefix } from '../helpers/services.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ADMIN_TOKEN = 'observability-admin-token-0123456789';

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
  events?: Array<{ name: string; attributes?: OtlpAttribute[] }>;
}
interface ReceivedSpan extends OtlpSpan {
  service: string;
  scope: string;
  attrs: Record<string, unknown>;
}

const SERVER = 2;
const CLIENT = 3;

function valueOf(value: Record<string, unknown>): unknown {
  if ('arrayValue' in value) return ((value.arrayValue as { values?: Array<Record<string, unknown>> }).values ?? []).map(valueOf);
  return Object.values(value)[0];
}

function attributesOf(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));
}

/** A minimal OTLP/HTTP receiver (JSON encoding): keeps every span it is sent. */
async function startReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; bodies: string[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const server: Server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      bodies.push(body);
      const parsed = JSON.parse(body) as {
        resourceSpans?: Array<{ resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: Array<{ scope?: { name?: string }; spans?: OtlpSpan[] }> }>;
      };
      for (const resourceSpans of parsed.resourceSpans ?? []) {
        const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) spans.push({ ...span, service, scope: scopeSpans.scope?.name ?? '', attrs: attributesOf(span.attributes) });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, spans, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Child {
  process: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function startEntry(entry: string, env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { process: child, lines, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, context: () => string = () => ''): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not happen in time ${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let sandbox: Sandbox;
let pool: Pool;
let api: Child;
let worker: Child;
let apiUrl: string;
let portals: Record<string, string>;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startTestSandbox();
  pool = createPool(TEST_DATABASE_URL, 'carebinder-test-observability', 2);
  portals = await registerSandboxPortals(pool, sandbox, uniquePrefix('o').slice(-8));
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: TEST_DATABASE_URL,
    CAREBINDER_SECRET_KEY: TEST_SECRET_KEY,
    ADMIN_TOKEN,
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '200',
  };
  api = startEntry('src/server.ts', { ...env, PORT: String(port), PUBLIC_URL: apiUrl });
  worker = startEntry('workers/main.ts', { ...env, METRICS_PORT: '0' });
  await until('the API listening', async () => ((await fetch(`${apiUrl}/health/ready`)).ok ? true : undefined), 90_000, () => api.lines.slice(-5).join(' | '));
}, 120_000);

afterAll(async () => {
  for (const child of [api, worker]) if (child && child.process.exitCode === null) child.process.kill('SIGKILL');
  await pool?.end();
  await sandbox?.close();
  await receiver?.close();
});

describe('operating a deployment: metrics and traces of a sync', () => {
  it('lets the admin scrape both processes and see the sync, continued from the request that queued it, in the collector', async () => {
    // The worker says where its metrics are.
    const metricsLine = await until('the worker metrics line', async () => worker.lines.find((line) => line.includes('worker metrics served')), 90_000, () => worker.lines.slice(-5).join(' | '));
    const workerMetricsUrl = (JSON.parse(metricsLine) as { url: string }).url;

    // A patient signs up, links the northside hospital in a browser and syncs.
    const email = `${uniquePrefix('observed')}@example.org`;
    const password = 'correct horse battery staple';
    const json = { 'content-type': 'application/json' };
    expect((await fetch(`${apiUrl}/api/accounts`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) })).status).toBe(202);
    const session = await fetch(`${apiUrl}/api/session`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });
    expect(session.status).toBe(200);
    const cookie = session.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const sessionValue = /carebinder_session=([^;]+)/.exec(cookie)?.[1] ?? '';
    const started = await fetch(`${apiUrl}/api/links`, { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ portalId: portals.northside }) });
    expect(started.status).toBe(200);
    const callback = await signInAtPortal((await started.json() as { authorizeUrl: string }).authorizeUrl, DEMO_LOGIN);
    const code = callback.searchParams.get('code')!;
    const back = await fetch(callback, { headers: { cookie }, redirect: 'manual' });
    expect(back.headers.get('location')).toContain('link=success');
    const linkId = ((await (await fetch(`${apiUrl}/api/links`, { headers: { cookie } })).json()) as { links: Array<{ id: string }> }).links[0].id;
    const syncState = async () => ((await (await fetch(`${apiUrl}/api/links/${linkId}/sync`, { headers: { cookie } })).json()) as { state: string; jobId: string | null });
    await until('the first sync', async () => ((await syncState()).state === 'succeeded' ? true : undefined), 90_000);

    // "Sync now" (a full pass: a query string on the request), traced from this request to the portal.
    const now = await fetch(`${apiUrl}/api/links/${linkId}/sync?full=true`, { method: 'POST', headers: { cookie } });
    expect(now.status).toBe(202);
    const { jobId } = (await now.json()) as { jobId: string };
    await until('the second sync', async () => {
      const state = await syncState();
      return state.state === 'succeeded' && state.jobId === jobId ? true : undefined;
    }, 90_000);
    const { rows } = await pool.query<{ portal_patient_id: string; access: string }>('SELECT portal_patient_id FROM links WHERE id = $1', [linkId]);
    const portalPatientId = rows[0].portal_patient_id;

    // Metrics: the API's (requests by route) and the worker's (syncs, portal requests), both behind the token.
    expect((await fetch(`${apiUrl}/metrics`)).status).toBe(401);
    const apiMetrics = await (await fetch(`${apiUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    expect(apiMetrics).toMatch(/^carebinder_http_request_duration_seconds_count\{method="POST",route="\/api\/links\/:id\/sync",status_code="202"\} 1$/m);
    expect(apiMetrics).toMatch(/^carebinder_links\{status="active"\} [1-9]/m);
    expect((await fetch(workerMetricsUrl)).status).toBe(401);
    // The run is reported finished a moment before its job counts it.
    const workerMetrics = await until('both syncs counted', async () => {
      const text = await (await fetch(workerMetricsUrl, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
      return text.includes(`carebinder_sync_runs_total{portal="${portals.northside}",outcome="succeeded"} 2`) ? text : undefined;
    }, 10_000);
    expect(workerMetrics).toMatch(new RegExp(`^carebinder_portal_request_duration_seconds_count\\{portal="${portals.northside}",kind="search"\\} [1-9]`, 'm'));
    expect(workerMetrics).toMatch(/^carebinder_queue_jobs\{queue="portal-sync",state="completed"\} [1-9]/m);
    expect(workerMetrics).toMatch(/^process_resident_memory_bytes \d/m);
    expect(workerMetrics).not.toContain(portalPatientId);

    // Both processes stop gracefully, sending the spans they still hold.
    api.process.kill('SIGTERM');
    worker.process.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    expect(await worker.exited).toBe(0);
    const spans = receiver.spans;
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['carebinder-api', 'carebinder-worker']));
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
      const chain: ReceivedSpan[] = [];
      for (let parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined; parent; parent = parent.parentSpanId ? byId.get(parent.parentSpanId) : undefined) chain.push(parent);
      return chain;
    };

    // The API request: an HTTP server span with the route, its URL without the query.
    const request = spans.find(
      (s) => s.scope === '@opentelemetry/instrumentation-http' && s.kind === SERVER && s.attrs['http.route'] === '/api/links/:id/sync' && s.attrs['http.request.method'] === 'POST',
    );
    expect(request, 'the HTTP server span of POST /api/links/:id/sync').toBeDefined();
    expect(request!.attrs['url.path']).toBe(`/api/links/${linkId}/sync`);
    expect(request!.attrs['url.query']).toBeUndefined();
    expect(spans.some((s) => s.scope === '@fastify/otel' && s.name === 'request' && s.parentSpanId === request!.spanId)).toBe(true);
    const callbackSpan = spans.find((s) => s.scope === '@opentelemetry/instrumentation-http' && s.kind === SERVER && s.attrs['http.route'] === '/smart/callback');
    expect(callbackSpan?.attrs['url.path']).toBe('/smart/callback');
    expect(spans.some((s) => s.service === 'carebinder-api' && s.name.startsWith('pg.query') && ancestors(s).includes(callbackSpan!))).toBe(true);
    expect(spans.some((s) => s.scope === '@opentelemetry/instrumentation-http' && s.attrs['url.path'] === '/health/ready')).toBe(false);

    // The sync job: processed by the worker in the trace of that request, with its portal requests inside.
    const syncSpan = spans.find((s) => s.service === 'carebinder-worker' && s.name === 'sync link' && s.traceId === request!.traceId);
    expect(syncSpan, 'a "sync link" span in the request\'s trace').toBeDefined();
    expect(syncSpan!.attrs).toMatchObject({ 'carebinder.portal': portals.northside, 'carebinder.sync.outcome': 'succeeded' });
    expect(ancestors(syncSpan!).some((s) => s.scope === 'carebinder' && /portal-sync/.test(s.name)), 'the BullMQ job span above it').toBe(true);
    const portalRequests = spans.filter((s) => s.kind === CLIENT && s.name.startsWith('portal ') && ancestors(s).some((a) => a.name === 'sync link'));
    const kindsUnder = (sync: ReceivedSpan) => new Set(portalRequests.filter((s) => ancestors(s).includes(sync)).map((s) => s.attrs['carebinder.portal.request_kind']));
    expect([...kindsUnder(syncSpan!)]).toEqual(expect.arrayContaining(['metadata', 'search']));
    // The first sync (queued by the callback) also read what the records point to, and their documents.
    const firstSync = spans.find((s) => s.name === 'sync link' && s !== syncSpan);
    expect([...kindsUnder(firstSync!)]).toEqual(expect.arrayContaining(['metadata', 'search', 'read', 'binary']));
    expect(ancestors(firstSync!).some((s) => s.service === 'carebinder-api' && s.attrs['http.route'] === '/smart/callback'), 'the first sync in the callback\'s trace').toBe(true);
    for (const span of portalRequests) {
      expect(span.attrs['carebinder.portal']).toBe(portals.northside);
      expect(String(span.attrs['url.full'])).not.toContain('?');
      expect(span.attrs['http.response.status_code']).toBe(200);
    }
    expect(spans.some((s) => s.service === 'carebinder-worker' && String(s.attrs['db.system.name'] ?? s.attrs['db.system']) === 'postgresql')).toBe(true);

    // Nothing secret or about the patient in any attribute, event or span name.
    const exported = receiver.bodies.join('\n');
    for (const secret of ['access_token', 'refresh_token', 'code=', 'Bearer', ADMIN_TOKEN, sessionValue, code, email, `Patient/${portalPatientId}`, `patient=${portalPatientId}`]) {
      expect(exported, secret).not.toContain(secret);
    }
    for (const span of spans) {
      const texts = [span.name, ...Object.values(span.attrs), ...(span.events ?? []).flatMap((e) => Object.values(attributesOf(e.attributes)))].map(String);
      for (const text of texts) expect(text, `${span.name}: ${text}`).not.toMatch(/\?[^\s"'?]*=/);
      expect(Object.keys(span.attrs).filter((key) => /query\.parameters|db\.statement\.param|^url\.query$/.test(key)), span.name).toEqual([]);
    }
  }, 300_000);
});
