import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLEAN_LAUNCHES_EVERY_MS, CLEAN_LAUNCHES_SCHEDULER, processCleanLaunches } from '../../src/jobs/launch-cleanup.js';
import { createLogger } from '../../src/logger.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { uniquePrefix } from '../helpers/services.js';
import { startTestWorkers } from '../helpers/workers.js';

let t: TestApp;
let accountId: string;
const portalId = `launches-${randomBytes(4).toString('hex')}`;
beforeAll(async () => {
  t = await buildTestApp();
  accountId = (await signedInPatient(t.app)).accountId;
  await t.pool.query(`INSERT INTO portals (id, name, fhir_base_url, client_id) VALUES ($1, 'Launches', 'https://x.example/fhir', 'c')`, [portalId]);
});
afterAll(async () => t.close());

const log = createLogger('silent', 'test');

/** A link attempt of this test's patient that expires (or expired) `expiresIn` from now, e.g. '-2 days'. */
async function launch(expiresIn: string, used = false): Promise<string> {
  const state = randomBytes(12).toString('base64url');
  await t.pool.query(
    `INSERT INTO smart_launches (state, account_id, portal_id, payload_enc, created_at, expires_at, used_at)
     VALUES ($1, $2, $3, 'sealed', now() + $4::interval - interval '10 minutes', now() + $4::interval, CASE WHEN $5 THEN now() END)`,
    [state, accountId, portalId, expiresIn, used],
  );
  return state;
}

async function remaining(states: string[]): Promise<string[]> {
  const { rows } = await t.pool.query<{ state: string }>('SELECT state FROM smart_launches WHERE state = ANY($1)', [states]);
  return rows.map((row) => row.state).sort();
}

describe('cleaning up expired link attempts', () => {
  it('deletes attempts that expired over a day ago, used or not, and keeps recent and live ones', async () => {
    const old = [await launch('-2 days'), await launch('-25 hours', true)];
    const kept = [await launch('-1 hour'), await launch('-5 minutes', true), await launch('10 minutes')];

    const outcome = await processCleanLaunches({ pool: t.pool, log });

    expect(outcome.deleted).toBeGreaterThanOrEqual(2);
    expect(await remaining([...old, ...kept])).toEqual([...kept].sort());
    // Nothing of this test is left to delete: a second run removes none of its rows.
    await processCleanLaunches({ pool: t.pool, log });
    expect(await remaining(kept)).toEqual([...kept].sort());
  });

  it('deletes in batches until none is left', async () => {
    await t.pool.query(
      `INSERT INTO smart_launches (state, account_id, portal_id, expires_at)
       SELECT 'batch-' || $3 || '-' || i, $1, $2, now() - interval '3 days' FROM generate_series(1, 12000) AS i`,
      [accountId, portalId, randomBytes(4).toString('hex')],
    );
    const outcome = await processCleanLaunches({ pool: t.pool, log });
    expect(outcome.deleted).toBeGreaterThanOrEqual(12_000);
    const { rows } = await t.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM smart_launches WHERE portal_id = $1 AND expires_at < now() - interval '1 day'`, [portalId]);
    expect(rows[0].n).toBe(0);
  });

  it('is scheduled hourly by every worker start, and the scheduled job does the deleting', async () => {
    const stale = await launch('-3 days');
    const live = await launch('10 minutes');
    const workers = await startTestWorkers(uniquePrefix('launches'));
    try {
      const scheduler = await workers.queues.launches.getJobScheduler(CLEAN_LAUNCHES_SCHEDULER);
      expect(scheduler?.every).toBe(CLEAN_LAUNCHES_EVERY_MS);
      await expect.poll(() => remaining([stale, live]), { timeout: 15_000, interval: 100 }).toEqual([live]);
    } finally {
      await workers.queues.launches.obliterate({ force: true });
      await workers.close();
    }
  });
});
