// The audit trail (src/audit/, migration 0016): every read and change a patient's account sees is
// in its own trail, newest first, page by page; nobody else's; rows can only be added, and only the
// retention purge (or deleting the account) removes them.
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processPurgeAudit } from '../../src/jobs/audit-retention.js';
import { createLogger } from '../../src/logger.js';
import { buildTestApp, signedInPatient, TEST_PASSWORD, uniqueEmail, type TestApp } from '../helpers/app.js';
import { uniquePrefix } from '../helpers/services.js';
import { upload } from './uploads-helpers.js';

interface Event {
  at: string;
  action: string;
  target: string | null;
  ip: string | null;
  userAgent: string | null;
}

let t: TestApp;
let portalId: string;
beforeAll(async () => {
  t = await buildTestApp({ queuePrefix: uniquePrefix('audit') });
  portalId = `audit-${randomBytes(4).toString('hex')}`;
  await t.pool.query(`INSERT INTO portals (id, name, fhir_base_url, client_id) VALUES ($1, 'Audit Hospital', 'https://audit.example/fhir', 'c')`, [portalId]);
});
afterAll(async () => t?.close());

/** Every event of the signed-in patient's trail, following the cursor to the end. */
async function trail(cookie: string): Promise<Event[]> {
  const events: Event[] = [];
  let url: string | null = '/api/audit';
  while (url) {
    const response: LightMyRequestResponse = await t.app.inject({ method: 'GET', url, headers: { cookie } });
    expect(response.statusCode, response.body).toBe(200);
    const page: { events: Event[]; next: string | null } = response.json();
    events.push(...page.events);
    url = page.next ? `/api/audit?cursor=${encodeURIComponent(page.next)}` : null;
  }
  return events;
}

async function seedRecord(accountId: string): Promise<{ linkId: string; recordId: string; documentUrl: string }> {
  const { rows: links } = await t.pool.query<{ id: string }>(
    `INSERT INTO links (account_id, portal_id, portal_patient_id, status) VALUES ($1, $2, $3, 'active') RETURNING id`,
    [accountId, portalId, `p-${randomBytes(3).toString('hex')}`],
  );
  const linkId = links[0].id;
  const resource = { resourceType: 'Observation', id: 'obs-1', status: 'final', code: { text: 'Haemoglobin (a title no trail may hold)' } };
  const { rows: records } = await t.pool.query<{ id: string }>(
    `INSERT INTO records (account_id, link_id, resource_type, resource_id, content_hash, resource, title, rules_version)
     VALUES ($1, $2, 'Observation', 'obs-1', sha256('x'::bytea), $3, 'Haemoglobin (a title no trail may hold)', 'test') RETURNING id::text`,
    [accountId, linkId, resource],
  );
  const { rows: documents } = await t.pool.query<{ id: string }>(
    `INSERT INTO documents (account_id, link_id, source_url, content_type, size_bytes, sha256, content)
     VALUES ($1, $2, 'https://audit.example/Binary/1', 'text/plain', 5, sha256('hello'::bytea), 'hello'::bytea) RETURNING id::text`,
    [accountId, linkId],
  );
  return { linkId, recordId: records[0].id, documentUrl: `/api/documents/d${documents[0].id}` };
}

describe('the audit trail', () => {
  it('records sign-ins, failed sign-ins and sign-outs with the address and the user agent (cut at 512 characters)', async () => {
    const email = uniqueEmail();
    await t.app.inject({ method: 'POST', url: '/api/accounts', payload: { email, password: TEST_PASSWORD } });
    const longAgent = `TestBrowser/1.0 ${'x'.repeat(600)}`;
    const failed = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email, password: 'wrong password!' }, headers: { 'user-agent': 'Guesser/2.0' } });
    expect(failed.statusCode).toBe(401);
    const signedIn = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email, password: TEST_PASSWORD }, headers: { 'user-agent': longAgent } });
    expect(signedIn.statusCode).toBe(200);
    const cookie = `carebinder_session=${signedIn.cookies.find((c) => c.name === 'carebinder_session')!.value}`;

    const events = await trail(cookie);
    expect(events.map((e) => e.action)).toEqual(['sign-in', 'sign-in.failed']);
    expect(events[0]).toMatchObject({ target: null, ip: '127.0.0.1', userAgent: longAgent.slice(0, 512) });
    expect(events[1]).toMatchObject({ ip: '127.0.0.1', userAgent: 'Guesser/2.0' });
    expect(Date.parse(events[0].at)).toBeGreaterThanOrEqual(Date.parse(events[1].at));

    expect((await t.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } })).statusCode).toBe(204);
    const again = await signedInPatient(t.app, email).catch(() => null);
    // signedInPatient signs up again (same answer) and signs in: the trail goes on.
    expect((await trail(again!.cookie)).map((e) => e.action)).toEqual(['sign-in', 'sign-out', 'sign-in', 'sign-in.failed']);
  });

  it('records nothing for a failed sign-in with an address that has no account', async () => {
    const agent = `Stranger/${randomBytes(6).toString('hex')}`;
    const response = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: uniqueEmail('nobody'), password: 'whatever it is' }, headers: { 'user-agent': agent } });
    expect(response.statusCode).toBe(401);
    const { rows } = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE user_agent = $1', [agent]);
    expect(rows[0].n).toBe(0);
  });

  it('records each read of the record, a record, a document and every export, by ids and kinds only', async () => {
    const patient = await signedInPatient(t.app);
    const { recordId, documentUrl } = await seedRecord(patient.accountId);
    const headers = { cookie: patient.cookie };
    for (const url of [
      '/api/record',
      '/api/record/health-history-tests',
      `/api/resources/${recordId}`,
      documentUrl,
      '/api/record/export.json',
      '/api/record/ips.json',
      '/api/record/export.zip',
      '/api/record/binder.pdf',
    ]) {
      const response = await t.app.inject({ method: 'GET', url, headers });
      expect(response.statusCode, `${url}: ${response.body.slice(0, 200)}`).toBe(200);
    }
    // Answered from the browser's copy (304): nothing new was disclosed, nothing recorded.
    const etag = (await t.app.inject({ method: 'GET', url: documentUrl, headers })).headers.etag as string;
    expect((await t.app.inject({ method: 'GET', url: documentUrl, headers: { ...headers, 'if-none-match': etag } })).statusCode).toBe(304);

    const events = (await trail(patient.cookie)).reverse().map((e) => `${e.action} ${e.target}`);
    expect(events).toEqual([
      'sign-in null',
      'record.read record',
      'record.read record:health-history-tests',
      'resource.read resource:Observation/obs-1',
      `document.read document:${documentUrl.split('/').pop()}`,
      'export.read export:json',
      'export.read export:ips',
      'export.read export:zip',
      'export.read export:pdf',
      `document.read document:${documentUrl.split('/').pop()}`,
    ]);
    expect(JSON.stringify(events)).not.toContain('Haemoglobin');
    // A read that finds nothing is not a read.
    expect((await t.app.inject({ method: 'GET', url: '/api/resources/999999999', headers })).statusCode).toBe(404);
    expect((await trail(patient.cookie)).length).toBe(events.length);
  });

  it('records reads of the entries, the checklist and the details the portals gave', async () => {
    const patient = await signedInPatient(t.app);
    await seedRecord(patient.accountId);
    const headers = { cookie: patient.cookie };
    for (const url of ['/api/entries', '/api/checklist', '/api/me/details']) {
      const response = await t.app.inject({ method: 'GET', url, headers });
      expect(response.statusCode, `${url}: ${response.body.slice(0, 200)}`).toBe(200);
    }
    expect((await trail(patient.cookie)).slice(0, 3).map((e) => `${e.action} ${e.target}`)).toEqual(['record.read details', 'record.read checklist', 'record.read entries']);
  });

  it('records uploads and their removal, and unlinking', async () => {
    const patient = await signedInPatient(t.app);
    const { linkId } = await seedRecord(patient.accountId);
    const uploaded = await upload(t.app, patient.cookie, { name: 'letter.txt', content: 'A clinic letter.\n', contentType: 'text/plain' });
    expect(uploaded.statusCode, uploaded.body).toBe(202);
    const uploadId = uploaded.json<{ id: string }>().id;
    expect((await t.app.inject({ method: 'DELETE', url: `/api/uploads/${uploadId}`, headers: { cookie: patient.cookie } })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/links/${linkId}`, headers: { cookie: patient.cookie } })).statusCode).toBe(204);
    const events = (await trail(patient.cookie)).map((e) => `${e.action} ${e.target}`);
    expect(events.slice(0, 3)).toEqual([`link.remove link:${linkId}`, `upload.delete upload:${uploadId}`, `upload.create upload:${uploadId}`]);
  });

  it('records shares made and revoked, and each read of a share (or refused passcode) by its recipient, in the owner\'s trail', async () => {
    const patient = await signedInPatient(t.app);
    await seedRecord(patient.accountId);
    const share = async (body: Record<string, unknown>) => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/shares',
        headers: { cookie: patient.cookie },
        payload: { label: 'For the GP', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), contents: ['ips'], ...body },
      });
      expect(created.statusCode, created.body).toBe(201);
      const { id, link } = created.json<{ id: string; link: string }>();
      const { url } = JSON.parse(Buffer.from(link.slice('shlink:/'.length), 'base64url').toString()) as { url: string };
      return { id, manifest: new URL(url).pathname };
    };
    const open = await share({});
    const guarded = await share({ passcode: 'tulip-1234' });
    const recipient = { remoteAddress: '203.0.113.7', headers: { 'user-agent': 'GP-Viewer/1.0' } };
    expect((await t.app.inject({ method: 'POST', url: open.manifest, payload: { recipient: 'Dr Lee' }, ...recipient })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: guarded.manifest, payload: { recipient: 'Dr Lee', passcode: 'wrong' }, ...recipient })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/shares/${open.id}`, headers: { cookie: patient.cookie } })).statusCode).toBe(204);

    const events = (await trail(patient.cookie)).slice(0, 5);
    expect(events.map((e) => `${e.action} ${e.target}`)).toEqual([
      `share.revoke share:${open.id}`,
      `share.read-refused share:${guarded.id}`,
      `share.read share:${open.id}`,
      `share.create share:${guarded.id}`,
      `share.create share:${open.id}`,
    ]);
    expect(events[2]).toMatchObject({ ip: '203.0.113.7', userAgent: 'GP-Viewer/1.0' });
    expect(JSON.stringify(events)).not.toContain('Dr Lee');
  });

  it("lists only the patient's own events, 50 a page, newest first, with an opaque cursor", async () => {
    const mine = await signedInPatient(t.app);
    const theirs = await signedInPatient(t.app);
    await t.pool.query(
      `INSERT INTO audit_events (account_id, action, target, at)
       SELECT $1, 'record.read', 'record:' || i, now() - make_interval(secs => 200 - i) FROM generate_series(1, 120) AS i`,
      [mine.accountId],
    );
    // Several events at the very same instant: the id orders them, no page loses or repeats one.
    await t.pool.query(`INSERT INTO audit_events (account_id, action, target, at) SELECT $1, 'export.read', 'export:tie' || i, now() - interval '1 hour' FROM generate_series(1, 7) AS i`, [
      mine.accountId,
    ]);
    const first = (await t.app.inject({ method: 'GET', url: '/api/audit', headers: { cookie: mine.cookie } })).json<{ events: Event[]; next: string }>();
    expect(first.events).toHaveLength(50);
    expect(first.next).toMatch(/^[A-Za-z0-9_-]+$/);

    const events = await trail(mine.cookie);
    expect(events).toHaveLength(128);
    expect(new Set(events.map((e) => e.target)).size).toBe(128);
    const times = events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(events[0].action).toBe('sign-in');

    expect((await trail(theirs.cookie)).map((e) => e.action)).toEqual(['sign-in']);
    // A cursor names a position, not an account: with another session it pages that session's own trail.
    const borrowed = await t.app.inject({ method: 'GET', url: `/api/audit?cursor=${first.next}`, headers: { cookie: theirs.cookie } });
    expect(borrowed.json<{ events: Event[] }>().events.every((e) => !e.target?.startsWith('record:'))).toBe(true);

    for (const cursor of ['not-a-cursor!', Buffer.from('1.x').toString('base64url')]) {
      const refused = await t.app.inject({ method: 'GET', url: `/api/audit?cursor=${encodeURIComponent(cursor)}`, headers: { cookie: mine.cookie } });
      expect(refused.statusCode).toBe(400);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/audit' })).statusCode).toBe(401);
  });

  it('refuses UPDATE, DELETE and TRUNCATE, even with a purge cutoff set by hand for recent events', async () => {
    const patient = await signedInPatient(t.app);
    await expect(t.pool.query(`UPDATE audit_events SET ip = '10.0.0.1' WHERE account_id = $1`, [patient.accountId])).rejects.toThrow(/append-only: UPDATE/);
    await expect(t.pool.query('DELETE FROM audit_events WHERE account_id = $1', [patient.accountId])).rejects.toThrow(/append-only: DELETE/);
    await expect(t.pool.query('TRUNCATE audit_events')).rejects.toThrow(/append-only: TRUNCATE/);
    const client = await t.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('carebinder.audit_purge_before', now()::text, true)`);
      await expect(client.query('DELETE FROM audit_events WHERE account_id = $1', [patient.accountId])).rejects.toThrow(/append-only: DELETE/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    const { rows } = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE account_id = $1', [patient.accountId]);
    expect(rows[0].n).toBe(1);
    await expect(t.pool.query(`SELECT audit_purge(interval '1 hour', 10)`)).rejects.toThrow(/at least a day/);
  });

  it('purges events past the retention (the hourly job) and keeps the rest', async () => {
    const patient = await signedInPatient(t.app);
    await t.pool.query(
      `INSERT INTO audit_events (account_id, action, target, at) VALUES
         ($1, 'record.read', 'record:old', now() - interval '400 days'),
         ($1, 'record.read', 'record:older', now() - interval '800 days'),
         ($1, 'record.read', 'record:kept', now() - interval '300 days')`,
      [patient.accountId],
    );
    const outcome = await processPurgeAudit({ pool: t.pool, log: createLogger('silent', 'test') }, 365);
    expect(outcome.deleted).toBeGreaterThanOrEqual(2);
    expect((await trail(patient.cookie)).map((e) => e.target)).toEqual([null, 'record:kept']);
    await processPurgeAudit({ pool: t.pool, log: createLogger('silent', 'test') }, 200);
    expect((await trail(patient.cookie)).map((e) => e.target)).toEqual([null]);
  });

  it('goes with the account when the account is deleted', async () => {
    const patient = await signedInPatient(t.app);
    await t.pool.query('DELETE FROM accounts WHERE id = $1', [patient.accountId]);
    const { rows } = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE account_id = $1', [patient.accountId]);
    expect(rows[0].n).toBe(0);
  });
});
