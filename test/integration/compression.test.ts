import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError } from '../../src/errors.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';

/** Field errors enough for a problem document well over the 1 KB threshold. */
const FIELD_ERRORS = Array.from({ length: 40 }, (_, i) => ({ path: `body.entries.${i}.value`, message: 'a number with its unit, such as 5 mg' }));

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({
    extraRoutes: (app) => {
      app.get('/invalid-for-test', { config: { public: true } }, async () => {
        throw new BadRequestError('Some entries are not valid.', { errors: FIELD_ERRORS });
      });
    },
  });
});
afterAll(async () => t.close());

describe('compressed answers', () => {
  it('compresses the binder for a client that accepts gzip or brotli, and sends it plain otherwise', async () => {
    const patient = await signedInPatient(t.app);
    const plain = await t.app.inject({ method: 'GET', url: '/api/record', headers: { cookie: patient.cookie } });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(1024);

    const gzip = await t.app.inject({ method: 'GET', url: '/api/record', headers: { cookie: patient.cookie, 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gzip.rawPayload).toString())).toEqual(plain.json());

    const brotli = await t.app.inject({ method: 'GET', url: '/api/record', headers: { cookie: patient.cookie, 'accept-encoding': 'br, gzip' } });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(brotli.rawPayload).length).toBeLessThanOrEqual(plain.rawPayload.length);
    expect(JSON.parse(brotliDecompressSync(brotli.rawPayload).toString())).toEqual(plain.json());
  });

  it('compresses a problem document over the threshold, which reads the same once decoded', async () => {
    const plain = await t.app.inject({ method: 'GET', url: '/invalid-for-test' });
    expect(plain.statusCode).toBe(400);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.length).toBeGreaterThan(1024);
    expect(plain.json()).toMatchObject({ status: 400, title: 'Bad Request', errors: FIELD_ERRORS });

    for (const [accept, encoding, decode] of [
      ['gzip', 'gzip', gunzipSync],
      ['br, gzip', 'br', brotliDecompressSync],
    ] as const) {
      const compressed = await t.app.inject({ method: 'GET', url: '/invalid-for-test', headers: { 'accept-encoding': accept } });
      expect(compressed.statusCode).toBe(400);
      expect(compressed.headers['content-encoding'], accept).toBe(encoding);
      expect(compressed.headers['content-type']).toContain('application/problem+json');
      expect(compressed.rawPayload.length, accept).toBeLessThan(plain.rawPayload.length);
      expect(JSON.parse(decode(compressed.rawPayload).toString()), accept).toEqual(plain.json());
    }
  });

  it('sends an answer under the threshold plain even to a client that accepts gzip', async () => {
    const answer = await t.app.inject({ method: 'GET', url: '/api/record', headers: { 'accept-encoding': 'gzip' } });
    expect(answer.statusCode).toBe(401);
    expect(answer.rawPayload.length).toBeLessThan(1024);
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(answer.json()).toMatchObject({ status: 401 });
  });
});
