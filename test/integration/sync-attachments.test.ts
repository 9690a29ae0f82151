// What a sync owes the binder in attachments: documents that went missing come back whatever the
// records' hashes say; a run that ends without some of them is 'incomplete' and names them (and
// says so through the API); attachments a rule refuses (the size cap) are not owed.
import { createHash } from 'node:crypto';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/server.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createLogger } from '../../src/logger.js';
import { createLinkRepository } from '../../src/portals/links.js';
import { createPortalRegistry } from '../../src/portals/registry.js';
import { createTokenKeeper } from '../../src/portals/token-refresh.js';
import { localPortalLimiter } from '../../src/sync/portal-limiter.js';
import { DEFAULT_SYNC_SETTINGS, syncLink, type SyncCursor, type SyncOutcome, type SyncSettings } from '../../src/sync/sync-link.js';
import { createSyncRunRepository } from '../../src/sync/sync-runs.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { linkPortal } from '../helpers/linking.js';
import { DEMO_LOGIN, registerSandboxPortals, startTestSandbox } from '../helpers/sandbox.js';
import { uniquePrefix } from '../helpers/services.js';
import { FAST_SYNC_SETTINGS } from '../helpers/workers.js';

let t: TestApp;
let sandbox: Sandbox;
let linkId: string;
let cookie: string;
let jobs = 0;

async function sync(options: { full?: boolean; settings?: Partial<SyncSettings> } = {}): Promise<SyncOutcome> {
  const box = createSecretBox(t.config.secretKey);
  const registry = createPortalRegistry(t.pool, box);
  const links = createLinkRepository(t.pool, box);
  const job = {
    id: `attachments-${++jobs}`,
    data: { linkId, ...(options.full ? { full: true } : {}) },
    attemptsMade: 0,
    opts: { attempts: 1 },
    updateData: async (data: unknown) => {
      job.data = data as typeof job.data;
    },
  };
  return syncLink(job as unknown as Job<{ linkId: string; cursor?: SyncCursor }>, {
    pool: t.pool,
    links,
    registry,
    tokens: createTokenKeeper({ pool: t.pool, box, registry, links }),
    limiter: localPortalLimiter(2),
    log: createLogger('silent', 'sync-attachments-test'),
    settings: { ...DEFAULT_SYNC_SETTINGS, ...FAST_SYNC_SETTINGS, ...options.settings },
  });
}

async function documents(): Promise<Map<string, string>> {
  const { rows } = await t.pool.query<{ source_url: string; sha: string }>(`SELECT source_url, encode(sha256, 'hex') AS sha FROM documents WHERE link_id = $1`, [linkId]);
  return new Map(rows.map((r) => [r.source_url, r.sha]));
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await buildTestApp({ queuePrefix: uniquePrefix('attach') });
  const portals = await registerSandboxPortals(t.pool, sandbox, uniquePrefix('a').slice(-8));
  const patient = await signedInPatient(t.app);
  cookie = patient.cookie;
  expect((await linkPortal(t.app, cookie, portals.northside, DEMO_LOGIN)).location?.searchParams.get('link')).toBe('success');
  linkId = (await t.pool.query<{ id: string }>('SELECT id FROM links WHERE account_id = $1', [patient.accountId])).rows[0].id;
}, 60_000);

afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});

describe('attachments a sync owes the binder', () => {
  it('fetches again documents that went missing although no record changed, on the next sync', async () => {
    expect(await sync()).toMatchObject({ state: 'succeeded' });
    const complete = await documents();
    expect(complete.size).toBeGreaterThanOrEqual(5);
    const lost = [...complete.keys()].slice(0, 3);
    await t.pool.query('DELETE FROM documents WHERE link_id = $1 AND source_url = ANY($2::text[])', [linkId, lost]);
    // Incremental: the portal reports nothing changed, and the records' hashes are the same.
    const before = (await t.pool.query<{ at: Date }>('SELECT clock_timestamp() AS at')).rows[0].at;
    const again = await sync();
    expect(again).toMatchObject({ state: 'succeeded', missing: 0 });
    expect(await documents()).toEqual(complete);
    const { rows } = await t.pool.query<{ written: number }>(
      `SELECT count(*)::int AS written FROM records WHERE link_id = $1 AND last_changed_at > $2 AND resource_type = 'DocumentReference'`,
      [linkId, before],
    );
    expect(rows[0].written).toBe(0);
  });

  it("ends 'incomplete', naming the attachment, when the portal no longer serves it, and stores it once it does", async () => {
    const northside = sandbox.hospital('northside');
    const [url] = [...(await documents()).keys()];
    const binaryId = url.split('/').pop()!;
    const binary = northside.admin.readResource('Binary', binaryId)!;
    northside.admin.deleteResource('Binary', binaryId);
    await t.pool.query('DELETE FROM documents WHERE link_id = $1 AND source_url = $2', [linkId, url]);

    expect(await sync({ full: true })).toMatchObject({ state: 'incomplete', missing: 1 });
    const run = (await createSyncRunRepository(t.pool).latest(linkId))!;
    expect(run.state).toBe('incomplete');
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain(url);
    expect(run.errors[0]).toContain('1 attachment(s) could not be fetched');
    // The link says so through the API (its sync report is GET /api/links/:id/sync, the run above).
    const listed = (await t.app.inject({ method: 'GET', url: `/api/links/${linkId}`, headers: { cookie } })).json<{ status: string; statusReason: string; lastSync: { state: string } }>();
    expect(listed).toMatchObject({ status: 'active', lastSync: { state: 'incomplete' } });
    expect(listed.statusReason).toContain('could not be fetched');

    northside.admin.upsertResource(binary);
    expect(await sync()).toMatchObject({ state: 'succeeded', missing: 0 });
    const served = (binary as { data: string }).data;
    expect((await documents()).get(url)).toBe(createHash('sha256').update(Buffer.from(served, 'base64')).digest('hex'));
    expect((await createSyncRunRepository(t.pool).latest(linkId))!.errors).toEqual([]);
  });

  it('does not count attachments over the size cap as missing: refused by a rule, with a warning', async () => {
    await t.pool.query('DELETE FROM documents WHERE link_id = $1', [linkId]);
    const outcome = await sync({ full: true, settings: { maxDocumentBytes: 16 } });
    expect(outcome).toMatchObject({ state: 'succeeded', missing: 0 });
    expect(await documents()).toEqual(new Map());
    const run = (await createSyncRunRepository(t.pool).latest(linkId))!;
    expect(run.warnings.some((w) => w.includes('16-byte limit'))).toBe(true);
    const { rows } = await t.pool.query<{ refused: string | null }>(`SELECT refused FROM sync_pending_fetches WHERE link_id = $1 AND kind = 'document'`, [linkId]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.refused !== null)).toBe(true);
    // A full pass with the cap lifted applies the rules afresh and fetches them all.
    expect(await sync({ full: true })).toMatchObject({ state: 'succeeded', missing: 0 });
    expect((await documents()).size).toBe(rows.length);
  });
});
