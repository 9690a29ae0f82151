// Uploads end to end on real PostgreSQL and Redis: the request judges and stores the file, a real
// worker's upload job files it, and the binder, documents and export show it like any record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toRecordRow } from '../../src/sync/record-row.js';
import { upsertRecords } from '../../src/sync/storage.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { uniquePrefix } from '../helpers/services.js';
import { startTestWorkers } from '../helpers/workers.js';
import { binder, JPEG_1X1, pdfWithText, PNG_1X1, upload, uploadAndWait, waitForUpload } from './uploads-helpers.js';

let t: TestApp;
let workers: Awaited<ReturnType<typeof startTestWorkers>>;
const prefix = uniquePrefix('uploads');
const today = () => new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  t = await buildTestApp({ queuePrefix: prefix, env: { UPLOAD_MAX_MB: '1' } });
  workers = await startTestWorkers(prefix);
});
afterAll(async () => {
  await workers?.close();
  await t?.close();
});

const patientRef = { reference: 'Patient/pat-1' };
const fhirBundle = {
  resourceType: 'Bundle',
  type: 'collection',
  entry: [
    { fullUrl: 'urn:uuid:pat-1', resource: { resourceType: 'Patient', id: 'pat-1', name: [{ given: ['Jane'], family: 'Doe' }], birthDate: '1970-05-12' } },
    {
      resource: {
        resourceType: 'Condition',
        id: 'cond-1',
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
        code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003', display: 'Hypertension' }], text: 'High blood pressure' },
        subject: patientRef,
        onsetDateTime: '2015-03-01',
      },
    },
    {
      fullUrl: 'urn:uuid:6a3c0f5e-2f1d-4a57-9d55-0c2b6c1f7a10',
      resource: {
        resourceType: 'Immunization',
        status: 'completed',
        vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '140' }], text: 'Influenza vaccine' },
        patient: patientRef,
        occurrenceDateTime: '2023-10-02',
      },
    },
    // Another patient's record in the file is not kept.
    { resource: { resourceType: 'Condition', id: 'cond-other', code: { text: 'Asthma' }, subject: { reference: 'Patient/someone-else' } } },
  ],
};

async function counts(accountId: string): Promise<{ uploads: number; records: number; documents: number }> {
  const { rows } = await t.pool.query<{ uploads: string; records: string; documents: string }>(
    `SELECT (SELECT count(*) FROM uploads WHERE account_id = $1) AS uploads, (SELECT count(*) FROM records WHERE account_id = $1) AS records,
            (SELECT count(*) FROM documents WHERE account_id = $1) AS documents`,
    [accountId],
  );
  return { uploads: Number(rows[0].uploads), records: Number(rows[0].records), documents: Number(rows[0].documents) };
}

describe('uploading FHIR JSON and NDJSON', () => {
  it('files a Bundle like a portal answer, under the source "Uploaded: <file name> (<date>)"', async () => {
    const patient = await signedInPatient(t.app);
    const done = await uploadAndWait(t.app, patient.cookie, { name: 'my-records.json', content: JSON.stringify(fhirBundle), contentType: 'application/octet-stream' });
    expect(done).toMatchObject({ state: 'done', fileName: 'my-records.json', contentType: 'application/fhir+json', resources: 3 });
    expect(done.categories).toEqual(expect.arrayContaining(['health-problems', 'vaccines']));
    expect(done.warnings.join(' ')).toContain('Condition/cond-other is about another patient');
    const items = await binder(t.app, patient.cookie);
    const source = `Uploaded: my-records.json (${today()})`;
    expect(items['health-problems'].map((i) => i.title)).toEqual(['High blood pressure']);
    expect(items['health-problems'][0].sources).toEqual([{ portalId: `upload:${done.id}`, portalName: source }]);
    // A resource named only by its fullUrl keeps that name as its id.
    expect(items.vaccines[0].sources[0].portalName).toBe(source);
    const resource = await t.app.inject({ method: 'GET', url: `/api/resources/${items.vaccines[0].id}`, headers: { cookie: patient.cookie } });
    expect(resource.json<{ resource: { id: string } }>().resource.id).toBe('6a3c0f5e-2f1d-4a57-9d55-0c2b6c1f7a10');
    // The export carries uploaded records like any other, naming the upload as their source.
    const exported = await t.app.inject({ method: 'GET', url: '/api/record/export.json', headers: { cookie: patient.cookie } });
    const entries = exported.json<{ entry: Array<{ fullUrl: string; resource: { resourceType: string; id: string } }> }>().entry;
    expect(entries.find((e) => e.resource.id === 'cond-1')?.fullUrl).toBe(`urn:carebinder:upload:${done.id}/Condition/cond-1`);
    expect(entries.some((e) => e.resource.id === 'cond-other')).toBe(false);
  });

  it('files NDJSON, one resource per line', async () => {
    const patient = await signedInPatient(t.app);
    const lines = [fhirBundle.entry[0].resource, fhirBundle.entry[1].resource].map((r) => JSON.stringify(r)).join('\n');
    const done = await uploadAndWait(t.app, patient.cookie, { name: 'export.ndjson', content: `${lines}\n` });
    expect(done).toMatchObject({ state: 'done', contentType: 'application/fhir+ndjson', resources: 2, categories: ['health-problems'] });
  });

  it('merges a fact delivered by a portal and by an upload into one item with both sources', async () => {
    const patient = await signedInPatient(t.app);
    await t.pool.query(`INSERT INTO portals (id, name, fhir_base_url, client_id) VALUES ('upl-portal', 'Upload Test Hospital', 'https://upl.example/fhir', 'c') ON CONFLICT DO NOTHING`);
    const { rows } = await t.pool.query<{ id: string }>(
      `INSERT INTO links (account_id, portal_id, portal_patient_id, status) VALUES ($1, 'upl-portal', 'pat-1', 'active') RETURNING id`,
      [patient.accountId],
    );
    const vaccine = { ...fhirBundle.entry[2].resource, id: 'imm-portal', identifier: [{ system: 'https://upl.example/imm', value: 'IMM-77' }] };
    await upsertRecords(t.pool, patient.accountId, rows[0].id, [toRecordRow(vaccine, 'upl-portal')]);
    const uploaded = { ...vaccine, id: 'imm-uploaded' };
    await uploadAndWait(t.app, patient.cookie, { name: 'vaccine.json', content: JSON.stringify(uploaded) });
    const items = await binder(t.app, patient.cookie);
    expect(items.vaccines).toHaveLength(1);
    expect(items.vaccines[0].sources.map((s) => s.portalName).sort()).toEqual(['Upload Test Hospital', `Uploaded: vaccine.json (${today()})`]);
  });

  it('keeps an upload about a differently named or born patient, with a visible warning', async () => {
    const patient = await signedInPatient(t.app);
    await t.pool.query(`INSERT INTO portals (id, name, fhir_base_url, client_id) VALUES ('upl-portal', 'Upload Test Hospital', 'https://upl.example/fhir', 'c') ON CONFLICT DO NOTHING`);
    const { rows } = await t.pool.query<{ id: string }>(
      `INSERT INTO links (account_id, portal_id, portal_patient_id, status) VALUES ($1, 'upl-portal', 'p-9', 'active') RETURNING id`,
      [patient.accountId],
    );
    const portalPatient = { resourceType: 'Patient', id: 'p-9', name: [{ given: ['Maria'], family: 'Lopez' }], birthDate: '1968-01-30' };
    await upsertRecords(t.pool, patient.accountId, rows[0].id, [toRecordRow(portalPatient, 'upl-portal')]);
    const done = await uploadAndWait(t.app, patient.cookie, { name: 'someone.json', content: JSON.stringify(fhirBundle) });
    expect(done.state).toBe('done');
    expect(done.warnings.join(' ')).toContain('"Jane Doe", not "Maria Lopez"');
    expect(done.warnings.join(' ')).toContain('1970-05-12, not 1968-01-30');
    // Someone else's papers do not change who the binder is about: the IPS names the portal's patient only.
    const ips = await t.app.inject({ method: 'GET', url: '/api/record/ips.json', headers: { cookie: patient.cookie } });
    const subject = (JSON.parse(ips.body) as { entry: Array<{ resource: { resourceType: string; name?: Array<{ family?: string }>; birthDate?: string } }> }).entry.find((e) => e.resource.resourceType === 'Patient')?.resource;
    expect(subject?.name?.map((n) => n.family)).toEqual(['Lopez']);
    expect(subject?.birthDate).toBe('1968-01-30');
    // The same patient written differently (case, middle name) is no mismatch.
    const same = { ...fhirBundle, entry: [{ resource: { ...portalPatient, id: 'x', name: [{ given: ['MARIA', 'Elena'], family: 'lopez' }] } }, fhirBundle.entry[1]] };
    const ok = await uploadAndWait(t.app, patient.cookie, { name: 'mine.json', content: JSON.stringify(same).replaceAll('Patient/pat-1', 'Patient/x') });
    expect(ok.warnings.filter((w) => w.includes('account says'))).toEqual([]);
  });
});

describe('uploading PDF, images and text', () => {
  it('files a PDF under the category the patient chose, with the PDF viewable', async () => {
    const patient = await signedInPatient(t.app);
    const pdf = await pdfWithText(['Letter from Dr. Smith', 'Follow-up in six months.']);
    const done = await uploadAndWait(t.app, patient.cookie, { name: 'scan 2024.pdf', content: pdf }, { category: 'discharge-summaries', title: 'Hospital discharge papers', date: '2024-02-10' });
    expect(done).toMatchObject({ state: 'done', contentType: 'application/pdf', resources: 1, categories: ['discharge-summaries'] });
    const [item] = (await binder(t.app, patient.cookie))['discharge-summaries'];
    expect(item).toMatchObject({ resourceType: 'DocumentReference', title: 'Hospital discharge papers', date: '2024-02-10' });
    expect(item.sources[0].portalName).toBe(`Uploaded: scan 2024.pdf (${today()})`);
    expect(item.documents).toHaveLength(1);
    const document = await t.app.inject({ method: 'GET', url: item.documents[0].url, headers: { cookie: patient.cookie } });
    expect(document.statusCode).toBe(200);
    expect(document.headers['content-type']).toBe('application/pdf');
    expect(document.rawPayload.equals(pdf)).toBe(true);
  });

  it("files a PDF without a chosen category by the classifier's reading of its text layer", async () => {
    const patient = await signedInPatient(t.app);
    const pdf = await pdfWithText(['Surgical Pathology Report', 'Specimen: left breast, core needle biopsy', 'Diagnosis: invasive ductal carcinoma']);
    const done = await uploadAndWait(t.app, patient.cookie, { name: 'IMG_0042.pdf', content: pdf });
    expect(done.categories).toEqual(['pathology-reports']);
    const byTitle = await uploadAndWait(t.app, patient.cookie, { name: 'ct.pdf', content: await pdfWithText(['Page 1']) }, { title: 'CT chest with contrast' });
    expect(byTitle.categories).toEqual(['imaging-results']);
  });

  it('files JPEG, PNG and plain text as documents with their bytes, judged by content rather than name', async () => {
    const patient = await signedInPatient(t.app);
    const jpeg = await uploadAndWait(t.app, patient.cookie, { name: 'photo.png', content: JPEG_1X1, contentType: 'image/png' }, { category: 'imaging-results' });
    expect(jpeg).toMatchObject({ state: 'done', contentType: 'image/jpeg', categories: ['imaging-results'] });
    const png = await uploadAndWait(t.app, patient.cookie, { name: 'scan', content: PNG_1X1 }, { category: 'operation-reports', title: 'Operation note page 1' });
    expect(png).toMatchObject({ state: 'done', contentType: 'image/png', categories: ['operation-reports'] });
    const text = await uploadAndWait(t.app, patient.cookie, { name: 'notes.txt', content: 'Discharge Summary\nAdmitted 2024-01-02 for surgery.\n' });
    expect(text).toMatchObject({ state: 'done', contentType: 'text/plain', categories: ['discharge-summaries'] });
    const items = await binder(t.app, patient.cookie);
    const served = await t.app.inject({ method: 'GET', url: items['operation-reports'][0].documents[0].url, headers: { cookie: patient.cookie } });
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.rawPayload.equals(PNG_1X1)).toBe(true);
  });

  it('keeps a document it cannot file, and says how to file it', async () => {
    const patient = await signedInPatient(t.app);
    const done = await uploadAndWait(t.app, patient.cookie, { name: 'misc.png', content: PNG_1X1 });
    expect(done).toMatchObject({ state: 'done', resources: 1, categories: [] });
    expect(done.warnings.join(' ')).toContain('upload it again with a category');
  });
});

describe('refused uploads', () => {
  const refusals: Array<{ name: string; file: { name: string; content: Buffer | string; contentType?: string }; status: number; detail: string }> = [
    { name: 'malformed JSON', file: { name: 'a.json', content: '{"resourceType": "Bundle", "entry": [' }, status: 400, detail: 'JSON is malformed' },
    { name: 'JSON that is not FHIR', file: { name: 'a.json', content: '{"hello": "world"}' }, status: 400, detail: 'not a FHIR resource' },
    { name: 'malformed NDJSON', file: { name: 'a.ndjson', content: '{"resourceType":"Patient","id":"a"}\n{"resourceType":' }, status: 400, detail: 'Line 2' },
    { name: 'malformed XML', file: { name: 'a.xml', content: '<ClinicalDocument xmlns="urn:hl7-org:v3"><title>x</ClinicalDocument>' }, status: 400, detail: 'not well-formed' },
    {
      name: 'XML with an external entity',
      file: { name: 'a.xml', content: '<?xml version="1.0"?><!DOCTYPE ClinicalDocument [<!ENTITY x SYSTEM "file:///etc/passwd">]><ClinicalDocument xmlns="urn:hl7-org:v3"><title>&x;</title></ClinicalDocument>' },
      status: 400,
      detail: 'DTD or entity',
    },
    { name: 'XML with a DTD', file: { name: 'a.xml', content: '<?xml version="1.0"?><!DOCTYPE ClinicalDocument SYSTEM "cda.dtd"><ClinicalDocument xmlns="urn:hl7-org:v3"/>' }, status: 400, detail: 'DTD' },
    { name: 'XML that is not a CDA document', file: { name: 'a.xml', content: '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>' }, status: 415, detail: 'only C-CDA' },
    { name: 'a ZIP named .pdf', file: { name: 'records.pdf', content: Buffer.from('504b0304140000000800', 'hex'), contentType: 'application/pdf' }, status: 415, detail: 'neither a document type carebinder accepts nor text' },
    { name: 'a GIF', file: { name: 'x.gif', content: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1') }, status: 415, detail: 'GIF' },
    { name: 'an empty file', file: { name: 'empty.pdf', content: Buffer.alloc(0) }, status: 400, detail: 'empty' },
  ];

  it.each(refusals)('refuses $name ($status problem+json) and stores nothing', async ({ file, status, detail }) => {
    const patient = await signedInPatient(t.app);
    const response = await upload(t.app, patient.cookie, file);
    expect(response.statusCode, response.body).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<{ detail: string }>().detail).toContain(detail);
    expect(await counts(patient.accountId)).toEqual({ uploads: 0, records: 0, documents: 0 });
  });

  it('refuses a file over UPLOAD_MAX_MB with 413, by its declared length before reading it and by its bytes when the length is not declared', async () => {
    const patient = await signedInPatient(t.app);
    const big = Buffer.alloc(1024 * 1024 + 10, 'a');
    const response = await upload(t.app, patient.cookie, { name: 'big.txt', content: big });
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<{ detail: string }>().detail).toContain('1 MB');
    // Just over the cap, within the form's allowance: the multipart limit stops it.
    const { multipartBody } = await import('./uploads-helpers.js');
    const { payload, headers } = multipartBody({ name: 'big.txt', content: big });
    const chunked = await t.app.inject({ method: 'POST', url: '/api/uploads', headers: { ...headers, cookie: patient.cookie, 'transfer-encoding': 'chunked' }, payload });
    expect(chunked.statusCode).toBe(413);
    expect(await counts(patient.accountId)).toEqual({ uploads: 0, records: 0, documents: 0 });
  });

  it('answers 413 to a declared length over the cap before the client has sent any of the body', async () => {
    const { connect } = await import('node:net');
    const patient = await signedInPatient(t.app);
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = new URL(address);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port) }, () => {
        // Headers only: 30 MB announced, not a byte of it sent.
        socket.write(
          `POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${patient.cookie}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: ${30 * 1024 * 1024}\r\n\r\n`,
        );
      });
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        if (received.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on('error', reject);
      setTimeout(() => reject(new Error(`no answer; got ${received}`)), 5000).unref();
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect(answer.toLowerCase()).toContain('connection: close');
  });

  it('refuses a request without a file, a second file, an unknown category or a malformed date with 400', async () => {
    const patient = await signedInPatient(t.app);
    expect((await upload(t.app, patient.cookie, null, { title: 'x' })).statusCode).toBe(400);
    expect((await upload(t.app, patient.cookie, { name: 'a.txt', content: 'hello' }, { category: 'snacks' })).json<{ detail: string }>().detail).toContain('"category" must be one of');
    expect((await upload(t.app, patient.cookie, { name: 'a.txt', content: 'hello' }, { date: '12/01/2024' })).statusCode).toBe(400);
    const json = await t.app.inject({ method: 'POST', url: '/api/uploads', headers: { cookie: patient.cookie, 'content-type': 'application/json' }, payload: { file: 'x' } });
    expect(json.statusCode).toBe(415);
    expect(await counts(patient.accountId)).toEqual({ uploads: 0, records: 0, documents: 0 });
  });
});

describe('upload ownership and removal', () => {
  it("answers 404 for another account's upload, to read or to delete", async () => {
    const owner = await signedInPatient(t.app);
    const other = await signedInPatient(t.app);
    const done = await uploadAndWait(t.app, owner.cookie, { name: 'n.txt', content: 'Discharge summary' });
    for (const method of ['GET', 'DELETE'] as const) {
      const response = await t.app.inject({ method, url: `/api/uploads/${done.id}`, headers: { cookie: other.cookie } });
      expect(response.statusCode).toBe(404);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/uploads', headers: { cookie: other.cookie } })).json<{ uploads: unknown[] }>().uploads).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: `/api/uploads/${done.id}`, headers: { cookie: owner.cookie } })).statusCode).toBe(200);
  });

  it('removes the upload and everything filed from it', async () => {
    const patient = await signedInPatient(t.app);
    const done = await uploadAndWait(t.app, patient.cookie, { name: 'b.json', content: JSON.stringify(fhirBundle) });
    const kept = await uploadAndWait(t.app, patient.cookie, { name: 'c.txt', content: 'Discharge summary\n' });
    expect((await binder(t.app, patient.cookie))['health-problems']).toHaveLength(1);
    const listed = await t.app.inject({ method: 'GET', url: '/api/uploads', headers: { cookie: patient.cookie } });
    expect(listed.json<{ uploads: Array<{ id: string }> }>().uploads.map((u) => u.id).sort()).toEqual([done.id, kept.id].sort());
    const removed = await t.app.inject({ method: 'DELETE', url: `/api/uploads/${done.id}`, headers: { cookie: patient.cookie } });
    expect(removed.statusCode).toBe(204);
    expect((await binder(t.app, patient.cookie))['health-problems']).toEqual([]);
    expect((await binder(t.app, patient.cookie))['discharge-summaries']).toHaveLength(1);
    expect(await counts(patient.accountId)).toEqual({ uploads: 1, records: 1, documents: 1 });
    expect((await t.app.inject({ method: 'GET', url: `/api/uploads/${done.id}`, headers: { cookie: patient.cookie } })).statusCode).toBe(404);
  });

  it('reports a file that holds nothing it can keep as failed, filing nothing', async () => {
    const patient = await signedInPatient(t.app);
    const response = await upload(t.app, patient.cookie, { name: 'x.json', content: JSON.stringify({ resourceType: 'Basic', id: 'b' }) });
    const failed = await waitForUpload(t.app, patient.cookie, response.json<{ id: string }>().id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toContain('Basic is not a type carebinder keeps');
    expect((await counts(patient.accountId)).records).toBe(0);
  });
});

describe('re-filing uploaded records when the rules change', () => {
  it('keeps the category the patient chose and the upload as the source', async () => {
    const { processRecategorize } = await import('../../src/jobs/recategorize.js');
    const { CLASSIFIER_RULES_VERSION } = await import('../../src/records/classify/index.js');
    const { createLogger } = await import('../../src/logger.js');
    const patient = await signedInPatient(t.app);
    const done = await uploadAndWait(t.app, patient.cookie, { name: 'p.png', content: PNG_1X1 }, { category: 'pathology-reports' });
    const before = await t.pool.query<{ duplicate_keys: string[] }>('SELECT duplicate_keys FROM records WHERE account_id = $1', [patient.accountId]);
    await t.pool.query(`UPDATE records SET categories = '{}', rules_version = 'old' WHERE account_id = $1`, [patient.accountId]);
    const job = { data: { rulesVersion: CLASSIFIER_RULES_VERSION }, updateData: async () => {} };
    await processRecategorize(job as never, { pool: t.pool, log: createLogger('silent', 'test') });
    const after = await t.pool.query<{ categories: string[]; duplicate_keys: string[] }>('SELECT categories, duplicate_keys FROM records WHERE account_id = $1', [patient.accountId]);
    expect(after.rows).toEqual([{ categories: ['pathology-reports'], duplicate_keys: before.rows[0].duplicate_keys }]);
    expect(before.rows[0].duplicate_keys).toContain(`self:upload:${done.id}:DocumentReference/document`);
  });
});
