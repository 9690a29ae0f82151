// Issue 11, "Anyone can lock the owner out": guessing is slowed per browser, per address and per
// account, and a browser that signed in to an account before is never held back by anyone else.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIGN_IN_THROTTLE, type SignInThrottlePolicy } from '../../src/accounts/sign-in-throttle.js';
import { buildTestApp, deviceCookie, signedInPatient, TEST_PASSWORD, uniqueEmail, type TestApp } from '../helpers/app.js';

// Waits of an hour after the free failures: an attempt past them is held back for certain.
const HOUR = 3600;
const STRICT: SignInThrottlePolicy = {
  forgetAfterSeconds: 24 * HOUR,
  rules: {
    device: { freeFailures: 3, firstWaitSeconds: HOUR, maxWaitSeconds: 2 * HOUR },
    'account-address': { freeFailures: 3, firstWaitSeconds: HOUR, maxWaitSeconds: 2 * HOUR },
    address: { freeFailures: 12, firstWaitSeconds: HOUR, maxWaitSeconds: 2 * HOUR },
    account: { freeFailures: 6, firstWaitSeconds: HOUR, maxWaitSeconds: 2 * HOUR },
  },
};

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ build: { signInThrottle: STRICT } });
});
afterAll(async () => t.close());

let addressCounter = 0;
/** A network address no other test uses. */
const newAddress = () => `10.11.${Math.floor(++addressCounter / 250)}.${(addressCounter % 250) + 1}`;

const signIn = (email: string, password: string, from: string, cookie?: string) =>
  t.app.inject({ method: 'POST', url: '/api/session', payload: { email, password }, remoteAddress: from, headers: cookie ? { cookie } : {} });

/** A patient who signed in once from `home`, with the device cookie that sign-in gave their browser. */
async function ownerWithBrowser(home: string): Promise<{ email: string; device: string; accountId: string }> {
  const email = uniqueEmail('owner');
  expect((await t.app.inject({ method: 'POST', url: '/api/accounts', payload: { email, password: TEST_PASSWORD } })).statusCode).toBe(202);
  const first = await signIn(email, TEST_PASSWORD, home);
  expect(first.statusCode).toBe(200);
  return { email, device: deviceCookie(first), accountId: first.json<{ id: string }>().id };
}

async function statuses(count: number, attempt: () => Promise<LightMyRequestResponse>): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await attempt()).statusCode);
  return seen;
}

describe('device cookies keep the owner signed in whatever an attacker sends', () => {
  it('lets a browser that signed in before in with the right password after wrong ones from everywhere, its own address included', async () => {
    const home = newAddress();
    const owner = await ownerWithBrowser(home);
    // An attacker at the owner's own address and at three others, until every untrusted path is held back.
    for (const from of [home, newAddress(), newAddress(), newAddress()]) {
      await statuses(4, () => signIn(owner.email, 'wrong password guess', from));
    }
    expect((await signIn(owner.email, TEST_PASSWORD, newAddress())).statusCode).toBe(429);
    const back = await signIn(owner.email, TEST_PASSWORD, home, owner.device);
    expect(back.statusCode).toBe(200);
    expect(back.json()).toMatchObject({ id: owner.accountId, email: owner.email });
    // From anywhere: the cookie, not the address, is what the browser is known by.
    expect((await signIn(owner.email, TEST_PASSWORD, newAddress(), owner.device)).statusCode).toBe(200);
  });

  it('holds a trusted browser back only after failures of its own, and no one else because of them', async () => {
    const owner = await ownerWithBrowser(newAddress());
    const from = newAddress();
    expect(await statuses(4, () => signIn(owner.email, 'mistyped password', from, owner.device))).toEqual([401, 401, 401, 429]);
    const held = await signIn(owner.email, TEST_PASSWORD, from, owner.device);
    expect(held.statusCode).toBe(429);
    expect(held.json().detail).toContain('from this browser');
    // The same address without that cookie, and any other browser, are not slowed by its failures.
    expect((await signIn(owner.email, TEST_PASSWORD, from)).statusCode).toBe(200);
  });

  it('gives nothing for a tampered cookie, another account’s cookie, or one signed with another key', async () => {
    const owner = await ownerWithBrowser(newAddress());
    const other = await ownerWithBrowser(newAddress());
    const from = newAddress();
    await statuses(3, () => signIn(owner.email, 'wrong password guess', from));
    const value = owner.device.split('=')[1];
    const tampered = `carebinder_device=${value.slice(0, -2)}${value.endsWith('AA') ? 'BB' : 'AA'}`;
    const otherAccountId = other.device.split('=')[1].split('.')[0];
    const renamed = `carebinder_device=${otherAccountId}.${value.split('.').slice(1).join('.')}`;
    for (const cookie of [tampered, other.device, renamed, 'carebinder_device=garbage']) {
      expect((await signIn(owner.email, TEST_PASSWORD, from, cookie)).statusCode).toBe(429);
    }
    // A genuine cookie for this account, but signed by a server with another secret.
    const elsewhere = await buildTestApp({ env: { CAREBINDER_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') }, build: { signInThrottle: STRICT } });
    let foreign: string;
    try {
      const there = await elsewhere.app.inject({ method: 'POST', url: '/api/session', payload: { email: owner.email, password: TEST_PASSWORD }, remoteAddress: newAddress() });
      foreign = deviceCookie(there);
    } finally {
      await elsewhere.close();
    }
    expect((await signIn(owner.email, TEST_PASSWORD, from, foreign)).statusCode).toBe(429);
    expect((await signIn(owner.email, TEST_PASSWORD, from, owner.device)).statusCode).toBe(200);
  });

  it('keeps the device cookie httpOnly, SameSite=Strict, sent to sign-in only, long-lived and signed', async () => {
    const owner = await ownerWithBrowser(newAddress());
    const response = await signIn(owner.email, TEST_PASSWORD, newAddress(), owner.device);
    const cookie = response.cookies.find((c) => c.name === 'carebinder_device')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/session' });
    expect(cookie.maxAge).toBeGreaterThanOrEqual(180 * 24 * 3600);
    expect(cookie.value.split('.')).toHaveLength(3);
    // Signing in again with it keeps the same browser identity (its allowance) rather than minting a new one.
    expect(`carebinder_device=${cookie.value}`).toBe(owner.device);
  });

  it('keeps one browser trusted for two accounts (a patient and a carer)', async () => {
    const home = newAddress();
    const patient = await ownerWithBrowser(home);
    const carer = await ownerWithBrowser(home);
    const both = await signIn(patient.email, TEST_PASSWORD, home, carer.device);
    const cookie = deviceCookie(both);
    for (const attacker of [newAddress(), newAddress(), newAddress()]) {
      for (const email of [patient.email, carer.email]) await statuses(3, () => signIn(email, 'wrong password guess', attacker));
    }
    expect((await signIn(patient.email, TEST_PASSWORD, newAddress())).statusCode).toBe(429);
    expect((await signIn(patient.email, TEST_PASSWORD, newAddress(), cookie)).statusCode).toBe(200);
    expect((await signIn(carer.email, TEST_PASSWORD, newAddress(), cookie)).statusCode).toBe(200);
  });
});

describe('untrusted clients are delayed, each for its own failures', () => {
  it('holds back an address guessing one account with 429, Retry-After and the time to try again; other addresses go on', async () => {
    const owner = await ownerWithBrowser(newAddress());
    const attacker = newAddress();
    expect(await statuses(3, () => signIn(owner.email, 'wrong password guess', attacker))).toEqual([401, 401, 401]);
    const before = Date.now();
    const held = await signIn(owner.email, TEST_PASSWORD, attacker);
    expect(held.statusCode).toBe(429);
    expect(held.headers['content-type']).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(held.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(HOUR - 60);
    expect(retryAfter).toBeLessThanOrEqual(HOUR);
    const body = held.json<{ status: number; detail: string; retryAt: string }>();
    expect(body.status).toBe(429);
    expect(body.detail).toMatch(/Try again in 60 minutes \(after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)/);
    expect(Math.abs(Date.parse(body.retryAt) - (before + retryAfter * 1000))).toBeLessThan(5_000);
    expect(body.detail).toContain(body.retryAt.replace(/\.\d{3}Z$/, 'Z'));
    // The owner on a browser this account has never seen, from another address: not delayed.
    expect((await signIn(owner.email, TEST_PASSWORD, newAddress())).statusCode).toBe(200);
  });

  it('slows every untrusted client of an account guessed from many addresses, never the owner’s browser', async () => {
    const owner = await ownerWithBrowser(newAddress());
    for (let i = 0; i < 3; i++) await statuses(2, () => signIn(owner.email, 'wrong password guess', newAddress()));
    const held = await signIn(owner.email, TEST_PASSWORD, newAddress());
    expect(held.statusCode).toBe(429);
    expect(held.json().detail).toContain('for this email from browsers not used with it before');
    expect((await signIn(owner.email, TEST_PASSWORD, newAddress(), owner.device)).statusCode).toBe(200);
  });

  it('slows one address trying many accounts, and only that address', async () => {
    const stuffer = newAddress();
    for (let i = 0; i < 6; i++) await statuses(2, () => signIn(uniqueEmail('victim'), 'leaked password 1', stuffer));
    const held = await signIn(uniqueEmail('victim'), 'leaked password 1', stuffer);
    expect(held.statusCode).toBe(429);
    expect(held.json().detail).toContain('from your network address');
    const owner = await ownerWithBrowser(newAddress());
    expect((await signIn(owner.email, TEST_PASSWORD, newAddress())).statusCode).toBe(200);
  });

  it('lets no more guesses through than the allowance when they arrive all at once', async () => {
    const owner = await ownerWithBrowser(newAddress());
    const attacker = newAddress();
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => signIn(owner.email, `parallel guess ${i}`, attacker)));
    const counts = answers.reduce<Record<number, number>>((n, r) => ({ ...n, [r.statusCode]: (n[r.statusCode] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 401: 3, 429: 12 });
  });

  it('answers the same for an email that has no account as for one that has', async () => {
    const owner = await ownerWithBrowser(newAddress());
    const nobody = uniqueEmail('nobody');
    const run = async (email: string) => {
      const from = newAddress();
      const seen: Array<[number, string]> = [];
      for (let i = 0; i < 5; i++) {
        const response = await signIn(email, 'wrong password guess', from);
        seen.push([response.statusCode, String(response.json().detail).replace(/\d+ minutes \(after [^)]+\)/, 'WAIT')]);
      }
      return seen;
    };
    const known = await run(owner.email);
    expect(known.map(([status]) => status)).toEqual([401, 401, 401, 429, 429]);
    expect(await run(nobody)).toEqual(known);
  });

  it('gives the owner’s untrusted sign-in its buckets back: their own earlier typos do not add up', async () => {
    const owner = await ownerWithBrowser(newAddress());
    const laptop = newAddress();
    for (let round = 0; round < 3; round++) {
      expect(await statuses(2, () => signIn(owner.email, 'typo in the password', laptop))).toEqual([401, 401]);
      expect((await signIn(owner.email, TEST_PASSWORD, laptop)).statusCode).toBe(200);
    }
  });

  it('stores neither email nor network address in the throttle table', async () => {
    const owner = await ownerWithBrowser(newAddress());
    await signIn(owner.email, 'wrong password guess', '10.99.99.99');
    const { rows } = await t.pool.query<{ row: string }>('SELECT row_to_json(s)::text AS row FROM sign_in_throttle s');
    const table = rows.map((r) => r.row).join('\n');
    expect(rows.length).toBeGreaterThan(0);
    expect(table).not.toContain(owner.email);
    expect(table).not.toContain('10.99.99.99');
  });
});

describe('the per-address sign-in rate limit', () => {
  it('does not hold back a browser with a device cookie when others at its address use the budget up', async () => {
    const limited = await buildTestApp({ build: { rateLimits: { signInsPerMinute: 3 }, signInThrottle: DEFAULT_SIGN_IN_THROTTLE } });
    try {
      const email = uniqueEmail('shared-network');
      await limited.app.inject({ method: 'POST', url: '/api/accounts', payload: { email, password: TEST_PASSWORD } });
      const first = await limited.app.inject({ method: 'POST', url: '/api/session', payload: { email, password: TEST_PASSWORD }, remoteAddress: '10.50.0.2' });
      const device = deviceCookie(first);
      const attempt = (cookie?: string) =>
        limited.app.inject({
          method: 'POST',
          url: '/api/session',
          payload: { email, password: cookie ? TEST_PASSWORD : 'wrong password guess' },
          remoteAddress: '10.50.0.1',
          headers: cookie ? { cookie } : {},
        });
      expect(await statuses(4, () => attempt())).toEqual([401, 401, 401, 429]);
      expect((await attempt(device)).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('signed-in patients from the test helper', () => {
  it('still come with a session and their account id', async () => {
    const patient = await signedInPatient(t.app);
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: patient.cookie } });
    expect(me.json()).toMatchObject({ id: patient.accountId, email: patient.email });
  });
});
