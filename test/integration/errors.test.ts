import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadGatewayError } from '../../src/errors.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({
    extraRoutes: (app) => {
      app.get('/boom-for-test', { config: { public: true } }, async () => {
        throw new Error('SELECT secret FROM internals failed at line 3');
      });
      app.get('/gateway-for-test', { config: { public: true } }, async () => {
        throw new BadGatewayError('Portal "Northside" did not answer.');
      });
    },
  });
});
afterAll(async () => t.close());

describe('one error format', () => {
  it('turns an unexpected error into a 500 problem without internals, and logs it whole', async () => {
    const response = await t.app.inject('/boom-for-test');
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'Something went wrong on our side. It has been logged.',
    });
    expect(response.body).not.toContain('SELECT');
    expect(t.logs.join('')).toContain('SELECT secret FROM internals');
  });

  it('turns a typed error into its own status and detail', async () => {
    const response = await t.app.inject('/gateway-for-test');
    expect(response.statusCode).toBe(502);
    expect(response.json()).toEqual({ type: 'about:blank', title: 'Bad Gateway', status: 502, detail: 'Portal "Northside" did not answer.' });
  });

  it('answers unknown routes with a 404 problem body', async () => {
    const response = await t.app.inject('/no/such/route');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'No route for GET /no/such/route' });
  });

  it('answers guarded routes without a session with 401 before validating anything', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/me' });
    expect(response.statusCode).toBe(401);
  });

  it('sets security headers on every answer', async () => {
    const response = await t.app.inject('/health/live');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('serves the OpenAPI document describing the account routes', async () => {
    const response = await t.app.inject('/docs/json');
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/accounts', '/api/session', '/api/me', '/health/ready']));
  });
});
