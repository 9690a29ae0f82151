import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ env: { ADMIN_TOKEN } });
});
afterAll(async () => t.close());

describe('queue dashboard', () => {
  it('opens for the administrator token (Basic or Bearer)', async () => {
    const basic = await t.app.inject({ url: '/admin/queues', headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` } });
    expect(basic.statusCode).toBe(200);
    expect(basic.headers['content-type']).toMatch(/text\/html/);
    const api = await t.app.inject({ url: '/admin/queues/api/queues', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(api.statusCode).toBe(200);
    expect(api.json<{ queues: Array<{ name: string }> }>().queues.map((q) => q.name)).toContain('portal-sync');
  });

  it('refuses patients, even signed in, and wrong tokens', async () => {
    const patient = await signedInPatient(t.app);
    const asPatient = await t.app.inject({ url: '/admin/queues', headers: { cookie: patient.cookie } });
    expect(asPatient.statusCode).toBe(401);
    expect(asPatient.headers['www-authenticate']).toMatch(/^Basic/);
    const wrong = await t.app.inject({ url: '/admin/queues/api/queues', headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.statusCode).toBe(401);
  });

  it('is not mounted at all without an ADMIN_TOKEN', async () => {
    const plain = await buildTestApp();
    try {
      expect((await plain.app.inject({ url: '/admin/queues', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
