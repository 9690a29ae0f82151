import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { CLASSIFIER_RULES_VERSION } from '../../src/records/classify/index.js';
import { processRecategorize, type RecategorizeJobData } from '../../src/jobs/recategorize.js';
import { toRecordRow } from '../../src/sync/record-row.js';
import { upsertRecords } from '../../src/sync/storage.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

/** A stand-in for the BullMQ job the worker hands the processor: data plus updateData. */
function fakeJob(data: RecategorizeJobData): Job<RecategorizeJobData> & { saved: RecategorizeJobData[] } {
  const saved: RecategorizeJobData[] = [];
  const job = {
    data,
    saved,
    updateData: async (next: RecategorizeJobData) => {
      saved.push(next);
      job.data = next;
    },
  };
  return job as unknown as Job<RecategorizeJobData> & { saved: RecategorizeJobData[] };
}

describe('re-filing records when the rules change', () => {
  it('recomputes categories of records filed under older rules, and leaves current ones alone', async () => {
    const patient = await signedInPatient(t.app);
    await t.pool.query(`INSERT INTO portals (id, name, fhir_base_url, client_id) VALUES ('recat-portal', 'Recat', 'https://x.example/fhir', 'c') ON CONFLICT DO NOTHING`);
    const { rows } = await t.pool.query<{ id: string }>(
      `INSERT INTO links (account_id, portal_id, portal_patient_id, status) VALUES ($1, 'recat-portal', 'p1', 'active') RETURNING id`,
      [patient.accountId],
    );
    const linkId = rows[0].id;
    const vaccine = { resourceType: 'Immunization', id: 'imm-1', status: 'completed', vaccineCode: { coding: [{ system: 'http://hl7.org/cvx', code: '140' }], text: 'Influenza' }, patient: { reference: 'Patient/p1' }, occurrenceDateTime: '2024-10-01' };
    const glucose = { resourceType: 'Observation', id: 'obs-1', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }], code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }], text: 'Glucose' }, subject: { reference: 'Patient/p1' }, effectiveDateTime: '2024-10-01', valueQuantity: { value: 101, unit: 'mg/dL' } };
    await upsertRecords(t.pool, patient.accountId, linkId, [toRecordRow(vaccine, 'recat-portal'), toRecordRow(glucose, 'recat-portal')]);
    // The vaccine was filed wrongly under an older rule set.
    await t.pool.query(`UPDATE records SET categories = '{health-problems}', rules_version = 'old' WHERE link_id = $1 AND resource_id = 'imm-1'`, [linkId]);

    const job = fakeJob({ rulesVersion: CLASSIFIER_RULES_VERSION });
    const result = await processRecategorize(job, { pool: t.pool, log: createLogger('silent', 'test') });
    expect(result.updated).toBeGreaterThanOrEqual(1);
    const after = await t.pool.query<{ resource_id: string; categories: string[]; rules_version: string }>(
      `SELECT resource_id, categories, rules_version FROM records WHERE link_id = $1 ORDER BY resource_id`,
      [linkId],
    );
    expect(after.rows).toEqual([
      { resource_id: 'imm-1', categories: ['vaccines'], rules_version: CLASSIFIER_RULES_VERSION },
      { resource_id: 'obs-1', categories: ['health-history-tests'], rules_version: CLASSIFIER_RULES_VERSION },
    ]);
    expect(job.saved.at(-1)?.afterId).toBeDefined();
    // Nothing left to do: a second run updates nothing.
    expect((await processRecategorize(fakeJob({ rulesVersion: CLASSIFIER_RULES_VERSION }), { pool: t.pool, log: createLogger('silent', 'test') })).updated).toBe(0);
  });

  it('does nothing for a job queued under other rules (an older worker)', async () => {
    expect((await processRecategorize(fakeJob({ rulesVersion: 'something-else' }), { pool: t.pool, log: createLogger('silent', 'test') })).updated).toBe(0);
  });
});
