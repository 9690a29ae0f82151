// SMART Health Links: a share read back end to end by a receiver written from the specification
// (test/helpers/shl-decoder.ts), the passcode and its attempts, expiry, revocation, the access log,
// other accounts, and proof that the key is nowhere in the database (a pg_dump of all of it).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { seedExportPatient, type ExportPatient } from '../helpers/export-patient.js';
import { decodeShlink, readShl } from '../helpers/shl-decoder.js';

let t: TestApp;
let patient: ExportPatient;

beforeAll(async () => {
  t = await buildTestApp();
  patient = await seedExportPatient(t.app, t.pool, randomBytes(3).toString('hex'));
}, 60_000);
afterAll(async () => t?.close());

interface Created {
  id: string;
  link: string;
  viewerUrl: string;
  qrPng: string;
  expiresAt: string;
}

const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();

async function createShare(body: Record<string, unknown>, cookie = patient.cookie): Promise<Created> {
  const response = await t.app.inject({ method: 'POST', url: '/api/shares', headers: { cookie }, payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Created>();
}

/** fetch() over app.inject, so the decoder speaks HTTP to the app without a port. */
const injectFetch = async (url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) => {
  const response = await t.app.inject({
    method: (init.method ?? 'GET') as 'GET' | 'POST',
    url: new URL(url).pathname,
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { payload: init.body }),
  });
  return { status: response.statusCode, text: async () => response.body };
};

const manifest = (link: string, body: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: new URL(decodeShlink(link).url).pathname, payload: body, remoteAddress: '203.0.113.7' });

interface Detail {
  state: string;
  attemptsLeft: number;
  revokedAt: string | null;
  accesses: Array<{ at: string; recipient: string; address: string; outcome: string }>;
}
const detail = async (id: string, cookie = patient.cookie) => (await t.app.inject({ method: 'GET', url: `/api/shares/${id}`, headers: { cookie } })).json<Detail>();

describe('a SMART Health Link, read by a receiver written from the specification', () => {
  let created: Created;
  const passcode = 'tulip-1234';

  beforeAll(async () => {
    created = await createShare({ label: 'For Dr. Lee, second opinion', passcode, expiresAt: inHours(48), contents: ['ips', 'pdf', 'bundle'] });
  }, 60_000);

  it('answers a shlink:/ payload with url, key, exp, flag P, label and v, a viewer URL and a QR code', () => {
    expect(created.link).toMatch(/^shlink:\/[A-Za-z0-9_-]+$/);
    const payload = decodeShlink(created.link);
    expect(payload).toMatchObject({ flag: 'P', label: 'For Dr. Lee, second opinion', v: 1 });
    expect(Buffer.from(payload.key, 'base64url')).toHaveLength(32);
    expect(payload.exp).toBe(Math.floor(Date.parse(created.expiresAt) / 1000));
    expect(payload.url).toMatch(new RegExp(`^${t.config.publicUrl.replace(/\/$/, '')}/api/shl/[A-Za-z0-9_-]{43}$`));
    // 43 base64url characters are 258 bits: at least 256 random ones.
    expect(Buffer.from(payload.url.split('/').pop()!, 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(created.viewerUrl).toBe(`${t.config.publicUrl.replace(/\/$/, '')}/shl#${created.link}`);
    expect(created.qrPng).toMatch(/^data:image\/png;base64,/);
    expect(Buffer.from(created.qrPng.split(',')[1], 'base64').subarray(1, 4).toString()).toBe('PNG');
  });

  it('decrypts to the IPS Bundle, the PDF inside a DocumentReference and the complete Bundle', async () => {
    const files = await readShl(created.link, { recipient: 'Dr. Lee', passcode }, injectFetch);
    expect(files.map((f) => f.contentType)).toEqual(['application/fhir+json', 'application/fhir+json', 'application/fhir+json']);
    for (const file of files) expect(file.header).toMatchObject({ alg: 'dir', enc: 'A256GCM', cty: 'application/fhir+json', zip: 'DEF' });

    const [ips, pdf, bundle] = files.map((f) => f.json) as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    expect(ips).toMatchObject({ resourceType: 'Bundle', type: 'document' });
    const ipsEntries = ips.entry as Array<{ resource: { resourceType: string } }>;
    expect(ipsEntries[0].resource.resourceType).toBe('Composition');
    expect(ipsEntries.some((e) => e.resource.resourceType === 'Patient')).toBe(true);

    expect(pdf).toMatchObject({ resourceType: 'DocumentReference', status: 'current' });
    const attachment = (pdf.content as Array<{ attachment: { contentType: string; data: string; size: number } }>)[0].attachment;
    expect(attachment.contentType).toBe('application/pdf');
    const pdfBytes = Buffer.from(attachment.data, 'base64');
    expect(pdfBytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(attachment.size).toBe(pdfBytes.length);

    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    expect((bundle.entry as unknown[]).length).toBeGreaterThan(ipsEntries.length - 5);
  });

  it('embeds files up to embeddedLengthMax, and the manifest says which are where', async () => {
    const response = await manifest(created.link, { recipient: 'Dr. Lee', passcode, embeddedLengthMax: 10_000_000 });
    expect(response.statusCode).toBe(200);
    const { files } = response.json<{ files: Array<{ embedded?: string; location?: string }> }>();
    expect(files.every((f) => typeof f.embedded === 'string' && f.location === undefined)).toBe(true);
    const none = (await manifest(created.link, { recipient: 'Dr. Lee', passcode, embeddedLengthMax: 0 })).json<{ files: Array<{ location?: string }> }>();
    expect(none.files.every((f) => typeof f.location === 'string')).toBe(true);
  });

  it('serves locations with CORS, as application/jose, for an hour at most', async () => {
    const response = await manifest(created.link, { recipient: 'Dr. Lee', passcode });
    expect(response.headers['access-control-allow-origin']).toBe('*');
    const location = response.json<{ files: Array<{ location: string }> }>().files[0].location;
    const token = location.split('/').pop()!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = await t.app.inject({ method: 'GET', url: new URL(location).pathname });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toMatch(/^application\/jose/);
    expect(file.body.split('.')).toHaveLength(5);
    const { rows } = await t.pool.query<{ ttl: number }>(
      `SELECT max(extract(epoch FROM l.expires_at - now()))::float8 AS ttl FROM share_file_locations l JOIN shares s ON s.id = l.share_id WHERE s.id = $1`,
      [created.id],
    );
    expect(rows[0].ttl).toBeLessThanOrEqual(3600);
    // An unknown or malformed location is a plain 404.
    expect((await t.app.inject({ method: 'GET', url: `/api/shl/files/${'A'.repeat(43)}` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/shl/files/short' })).statusCode).toBe(404);
  });

  it('keeps an access log: when, the recipient, the address', async () => {
    const log = await detail(created.id);
    expect(log.state).toBe('active');
    expect(log.accesses.length).toBeGreaterThan(0);
    expect(log.accesses[0]).toMatchObject({ recipient: 'Dr. Lee', address: '203.0.113.7', outcome: 'served' });
    expect(Number.isNaN(Date.parse(log.accesses[0].at))).toBe(false);
    expect(log).not.toHaveProperty('link');
  });

  it('answers a link without a passcode without the P flag', async () => {
    const open = await createShare({ label: 'IPS only', expiresAt: inHours(2), contents: ['ips'] });
    expect(decodeShlink(open.link).flag).toBeUndefined();
    const files = await readShl(open.link, { recipient: 'ER' }, injectFetch);
    expect(files).toHaveLength(1);
    expect(files[0].json.resourceType).toBe('Bundle');
  });
});

describe('the passcode', () => {
  it('answers 401 with remainingAttempts for a wrong or missing passcode, and the log says so', async () => {
    const share = await createShare({ label: 'Passcode', passcode: 'right-one', expiresAt: inHours(1), contents: ['ips'] });
    const wrong = await manifest(share.link, { recipient: 'Mallory', passcode: 'wrong-one' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ status: 401, remainingAttempts: 9 });
    const missing = await manifest(share.link, { recipient: 'Mallory' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json<{ remainingAttempts: number }>().remainingAttempts).toBe(8);
    expect((await manifest(share.link, { recipient: 'Dr. Lee', passcode: 'right-one' })).statusCode).toBe(200);
    const log = await detail(share.id);
    expect(log.attemptsLeft).toBe(8);
    expect(log.accesses.map((a) => a.outcome)).toEqual(['served', 'wrong-passcode', 'wrong-passcode']);
  });

  it('disables the link for good when the attempts run out (default 10), even for the right passcode', async () => {
    const share = await createShare({ label: 'Lockout', passcode: 'right-one', expiresAt: inHours(1), contents: ['ips'] });
    const location = (await manifest(share.link, { recipient: 'Dr. Lee', passcode: 'right-one' })).json<{ files: Array<{ location: string }> }>().files[0].location;
    const remaining: number[] = [];
    for (let i = 0; i < 10; i++) remaining.push((await manifest(share.link, { recipient: 'Mallory', passcode: `guess-${i}` })).json<{ remainingAttempts: number }>().remainingAttempts);
    expect(remaining).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect((await manifest(share.link, { recipient: 'Dr. Lee', passcode: 'right-one' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: new URL(location).pathname })).statusCode).toBe(404);
    expect((await detail(share.id)).state).toBe('locked');
    const { rows } = await t.pool.query('SELECT 1 FROM share_files WHERE share_id = $1', [share.id]);
    expect(rows).toHaveLength(0);
  }, 30_000);
});

describe('expiry and revocation', () => {
  it('answers 404 once a link has expired, for the manifest and its locations', async () => {
    const share = await createShare({ label: 'Short', expiresAt: inHours(1), contents: ['ips'] });
    const location = (await manifest(share.link, { recipient: 'Dr. Lee' })).json<{ files: Array<{ location: string }> }>().files[0].location;
    await t.pool.query("UPDATE shares SET expires_at = now() - interval '1 second' WHERE id = $1", [share.id]);
    expect((await manifest(share.link, { recipient: 'Dr. Lee' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: new URL(location).pathname })).statusCode).toBe(404);
    const list = (await t.app.inject({ method: 'GET', url: '/api/shares', headers: { cookie: patient.cookie } })).json<{ shares: Array<{ id: string; state: string }> }>();
    expect(list.shares.find((s) => s.id === share.id)?.state).toBe('expired');
    // Listing dropped the ciphertext nobody can fetch any more.
    expect((await t.pool.query('SELECT 1 FROM share_files WHERE share_id = $1', [share.id])).rows).toHaveLength(0);
  });

  it('revokes: 204, then 404 for the manifest and its locations, the state is revoked and the files are gone', async () => {
    const share = await createShare({ label: 'Revoke me', expiresAt: inHours(1), contents: ['ips'] });
    const location = (await manifest(share.link, { recipient: 'Dr. Lee' })).json<{ files: Array<{ location: string }> }>().files[0].location;
    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/shares/${share.id}`, headers: { cookie: patient.cookie } });
    expect(revoked.statusCode).toBe(204);
    expect((await manifest(share.link, { recipient: 'Dr. Lee' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: new URL(location).pathname })).statusCode).toBe(404);
    const after = await detail(share.id);
    expect(after.state).toBe('revoked');
    expect(after.revokedAt).not.toBeNull();
    expect((await t.pool.query('SELECT 1 FROM share_files WHERE share_id = $1', [share.id])).rows).toHaveLength(0);
  });

  it('refuses an expiry in the past or over a year away, a label over 80 characters and unknown contents', async () => {
    const bad = [
      { label: 'x', expiresAt: new Date(Date.now() - 1000).toISOString(), contents: ['ips'] },
      { label: 'x', expiresAt: inHours(24 * 400), contents: ['ips'] },
      { label: 'x'.repeat(81), expiresAt: inHours(1), contents: ['ips'] },
      { label: 'x', expiresAt: inHours(1), contents: ['everything'] },
      { label: 'x', expiresAt: inHours(1), contents: [] },
      { label: 'x', passcode: '12', expiresAt: inHours(1), contents: ['ips'] },
    ];
    for (const payload of bad) {
      const response = await t.app.inject({ method: 'POST', url: '/api/shares', headers: { cookie: patient.cookie }, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });
});

describe('what the server keeps', () => {
  it('stores no key: a dump of the whole database holds it in no encoding, and neither do the logs', async () => {
    const share = await createShare({ label: 'Key hunt', passcode: 'hunt-1234', expiresAt: inHours(1), contents: ['ips', 'pdf'] });
    const key = Buffer.from(decodeShlink(share.link).key, 'base64url');
    await readShl(share.link, { recipient: 'Dr. Lee', passcode: 'hunt-1234' }, injectFetch);
    const { stdout: dump } = await promisify(execFile)('pg_dump', ['--data-only', '--no-owner', t.config.databaseUrl], { maxBuffer: 512 * 1024 * 1024 });
    expect(dump).toContain('Key hunt'); // the dump does hold this share
    const encodings = [key.toString('base64url'), key.toString('base64'), key.toString('hex'), key.toString('hex').toUpperCase()];
    for (const encoded of encodings) expect(dump.includes(encoded), encoded).toBe(false);
    // The raw bytes inside any bytea of the share tables.
    const { rows } = await t.pool.query(
      `SELECT 1 FROM share_files WHERE position($1::bytea IN jwe) > 0
       UNION ALL SELECT 1 FROM shares WHERE position($1::bytea IN manifest_hash) > 0`,
      [key],
    );
    expect(rows).toHaveLength(0);
    const logs = t.logs.join('\n');
    for (const encoded of encodings) expect(logs.includes(encoded)).toBe(false);
    // Nor the manifest id: only its hash.
    const manifestId = decodeShlink(share.link).url.split('/').pop()!;
    expect(dump.includes(manifestId)).toBe(false);
    expect(logs.includes(manifestId)).toBe(false);
    expect(logs).toContain('/api/shl/[redacted]');
  }, 60_000);
});

describe("another account's shares", () => {
  it('answer 404 to read and revoke, and are not listed', async () => {
    const share = await createShare({ label: 'Mine', expiresAt: inHours(1), contents: ['ips'] });
    const other = await signedInPatient(t.app);
    expect((await t.app.inject({ method: 'GET', url: `/api/shares/${share.id}`, headers: { cookie: other.cookie } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/shares/${share.id}`, headers: { cookie: other.cookie } })).statusCode).toBe(404);
    const list = (await t.app.inject({ method: 'GET', url: '/api/shares', headers: { cookie: other.cookie } })).json<{ shares: unknown[] }>();
    expect(list.shares).toEqual([]);
    expect((await detail(share.id)).state).toBe('active');
    expect((await t.app.inject({ method: 'GET', url: '/api/shares' })).statusCode).toBe(401);
  });
});

describe('the manifest rate limit', () => {
  it('is per link: a busy link answers 429 while another link still answers', async () => {
    const limited = await buildTestApp({ build: { rateLimits: { requestsPerMinute: 10_000, signUpsPerMinute: 1_000, signInsPerMinute: 1_000, shareManifestsPerMinute: 3 } } });
    try {
      const owner = await signedInPatient(limited.app);
      const make = async () =>
        (await limited.app.inject({ method: 'POST', url: '/api/shares', headers: { cookie: owner.cookie }, payload: { label: 'x', expiresAt: inHours(1), contents: ['ips'] } })).json<Created>();
      const [a, b] = [await make(), await make()];
      const ask = (link: string) => limited.app.inject({ method: 'POST', url: new URL(decodeShlink(link).url).pathname, payload: { recipient: 'r' } });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await ask(a.link)).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect((await ask(b.link)).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  }, 30_000);
});
