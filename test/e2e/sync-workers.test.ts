// Worker processes: a worker killed mid-sync is replaced and the sync resumes at its page;
// two workers on one Redis share the jobs without processing any twice.
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
const prefix = uniquePrefix('workers');
const children: ChildWorker[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await buildTestApp({ queuePrefix: prefix });
  portals = await registerSandboxPortals(t.pool, sandbox, uniquePrefix('w').slice(-8));
});
afterAll(async () => {
  for (const child of children) child.process.kill('SIGKILL');
  await t?.close();
  await sandbox?.close();
});

function worker(env: Record<string, string> = {}): ChildWorker {
  const child = startChildWorker(prefix, env);
  children.push(child);
  return child;
}

async function linkGeneratedPatient(username: string, count: number): Promise<{ cookie: string; linkId: string; patientId: string }> {
  const patientId = `gen-${username}`;
  sandbox.hospital('riverside').admin.generatePatient({ patientId, username, password: 'sandbox', count, seed: 7 });
  const patient = await signedInPatient(t.app);
  const attempt = await linkPortal(t.app, patient.cookie, portals.riverside, { username, password: 'sandbox' });
  expect(attempt.location?.searchParams.get('link')).toBe('success');
  const linkId = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: Array<{ id: string }> }>().links[0].id;
  return { cookie: patient.cookie, linkId, patientId };
}

async function pagesDone(linkId: string): Promise<number> {
  const { rows } = await t.pool.query<{ pages: number }>(`SELECT coalesce(max(pages_done), 0)::int AS pages FROM sync_runs WHERE link_id = $1`, [linkId]);
  return rows[0].pages;
}

/** What the link holds of the patient's compartment: records, plus Binary attachments kept as documents. */
async function storedCount(linkId: string): Promise<number> {
  const { rows } = await t.pool.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM records WHERE link_id = $1 AND resource_type NOT IN ('Practitioner', 'PractitionerRole', 'Organization', 'Medication', 'Location'))::int
          + (SELECT count(*) FROM documents WHERE link_id = $1)::int AS n`,
    [linkId],
  );
  return rows[0].n;
}

describe('worker processes', () => {
  it('resumes a sync at its page after the worker running it is killed, with nothing lost or doubled', async () => {
    const first = worker();
    await first.waitForLine((l) => l === 'ready');
    const admin = sandbox.hospital('riverside').admin;
    admin.setFaults({ latencyMs: 15 });
    try {
      const linked = await linkGeneratedPatient('crash', 1500);
      await first.waitForLine((l) => l.startsWith('start '));
      for (let i = 0; i < 400 && (await pagesDone(linked.linkId)) < 12; i++) await new Promise((r) => setTimeout(r, 50));
      const pagesAtKill = await pagesDone(linked.linkId);
      expect(pagesAtKill).toBeGreaterThanOrEqual(12);
      first.process.kill('SIGKILL');
      await first.exited;

      const second = worker();
      const status = await waitForSync(t.app, linked.cookie, linked.linkId, undefined, 90_000);
      expect(second.lines.some((l) => l.startsWith('start '))).toBe(true);
      expect(status.state).toBe('succeeded');
      const expected = admin.status().patients.find((p) => p.patientId === linked.patientId)!.resources;
      expect(await storedCount(linked.linkId)).toBe(expected);
      // Resumed, not restarted: the pages fetched overall are about one pass, not two.
      const pagesPerPass = Object.values(status.types).reduce((sum, type) => sum + type.pages, 0);
      expect(status.pagesDone).toBe(pagesPerPass);
      const { rows } = await t.pool.query(`SELECT count(*)::int AS runs FROM sync_runs WHERE link_id = $1`, [linked.linkId]);
      expect(rows[0]).toEqual({ runs: 1 });
      // The next test counts on its own two workers only.
      second.process.kill('SIGKILL');
      await second.exited;
    } finally {
      admin.clearFaults();
    }
  });

  it('shares the syncs of several links between two worker processes without running any twice', async () => {
    const a = worker({ WORKER_CONCURRENCY: '1' });
    const b = worker({ WORKER_CONCURRENCY: '1' });
    await Promise.all([a.waitForLine((l) => l === 'ready'), b.waitForLine((l) => l === 'ready')]);
    const admin = sandbox.hospital('riverside').admin;
    admin.setFaults({ latencyMs: 5 });
    try {
      const linked = [];
      for (const name of ['share1', 'share2', 'share3', 'share4']) linked.push(await linkGeneratedPatient(name, 200));
      for (const link of linked) expect((await waitForSync(t.app, link.cookie, link.linkId, undefined, 90_000)).state).toBe('succeeded');
      const started = [...a.lines, ...b.lines].filter((l) => l.startsWith('start '));
      expect(new Set(started).size).toBe(started.length);
      expect(a.lines.some((l) => l.startsWith('start '))).toBe(true);
      expect(b.lines.some((l) => l.startsWith('start '))).toBe(true);
      for (const link of linked) {
        const expected = admin.status().patients.find((p) => p.patientId === link.patientId)!.resources;
        expect(await storedCount(link.linkId)).toBe(expected);
      }
    } finally {
      admin.clearFaults();
    }
  });
});
