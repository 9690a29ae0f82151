import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
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

  it('keeps error answers readable problem documents when compressed', async () => {
    const answer = await t.app.inject({ method: 'GET', url: '/api/record', headers: { 'accept-encoding': 'gzip' } });
    expect(answer.statusCode).toBe(401);
    const body = answer.headers['content-encoding'] === 'gzip' ? gunzipSync(answer.rawPayload).toString() : answer.body;
    expect(JSON.parse(body)).toMatchObject({ status: 401 });
    expect(answer.headers['content-type']).toContain('application/problem+json');
  });
});
