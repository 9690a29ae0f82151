// Chaos: the worker process running a long sync of a generated patient is killed (SIGKILL)
// several times; replacements resume it. Afterwards the portal is switched off, and every
// attachment the patient has at the portal opens through carebinder's own API, byte for byte.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/server.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker.js';
import { linkPortal } from '../helpers/linking.js';
import { registerSandboxPortals, startTestSandbox } from '../helpers/sandbox.js';
import { uniquePrefix } from '../helpers/services.js';
import { waitForSync } from '../helpers/sync.js';

let t: TestApp;
let sandbox: Sandbox;
let portals: Record<string, string>;
const prefix = uniquePrefix('chaos');
const children: ChildWorker[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await buildTestApp({ queuePrefix: prefix });
  portals = await registerSandboxPortals(t.pool, sandbox, uniquePrefix('x').slice(-8));
});
afterAll(async () => {
  for (const child of children) child.process.kill('SIGKILL');
  await t?.close();
  await sandbox?.close();
});

async function startedWorker(): Promise<ChildWorker> {
  const child = startChildWorker(prefix);
  children.push(child);
  await child.waitForLine((l) => l === 'ready', 30_000);
  return child;
}

async function pagesDone(linkId: string): Promise<number> {
  const { rows } = await t.pool.query<{ pages: number }>(`SELECT coalesce(max(pages_done), 0)::int AS pages FROM sync_runs WHERE link_id = $1`, [linkId]);
  return rows[0].pages;
}

describe('chaos', () => {
  it('keeps every attachment of a long sync whose worker is killed again and again, readable with the portal switched off', async () => {
    const riverside = sandbox.hospital('riverside');
    const patientId = 'gen-chaos';
    const generated = riverside.admin.generatePatient({ patientId, username: 'chaos', password: 'sandbox', count: 1800, seed: 11 });
    const attachments = generated.byType.Binary ?? 0;
    expect(attachments).toBeGreaterThan(15);

    let worker = await startedWorker();
    riverside.admin.setFaults({ latencyMs: 5 });
    const patient = await signedInPatient(t.app);
    const attempt = await linkPortal(t.app, patient.cookie, portals.riverside, { username: 'chaos', password: 'sandbox' });
    expect(attempt.location?.searchParams.get('link')).toBe('success');
    const linkId = (await t.pool.query<{ id: string }>('SELECT id FROM links WHERE account_id = $1', [patient.accountId])).rows[0].id;

    // Killed three times during the search, each time once the worker in charge has stored 12 more pages.
    let kills = 0;
    let atPage = 0;
    for (let round = 0; round < 3; round++) {
      await worker.waitForLine((l) => l.startsWith('start '), 30_000);
      atPage += 12;
      for (let i = 0; i < 1200 && (await pagesDone(linkId)) < atPage; i++) await new Promise((r) => setTimeout(r, 25));
      expect(await pagesDone(linkId)).toBeGreaterThanOrEqual(atPage);
      worker.process.kill('SIGKILL');
      await worker.exited;
      kills++;
      worker = await startedWorker();
    }
    const status = await waitForSync(t.app, patient.cookie, linkId, undefined, 90_000);
    expect(kills).toBe(3);
    expect(status.state).toBe('succeeded');
    expect(status.errors).toEqual([]);

    // The portal goes dark: whatever the binder shows now comes from carebinder alone.
    riverside.admin.setFaults({ latencyMs: null, errorBurst: { status: 503, count: 1_000_000, afterRequests: 0 } });
    const { rows: references } = await t.pool.query<{ id: string; url: string }>(
      `SELECT r.resource_id AS id, d->>'url' AS url FROM records r, jsonb_array_elements(r.binder->'documents') d
        WHERE r.link_id = $1 AND r.resource_type = 'DocumentReference'`,
      [linkId],
    );
    expect(references).toHaveLength(attachments);
    const { rows: stored } = await t.pool.query<{ id: string; source_url: string }>('SELECT id::text, source_url FROM documents WHERE link_id = $1', [linkId]);
    const idByUrl = new Map(stored.map((d) => [d.source_url, d.id]));
    let opened = 0;
    for (const reference of references) {
      const binaryId = reference.url.split('/').pop()!;
      const truth = riverside.admin.readResource('Binary', binaryId) as { data: string } | undefined;
      expect(truth, binaryId).toBeDefined();
      const documentId = idByUrl.get(reference.url);
      expect(documentId, `document of ${reference.id}`).toBeDefined();
      const served = await t.app.inject({ method: 'GET', url: `/api/documents/d${documentId}`, headers: { cookie: patient.cookie } });
      expect(served.statusCode).toBe(200);
      expect(createHash('sha256').update(served.rawPayload).digest('hex')).toBe(createHash('sha256').update(Buffer.from(truth!.data, 'base64')).digest('hex'));
      opened++;
    }
    expect(opened).toBe(attachments);
    // The portal really was off meanwhile, and nothing is left owed to the binder.
    expect((await fetch(references[0].url)).status).toBe(503);
    const { rows: pending } = await t.pool.query('SELECT kind, target FROM sync_pending_fetches WHERE link_id = $1', [linkId]);
    expect(pending).toEqual([]);
    riverside.admin.clearFaults();
  }, 150_000);
});
