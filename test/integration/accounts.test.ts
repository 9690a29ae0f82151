import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, sessionCookie, signedInPatient, TEST_PASSWORD, uniqueEmail, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

const signUp = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/accounts', payload: payload as object });
const signIn = (payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/session', payload: payload as object, headers });

describe('patient accounts', () => {
  it('creates an account that signs in right away, answering 202 without the password or its hash', async () => {
    const email = uniqueEmail();
    const response = await signUp({ email, password: TEST_PASSWORD });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ message: expect.stringContaining('Sign in') });
    expect(response.body).not.toContain('scrypt');
    const signedIn = await signIn({ email, password: TEST_PASSWORD });
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json()).toEqual({ id: expect.any(String), email, createdAt: expect.any(String) });
  });

  it.each([
    [{ email: 'not-an-email', password: TEST_PASSWORD }, 'body.email'],
    [{ email: uniqueEmail(), password: 'short' }, 'body.password'],
    [{ email: uniqueEmail() }, 'body.password'],
  ])('refuses a malformed sign-up %j with a 400 problem naming the field', async (payload, field) => {
    const response = await signUp(payload);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = response.json();
    expect(body).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(body.detail).toContain(field);
  });

  it('refuses malformed JSON with a 400 problem body', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, title: 'Bad Request' });
  });

  it('answers a sign-up for a taken email exactly as for a free one, and changes nothing of the account', async () => {
    const taken = uniqueEmail();
    const first = await signUp({ email: taken, password: TEST_PASSWORD });
    const again = await signUp({ email: taken.toUpperCase(), password: 'another password entirely' });
    const fresh = await signUp({ email: uniqueEmail(), password: 'another password entirely' });
    expect(again.statusCode).toBe(first.statusCode);
    expect(again.statusCode).toBe(fresh.statusCode);
    expect(again.body).toBe(fresh.body);
    expect(again.headers['content-type']).toBe(fresh.headers['content-type']);
    // The owner's password still opens the account; the newcomer's does not.
    expect((await signIn({ email: taken, password: TEST_PASSWORD })).statusCode).toBe(200);
    expect((await signIn({ email: taken, password: 'another password entirely' })).statusCode).toBe(401);
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM accounts WHERE lower(email) = lower($1)', [taken]);
    expect(rows[0].n).toBe(1);
  });

  it('gives the same 401 for a wrong password and for an unknown email', async () => {
    const { email } = await signedInPatient(t.app);
    const wrongPassword = await signIn({ email, password: 'not the password at all' });
    const unknownEmail = await signIn({ email: uniqueEmail('nobody'), password: TEST_PASSWORD });
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownEmail.statusCode).toBe(401);
    expect(wrongPassword.json()).toEqual(unknownEmail.json());
    expect(wrongPassword.cookies).toHaveLength(0);
  });

  it('sets an httpOnly, SameSite=Lax session cookie that is not Secure on http', async () => {
    const email = uniqueEmail();
    await signUp({ email, password: TEST_PASSWORD });
    const response = await signIn({ email, password: TEST_PASSWORD });
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'carebinder_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.secure).toBeFalsy();
  });

  it('answers /api/me for the signed-in patient only', async () => {
    const patient = await signedInPatient(t.app);
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: patient.cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: patient.accountId, email: patient.email });
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/me' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('never shows one account the data of another', async () => {
    const alice = await signedInPatient(t.app, uniqueEmail('alice'));
    const bob = await signedInPatient(t.app, uniqueEmail('bob'));
    const asAlice = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: alice.cookie } });
    const asBob = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: bob.cookie } });
    expect(asAlice.json().id).toBe(alice.accountId);
    expect(asBob.json().id).toBe(bob.accountId);
    expect(asAlice.body).not.toContain(bob.email);
  });

  it('refuses a revoked session after sign-out', async () => {
    const patient = await signedInPatient(t.app);
    const signOut = await t.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: patient.cookie } });
    expect(signOut.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: patient.cookie } });
    expect(after.statusCode).toBe(401);
  });

  it('refuses an expired session', async () => {
    const patient = await signedInPatient(t.app);
    await t.pool.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE account_id = $1`, [patient.accountId]);
    const after = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: patient.cookie } });
    expect(after.statusCode).toBe(401);
  });

  it('refuses a made-up session token', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: 'carebinder_session=forged' } });
    expect(response.statusCode).toBe(401);
  });

  it('refuses a cookie-authenticated state change from a foreign Origin', async () => {
    const patient = await signedInPatient(t.app);
    const foreign = await t.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie: patient.cookie, origin: 'https://evil.example' },
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({ status: 403, title: 'Forbidden' });
    // The session still works: the forged request changed nothing.
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: patient.cookie } });
    expect(me.statusCode).toBe(200);
    const sameOrigin = await t.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie: patient.cookie, origin: t.config.publicUrl },
    });
    expect(sameOrigin.statusCode).toBe(204);
  });

  it('logs neither passwords nor session cookies', async () => {
    const patient = await signedInPatient(t.app);
    await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: patient.cookie } });
    const logText = t.logs.join('');
    expect(logText.length).toBeGreaterThan(0);
    expect(logText).not.toContain(TEST_PASSWORD);
    expect(logText).not.toContain(patient.cookie.split('=')[1]);
  });
});

describe('sign-in rate limit per address', () => {
  it('answers 429 once an address exceeds its sign-ins per minute', async () => {
    const limited = await buildTestApp({ build: { rateLimits: { signInsPerMinute: 3 } } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await limited.app.inject({ method: 'POST', url: '/api/session', payload: { email: uniqueEmail(), password: 'x' } })).statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('secure cookies', () => {
  it('marks the session cookie Secure when PUBLIC_URL is https', async () => {
    const secure = await buildTestApp({ env: { PUBLIC_URL: 'https://binder.example.org' } });
    try {
      const email = uniqueEmail();
      await secure.app.inject({ method: 'POST', url: '/api/accounts', payload: { email, password: TEST_PASSWORD } });
      const response = await secure.app.inject({ method: 'POST', url: '/api/session', payload: { email, password: TEST_PASSWORD } });
      expect(sessionCookie(response)).toContain('carebinder_session=');
      expect(response.cookies.map((c) => [c.name, c.secure])).toEqual([
        ['carebinder_session', true],
        ['carebinder_device', true],
      ]);
    } finally {
      await secure.close();
    }
  });
});

describe('request rate limit per address', () => {
  it('follows RATE_LIMIT_PER_MINUTE and answers 429 with a problem body past it', async () => {
    const limited = await buildTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3' }, build: { rateLimits: { signUpsPerMinute: 100, signInsPerMinute: 100 } } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.app.inject({ method: 'GET', url: '/api/me' })).statusCode);
      expect(statuses).toEqual([401, 401, 401, 429]);
      // Health probes are never limited.
      expect((await limited.app.inject('/health/live')).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
