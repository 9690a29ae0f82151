// A sync crashed at every step of its way — before and after each database statement and each
// save of its cursor — and then resumed as BullMQ resumes a stalled job (same job, last saved
// cursor) ends with every attachment stored. The crash is injected through the sync's deps: from
// the crash on, every database call of that "process" fails, as if it had been killed, while
// statements already sent run to their end (as PostgreSQL finishes a committed statement).
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/server.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import type { Pool } from '../../src/db/pool.js';
import { createLogger } from '../../src/logger.js';
import { createLinkRepository } from '../../src/portals/links.js';
import { createPortalRegistry } from '../../src/portals/registry.js';
import { createTokenKeeper } from '../../src/portals/token-refresh.js';
import { localPortalLimiter } from '../../src/sync/portal-limiter.js';
import { DEFAULT_SYNC_SETTINGS, syncLink, type SyncCursor, type SyncOutcome } from '../../src/sync/sync-link.js';
import type { SyncJobData } from '../../src/jobs/sync.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { linkPortal } from '../helpers/linking.js';
import { DEMO_LOGIN, registerSandboxPortals, startTestSandbox } from '../helpers/sandbox.js';
import { uniquePrefix } from '../helpers/services.js';
import { FAST_SYNC_SETTINGS } from '../helpers/workers.js';

let t: TestApp;
let sandbox: Sandbox;
let linkId: string;
let accountId: string;

class Crash extends Error {
  override name = 'Crash';
}

interface Plan {
  at: number;
  when: 'before' | 'after';
}

/** A pool whose calls count as steps; at the planned step the "process" dies, and every later call fails. */
function crashingPool(pool: Pool, plan: Plan | null) {
  let steps = 0;
  let dead = false;
  const labels: string[] = [];
  async function step<T>(label: string, run: () => Promise<T>): Promise<T> {
    if (dead) throw new Crash('the process is gone');
    const n = ++steps;
    labels.push(label);
    if (plan?.at === n && plan.when === 'before') {
      dead = true;
      throw new Crash(`crashed before step ${n}`);
    }
    const result = await run();
    // The statement ran; a process that died meanwhile never saw its answer.
    if (dead) throw new Crash('the process is gone');
    if (plan?.at === n && plan.when === 'after') {
      dead = true;
      throw new Crash(`crashed after step ${n}`);
    }
    return result;
  }
  const query = (...args: Parameters<Pool['query']>) => step(String(args[0]).replace(/\s+/g, ' ').slice(0, 70), () => (pool.query as (...a: unknown[]) => Promise<unknown>)(...args));
  const wrapped = new Proxy(pool, { get: (target, prop, receiver): unknown => (prop === 'query' ? query : Reflect.get(target, prop, receiver)) });
  return { pool: wrapped, step, steps: () => steps, labels };
}

type SyncJob = Job<SyncJobData & { cursor?: SyncCursor }>;

/** What BullMQ keeps of a job between attempts: its id and the data last saved. */
function fakeJob(id: string): SyncJob & { attemptsMade: number } {
  const job = { id, data: { linkId } as SyncJobData & { cursor?: SyncCursor }, attemptsMade: 0, opts: { attempts: 10 } };
  return job as unknown as SyncJob & { attemptsMade: number };
}

async function runSync(job: SyncJob & { attemptsMade: number }, plan: Plan | null): Promise<{ outcome: SyncOutcome | Error; steps: number; labels: string[] }> {
  const box = createSecretBox(t.config.secretKey);
  const crashing = crashingPool(t.pool, plan);
  // The portal side (registry, tokens) uses the real pool: only the sync's own steps crash.
  const registry = createPortalRegistry(t.pool, box);
  const tokens = createTokenKeeper({ pool: t.pool, box, registry, links: createLinkRepository(t.pool, box) });
  (job as { updateData: (data: SyncJob['data']) => Promise<void> }).updateData = (data) =>
    crashing.step('job.updateData (cursor)', async () => {
      job.data = structuredClone(data);
    });
  const deps = {
    pool: crashing.pool,
    links: createLinkRepository(crashing.pool, box),
    registry,
    tokens,
    limiter: localPortalLimiter(2),
    log: createLogger('silent', 'sync-crash-test'),
    // Documents written two at a time, so a crash can fall between two document writes.
    settings: { ...DEFAULT_SYNC_SETTINGS, ...FAST_SYNC_SETTINGS, documentsPerWrite: 2 },
  };
  const outcome = await syncLink(job, deps).catch((error: unknown) => error as Error);
  // Work of the dead attempt still in flight (fetches) fails at its next step; let it settle.
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { outcome, steps: crashing.steps(), labels: crashing.labels };
}

async function storedDocuments(): Promise<Map<string, string>> {
  const { rows } = await t.pool.query<{ source_url: string; sha: string }>(`SELECT source_url, encode(sha256, 'hex') AS sha FROM documents WHERE link_id = $1`, [linkId]);
  return new Map(rows.map((r) => [r.source_url, r.sha]));
}

async function forgetEverything(): Promise<void> {
  for (const table of ['records', 'documents', 'sync_pending_fetches', 'sync_runs']) await t.pool.query(`DELETE FROM ${table} WHERE link_id = $1`, [linkId]);
  await t.pool.query(
    `UPDATE links SET status = 'active', status_reason = NULL, last_successful_sync_started_at = NULL, last_full_sync_started_at = NULL,
            sync_claimed_by = NULL, sync_claimed_until = NULL WHERE id = $1`,
    [linkId],
  );
}

/** Crashes a sync at each step in turn, resumes it, and returns the steps after which something was missing. */
async function crashAtEveryStep(
  label: string,
  prepare: (iteration: number) => Promise<void>,
  expected: () => Promise<Map<string, string>>,
  /** Crash only from the first step whose label matches (the whole path when absent). */
  from?: RegExp,
): Promise<{ tried: number; lost: string[] }> {
  await prepare(0);
  const dry = await runSync(fakeJob(`${label}-dry`), null);
  expect(dry.outcome).toMatchObject({ state: 'succeeded' });
  const lost: string[] = [];
  let iteration = 0;
  // The steps of the references/documents path: writing rows, queuing and removing fetches,
  // storing documents, and the run's end. A crash after one of them is a crash before the next.
  const onPath = (label: string) => /INSERT INTO records|WITH written|sync_pending_fetches|documents|UPDATE sync_runs SET state|UPDATE links SET status = 'active'/.test(label);
  const first = from ? dry.labels.findIndex((l) => from.test(l)) + 1 : 1;
  expect(first).toBeGreaterThan(0);
  // A statement repeated many times over (one per page, reference or group of documents) is
  // crashed at its first and last occurrence.
  const repeated = (at: number) => {
    const label = dry.labels[at - 1];
    return dry.labels.indexOf(label, first - 1) + 1 !== at && dry.labels.lastIndexOf(label) + 1 !== at;
  };
  for (let at = first; at <= dry.steps; at++) {
    if (!onPath(dry.labels[at - 1]) || repeated(at)) continue;
    for (const when of ['before', 'after'] as const) {
      await prepare(++iteration);
      const job = fakeJob(`${label}-${at}-${when}`);
      const crashed = await runSync(job, { at, when });
      expect(crashed.outcome, `${when} step ${at}: ${JSON.stringify(crashed.outcome)}`).toBeInstanceOf(Crash);
      job.attemptsMade++;
      const resumed = await runSync(job, null);
      const want = await expected();
      const have = await storedDocuments();
      const missing = [...want.keys()].filter((url) => have.get(url) !== want.get(url));
      const state = resumed.outcome instanceof Error ? `threw ${resumed.outcome.message}` : resumed.outcome.state;
      if (missing.length > 0 || state !== 'succeeded') {
        lost.push(`${when} step ${at} (${crashed.labels[at - 1]}): ${missing.length} document(s) missing, resumed run ${state}`);
      }
    }
  }
  return { tried: iteration, lost };
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await buildTestApp({ queuePrefix: uniquePrefix('crash') });
  const portals = await registerSandboxPortals(t.pool, sandbox, uniquePrefix('c').slice(-8));
  const patient = await signedInPatient(t.app);
  accountId = patient.accountId;
  const attempt = await linkPortal(t.app, patient.cookie, portals.northside, DEMO_LOGIN);
  expect(attempt.location?.searchParams.get('link')).toBe('success');
  linkId = (await t.pool.query<{ id: string }>('SELECT id FROM links WHERE account_id = $1', [accountId])).rows[0].id;
}, 60_000);

afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});

describe('a sync crashed at any step', () => {
  // The page writes are crashed in the incremental case below (where no full pass could mend a
  // loss); here the crashes fall in the references phase, from the full pass's check on.
  it('stores every attachment and referenced resource of a first (full) sync once resumed, whichever step of its references phase it died at', async () => {
    let complete = new Map<string, string>();
    const result = await crashAtEveryStep(
      'first',
      async (iteration) => {
        // The dry run (before iteration 1) is the truth.
        if (iteration === 1) complete = await storedDocuments();
        await forgetEverything();
      },
      async () => complete,
      /^SELECT DISTINCT d->>'url'|^SELECT kind, target, content_type/,
    );
    // The dry run's documents are the truth; the demo patient has several.
    expect(complete.size).toBeGreaterThanOrEqual(5);
    expect(result.tried).toBeGreaterThan(10);
    expect(result.lost).toEqual([]);
  }, 240_000);

  it('stores every new attachment of an incremental sync once resumed, whichever step it died at', async () => {
    const northside = sandbox.hospital('northside');
    const patientId = (await t.pool.query<{ portal_patient_id: string }>('SELECT portal_patient_id FROM links WHERE id = $1', [linkId])).rows[0].portal_patient_id;
    const added = new Map<string, string>();
    const authors: string[] = [];
    // Each round the portal gains new notes with attachments, then an incremental sync runs.
    const addNotes = (round: number) => {
      for (let n = 0; n < 3; n++) {
        const id = `crash-note-${round}-${n}`;
        const text = `Note ${round}/${n}`;
        northside.admin.upsertResource({ resourceType: 'Practitioner', id: `${id}-author`, name: [{ family: 'Author', given: [id] }] });
        authors.push(`Practitioner/${id}-author`);
        northside.admin.upsertResource({ resourceType: 'Binary', id: `${id}-b`, contentType: 'text/plain', securityContext: { reference: `Patient/${patientId}` }, data: Buffer.from(text).toString('base64') });
        northside.admin.upsertResource({
          resourceType: 'DocumentReference',
          id,
          status: 'current',
          subject: { reference: `Patient/${patientId}` },
          date: '2026-01-01T00:00:00Z',
          author: [{ reference: `Practitioner/${id}-author` }],
          type: { text: 'Progress note' },
          content: [{ attachment: { contentType: 'text/plain', url: `${northside.fhirBaseUrl}/Binary/${id}-b`, title: text } }],
        });
        added.set(`${northside.fhirBaseUrl}/Binary/${id}-b`, text);
      }
    };
    let before = new Map<string, string>();
    const result = await crashAtEveryStep(
      'incremental',
      async (iteration) => {
        if (iteration === 0) {
          // A complete first sync; the crashed ones are incremental after it.
          await forgetEverything();
          expect((await runSync(fakeJob('incremental-base'), null)).outcome).toMatchObject({ state: 'succeeded' });
          before = await storedDocuments();
        }
        await t.pool.query(`UPDATE links SET last_full_sync_started_at = now(), sync_claimed_by = NULL, sync_claimed_until = NULL WHERE id = $1`, [linkId]);
        addNotes(iteration);
      },
      async () => {
        const { createHash } = await import('node:crypto');
        const want = new Map(before);
        for (const [url, text] of added) want.set(url, createHash('sha256').update(text).digest('hex'));
        return want;
      },
    );
    expect(added.size).toBeGreaterThan(30);
    expect(result.tried).toBeGreaterThan(10);
    expect(result.lost).toEqual([]);
    const { rows } = await t.pool.query<{ key: string }>(`SELECT resource_type || '/' || resource_id AS key FROM records WHERE link_id = $1 AND resource_type = 'Practitioner'`, [linkId]);
    expect(authors.filter((a) => !rows.some((r) => r.key === a))).toEqual([]);
  }, 240_000);
});
