// Portal quirks the sandbox does not have, faked with nock: an EHR that refuses an Observation
// search without a category (as Epic does), a type it forbids, and one it does not offer.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createLinkRepository } from '../../src/portals/links.js';
import { createPortalRegistry } from '../../src/portals/registry.js';
import { enqueueSync } from '../../src/jobs/sync.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { uniquePrefix } from '../helpers/services.js';
import { waitForSync } from '../helpers/sync.js';
import { startTestWorkers } from '../helpers/workers.js';

const BASE = 'https://fhir.quirky.example/api/FHIR/R4';
const PATIENT = 'q-patient-1';
const prefix = uniquePrefix('quirks');
let t: TestApp;
let workers: Awaited<ReturnType<typeof startTestWorkers>>;

const bundle = (resources: object[]) => ({ resourceType: 'Bundle', type: 'searchset', total: resources.length, entry: resources.map((resource) => ({ resource })) });
const observation = (id: string, category: string) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category }] }],
  code: { coding: [{ system: 'http://loinc.org', code: category === 'laboratory' ? '2345-7' : '8867-4' }], text: category === 'laboratory' ? 'Glucose' : 'Heart rate' },
  subject: { reference: `Patient/${PATIENT}` },
  effectiveDateTime: '2024-03-01T10:00:00Z',
  valueQuantity: { value: 99, unit: category === 'laboratory' ? 'mg/dL' : '/min' },
});

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  t = await buildTestApp({ queuePrefix: prefix });
  workers = await startTestWorkers(prefix);
});
afterEach(() => nock.cleanAll());
afterAll(async () => {
  nock.enableNetConnect();
  await workers?.close();
  await t?.close();
});

describe('portal quirks during a sync', () => {
  it('searches Observation category by category when the portal requires a category, and reports forbidden and missing types', async () => {
    const patient = await signedInPatient(t.app);
    const box = createSecretBox(t.config.secretKey);
    const portalId = `quirky-${uniquePrefix('q').slice(-6)}`;
    await createPortalRegistry(t.pool, box).upsert({ id: portalId, name: 'Quirky Clinic', fhirBaseUrl: BASE, clientId: 'carebinder' });
    const { link } = await createLinkRepository(t.pool, box).saveGrant({
      accountId: patient.accountId,
      portalId,
      portalPatientId: PATIENT,
      fhirUser: null,
      tokens: { access_token: 'quirky-access', token_type: 'Bearer', expires_in: 3600, scope: 'patient/*.rs offline_access', refresh_token: 'quirky-refresh' },
      accessExpiresAt: new Date(Date.now() + 3_600_000),
      refreshExpiresAt: null,
      endpoints: { token: 'https://fhir.quirky.example/oauth2/token' },
    });

    const api = nock(BASE).matchHeader('authorization', 'Bearer quirky-access').persist();
    api.get('/metadata').reply(200, {
      resourceType: 'CapabilityStatement',
      rest: [{ mode: 'server', resource: ['Patient', 'Observation', 'Condition', 'AllergyIntolerance'].map((type) => ({ type, interaction: [{ code: 'search-type' }] })) }],
    });
    api.get('/Patient').query(true).reply(200, bundle([{ resourceType: 'Patient', id: PATIENT }]));
    api
      .get('/Observation')
      .query((q) => q.category === undefined)
      .reply(400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'required', diagnostics: 'A category is required' }] });
    api.get('/Observation').query((q) => q.category === 'laboratory').reply(200, bundle([observation('lab-1', 'laboratory')]));
    api.get('/Observation').query((q) => q.category === 'vital-signs').reply(200, bundle([observation('vital-1', 'vital-signs')]));
    api.get('/Observation').query((q) => typeof q.category === 'string' && !['laboratory', 'vital-signs'].includes(q.category)).reply(200, bundle([]));
    api.get('/Condition').query(true).reply(403, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'Not allowed' }] });
    api.get('/AllergyIntolerance').query(true).reply(404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported' }] });

    const status = await waitForSync(t.app, patient.cookie, link.id, await enqueueSync(t.app.queues.sync, link.id));
    expect(status.state).toBe('succeeded');
    expect(status.types.Observation).toMatchObject({ fetched: 2, stored: 2, status: 'done' });
    expect(status.types.Condition).toMatchObject({ status: 'forbidden' });
    expect(status.types.AllergyIntolerance).toMatchObject({ status: 'not-supported' });
    expect(status.types.DiagnosticReport).toMatchObject({ status: 'skipped', note: 'the portal does not offer this type' });
    expect(status.warnings.join('\n')).toMatch(/requires a category/);
    const { rows } = await t.pool.query<{ resource_id: string; categories: string[] }>(
      `SELECT resource_id, categories FROM records WHERE link_id = $1 AND resource_type = 'Observation' ORDER BY resource_id`,
      [link.id],
    );
    expect(rows).toEqual([
      { resource_id: 'lab-1', categories: ['health-history-tests'] },
      { resource_id: 'vital-1', categories: [] },
    ]);
  });
});
