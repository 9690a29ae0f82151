// GET /metrics: for the deployment admin only (ADMIN_TOKEN), absent without one, and after a real
// sync of a sandbox hospital it shows what happened, by portal and never by patient.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/server.js';
import { createLinkRepository } from '../../src/portals/links.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { startMetricsServer } from '../../src/observability/metrics-server.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { linkPortal } from '../helpers/linking.js';
import { DEMO_LOGIN, registerSandboxPortals, startTestSandbox } from '../helpers/sandbox.js';
import { uniquePrefix } from '../helpers/services.js';
import { waitForSync } from '../helpers/sync.js';
import { startTestWorkers } from '../helpers/workers.js';

const ADMIN_TOKEN = 'metrics-admin-token-0123456789';

/** Every sample of the exposition text: name, labels and value. */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not an exposition line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

describe('GET /metrics without ADMIN_TOKEN', () => {
  it('is not mounted', async () => {
    const t = await buildTestApp();
    try {
      expect((await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});

describe('GET /metrics with ADMIN_TOKEN', () => {
  let t: TestApp;
  let sandbox: Sandbox;
  let workers: Awaited<ReturnType<typeof startTestWorkers>>;
  let portals: Record<string, string>;
  const prefix = uniquePrefix('metrics');

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await buildTestApp({ env: { ADMIN_TOKEN }, queuePrefix: prefix });
    portals = await registerSandboxPortals(t.pool, sandbox, uniquePrefix('m').slice(-8));
    workers = await startTestWorkers(prefix);
  });
  afterAll(async () => {
    await workers?.close();
    await t?.close();
    await sandbox?.close();
  });

  it('answers 401 without the token or with a wrong one', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token-wrong', `Basic ${Buffer.from('admin:nope').toString('base64')}`]) {
      const answer = await t.app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
      expect(answer.statusCode).toBe(401);
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(answer.body).not.toMatch(/carebinder_/);
    }
  });

  it('after a sync, shows its runs, resources, portal requests, queues, links, routes and the process, by portal and never by patient', async () => {
    const patient = await signedInPatient(t.app);
    const attempt = await linkPortal(t.app, patient.cookie, portals.northside, DEMO_LOGIN);
    expect(attempt.location?.searchParams.get('link')).toBe('success');
    const linkId = (await t.app.inject({ url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: Array<{ id: string }> }>().links[0].id;
    const status = await waitForSync(t.app, patient.cookie, linkId);
    expect(status.state).toBe('succeeded');

    // The run is reported finished a moment before its job counts it.
    const scrapeNow = () => t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    let answer = await scrapeNow();
    for (let tries = 0; tries < 50 && !answer.body.includes('outcome="succeeded"'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await scrapeNow();
    }
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const all = samples(answer.body);
    const find = (name: string, labels: Record<string, string> = {}) => all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    const total = (name: string, labels: Record<string, string> = {}) => find(name, labels).reduce((sum, s) => sum + s.value, 0);
    const portal = portals.northside;

    expect(total('carebinder_sync_runs_total', { portal, outcome: 'succeeded' })).toBeGreaterThanOrEqual(1);
    expect(total('carebinder_sync_resources_total', { portal, resource_type: 'Observation' })).toBeGreaterThan(0);
    expect(total('carebinder_sync_resources_total', { portal, resource_type: 'referenced' })).toBeGreaterThan(0);
    for (const kind of ['metadata', 'search', 'discovery']) {
      expect(total('carebinder_portal_request_duration_seconds_count', { portal, kind }), kind).toBeGreaterThan(0);
    }
    expect(total('carebinder_portal_responses_total', { portal, status: '200' })).toBeGreaterThan(0);
    // The sync's job (active or completed by now) and the link's scheduled next one (delayed).
    expect(total('carebinder_queue_jobs', { queue: 'portal-sync' })).toBeGreaterThanOrEqual(2);
    expect(find('carebinder_queue_jobs', { queue: 'uploads' }).length).toBeGreaterThan(0);
    expect(total('carebinder_links', { status: 'active' })).toBeGreaterThanOrEqual(1);
    expect(total('carebinder_http_request_duration_seconds_count', { method: 'GET', route: '/api/links/:id/sync', status_code: '200' })).toBeGreaterThan(0);
    expect(total('carebinder_http_request_duration_seconds_count', { route: '/smart/callback' })).toBeGreaterThan(0);
    expect(find('process_cpu_user_seconds_total').length).toBe(1);
    expect(find('nodejs_heap_size_used_bytes').length).toBe(1);

    // No patient, account, link, session or path in any label.
    const link = (await createLinkRepository(t.pool, createSecretBox(t.config.secretKey)).findById(linkId))!;
    const secrets = [link.portalPatientId, linkId, patient.accountId, patient.email];
    for (const sample of all) {
      expect(Object.keys(sample.labels).filter((name) => /patient|account|link_id|user|email|url|path/i.test(name)), sample.name).toEqual([]);
      for (const value of Object.values(sample.labels)) {
        for (const secret of secrets) expect(value, `${sample.name} ${JSON.stringify(sample.labels)}`).not.toContain(secret);
        // Route patterns (/api/links/:id/sync) and closed sets only: no id-like segment anywhere.
        expect(value, `${sample.name} ${JSON.stringify(sample.labels)}`).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}|\/\d+(\/|$)/);
      }
    }
  });

  it('serves the same registry from a bare server for workers (METRICS_PORT), asking for the token when one is set', async () => {
    const server = await startMetricsServer({ port: 0, host: '127.0.0.1', adminToken: ADMIN_TOKEN });
    try {
      expect((await fetch(server.url)).status).toBe(401);
      expect((await fetch(server.url, { headers: { authorization: 'Bearer not-the-token-not-the-token' } })).status).toBe(401);
      expect((await fetch(server.url.replace('/metrics', '/other'), { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);
      const answer = await fetch(server.url, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(answer.status).toBe(200);
      const text = await answer.text();
      expect(text).toMatch(/^carebinder_sync_runs_total\{portal="[^"]+",outcome="succeeded"\} \d+$/m);
      expect(text).toMatch(/^carebinder_queue_jobs\{queue="portal-sync",state="\w+"\} \d+$/m);
    } finally {
      await server.close();
    }
    const open = await startMetricsServer({ port: 0, host: '127.0.0.1', adminToken: undefined });
    try {
      expect((await fetch(open.url)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
