// GET /api/record/binder.pdf: the printable binder, read back with poppler's pdftotext and pdfinfo.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import PDFDocument from 'pdfkit';
import { renderBinderPdf } from '../../src/exports/binder-pdf.js';
import { sourceUrlResolver } from '../../src/records/source-url.js';
import { toRecordRow } from '../../src/sync/record-row.js';
import { storeDocuments, upsertRecords } from '../../src/sync/storage.js';
import type { FhirResource } from '../../src/sync/validate.js';
import { CATEGORIES, CATEGORY_IDS } from '../../src/records/categories.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { DISCHARGE_TEXT, INLINE_TEXT, PATHOLOGY_TEXT, seedExportPatient, type ExportPatient } from '../helpers/export-patient.js';

const run = promisify(execFile);

/** A one-page PDF in one of the standard fonts: files from one generator number their objects alike. */
async function fontPdf(font: string, words: string): Promise<Buffer> {
  const doc = new PDFDocument({ compress: false });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => doc.on('end', resolve));
  doc.font(font).fontSize(14).text(words);
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
let t: TestApp;
let patient: ExportPatient;
let dir: string;
let pdf: Buffer;
let text: string;
let pages: string[];

async function pdfText(bytes: Buffer, name: string): Promise<{ text: string; pageCount: number; fonts: string }> {
  const file = join(dir, name);
  await writeFile(file, bytes);
  const [{ stdout: text }, { stdout: info }, { stdout: fonts }] = await Promise.all([
    run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { maxBuffer: 64 * 1024 * 1024 }),
    run('pdfinfo', [file]),
    run('pdffonts', [file]),
  ]);
  return { text, pageCount: Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]), fonts };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carebinder-pdf-'));
  t = await buildTestApp();
  patient = await seedExportPatient(t.app, t.pool, randomBytes(3).toString('hex'));
  const response = await t.app.inject({ method: 'GET', url: '/api/record/binder.pdf', headers: { cookie: patient.cookie } });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('application/pdf');
  pdf = response.rawPayload;
  const read = await pdfText(pdf, 'binder.pdf');
  text = read.text;
  pages = text.split('\f').slice(0, read.pageCount);
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the binder PDF', () => {
  it("has a cover with the patient, the date made and each portal's last sync", () => {
    expect(pages[0]).toContain('Zoë Ångström');
    expect(pages[0]).toContain('Born 1970-03-14');
    expect(pages[0]).toMatch(/Made on \d{4}-\d{2}-\d{2}/);
    expect(pages[0]).toContain('Northside Hospital: last synced 2026-11-30 10:00 UTC');
    expect(pages[0]).toContain('Riverside Clinic: last synced 2026-11-30 10:00 UTC');
  });

  it("prints the patient's name and page x of y on every page", () => {
    expect(pages.length).toBeGreaterThan(3);
    pages.forEach((page, index) => expect(page).toContain(`Zoë Ångström (born 1970-03-14) · page ${index + 1} of ${pages.length}`));
  });

  it('has contents whose page numbers lead to each section, every category title in the leaflet order', () => {
    const contents = pages[1];
    let last = -1;
    for (const id of CATEGORY_IDS) {
      const title = CATEGORIES[id].title;
      const match = new RegExp(`${title.replace(/[()]/g, '\\$&')} \\(\\d+\\)\\s+(\\d+)`).exec(contents);
      expect(match, title).not.toBeNull();
      const page = Number(match![1]);
      expect(page).toBeGreaterThan(last);
      last = page;
      expect(pages[page - 1].trimStart().startsWith(title), `${title} on page ${page}`).toBe(true);
    }
    expect(contents).toMatch(/Treatment summary\s+\d+/);
  });

  it('has the treatment summary with the cancer medicine and its dose', () => {
    const summary = text.slice(text.indexOf('Treatment summary\n'));
    expect(summary).toMatch(/paclitaxel \((completed|stopped|unknown|ongoing)\)/);
    expect(summary).toMatch(/doses 175 mg\/m[2²]/);
    expect(summary).toContain('Radiation therapy');
    expect(summary).toContain('Treatment side effects');
  });

  it('lists the items with their dates, status, values and sources; units with µ and ³ print', () => {
    expect(text).toContain('High blood pressure');
    expect(text).toMatch(/White blood cells[\s\S]*2024-02-02 · final · 6\.1 10³\/µL · from Northside Hospital/);
    expect(text).toMatch(/Glucose <fasting> & "random"[\s\S]*5\.4 mmol\/L · from Riverside Clinic/);
    expect(text).toMatch(/Influenza vaccine|Flu shot/);
    expect(text).toMatch(/from (Northside Hospital, Riverside Clinic|Riverside Clinic, Northside Hospital)/);
  });

  it("includes each attached document's own text where it belongs: merged PDF pages, text, inline documents", () => {
    const pathology = pages.findIndex((p) => p.includes(PATHOLOGY_TEXT));
    expect(pathology).toBeGreaterThan(0);
    expect(pages[pathology]).toContain('Attached: Pathology report (application/pdf, 2023-01-20), page 1 of 1');
    const pathologySection = pages.findIndex((p) => p.trimStart().startsWith(CATEGORIES['pathology-reports'].title));
    const imagingSection = pages.findIndex((p) => p.trimStart().startsWith(CATEGORIES['imaging-results'].title));
    expect(pathology).toBeGreaterThanOrEqual(pathologySection);
    expect(pathology).toBeLessThan(imagingSection);
    expect(text).toContain(DISCHARGE_TEXT);
    expect(text).toContain(INLINE_TEXT);
    expect(text).toContain('Attached: Chest X-ray (image/png, 2023-01-06)');
    // Documents of records in no category are printed under Other documents.
    const other = pages.findIndex((p) => p.trimStart().startsWith('Other documents'));
    expect(other).toBeGreaterThan(pathology);
    expect(pages.slice(other).join()).toContain('First progress note.');
    expect(pages.slice(other).join()).toContain('Second progress note.');
  });

  it('embeds its fonts', async () => {
    const { fonts } = await pdfText(pdf, 'fonts.pdf');
    // The binder's own fonts; the merged pathology PDF brings its own (standard Helvetica, not embedded).
    const own = fonts.split('\n').filter((row) => row.includes('DejaVu'));
    expect(own).toHaveLength(2);
    for (const row of own) expect(row).toMatch(/DejaVuSans(-Bold)?\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
  });

  it('prints only what the filters ask', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/record/binder.pdf?portal=${patient.portals.south}&categories=health-history-tests,vaccines`,
      headers: { cookie: patient.cookie },
    });
    expect(response.statusCode).toBe(200);
    const { text: part } = await pdfText(response.rawPayload, 'part.pdf');
    expect(part).toContain('Glucose');
    expect(part).not.toContain('White blood cells');
    expect(part).not.toContain(CATEGORIES['pathology-reports'].title);
    expect(part).toContain('Only part of the binder: portal Riverside Clinic; categories: Vaccines, Health history test results.');
  });

  it('merges each attached PDF with its own pages, even when two files number their objects alike', async () => {
    // Two PDFs from one generator share object numbers (content stream, font): each must keep its own.
    const second = await signedInPatient(t.app);
    const { rows } = await t.pool.query<{ id: string }>(
      `INSERT INTO links (account_id, portal_id, portal_patient_id, status) VALUES ($1, $2, 'pdf-twins', 'active') RETURNING id`,
      [second.accountId, patient.portals.north],
    );
    const report = (id: string, title: string, date: string): FhirResource => ({
      resourceType: 'DiagnosticReport',
      id,
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'SP' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '60567-5', display: 'Pathology report' }], text: title },
      subject: { reference: 'Patient/pdf-twins' },
      effectiveDateTime: date,
      presentedForm: [{ url: `Binary/${id}`, contentType: 'application/pdf', title }],
    });
    const resolve = sourceUrlResolver(patient.bases.north);
    await upsertRecords(t.pool, second.accountId, rows[0].id, [report('twin-a', 'Core biopsy report', '2024-01-10'), report('twin-b', 'Excision report', '2024-02-20')].map((r) => toRecordRow(r, { portalId: patient.portals.north, resolveAttachment: resolve })));
    const files = await Promise.all([fontPdf('Courier', 'Alpha findings: ductal carcinoma in situ'), fontPdf('Times-Roman', 'Omega findings: margins clear')]);
    await storeDocuments(t.pool, second.accountId, rows[0].id, files.map((content, i) => ({ sourceUrl: resolve(`Binary/twin-${i === 0 ? 'a' : 'b'}`)!, contentType: 'application/pdf', content, sha256: createHash('sha256').update(content).digest() })));
    const response = await t.app.inject({ method: 'GET', url: '/api/record/binder.pdf', headers: { cookie: second.cookie } });
    expect(response.statusCode).toBe(200);
    const { text: twins, fonts } = await pdfText(response.rawPayload, 'twins.pdf');
    expect(twins).toContain('Alpha findings');
    expect(twins).toContain('Omega findings');
    // Had the second file's font object been taken for the first's (same number), Times would be gone.
    expect(fonts).toContain('Courier');
    expect(fonts).toContain('Times-Roman');
  });

  it('stops drawing, without an unhandled rejection, when its reader goes away', async () => {
    const out = new PassThrough();
    out.once('data', () => out.destroy());
    await expect(renderBinderPdf(t.pool, patient.accountId, out)).rejects.toThrow();
  });

  it('refuses filters it cannot apply, and another patient or no session sees nothing of this binder', async () => {
    for (const query of ['categories=nope', 'from=2024-02-01&to=2024-01-01', 'from=yesterday']) {
      const response = await t.app.inject({ method: 'GET', url: `/api/record/binder.pdf?${query}`, headers: { cookie: patient.cookie } });
      expect(response.statusCode, query).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/record/binder.pdf' })).statusCode).toBe(401);
    const other = await signedInPatient(t.app);
    const theirs = await t.app.inject({ method: 'GET', url: '/api/record/binder.pdf', headers: { cookie: other.cookie } });
    const { text: empty } = await pdfText(theirs.rawPayload, 'other.pdf');
    expect(empty).not.toContain('Ångström');
    expect(empty).not.toContain('High blood pressure');
  });
});
