// E-mail notices (src/notices/, src/jobs/notices.ts, migration 0017) against a real SMTP server
// started here: what is mailed and when, at most one per kind per link per day, the preferences,
// the one-click unsubscribe, and the whole path from a sync that finds a portal needs re-linking.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { enqueueNotices, SCAN_NOTICES_EVERY_MS, SCAN_NOTICES_SCHEDULER } from '../../src/jobs/notices.js';
import { PURGE_AUDIT_EVERY_MS, PURGE_AUDIT_SCHEDULER } from '../../src/jobs/audit-retention.js';
import { enqueueSync } from '../../src/jobs/sync.js';
import { startWorkers, type Workers } from '../../src/jobs/workers.js';
import { createLogger } from '../../src/logger.js';
import { createMailer } from '../../src/notices/mailer.js';
import { noticesAfterFailedSync, scheduledNoticesDue, sendNotice, type NoticeDeps } from '../../src/notices/notices.js';
import { deriveUnsubscribeKey, unsubscribeToken } from '../../src/notices/unsubscribe.js';
import { createLinkRepository } from '../../src/portals/links.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { testConfig, uniquePrefix } from '../helpers/services.js';
import { startTestSmtp, type ReceivedMail, type TestSmtp } from '../helpers/smtp.js';

const MAIL_FROM = 'carebinder <binder@example.org>';
const PORTAL_NAME = 'Riverbank Oncology Centre';

let smtp: TestSmtp;
let t: TestApp;
let deps: NoticeDeps;
let portalId: string;

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await buildTestApp({ env: { SMTP_URL: smtp.url, MAIL_FROM }, queuePrefix: uniquePrefix('notices') });
  deps = {
    pool: t.pool,
    mailer: createMailer(t.config.mail),
    publicUrl: t.config.publicUrl,
    unsubscribeKey: deriveUnsubscribeKey(t.config.secretKey),
  };
  portalId = `notices-${randomBytes(4).toString('hex')}`;
  await t.pool.query(`INSERT INTO portals (id, name, fhir_base_url, client_id) VALUES ($1, $2, 'http://127.0.0.1:9/fhir', 'c')`, [portalId, PORTAL_NAME]);
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

interface Linked {
  cookie: string;
  accountId: string;
  email: string;
  linkId: string;
  secrets: string[];
}

/** A signed-in patient with a link whose tokens are sealed as a real link's are. */
async function linkedPatient(options: { refreshExpiresAt?: Date | null; accessExpiresAt?: Date | null; refresh?: boolean } = {}): Promise<Linked> {
  const patient = await signedInPatient(t.app);
  const access = `access-${randomBytes(12).toString('hex')}`;
  const refresh = `refresh-${randomBytes(12).toString('hex')}`;
  const portalPatientId = `pat-${randomBytes(4).toString('hex')}`;
  const links = createLinkRepository(t.pool, createSecretBox(t.config.secretKey));
  const { link } = await links.saveGrant({
    accountId: patient.accountId,
    portalId,
    portalPatientId,
    fhirUser: null,
    tokens: { access_token: access, token_type: 'Bearer', scope: 'patient/*.read', ...(options.refresh === false ? {} : { refresh_token: refresh }) },
    accessExpiresAt: options.accessExpiresAt ?? new Date(Date.now() + 3_600_000),
    refreshExpiresAt: options.refreshExpiresAt ?? null,
    endpoints: { token: 'http://127.0.0.1:9/token' },
  });
  return { ...patient, linkId: link.id, secrets: [access, refresh, portalPatientId, PORTAL_NAME, portalId] };
}

const mailsTo = (email: string): ReceivedMail[] => smtp.mails.filter((mail) => mail.to.includes(email));

function expectNothingSecret(mail: ReceivedMail, secrets: string[]): void {
  for (const secret of secrets) {
    expect(mail.raw, secret).not.toContain(secret);
    expect(mail.body, secret).not.toContain(secret);
  }
}

async function failedRun(linkId: string, state = 'failed'): Promise<void> {
  await t.pool.query(`INSERT INTO sync_runs (link_id, job_id, full_pass, state, finished_at) VALUES ($1, $2, false, $3, CASE WHEN $3 <> 'running' THEN now() END)`, [
    linkId,
    `job-${randomBytes(4).toString('hex')}`,
    state,
  ]);
}

describe('e-mail notices', () => {
  it('mails once when a portal comes to need re-linking: no portal named, no token, a one-click unsubscribe', async () => {
    const p = await linkedPatient();
    await createLinkRepository(t.pool, createSecretBox(t.config.secretKey)).markNeedsRelink(p.linkId, 'The portal refused to renew access (invalid_grant). Link it again.');
    expect(await noticesAfterFailedSync(t.pool, p.linkId, 'needs-relink')).toEqual([]);
    const due = await noticesAfterFailedSync(t.pool, p.linkId, 'syncing');
    expect(due).toEqual([{ kind: 'needs-relink', accountId: p.accountId, linkId: p.linkId }]);

    expect(await sendNotice(deps, due[0])).toEqual({ sent: true });
    expect(await sendNotice(deps, due[0])).toEqual({ sent: false, reason: 'already-sent' });
    const mails = mailsTo(p.email);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail.from).toBe('binder@example.org');
    expect(mail.headers.get('subject')).toBe('carebinder: a portal needs to be linked again');
    expect(mail.body).toContain(`${t.config.publicUrl}/portals`);
    expect(mail.headers.get('list-unsubscribe')).toMatch(new RegExp(`^<${t.config.publicUrl}/api/notifications/unsubscribe\\?token=[^>]+>$`));
    expect(mail.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.body).toMatch(/text\/html/);
    expectNothingSecret(mail, [...p.secrets, 'invalid_grant']);
  });

  it('sends nothing of a kind the patient turned off, and sends again once it is back on', async () => {
    const p = await linkedPatient();
    const headers = { cookie: p.cookie };
    const initial = await t.app.inject({ method: 'GET', url: '/api/me/notifications', headers });
    expect(initial.json()).toEqual({ needsRelink: true, accessExpiring: true, syncFailing: true, weeklyDigest: false, mailEnabled: true });
    const off = { needsRelink: false, accessExpiring: true, syncFailing: true, weeklyDigest: false };
    const put = await t.app.inject({ method: 'PUT', url: '/api/me/notifications', headers, payload: off });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({ ...off, mailEnabled: true });
    expect((await t.app.inject({ method: 'PUT', url: '/api/me/notifications', headers, payload: { needsRelink: false } })).statusCode).toBe(400);

    await t.pool.query(`UPDATE links SET status = 'needs-relink' WHERE id = $1`, [p.linkId]);
    const notice = { kind: 'needs-relink' as const, accountId: p.accountId, linkId: p.linkId };
    expect(await sendNotice(deps, notice)).toEqual({ sent: false, reason: 'turned-off' });
    expect(mailsTo(p.email)).toHaveLength(0);

    await t.app.inject({ method: 'PUT', url: '/api/me/notifications', headers, payload: { ...off, needsRelink: true } });
    expect(await sendNotice(deps, notice)).toEqual({ sent: true });
    expect(mailsTo(p.email)).toHaveLength(1);
    expect(await sendNotice({ ...deps, mailer: null }, notice)).toEqual({ sent: false, reason: 'mail-off' });
  });

  it('unsubscribes with one click from the link in the mail (GET) and from a mail client (POST, RFC 8058)', async () => {
    const p = await linkedPatient();
    await t.pool.query(`UPDATE links SET status = 'needs-relink' WHERE id = $1`, [p.linkId]);
    await sendNotice(deps, { kind: 'needs-relink', accountId: p.accountId, linkId: p.linkId });
    const link = /<([^>]+)>/.exec(mailsTo(p.email)[0].headers.get('list-unsubscribe')!)![1];
    expect(mailsTo(p.email)[0].body).toContain(link);
    const path = link.slice(t.config.publicUrl.length);

    const page = await t.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('a portal that must be linked again');
    expect((await t.app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
    const settings = (await t.app.inject({ method: 'GET', url: '/api/me/notifications', headers: { cookie: p.cookie } })).json<Record<string, boolean>>();
    expect(settings).toMatchObject({ needsRelink: false, syncFailing: true });

    const oneClick = await t.app.inject({
      method: 'POST',
      url: `/api/notifications/unsubscribe?token=${unsubscribeToken(deps.unsubscribeKey, p.accountId, 'sync-failing')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.statusCode, oneClick.body).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/me/notifications', headers: { cookie: p.cookie } })).json()).toMatchObject({ needsRelink: false, syncFailing: false });

    const trail = (await t.app.inject({ method: 'GET', url: '/api/audit', headers: { cookie: p.cookie } })).json<{ events: Array<{ action: string; target: string }> }>();
    expect(trail.events.filter((e) => e.action === 'notices.unsubscribe').map((e) => e.target).sort()).toEqual(['notices:needs-relink', 'notices:needs-relink', 'notices:sync-failing']);

    const forged = unsubscribeToken(deriveUnsubscribeKey(randomBytes(32)), p.accountId, 'weekly-digest');
    for (const token of [forged, path.split('token=')[1].replace('needs-relink', 'weekly-digest'), 'nonsense']) {
      expect((await t.app.inject({ method: 'GET', url: `/api/notifications/unsubscribe?token=${encodeURIComponent(token)}` })).statusCode).toBe(400);
    }
  });

  it('tells of three failed syncs in a row once, not after each further failure', async () => {
    const p = await linkedPatient();
    await failedRun(p.linkId, 'succeeded');
    await failedRun(p.linkId);
    await failedRun(p.linkId);
    expect(await noticesAfterFailedSync(t.pool, p.linkId, 'error')).toEqual([]);
    await failedRun(p.linkId);
    const due = await noticesAfterFailedSync(t.pool, p.linkId, 'error');
    expect(due).toEqual([{ kind: 'sync-failing', accountId: p.accountId, linkId: p.linkId }]);
    expect(await sendNotice(deps, due[0])).toEqual({ sent: true });
    expect(mailsTo(p.email)[0].headers.get('subject')).toBe('carebinder: records from a portal could not be collected');
    expectNothingSecret(mailsTo(p.email)[0], p.secrets);
    // A fourth failure, and a run still going after failed attempts: no new notice.
    await failedRun(p.linkId);
    expect(await noticesAfterFailedSync(t.pool, p.linkId, 'error')).toEqual([]);
    await failedRun(p.linkId, 'running');
    expect(await noticesAfterFailedSync(t.pool, p.linkId, 'error')).toEqual([]);
  });

  it("warns once when a portal's access ends within 14 days", async () => {
    const soon = await linkedPatient({ refreshExpiresAt: new Date(Date.now() + 10 * 86_400_000) });
    const later = await linkedPatient({ refreshExpiresAt: new Date(Date.now() + 20 * 86_400_000) });
    const ended = await linkedPatient({ refreshExpiresAt: new Date(Date.now() - 86_400_000) });
    const mine = new Set([soon.linkId, later.linkId, ended.linkId]);
    const due = (await scheduledNoticesDue(t.pool)).filter((notice) => notice.linkId && mine.has(notice.linkId));
    expect(due).toEqual([{ kind: 'access-expiring', accountId: soon.accountId, linkId: soon.linkId }]);

    expect(await sendNotice(deps, due[0])).toEqual({ sent: true });
    const [mail] = mailsTo(soon.email);
    expect(mail.body).toContain(new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10));
    expectNothingSecret(mail, soon.secrets);
    expect((await scheduledNoticesDue(t.pool)).some((notice) => notice.linkId === soon.linkId)).toBe(false);
    expect(await sendNotice(deps, due[0])).toEqual({ sent: false, reason: 'not-due' });
    expect(await sendNotice(deps, { kind: 'access-expiring', accountId: later.accountId, linkId: later.linkId })).toEqual({ sent: false, reason: 'not-due' });
  });

  it('sends the weekly digest only to those who chose it, with a count and no record', async () => {
    const p = await linkedPatient();
    await t.pool.query(
      `INSERT INTO records (account_id, link_id, resource_type, resource_id, content_hash, resource, title, rules_version)
       VALUES ($1, $2, 'DiagnosticReport', 'r1', sha256('x'::bytea), '{"resourceType":"DiagnosticReport"}', 'Biopsy of the left breast', 'test')`,
      [p.accountId, p.linkId],
    );
    const digestFor = async () => (await scheduledNoticesDue(t.pool)).filter((notice) => notice.kind === 'weekly-digest' && notice.accountId === p.accountId);
    expect(await digestFor()).toEqual([]);
    await t.app.inject({ method: 'PUT', url: '/api/me/notifications', headers: { cookie: p.cookie }, payload: { needsRelink: true, accessExpiring: true, syncFailing: true, weeklyDigest: true } });
    const due = await digestFor();
    expect(due).toEqual([{ kind: 'weekly-digest', accountId: p.accountId, linkId: null }]);
    expect(await sendNotice(deps, due[0])).toEqual({ sent: true });
    const [mail] = mailsTo(p.email);
    expect(mail.body).toContain('1 new record was filed in your binder');
    expectNothingSecret(mail, [...p.secrets, 'Biopsy', 'DiagnosticReport']);
    expect(await digestFor()).toEqual([]);
    expect(await sendNotice(deps, due[0])).toEqual({ sent: false, reason: 'not-due' });
  });
});

describe('notices sent by the workers', () => {
  let workers: Workers;
  beforeAll(async () => {
    workers = await startWorkers({
      config: testConfig({ SMTP_URL: smtp.url, MAIL_FROM, WORKER_CONCURRENCY: '2' }),
      log: createLogger('silent', 'test-worker'),
      name: 'carebinder-test-notices',
      poolSize: 4,
      prefix: uniquePrefix('notices-w'),
      noticeRetry: { attempts: 4, backoffMs: 100 },
    });
  });
  afterAll(async () => {
    await workers?.queues.notices.obliterate({ force: true }).catch(() => {});
    await workers?.queues.audit.obliterate({ force: true }).catch(() => {});
    await workers?.close();
  });

  it('mails the patient when a sync finds the portal must be linked again', async () => {
    // The access token has expired and the portal granted no refresh token: the sync stops and the link needs re-linking.
    const p = await linkedPatient({ refresh: false, accessExpiresAt: new Date(Date.now() - 60_000) });
    await enqueueSync(workers.queues.sync, p.linkId);
    await expect.poll(() => mailsTo(p.email).length, { timeout: 20_000, interval: 100 }).toBe(1);
    const { rows } = await t.pool.query<{ status: string }>('SELECT status FROM links WHERE id = $1', [p.linkId]);
    expect(rows[0].status).toBe('needs-relink');
    expect(mailsTo(p.email)[0].headers.get('subject')).toBe('carebinder: a portal needs to be linked again');
    expectNothingSecret(mailsTo(p.email)[0], p.secrets);
    // The next scheduled sync of a link still needing re-linking mails nothing more.
    await workers.queues.sync.add('sync', { linkId: p.linkId }, { jobId: `again-${p.linkId}` });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(mailsTo(p.email)).toHaveLength(1);
  });

  it('retries a mail the SMTP server refused, and sends it once', async () => {
    const p = await linkedPatient();
    await t.pool.query(`UPDATE links SET status = 'needs-relink' WHERE id = $1`, [p.linkId]);
    smtp.refuseNext(2);
    await enqueueNotices(workers.queues.notices, [{ kind: 'needs-relink', accountId: p.accountId, linkId: p.linkId }], { attempts: 4, backoffMs: 100 });
    await expect.poll(() => mailsTo(p.email).length, { timeout: 20_000, interval: 100 }).toBe(1);
    const { rows } = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM notices_sent WHERE link_id = $1', [p.linkId]);
    expect(rows[0].n).toBe(1);
  });

  it('schedules the hourly scan for notices and the hourly audit purge', async () => {
    expect((await workers.queues.notices.getJobScheduler(SCAN_NOTICES_SCHEDULER))?.every).toBe(SCAN_NOTICES_EVERY_MS);
    expect((await workers.queues.audit.getJobScheduler(PURGE_AUDIT_SCHEDULER))?.every).toBe(PURGE_AUDIT_EVERY_MS);
  });
});
