// GET /api/documents/:id over the app: a portal's declared content type decides nothing on its
// own; only the allow-list is shown inline as itself (src/binder/documents.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { uniquePrefix } from '../helpers/services.js';

let t: TestApp;
let patient: { cookie: string; accountId: string };
let linkId: string;

beforeAll(async () => {
  t = await buildTestApp({ queuePrefix: uniquePrefix('docs') });
  patient = await signedInPatient(t.app);
  const portalId = `docs-${uniquePrefix('d').slice(-8)}`;
  await t.pool.query(`INSERT INTO portals (id, name, fhir_base_url, client_id) VALUES ($1, 'Docs Hospital', 'https://docs.example/fhir', 'carebinder')`, [portalId]);
  const { rows } = await t.pool.query<{ id: string }>(
    `INSERT INTO links (account_id, portal_id, portal_patient_id, status) VALUES ($1, $2, 'p1', 'active') RETURNING id`,
    [patient.accountId, portalId],
  );
  linkId = rows[0].id;
});
afterAll(async () => t?.close());

async function stored(contentType: string, content: string): Promise<string> {
  const { rows } = await t.pool.query<{ id: string }>(
    `INSERT INTO documents (account_id, link_id, source_url, content_type, size_bytes, sha256, content)
     VALUES ($1, $2, $3, $4, octet_length($5::bytea), sha256($5::bytea), $5::bytea) RETURNING id::text`,
    [patient.accountId, linkId, `https://docs.example/Binary/${Math.random().toString(36).slice(2)}`, contentType, Buffer.from(content)],
  );
  return `/api/documents/d${rows[0].id}`;
}

describe('serving a document a portal delivered', () => {
  it.each([
    'text/html',
    'application/xhtml+xml',
    'application/fhir+xml',
    'text/xsl',
    'application/x-javascript',
    'text/ecmascript',
  ])('serves %s as plain text, inline, with nosniff and a sandbox', async (declared) => {
    const url = await stored(declared, '<script>alert(document.domain)</script>');
    const served = await t.app.inject({ method: 'GET', url, headers: { cookie: patient.cookie } });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(served.headers['content-disposition']).toMatch(/^inline; /);
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['content-security-policy']).toMatch(/^sandbox/);
    expect(served.body).toBe('<script>alert(document.domain)</script>');
  });

  it.each(['multipart/x-mixed-replace; boundary=b', 'image/svg+xml', 'application/x-unknown-thing', 'not a type'])(
    'offers %s only as a download of bytes',
    async (declared) => {
      const url = await stored(declared, '--b\r\ncontent-type: text/html\r\n\r\n<script>alert(1)</script>');
      const served = await t.app.inject({ method: 'GET', url, headers: { cookie: patient.cookie } });
      expect(served.statusCode).toBe(200);
      expect(served.headers['content-type']).toBe('application/octet-stream');
      expect(served.headers['content-disposition']).toMatch(/^attachment; filename="[A-Za-z0-9._-]+"$/);
      expect(served.headers['x-content-type-options']).toBe('nosniff');
    },
  );

  it('shows an allow-listed type inline as itself', async () => {
    const url = await stored('image/png', '\x89PNG\r\n');
    const served = await t.app.inject({ method: 'GET', url, headers: { cookie: patient.cookie } });
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['content-disposition']).toMatch(/^inline; /);
    // The HEAD the web viewer sends first says the same.
    const head = await t.app.inject({ method: 'HEAD', url, headers: { cookie: patient.cookie } });
    expect(head.headers['content-type']).toBe('image/png');
  });
});
