// The complete electronic copy: GET /api/record/export.json (a Bundle holding every fetched
// document as a Binary, attachment urls pointing at them) and GET /api/record/export.zip.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_INCLUDED_EXTENSION, PORTAL_URL_EXTENSION } from '../../src/exports/bundle.js';
import { storeDocuments } from '../../src/sync/storage.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { INLINE_TEXT, seedExportPatient, type ExportPatient } from '../helpers/export-patient.js';
import { readZip } from '../helpers/read-zip.js';

interface Extension {
  url: string;
  valueUrl?: string;
  valueString?: string;
}
interface Attachment {
  url?: string;
  data?: string;
  contentType?: string;
  extension?: Extension[];
}
interface Entry {
  fullUrl: string;
  resource: { resourceType: string; id: string; contentType?: string; data?: string; content?: Array<{ attachment: Attachment }>; presentedForm?: Attachment[] };
}

let t: TestApp;
let patient: ExportPatient;
let bundle: { resourceType: string; type: string; entry: Entry[] };

beforeAll(async () => {
  t = await buildTestApp();
  patient = await seedExportPatient(t.app, t.pool, randomBytes(3).toString('hex'));
  const response = await t.app.inject({ method: 'GET', url: '/api/record/export.json', headers: { cookie: patient.cookie } });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
  bundle = response.json();
});
afterAll(async () => t.close());

const attachmentsOf = (entry: Entry): Attachment[] => [...(entry.resource.content ?? []).map((c) => c.attachment), ...(entry.resource.presentedForm ?? [])];

describe('the complete Bundle', () => {
  it('holds every stored resource and one Binary per fetched document, with its bytes and content type', async () => {
    const { rows: records } = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM records WHERE account_id = $1', [patient.accountId]);
    const binaries = bundle.entry.filter((e) => e.resource.resourceType === 'Binary');
    expect(bundle.entry.length - binaries.length).toBe(records[0].n);
    expect(binaries).toHaveLength(Object.keys(patient.documents).length);
    for (const document of Object.values(patient.documents)) {
      const binary = binaries.find((b) => Buffer.from(b.resource.data ?? '', 'base64').equals(document.content));
      expect(binary, document.url).toBeDefined();
      expect(binary!.resource.contentType).toBe(document.contentType);
      expect(binary!.fullUrl).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new Set(bundle.entry.map((e) => e.fullUrl)).size).toBe(bundle.entry.length);
  });

  it('points each fetched attachment at its Binary in the Bundle and keeps the portal URL in an extension', () => {
    const byFullUrl = new Map(bundle.entry.map((e) => [e.fullUrl, e]));
    const pointed = bundle.entry.flatMap(attachmentsOf).filter((a) => a.url?.startsWith('urn:uuid:'));
    // path-1 (relative url, presentedForm), dis-1, img-pic, note-a, note-b
    expect(pointed).toHaveLength(5);
    for (const attachment of pointed) {
      const binary = byFullUrl.get(attachment.url!);
      expect(binary?.resource.resourceType).toBe('Binary');
      const portalUrl = attachment.extension?.find((x) => x.url === PORTAL_URL_EXTENSION)?.valueUrl;
      const original = Object.values(patient.documents).find((d) => d.url === portalUrl);
      expect(original, portalUrl).toBeDefined();
      expect(Buffer.from(binary!.resource.data!, 'base64').equals(original!.content)).toBe(true);
    }
    const report = bundle.entry.find((e) => e.resource.resourceType === 'DiagnosticReport')!;
    expect(report.resource.presentedForm![0].extension).toContainEqual({ url: PORTAL_URL_EXTENSION, valueUrl: `${patient.bases.north}/Binary/path-1` });
  });

  it('keeps the URL of an attachment that was not fetched and says it is not in the Bundle', () => {
    const big = bundle.entry.find((e) => e.resource.id === 'img-big')!;
    const attachment = attachmentsOf(big)[0];
    expect(attachment.url).toBe(`${patient.bases.north}/Binary/img-big`);
    expect(attachment.extension?.find((x) => x.url === NOT_INCLUDED_EXTENSION)?.valueString).toMatch(/not in this Bundle/);
  });

  it('leaves an attachment with inline data as it is', () => {
    const inline = bundle.entry.find((e) => e.resource.id === 'inline-1')!;
    const attachment = attachmentsOf(inline)[0];
    expect(Buffer.from(attachment.data!, 'base64').toString()).toBe(INLINE_TEXT);
    expect(attachment.extension).toBeUndefined();
  });

  it('holds each document once when there are more than fit in one batch and their ids pass 9, 99, ...', async () => {
    const other = await signedInPatient(t.app);
    const { rows } = await t.pool.query<{ id: string }>(
      `INSERT INTO links (account_id, portal_id, portal_patient_id, status) VALUES ($1, $2, 'pn', 'active') RETURNING id`,
      [other.accountId, patient.portals.north],
    );
    const many = Array.from({ length: 130 }, (_, i) => ({ sourceUrl: `${patient.bases.north}/Binary/many-${i}`, contentType: 'text/plain', content: Buffer.from(`note ${i}`), sha256: createHash('sha256').update(`note ${i}`).digest() }));
    await storeDocuments(t.pool, other.accountId, rows[0].id, many);
    const exported = (await t.app.inject({ method: 'GET', url: '/api/record/export.json', headers: { cookie: other.cookie } })).json<typeof bundle>();
    const texts = exported.entry.map((e) => Buffer.from(e.resource.data ?? '', 'base64').toString()).sort();
    expect(texts).toEqual(many.map((d) => d.content.toString()).sort());
  });

  it("holds nothing of another patient's records or documents", async () => {
    const other = await signedInPatient(t.app);
    const response = await t.app.inject({ method: 'GET', url: '/api/record/export.json', headers: { cookie: other.cookie } });
    expect(response.json<{ entry: unknown[] }>().entry).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/api/record/export.json' })).statusCode).toBe(401);
  });
});

describe('the zip', () => {
  let files: Map<string, Buffer>;
  beforeAll(async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/record/export.zip', headers: { cookie: patient.cookie } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="carebinder-\d{4}-\d{2}-\d{2}\.zip"$/);
    files = readZip(response.rawPayload);
  });

  it('holds the complete Bundle as carebinder.json', () => {
    const inZip = JSON.parse(files.get('carebinder.json')!.toString()) as typeof bundle;
    expect(inZip.entry.map((e) => e.fullUrl).sort()).toEqual(bundle.entry.map((e) => e.fullUrl).sort());
  });

  it('holds the binder PDF', () => {
    const pdf = files.get('binder.pdf')!;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.subarray(-6).toString()).toMatch(/%%EOF/);
  });

  it('holds every document once as its original file, under safe, distinct names by category and date', () => {
    const documents = [...files.keys()].filter((name) => name.startsWith('documents/'));
    for (const name of documents) {
      expect(name).toMatch(/^documents\/[a-z-]+\/(\d{4}-\d{2}-\d{2}|undated) [^/\\\p{Cc}]+\.[a-z0-9]+$/u);
      expect(name.split('/').some((segment) => segment === '..' || segment === '.' || segment.startsWith('.'))).toBe(false);
    }
    expect(new Set(documents.map((n) => n.toLowerCase())).size).toBe(documents.length);
    // Five fetched documents and the inline one; the one not fetched has no file.
    expect(documents).toHaveLength(6);
    for (const document of Object.values(patient.documents)) {
      expect(documents.some((name) => files.get(name)!.equals(document.content)), document.url).toBe(true);
    }
    const inline = documents.find((name) => files.get(name)!.toString() === INLINE_TEXT)!;
    expect(inline).toMatch(/^documents\/[a-z-]+\/2023-04-01 [^/]*etc-passwd\.txt$/);
    const notes = documents.filter((name) => name.includes('2023-05-01 Progress note'));
    expect(notes.sort()).toEqual([expect.stringMatching(/ Progress note \(2\)\.txt$/), expect.stringMatching(/ Progress note\.txt$/)].sort());
    expect(documents.find((name) => files.get(name)!.equals(patient.documents.pathology.content))).toMatch(/^documents\/[a-z-]+\/2023-01-20 Pathology report\.pdf$/);
  });

  it('has an index.html that opens offline and links every file in the zip', () => {
    const html = files.get('index.html')!.toString();
    expect(html).toContain('Zoë Ångström');
    expect(html).not.toMatch(/<script|https?:\/\/|src=/i);
    const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => decodeURIComponent(m[1].replace(/&amp;/g, '&')));
    for (const name of files.keys()) if (name !== 'index.html') expect(links, name).toContain(name);
    for (const link of links) expect(files.has(link), link).toBe(true);
  });
});
