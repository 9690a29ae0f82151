// The patient's own entries on real PostgreSQL: each of the five types is checked, given the
// patient as subject and source and the patient-entered tag by the server, and filed like any
// record: in the binder's categories under "Entered by you", in the treatment summary's side
// effects with the patient's answer to "did it continue?", and in export.json and the IPS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '../../src/db/pool.js';
import { processRecategorize } from '../../src/jobs/recategorize.js';
import { CLASSIFIER_RULES_VERSION } from '../../src/records/classify/index.js';
import { CONTINUED_AFTER_TREATMENT_URL } from '../../src/records/patient-entered.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { binder } from './uploads-helpers.js';

let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t?.close();
});

type Json = Record<string, unknown>;

interface EntryView {
  id: string;
  recordId: string;
  resourceType: string;
  resource: Json & { id: string; meta: { tag: Json[]; security: Json[] } };
  title: string;
  categories: string[];
  source: string;
}

const supplement = {
  resourceType: 'MedicationStatement',
  status: 'active',
  medicationCodeableConcept: { text: 'Vitamin D3' },
  dosage: [{ text: '1000 IU once a day', timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } }, doseAndRate: [{ doseQuantity: { value: 1000, unit: 'IU' } }] }],
};
const chemo = {
  resourceType: 'MedicationStatement',
  status: 'completed',
  medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '56946', display: 'paclitaxel' }], text: 'Paclitaxel' },
  effectivePeriod: { start: '2024-01-10', end: '2024-04-20' },
  dosage: [{ text: '80 mg/m2 weekly' }],
};
const sideEffect = (continued: boolean) => ({
  resourceType: 'AdverseEvent',
  event: { text: 'Numb fingers and toes' },
  date: '2024-02-15',
  suspectEntity: [{ instance: { display: 'Paclitaxel' } }],
  outcome: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-outcome', code: continued ? 'ongoing' : 'resolved' }] },
  extension: [{ url: CONTINUED_AFTER_TREATMENT_URL, valueBoolean: continued }],
});
const problem = { resourceType: 'Condition', code: { text: 'High blood pressure' }, onsetDateTime: '2015-03' };
const vaccine = { resourceType: 'Immunization', vaccineCode: { text: 'Flu vaccine' }, occurrenceDateTime: '2023-10-02' };
const testResult = {
  resourceType: 'Observation',
  code: { text: 'Blood glucose (fasting)' },
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  effectiveDateTime: '2024-05-02',
  valueQuantity: { value: 5.4, unit: 'mmol/L' },
};

async function post(cookie: string, body: unknown) {
  return t.app.inject({ method: 'POST', url: '/api/entries', headers: { cookie }, payload: body as Json });
}

async function add(cookie: string, body: unknown): Promise<EntryView> {
  const response = await post(cookie, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<EntryView>();
}

const tagged = (resource: EntryView['resource']) => resource.meta.tag.some((tag) => tag.code === 'patient-entered');

describe('adding entries', () => {
  it('files each of the five types in its category under "Entered by you", with the patient as subject and source', async () => {
    const patient = await signedInPatient(t.app);
    const added = {
      supplement: await add(patient.cookie, supplement),
      sideEffect: await add(patient.cookie, sideEffect(true)),
      problem: await add(patient.cookie, problem),
      vaccine: await add(patient.cookie, vaccine),
      test: await add(patient.cookie, testResult),
    };
    expect(added.supplement.categories).toEqual(['medicines-and-supplements']);
    expect(added.sideEffect.categories).toEqual(['treatment-side-effects']);
    expect(added.problem.categories).toEqual(['health-problems']);
    expect(added.vaccine.categories).toEqual(['vaccines']);
    expect(added.test.categories).toEqual(['health-history-tests']);
    for (const entry of Object.values(added)) {
      expect(entry.source).toBe('Entered by you');
      expect(entry.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(tagged(entry.resource)).toBe(true);
      expect(entry.resource.meta.security).toEqual([expect.objectContaining({ code: 'PATAST' })]);
    }
    const me = { reference: 'Patient/self', display: 'The patient' };
    expect(added.supplement.resource).toMatchObject({ subject: me, informationSource: me, dosage: supplement.dosage });
    expect(added.sideEffect.resource).toMatchObject({ subject: me, recorder: me, suspectEntity: [{ instance: { display: 'Paclitaxel' } }] });
    expect(added.problem.resource).toMatchObject({ subject: me, asserter: me, recorder: me, clinicalStatus: { coding: [expect.objectContaining({ code: 'active' })] } });
    expect(added.vaccine.resource).toMatchObject({ patient: me, primarySource: false, status: 'completed', reportOrigin: { coding: [expect.objectContaining({ code: 'recall' })] } });
    expect(added.test.resource).toMatchObject({ subject: me, performer: [me], status: 'final' });

    const items = await binder(t.app, patient.cookie);
    const entered = [{ portalId: 'entries', portalName: 'Entered by you' }];
    expect(items['medicines-and-supplements'].map((i) => [i.title, i.sources])).toEqual([['Vitamin D3', entered]]);
    expect(items['treatment-side-effects'].map((i) => [i.title, i.sources])).toEqual([['Numb fingers and toes', entered]]);
    expect(items['health-problems'].map((i) => i.title)).toEqual(['High blood pressure']);
    expect(items.vaccines.map((i) => i.title)).toEqual(['Flu vaccine']);
    expect(items['health-history-tests'].map((i) => i.title)).toEqual(['Blood glucose (fasting)']);
    // A category page lists them too, and the record opens like any other.
    const page = await t.app.inject({ method: 'GET', url: '/api/record/medicines-and-supplements', headers: { cookie: patient.cookie } });
    expect(page.json<{ items: Array<{ id: string; sources: unknown }> }>().items).toEqual([expect.objectContaining({ id: added.supplement.recordId, sources: entered })]);
    const detail = await t.app.inject({ method: 'GET', url: `/api/resources/${added.supplement.recordId}`, headers: { cookie: patient.cookie } });
    expect(detail.statusCode).toBe(200);

    const list = await t.app.inject({ method: 'GET', url: '/api/entries', headers: { cookie: patient.cookie } });
    expect(list.json<{ entries: EntryView[] }>().entries.map((e) => e.id).sort()).toEqual(Object.values(added).map((e) => e.id).sort());
    const one = await t.app.inject({ method: 'GET', url: `/api/entries/${added.vaccine.id}`, headers: { cookie: patient.cookie } });
    expect(one.json<EntryView>().title).toBe('Flu vaccine');
  });

  it('sets the subject, the source and the tag itself, whatever the client sends', async () => {
    const patient = await signedInPatient(t.app);
    const entry = await add(patient.cookie, {
      ...supplement,
      id: 'my-own-id',
      meta: { tag: [{ system: 'https://carebinder.example.org/fhir/CodeSystem/leaflet-category', code: 'pathology-reports' }], versionId: '7' },
      subject: { reference: 'Patient/someone-else' },
      informationSource: { reference: 'Practitioner/dr-who' },
    });
    expect(entry.id).not.toBe('my-own-id');
    expect(entry.resource.subject).toEqual({ reference: 'Patient/self', display: 'The patient' });
    expect(entry.resource.informationSource).toEqual({ reference: 'Patient/self', display: 'The patient' });
    expect(entry.resource.meta.tag).toEqual([expect.objectContaining({ code: 'patient-entered' })]);
    expect(entry.resource.meta).not.toHaveProperty('versionId');
    // The client's category tag did not file it: the classifier did.
    expect(entry.categories).toEqual(['medicines-and-supplements']);
    const condition = await add(patient.cookie, { ...problem, asserter: { reference: 'Practitioner/x' }, recorder: { reference: 'Patient/other' } });
    expect(condition.resource).toMatchObject({ asserter: { reference: 'Patient/self' }, recorder: { reference: 'Patient/self' } });
    const vaccination = await add(patient.cookie, { ...vaccine, patient: { reference: 'Patient/other' }, primarySource: true });
    expect(vaccination.resource).toMatchObject({ patient: { reference: 'Patient/self' }, primarySource: false });
  });

  it.each([
    ['an unknown type', { resourceType: 'Procedure', code: { text: 'Biopsy' } }],
    ['no resourceType', { medicationCodeableConcept: { text: 'Vitamin C' } }],
    ['a medicine without a name', { resourceType: 'MedicationStatement', status: 'active' }],
    ['an empty CodeableConcept', { resourceType: 'Condition', code: {} }],
    ['a status outside the value set', { ...supplement, status: 'maybe' }],
    ['a date that is not a FHIR date', { ...problem, onsetDateTime: '12/03/2015' }],
    ['an element FHIR does not have there', { ...vaccine, colour: 'blue' }],
    ['a vaccine without when', { resourceType: 'Immunization', vaccineCode: { text: 'Flu' } }],
    ['two values on one result', { ...testResult, valueString: 'normal' }],
    ['a dose that is not a number', { ...supplement, dosage: [{ doseAndRate: [{ doseQuantity: { value: 'lots' } }] }] }],
    ['"continued" on something not a side effect', { ...problem, extension: [{ url: CONTINUED_AFTER_TREATMENT_URL, valueBoolean: true }] }],
    ['"continued" that is not yes or no', { ...sideEffect(true), extension: [{ url: CONTINUED_AFTER_TREATMENT_URL, valueString: 'sort of' }] }],
    ['an extension with two values', { ...problem, extension: [{ url: 'https://example.org/x', valueString: 'a', valueBoolean: true }] }],
    ['a side effect blamed on another patient\'s record', { ...sideEffect(true), suspectEntity: [{ instance: { reference: 'Patient/other' } }] }],
  ])('refuses %s with 400 problem+json and stores nothing', async (_label, body) => {
    const patient = await signedInPatient(t.app);
    const response = await post(patient.cookie, body);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json<{ status: number; detail?: string }>()).toMatchObject({ status: 400 });
    const { rows } = await t.pool.query('SELECT 1 FROM records WHERE account_id = $1', [patient.accountId]);
    expect(rows).toHaveLength(0);
  });

  it('needs a signed-in patient', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/entries', payload: supplement })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/entries' })).statusCode).toBe(401);
  });
});

describe('changing and deleting entries', () => {
  it('changes an entry in place (the binder shows the new words; the earlier version is kept) and deletes it', async () => {
    const patient = await signedInPatient(t.app);
    const entry = await add(patient.cookie, supplement);
    const changed = await t.app.inject({
      method: 'PUT',
      url: `/api/entries/${entry.id}`,
      headers: { cookie: patient.cookie },
      payload: { ...supplement, medicationCodeableConcept: { text: 'Vitamin D3 (2000 IU)' }, dosage: [{ text: '2000 IU once a day' }] },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json<EntryView>()).toMatchObject({ id: entry.id, recordId: entry.recordId, title: 'Vitamin D3 (2000 IU)' });
    expect(changed.json<EntryView>().resource.dateAsserted).toBe(entry.resource.dateAsserted);
    expect((await binder(t.app, patient.cookie))['medicines-and-supplements'].map((i) => i.title)).toEqual(['Vitamin D3 (2000 IU)']);
    const versions = await t.pool.query('SELECT 1 FROM record_versions WHERE record_id = $1', [entry.recordId]);
    expect(versions.rows).toHaveLength(1);

    const otherType = await t.app.inject({ method: 'PUT', url: `/api/entries/${entry.id}`, headers: { cookie: patient.cookie }, payload: problem });
    expect(otherType.statusCode).toBe(400);
    const invalid = await t.app.inject({ method: 'PUT', url: `/api/entries/${entry.id}`, headers: { cookie: patient.cookie }, payload: { ...supplement, status: 'sometimes' } });
    expect(invalid.statusCode).toBe(400);

    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/entries/${entry.id}`, headers: { cookie: patient.cookie } });
    expect(deleted.statusCode).toBe(204);
    expect((await binder(t.app, patient.cookie))['medicines-and-supplements']).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/api/entries', headers: { cookie: patient.cookie } })).json<{ entries: unknown[] }>().entries).toEqual([]);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/entries/${entry.id}`, headers: { cookie: patient.cookie } })).statusCode).toBe(404);
  });

  it("answers 404 for another account's entries and for records that are not entries", async () => {
    const owner = await signedInPatient(t.app);
    const other = await signedInPatient(t.app);
    const entry = await add(owner.cookie, supplement);
    const asOther = { cookie: other.cookie };
    expect((await t.app.inject({ method: 'GET', url: `/api/entries/${entry.id}`, headers: asOther })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PUT', url: `/api/entries/${entry.id}`, headers: asOther, payload: supplement })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/entries/${entry.id}`, headers: asOther })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/entries', headers: asOther })).json<{ entries: unknown[] }>().entries).toEqual([]);
    // Still the owner's, unchanged.
    const mine = await t.app.inject({ method: 'GET', url: `/api/entries/${entry.id}`, headers: { cookie: owner.cookie } });
    expect(mine.json<EntryView>().title).toBe('Vitamin D3');
    // An id that is not an entry id at all.
    expect((await t.app.inject({ method: 'GET', url: '/api/entries/not-a-uuid', headers: asOther })).statusCode).toBe(400);
  });
});

describe('entries in the summaries and the exports', () => {
  it('puts a side effect in the treatment summary with whether it continued, linked to the treatment the patient named', async () => {
    const patient = await signedInPatient(t.app);
    await add(patient.cookie, chemo);
    const effect = await add(patient.cookie, sideEffect(true));
    const record = await t.app.inject({ method: 'GET', url: '/api/record', headers: { cookie: patient.cookie } });
    const body = record.json<{ sideEffects: Json[]; treatmentSummary: { medicines: Json[] } }>();
    expect(body.treatmentSummary.medicines).toEqual([expect.objectContaining({ sources: [{ portalId: 'entries', portalName: 'Entered by you' }] })]);
    expect(body.sideEffects).toEqual([
      expect.objectContaining({
        what: 'Numb fingers and toes',
        continuedAfterTreatment: 'yes',
        linkedBy: 'record',
        linkedTreatments: [expect.objectContaining({ kind: 'medicine' })],
        sources: [{ portalId: 'entries', portalName: 'Entered by you' }],
      }),
    ]);
    // The patient changes the answer: the summary follows.
    const changed = await t.app.inject({ method: 'PUT', url: `/api/entries/${effect.id}`, headers: { cookie: patient.cookie }, payload: sideEffect(false) });
    expect(changed.statusCode, changed.body).toBe(200);
    const after = (await t.app.inject({ method: 'GET', url: '/api/record', headers: { cookie: patient.cookie } })).json<{ sideEffects: Json[] }>();
    expect(after.sideEffects).toEqual([expect.objectContaining({ what: 'Numb fingers and toes', continuedAfterTreatment: 'no' })]);
  });

  it('carries entries into export.json (source "Entered by you") and the IPS (the patient as their subject)', async () => {
    const patient = await signedInPatient(t.app);
    const supplementEntry = await add(patient.cookie, supplement);
    await add(patient.cookie, problem);
    await add(patient.cookie, vaccine);
    await add(patient.cookie, testResult);

    const exported = await t.app.inject({ method: 'GET', url: '/api/record/export.json', headers: { cookie: patient.cookie } });
    expect(exported.statusCode).toBe(200);
    const bundle = JSON.parse(exported.body) as { entry: Array<{ fullUrl: string; extension: Array<{ extension: Array<{ url: string; valueString?: string }> }>; resource: EntryView['resource'] }> };
    const exportedSupplement = bundle.entry.find((e) => e.resource.id === supplementEntry.id);
    expect(exportedSupplement?.extension[0].extension).toEqual(
      expect.arrayContaining([
        { url: 'portal', valueString: 'entries' },
        { url: 'portalName', valueString: 'Entered by you' },
      ]),
    );
    expect(tagged(exportedSupplement!.resource)).toBe(true);
    expect(bundle.entry.filter((e) => e.resource.meta?.tag?.some((tag) => tag.code === 'patient-entered'))).toHaveLength(4);

    const ips = await t.app.inject({ method: 'GET', url: '/api/record/ips.json', headers: { cookie: patient.cookie } });
    expect(ips.statusCode, ips.body).toBe(200);
    const document = ips.json<{ entry: Array<{ fullUrl: string; resource: Json & { resourceType: string } }> }>();
    const composition = document.entry[0].resource as unknown as { section: Array<{ code: { coding: Array<{ code: string }> }; entry?: Array<{ reference: string }> }> };
    const patientUrl = document.entry.find((e) => e.resource.resourceType === 'Patient')?.fullUrl;
    const sectionTypes = (loinc: string) => {
      const section = composition.section.find((s) => s.code.coding[0].code === loinc);
      return (section?.entry ?? []).map((ref) => document.entry.find((e) => e.fullUrl === ref.reference)?.resource);
    };
    expect(sectionTypes('10160-0').map((r) => r?.resourceType)).toEqual(['MedicationStatement']);
    expect(sectionTypes('11450-4').map((r) => r?.resourceType)).toEqual(['Condition']);
    expect(sectionTypes('11369-6').map((r) => r?.resourceType)).toEqual(['Immunization']);
    expect(sectionTypes('30954-2').map((r) => r?.resourceType)).toEqual(['Observation']);
    const medication = sectionTypes('10160-0')[0] as unknown as { subject: { reference: string }; informationSource: { reference: string } };
    expect(medication.subject.reference).toBe(patientUrl);
    expect(medication.informationSource.reference).toBe(patientUrl);
  });

  it('re-files entries under new rules like any record (recategorize)', async () => {
    const patient = await signedInPatient(t.app);
    const entry = await add(patient.cookie, supplement);
    // The job re-files every stale record in the database: run it inside a transaction that is rolled
    // back, so neither this "old" record nor the job's work is seen by test files running alongside.
    const client = await t.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE records SET rules_version = 'old', categories = '{}', duplicate_keys = '{}' WHERE id = $1`, [entry.recordId]);
      const job = { data: { rulesVersion: CLASSIFIER_RULES_VERSION }, updateData: async () => {} };
      await processRecategorize(job, { pool: client as unknown as Pool, log: t.app.log as never });
      const { rows } = await client.query<{ categories: string[]; duplicate_keys: string[] }>('SELECT categories, duplicate_keys FROM records WHERE id = $1', [entry.recordId]);
      expect(rows[0].categories).toEqual(['medicines-and-supplements']);
      expect(rows[0].duplicate_keys).toContain(`self:entries:MedicationStatement/${entry.id}`);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
