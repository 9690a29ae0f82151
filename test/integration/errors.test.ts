import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadGatewayError } from '../../src/errors.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';

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
      // A data exception (SQLSTATE class 22) that no edge check caught, e.g. a malformed uuid.
      app.get('/pg-data-exception-for-test', { config: { public: true } }, async () => {
        await app.db.query('SELECT $1::uuid', ['not-a-uuid']);
        return {};
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

describe('characters PostgreSQL text cannot hold are refused at the edge', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = (await signedInPatient(t.app)).cookie;
  });

  const errorLines = () => t.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);

  it.each([
    ['a NUL in a public JSON body', 'POST', '/api/session', { email: 'a\u0000', password: 'whatever it is' }, false],
    ['a NUL in a sign-up body', 'POST', '/api/accounts', { email: 'x@example.org', password: 'long enough\u0000 password' }, false],
    ['a NUL in a guarded JSON body', 'POST', '/api/links', { portalId: 'x\u0000' }, true],
    ['a NUL in an object key', 'POST', '/api/links', { portalId: 'x', ['k\u0000']: 1 }, true],
    ['a lone surrogate in a JSON body', 'POST', '/api/session', { email: 'a\ud800@example.org', password: 'whatever it is' }, false],
    ['a NUL deep inside a JSON body', 'POST', '/api/links', { portalId: 'x', nested: [{ deeper: ['ok', 'no\u0000'] }] }, true],
  ])('answers 400 problem+json for %s', async (_label, method, url, payload, withSession) => {
    const before = errorLines().length;
    const response = await t.app.inject({ method: method as 'POST', url, payload, headers: withSession ? { cookie } : {} });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 400, title: 'Bad Request', detail: expect.stringMatching(/character/i) });
    expect(errorLines().length).toBe(before);
  });

  it.each([
    ['a NUL in a path parameter', '/api/links/%00'],
    ['a NUL in a category path parameter', '/api/record/%00abc'],
    ['a NUL in a record filter', '/api/record?portal=%00'],
    ['a NUL in a resource id', '/api/resources/ab%00cd'],
  ])('answers 400 problem+json for %s', async (_label, url) => {
    const before = errorLines().length;
    const response = await t.app.inject({ method: 'GET', url, headers: { cookie } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(errorLines().length).toBe(before);
  });

  it.each([
    ['a NUL in the SMART callback state', '/smart/callback?state=%00'],
    ['a NUL in the SMART callback code', '/smart/callback?state=abc&code=%00'],
    ['a lone surrogate in the SMART callback state', '/smart/callback?state=%ED%A0%80'],
  ])('sends a browser back to the web client, not a JSON body, for %s', async (_label, url) => {
    const before = errorLines().length;
    const response = await t.app.inject({ method: 'GET', url, headers: { cookie } });
    expect(response.statusCode).toBe(303);
    expect(new URL(String(response.headers.location)).searchParams.get('link')).toBe('error');
    expect(errorLines().length).toBe(before);
  });

  it('finds a NUL at the bottom of a body nested 50,000 deep without overflowing the stack', async () => {
    const payload = `{"portalId":"x","deep":${'['.repeat(50_000)}"\\u0000"${']'.repeat(50_000)}}`;
    const response = await t.app.inject({ method: 'POST', url: '/api/links', payload, headers: { cookie, 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, detail: expect.stringMatching(/character/) });
  });

  it('answers 400 for a NUL in a header value before any route runs', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie, 'x-forwarded-host': 'a\u0000b' } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers 400 for a NUL in a streamed multipart field, which only the database sees', async () => {
    const boundary = 'cb-boundary';
    const payload = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="title"',
      '',
      'scan\u0000 of the report',
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="note.txt"',
      'Content-Type: text/plain',
      '',
      'Pathology report: no malignancy seen.',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const before = errorLines().length;
    const response = await t.app.inject({ method: 'POST', url: '/api/uploads', payload, headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(errorLines().length).toBe(before);
  });

  it('still accepts ordinary non-ASCII text (accents, CJK, emoji)', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'zoë-日本-🙂@example.org', password: 'whatever it is' } });
    expect(response.statusCode).toBe(401);
  });

  it('maps a PostgreSQL data exception that slips through to 400, logged below error level', async () => {
    const before = errorLines().length;
    const response = await t.app.inject('/pg-data-exception-for-test');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(response.body).not.toContain('uuid');
    expect(errorLines().length).toBe(before);
  });
});

describe('answers from before routing are problem+json too', () => {
  it('answers a path parameter longer than the router allows with a 414 problem', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/api/links/${'a'.repeat(500)}` });
    expect(response.statusCode).toBe(414);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 414, title: 'URI Too Long' });
  });

  it('answers a malformed percent-encoding in the path with a 400 problem', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/links/%E0%A4%A' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 400, title: 'Bad Request' });
  });

  describe('over a real socket (Node’s HTTP parser answers before Fastify)', () => {
    let base: URL;
    beforeAll(async () => {
      base = new URL(await t.app.listen({ host: '127.0.0.1', port: 0 }));
    });

    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(base.port), base.hostname, () => socket.end(request));
        let text = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => (text += chunk));
        socket.on('end', () => resolve(text));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });

    it('answers headers too large with a 431 problem', async () => {
      const answer = await raw(`GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      const [head, body] = answer.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 431 /);
      expect(head).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(body)).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
    });

    it('answers a URL too long for the parser with a problem body', async () => {
      const answer = await raw(`GET /health/live?${'q'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
      const [head, body] = answer.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 (414|431) /);
      expect(head).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(body)).toMatchObject({ status: expect.any(Number), title: expect.any(String), detail: expect.any(String) });
    });

    it('answers a request the parser cannot read with a 400 problem', async () => {
      const answer = await raw('GARBAGE\r\n\r\n');
      const [head, body] = answer.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 400 /);
      expect(head).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(body)).toMatchObject({ status: 400, title: 'Bad Request' });
    });
  });
});
