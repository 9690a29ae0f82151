// GET /api/record/exports: the sizes the "Export & share" page shows beside each download. The IPS's
// is exact; the others are estimates, which must stay within a factor of two of the real files.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { seedExportPatient, type ExportPatient } from '../helpers/export-patient.js';

let t: TestApp;
let patient: ExportPatient;

beforeAll(async () => {
  t = await buildTestApp();
  patient = await seedExportPatient(t.app, t.pool, randomBytes(3).toString('hex'));
}, 60_000);
afterAll(async () => t?.close());

interface Sizes {
  records: number;
  documents: number;
  ipsBytes: number;
  bundleBytes: number;
  zipBytes: number;
  pdfBytes: number;
}

const download = async (url: string) => (await t.app.inject({ method: 'GET', url, headers: { cookie: patient.cookie } })).rawPayload.length;

describe('the sizes of the downloads', () => {
  it('gives the IPS exactly and the Bundle, the zip and the PDF within a factor of two', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/record/exports', headers: { cookie: patient.cookie } });
    expect(response.statusCode).toBe(200);
    const sizes = response.json<Sizes>();
    expect(sizes.records).toBeGreaterThan(0);
    expect(sizes.documents).toBeGreaterThan(0);
    expect(sizes.ipsBytes).toBe(await download('/api/record/ips.json'));
    for (const [estimate, url] of [
      [sizes.bundleBytes, '/api/record/export.json'],
      [sizes.zipBytes, '/api/record/export.zip'],
      [sizes.pdfBytes, '/api/record/binder.pdf'],
    ] as const) {
      const actual = await download(url);
      expect(estimate / actual, `${url}: estimated ${estimate}, actually ${actual}`).toBeGreaterThan(0.5);
      expect(estimate / actual, `${url}: estimated ${estimate}, actually ${actual}`).toBeLessThan(2);
    }
  }, 60_000);

  it('answers zeros for a patient with nothing yet', async () => {
    const empty = await signedInPatient(t.app);
    const sizes = (await t.app.inject({ method: 'GET', url: '/api/record/exports', headers: { cookie: empty.cookie } })).json<Sizes>();
    expect(sizes).toMatchObject({ records: 0, documents: 0 });
  });
});
