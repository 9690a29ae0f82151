// GET /api/checklist (what is missing), the patient's details (GET /api/me/details, PATCH /api/me),
// records requests (POST/GET/PATCH /api/requests) and their letter (read back with poppler's pdftotext).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checklist, PatientDetails, RecordsRequest } from '../../src/api/index.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { seedRequestsPatient } from '../helpers/requests-patient.js';

const run = promisify(execFile);
type RecordsRequestList = { requests: RecordsRequest[] };
let t: TestApp;
let dir: string;
let patient: { cookie: string; accountId: string };
/** Record ids by FHIR id. */
let recordIds: Map<string, string>;

async function pdfText(bytes: Buffer, name: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, bytes);
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
  return stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carebinder-requests-'));
  t = await buildTestApp();
  const seeded = await seedRequestsPatient(t.app, t.pool);
  patient = seeded;
  recordIds = seeded.recordIds;
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const get = <T>(url: string, cookie = patient.cookie) => t.app.inject({ method: 'GET', url, headers: { cookie } }).then((response) => ({ response, body: response.json<T>() }));

describe('GET /api/checklist', () => {
  let checklist: Checklist;
  beforeAll(async () => {
    const { response, body } = await get<Checklist>('/api/checklist');
    expect(response.statusCode).toBe(200);
    checklist = body;
  });

  it('names each event whose record is absent, and only those', () => {
    const gaps = checklist.gaps.map((gap) => [gap.kind, gap.event.id]);
    expect(gaps).toEqual(
      expect.arrayContaining([
        ['operation-report', recordIds.get('proc-lumpectomy')],
        ['discharge-summary', recordIds.get('enc-stay')],
        ['pathology-report', recordIds.get('proc-biopsy')],
        ['imaging-report', recordIds.get('study-mri')],
        ['radiation-summary', recordIds.get('rad-course')],
      ]),
    );
    // Answered by a linked report (CT, old stay, biopsy note) or a report days later (lumpectomy's pathology).
    expect(gaps).toHaveLength(5);
  });

  it('gives each gap its event, reason and the organization to ask', () => {
    const operation = checklist.gaps.find((gap) => gap.kind === 'operation-report')!;
    expect(operation).toMatchObject({
      id: `operation-report:${recordIds.get('proc-lumpectomy')}`,
      category: 'operation-reports',
      reason: 'An operation with no operation report',
      event: { resourceType: 'Procedure', title: 'Lumpectomy of breast', date: '2024-03-05T09:00:00Z' },
      organization: { name: 'Northside Hospital', address: '1 Main Street, Springfield, IL 62701', phone: '217-555-0100', fax: '217-555-0101' },
    });
    const stay = checklist.gaps.find((gap) => gap.kind === 'discharge-summary')!;
    expect(stay.event).toMatchObject({ resourceType: 'Encounter', date: '2024-03-05', endDate: '2024-03-07' });
    expect(stay.organization?.name).toBe('Northside Hospital');
    // A location: its managing organization's name, the location's own address.
    const mri = checklist.gaps.find((gap) => gap.kind === 'imaging-report')!;
    expect(mri.organization).toEqual({ name: 'Northside Hospital', address: '3 Ray Road, Springfield, IL 62702', phone: '217-555-0100', fax: '217-555-0101' });
    // A location that was not fetched: the name the reference gives.
    const biopsy = checklist.gaps.find((gap) => gap.kind === 'pathology-report')!;
    expect(biopsy.organization).toEqual({ name: 'Riverside Breast Center', address: null, phone: null, fax: null });
    const radiation = checklist.gaps.find((gap) => gap.kind === 'radiation-summary')!;
    expect(radiation.event).toMatchObject({ date: '2024-04-01', endDate: '2024-05-10' });
    expect(radiation.category).toBe('radiation-treatment-summary');
  });

  it('says of each category whether it is there, missing or incomplete', () => {
    const status = Object.fromEntries(checklist.categories.map((category) => [category.id, category.status]));
    expect(checklist.categories).toHaveLength(11);
    expect(status).toMatchObject({
      vaccines: 'missing',
      'health-problems': 'missing',
      'operation-reports': 'incomplete',
      'discharge-summaries': 'incomplete',
      'imaging-results': 'incomplete',
    });
    const imaging = checklist.categories.find((category) => category.id === 'imaging-results')!;
    expect(imaging.title).toBe('Imaging test results');
    expect(imaging.count).toBeGreaterThan(0);
    expect(imaging.lastDate).toBe('2024-06-01');
    expect(checklist.categories.find((category) => category.id === 'vaccines')).toMatchObject({ count: 0, lastDate: null });
  });

  it('shows another patient nothing of this one', async () => {
    const other = await signedInPatient(t.app);
    const { body } = await get<Checklist>('/api/checklist', other.cookie);
    expect(body.gaps).toEqual([]);
    expect(body.categories.every((category) => category.status === 'missing')).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: '/api/checklist' })).statusCode).toBe(401);
  });
});

describe("the patient's details", () => {
  it('are proposed from the linked portal, with its record numbers, until the patient saves them', async () => {
    const { response, body } = await get<PatientDetails>('/api/me/details');
    expect(response.statusCode).toBe(200);
    expect(body).toMatchObject({
      name: null,
      birthDate: null,
      proposed: { name: 'Zoë Ångström', birthDate: '1970-03-14', address: '12 Elm Street, Springfield, IL 62704', phone: '217-555-0142' },
      recordNumbers: [{ value: 'MRN-778899', source: 'Northside Hospital' }],
    });
  });

  it('are saved by PATCH /api/me; null clears one, fields not sent stay', async () => {
    const saved = await t.app.inject({
      method: 'PATCH',
      url: '/api/me',
      headers: { cookie: patient.cookie },
      payload: { name: 'Zoë Ångström', birthDate: '1970-03-14', address: '7 Oak Lane, Springfield, IL 62703', phone: '217-555-0199' },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json<PatientDetails>()).toMatchObject({ name: 'Zoë Ångström', birthDate: '1970-03-14', address: '7 Oak Lane, Springfield, IL 62703', phone: '217-555-0199' });
    const cleared = await t.app.inject({ method: 'PATCH', url: '/api/me', headers: { cookie: patient.cookie }, payload: { phone: null } });
    expect(cleared.json<PatientDetails>()).toMatchObject({ address: '7 Oak Lane, Springfield, IL 62703', phone: null });
    await t.app.inject({ method: 'PATCH', url: '/api/me', headers: { cookie: patient.cookie }, payload: { phone: '217-555-0199' } });
  });

  it('refuse what is not a detail', async () => {
    for (const payload of [{}, { birthDate: 'yesterday' }, { name: 'x'.repeat(201) }, { name: 42 }]) {
      const response = await t.app.inject({ method: 'PATCH', url: '/api/me', headers: { cookie: patient.cookie }, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});

describe('records requests', () => {
  let checklist: Checklist;
  let requestId: string;
  const organization = { name: 'Northside Hospital', address: '1 Main Street, Springfield, IL 62701', fax: '217-555-0101' };

  beforeAll(async () => {
    checklist = (await get<Checklist>('/api/checklist')).body;
  });

  it('are made as drafts, with the gaps asked for kept as they were', async () => {
    const operation = checklist.gaps.find((gap) => gap.kind === 'operation-report')!;
    const stay = checklist.gaps.find((gap) => gap.kind === 'discharge-summary')!;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/requests',
      headers: { cookie: patient.cookie },
      payload: { organization, categories: ['operation-reports', 'medication-treatment-summary'], gapIds: [operation.id, stay.id], from: '2024-01-01', to: '2024-12-31' },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json<{ id: string; status: string }>();
    expect(body.status).toBe('draft');
    requestId = body.id;

    const { response, body: request } = await get<RecordsRequest>(`/api/requests/${requestId}`);
    expect(response.statusCode).toBe(200);
    expect(request).toMatchObject({
      id: requestId,
      status: 'draft',
      organization,
      categories: ['operation-reports', 'medication-treatment-summary'],
      from: '2024-01-01',
      to: '2024-12-31',
      delivery: 'electronic',
      sentAt: null,
      dueAt: null,
      overdue: false,
    });
    expect(request.gaps.map((gap) => gap.id)).toEqual([operation.id, stay.id]);
    expect(request.gaps[0].event.title).toBe('Lumpectomy of breast');
  });

  it('are listed newest first', async () => {
    const second = await t.app.inject({
      method: 'POST',
      url: '/api/requests',
      headers: { cookie: patient.cookie },
      payload: { organization: { name: 'Riverside Breast Center', email: 'records@riverside.example' }, categories: ['pathology-reports'], delivery: 'pickup' },
    });
    expect(second.statusCode).toBe(201);
    const { body } = await get<RecordsRequestList>('/api/requests');
    expect(body.requests.map((request) => request.id)).toEqual([second.json<{ id: string }>().id, requestId]);
    expect(body.requests[0]).toMatchObject({ delivery: 'pickup', gaps: [], organization: { name: 'Riverside Breast Center', email: 'records@riverside.example' } });
  });

  it("print as a letter in the patient's voice under the HIPAA right of access", async () => {
    const response = await t.app.inject({ method: 'GET', url: `/api/requests/${requestId}/letter.pdf`, headers: { cookie: patient.cookie } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe('attachment; filename="records-request-northside-hospital.pdf"');
    const text = (await pdfText(response.rawPayload, 'letter.pdf')).replace(/\s+/g, ' ');
    for (const expected of [
      'Zoë Ångström',
      '7 Oak Lane, Springfield, IL 62703',
      'Phone: 217-555-0199',
      'Date of birth: 1970-03-14',
      'Medical record number: MRN-778899 (Northside Hospital)',
      'Northside Hospital',
      'Fax: 217-555-0101',
      'HIPAA',
      '45 CFR 164.524',
      'I am writing to request copies of my own health records',
      // The records in the leaflet's words, then the events with their dates.
      'Operation reports',
      'Chemotherapy and other cancer medicines: A treatment summary for chemo or other cancer medicines, with doses and how long they were taken',
      'Operation report: Lumpectomy of breast, 2024-03-05',
      'Discharge summary:',
      '2024-03-05 to 2024-03-07',
      'dated from 2024-01-01 to 2024-12-31',
      'I would prefer an electronic copy',
      'You must act on this request no later than 30 days after you receive it',
      'You may charge only a reasonable, cost-based fee',
      'Signature:',
      'Date:',
    ]) {
      expect(text, expected).toContain(expected);
    }
    expect(text).not.toContain('999-99-9999');
  });

  it('are marked sent (due 30 days later, overdue after), then received; a finished one stays finished', async () => {
    const sentAt = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const sent = await t.app.inject({ method: 'PATCH', url: `/api/requests/${requestId}`, headers: { cookie: patient.cookie }, payload: { status: 'sent', sentAt } });
    expect(sent.statusCode).toBe(200);
    const body = sent.json<RecordsRequest>();
    expect(body).toMatchObject({ status: 'sent', sentAt, overdue: true });
    expect(Date.parse(body.dueAt!) - Date.parse(sentAt)).toBe(30 * 86_400_000);

    const received = await t.app.inject({ method: 'PATCH', url: `/api/requests/${requestId}`, headers: { cookie: patient.cookie }, payload: { status: 'received' } });
    expect(received.statusCode).toBe(200);
    expect(received.json<RecordsRequest>()).toMatchObject({ status: 'received', overdue: false });
    expect(received.json<RecordsRequest>().receivedAt).not.toBeNull();

    const again = await t.app.inject({ method: 'PATCH', url: `/api/requests/${requestId}`, headers: { cookie: patient.cookie }, payload: { status: 'cancelled' } });
    expect(again.statusCode).toBe(409);
  });

  it('a request sent today is not overdue', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/requests', headers: { cookie: patient.cookie }, payload: { organization: { name: 'Clinic' }, categories: ['vaccines'] } });
    const id = created.json<{ id: string }>().id;
    const sent = await t.app.inject({ method: 'PATCH', url: `/api/requests/${id}`, headers: { cookie: patient.cookie }, payload: { status: 'sent' } });
    expect(sent.json<RecordsRequest>()).toMatchObject({ status: 'sent', overdue: false });
    const cancelled = await t.app.inject({ method: 'PATCH', url: `/api/requests/${id}`, headers: { cookie: patient.cookie }, payload: { status: 'cancelled' } });
    expect(cancelled.json<RecordsRequest>().status).toBe('cancelled');
  });

  it('refuse what cannot be a request (400, problem+json)', async () => {
    const bad: unknown[] = [
      {},
      { categories: ['vaccines'] },
      { organization: { name: '' }, categories: ['vaccines'] },
      { organization: { name: 'Clinic' } },
      { organization: { name: 'Clinic' }, categories: [] },
      { organization: { name: 'Clinic' }, categories: ['x-rays'] },
      { organization: { name: 'Clinic', email: 'not an address' }, categories: ['vaccines'] },
      { organization: { name: 'Clinic' }, categories: ['vaccines'], from: '2024-02-01', to: '2024-01-01' },
      { organization: { name: 'Clinic' }, categories: ['vaccines'], from: 'last year' },
      { organization: { name: 'Clinic' }, categories: ['vaccines'], delivery: 'pigeon' },
      { organization: { name: 'Clinic' }, gapIds: ['not a gap'] },
      { organization: { name: 'Clinic' }, gapIds: ['operation-report:999999999'] },
    ];
    for (const payload of bad) {
      const response = await t.app.inject({ method: 'POST', url: '/api/requests', headers: { cookie: patient.cookie }, payload: payload as object });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    for (const payload of [{ status: 'draft' }, { status: 'sent', sentAt: 'today' }, { status: 'received', sentAt: new Date().toISOString() }, { status: 'sent', sentAt: '2999-01-01T00:00:00Z' }]) {
      const response = await t.app.inject({ method: 'PATCH', url: `/api/requests/${requestId}`, headers: { cookie: patient.cookie }, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect((await get('/api/requests/not-a-uuid')).response.statusCode).toBe(400);
  });

  it("answer 404 for another patient's request, and 401 without a session", async () => {
    const other = await signedInPatient(t.app);
    for (const [method, url] of [
      ['GET', `/api/requests/${requestId}`],
      ['GET', `/api/requests/${requestId}/letter.pdf`],
      ['PATCH', `/api/requests/${requestId}`],
      ['GET', `/api/requests/${randomUUIDish()}`],
    ] as const) {
      const response = await t.app.inject({ method, url, headers: { cookie: other.cookie }, ...(method === 'PATCH' ? { payload: { status: 'cancelled' } } : {}) });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await get<RecordsRequestList>('/api/requests', other.cookie)).body.requests).toEqual([]);
    // Another patient cannot ask for this patient's gaps.
    const theirs = await t.app.inject({
      method: 'POST',
      url: '/api/requests',
      headers: { cookie: other.cookie },
      payload: { organization: { name: 'Clinic' }, gapIds: [checklist.gaps[0].id] },
    });
    expect(theirs.statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/requests' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'PATCH', url: '/api/me', payload: { name: 'X' } })).statusCode).toBe(401);
  });
});

function randomUUIDish(): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
