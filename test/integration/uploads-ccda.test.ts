// C-CDA uploads end to end: documents written from the C-CDA R2.1 (and R1.1) templates are filed
// by a real worker, their sections as ordinary records, the document itself viewable.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { uniquePrefix } from '../helpers/services.js';
import { startTestWorkers } from '../helpers/workers.js';
import { binder, uploadAndWait } from './uploads-helpers.js';

let t: TestApp;
let workers: Awaited<ReturnType<typeof startTestWorkers>>;
const prefix = uniquePrefix('uploads-ccda');
const fixture = (name: string) => readFileSync(new URL(`../fixtures/ccda/${name}`, import.meta.url));

beforeAll(async () => {
  t = await buildTestApp({ queuePrefix: prefix });
  workers = await startTestWorkers(prefix);
});
afterAll(async () => {
  await workers?.close();
  await t?.close();
});

describe('uploading a Continuity of Care Document (C-CDA R2.1)', () => {
  it('files every structured section as ordinary records under the upload as source', async () => {
    const patient = await signedInPatient(t.app);
    const done = await uploadAndWait(t.app, patient.cookie, { name: 'CCD.xml', content: fixture('ccd-r2.1.xml'), contentType: 'text/xml' });
    expect(done).toMatchObject({ state: 'done', contentType: 'application/xml' });
    expect(done.warnings).toEqual([]);
    const items = await binder(t.app, patient.cookie);
    const titles = (category: string) => items[category].map((i) => i.title);
    expect(titles('health-problems')).toEqual(expect.arrayContaining(['Malignant neoplasm of upper-outer quadrant of left female breast', 'Essential hypertension']));
    expect(titles('medicines-and-supplements')).toEqual(expect.arrayContaining(['letrozole 2.5 MG Oral Tablet', 'cholecalciferol 1000 UNT Oral Capsule']));
    expect(titles('vaccines')).toEqual(['Influenza, seasonal, injectable, preservative free']);
    expect(titles('health-history-tests')).toContain('CBC panel - Blood by Automated count');
    for (const item of Object.values(items).flat()) expect(item.sources).toEqual([{ portalId: `upload:${done.id}`, portalName: `Uploaded: CCD.xml (${new Date().toISOString().slice(0, 10)})` }]);
    const vitamin = items['medicines-and-supplements'].find((i) => i.title.startsWith('cholecalciferol'))!;
    const resource = await t.app.inject({ method: 'GET', url: `/api/resources/${vitamin.id}`, headers: { cookie: patient.cookie } });
    expect(resource.json<{ resource: unknown }>().resource).toMatchObject({
      resourceType: 'MedicationStatement',
      status: 'active',
      subject: { reference: 'Patient/patient' },
      effectivePeriod: { start: '2022-01-10' },
      dosage: [{ text: 'Vitamin D3 1000 unit capsule, once daily', doseAndRate: [{ doseQuantity: { value: 1000, unit: '[iU]' } }] }],
    });
  });
});
