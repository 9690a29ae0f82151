// No dead ends in the web client (issue 13): validation problems in a person's words, lock-outs
// that say when, re-syncs that read as "up to date", one way forward per linked portal, and
// browser navigations to unknown addresses answered with the client's own not-found page.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import errorsPlugin from '../../../src/plugins/errors.js';
import webPlugin, { isPageNavigation } from '../../../src/web/plugin.js';
import { fieldLabel, personalDetail, readProblem, retryAfterSeconds, tryAgainText, withRetryTime } from '../../../web/src/problem.js';
import { documentTitleFrom } from '../../../web/src/resource-summary.js';
import { linkAction, syncStatusText } from '../../../web/src/sync.js';
import { documentViewerPath } from '../../../web/src/urls.js';
import type { SyncStatus } from '../../../web/src/types.js';

const json = 'application/problem+json; charset=utf-8';

describe('validation problems in words a person reads', () => {
  it('should name the field by its label and drop the validator path', () => {
    const body = {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'body.password: at least 10 characters',
      errors: [{ path: 'body.password', message: 'at least 10 characters' }],
    };
    expect(readProblem(400, 'Bad Request', json, JSON.stringify(body)).detail).toBe('Password: at least 10 characters.');
  });

  it('should word several fields, each once', () => {
    const errors = [
      { path: 'body.email', message: 'an email address such as jane@example.org' },
      { path: 'body.password', message: 'at least 10 characters' },
      { path: 'body.password', message: 'at least 10 characters' },
    ];
    expect(readProblem(400, 'Bad Request', json, JSON.stringify({ status: 400, detail: 'x', errors })).detail).toBe(
      'Email: an email address such as jane@example.org. Password: at least 10 characters.',
    );
  });

  it('should reword a detail that names validator paths even without an errors list', () => {
    expect(personalDetail('body.password: at least 10 characters; querystring.from: Invalid date')).toBe('Password: at least 10 characters. From: Invalid date.');
    expect(personalDetail('An account with this email already exists.')).toBe('An account with this email already exists.');
  });

  it.each([
    ['body.password', 'Password'],
    ['body.portalId', 'Portal'],
    ['querystring.deleteRecords', 'Delete records'],
    ['body.items.0.displayName', 'Display name'],
    ['body', 'This form'],
  ])('should label %s as %s', (input, label) => {
    expect(fieldLabel(input)).toBe(label);
  });
});

describe('when to try again after a lock-out', () => {
  const now = new Date('2026-12-07T19:00:00Z');

  it('should read Retry-After as seconds or as a date', () => {
    expect(retryAfterSeconds('900', now)).toBe(900);
    expect(retryAfterSeconds('Mon, 07 Dec 2026 19:05:00 GMT', now)).toBe(300);
    expect(retryAfterSeconds(null, now)).toBeNull();
    expect(retryAfterSeconds('soon', now)).toBeNull();
  });

  it('should replace "Try again later." with the wait and the clock time', () => {
    expect(withRetryTime('Too many failed sign-ins for this account. Try again later.', 900, now, 'en-GB')).toMatch(
      /^Too many failed sign-ins for this account\. Try again in 15 minutes \(at \d\d:\d\d\)\.$/,
    );
    expect(tryAgainText(30, now)).toBe('Try again in 30 seconds.');
    expect(tryAgainText(60, now, 'en-GB')).toMatch(/^Try again in a minute \(at \d\d:\d\d\)\.$/);
    expect(withRetryTime('Slow down', null, now)).toBe('Slow down');
  });
});

const succeeded = (stored: number, warnings: string[] = []): SyncStatus => ({
  state: 'succeeded',
  jobId: 'j',
  fullPass: false,
  startedAt: null,
  finishedAt: null,
  pagesDone: 3,
  progress: 1,
  types: { Observation: { fetched: 40, stored, rejected: 0, pages: 3, expected: 40, status: 'done' } },
  errors: [],
  warnings,
});

describe('the end of a sync in words', () => {
  it('should say "Up to date" when a re-sync stored nothing new, never "0 records stored"', () => {
    expect(syncStatusText(succeeded(0))).toBe('Up to date: nothing new since the last sync.');
    expect(syncStatusText(succeeded(0, ['w']))).toBe('Up to date: nothing new since the last sync, 1 warning.');
    expect(syncStatusText(succeeded(4))).toBe('Finished: 4 records stored.');
  });
});

describe('what a linked portal offers', () => {
  it.each([
    [{ status: 'active', statusReason: null }, false, 'sync'],
    [{ status: 'syncing', statusReason: null }, false, 'sync'],
    [{ status: 'needs-relink', statusReason: 'the portal revoked access' }, false, 'relink'],
    [{ status: 'error', statusReason: 'token refresh failed: invalid_grant' }, false, 'relink'],
    [{ status: 'error', statusReason: 'the portal answered 503' }, false, 'sync'],
    [{ status: 'active', statusReason: null }, true, 'relink'],
  ] as const)('should offer %o (expired: %s) → %s', (link, expired, action) => {
    expect(linkAction(link, expired)).toBe(action);
  });
});

describe('unknown addresses', () => {
  const apps: FastifyInstance[] = [];
  let dir: string | null = null;
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function serve(): Promise<FastifyInstance> {
    dir = await mkdtemp(path.join(tmpdir(), 'carebinder-web-404-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>carebinder</title>');
    const app = Fastify({ logger: false });
    await app.register(errorsPlugin);
    await app.register(webPlugin, { root: dir });
    apps.push(app);
    return app;
  }

  const page = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'sec-fetch-mode': 'navigate' };

  it("should answer a browser's navigation with the client and status 404", async () => {
    const app = await serve();
    for (const url of ['/binder/not-a-category', '/whatever', '/documents/a/b']) {
      const response = await app.inject({ url, headers: page });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type'], url).toMatch(/^text\/html/);
      expect(response.body).toContain('<title>carebinder</title>');
    }
  });

  it('should keep problem+json for the API, other methods and requests that do not ask for a page', async () => {
    const app = await serve();
    for (const request of [
      { url: '/api/nothing', headers: page },
      { url: '/smart/nothing', headers: page },
      { url: '/whatever', headers: { accept: 'application/json' } },
      { url: '/whatever', headers: { accept: 'text/html', 'sec-fetch-mode': 'cors' } },
    ]) {
      const response = await app.inject(request);
      expect(response.statusCode, request.url).toBe(404);
      expect(response.headers['content-type'], request.url).toMatch(/^application\/problem\+json/);
    }
    const post = await app.inject({ method: 'POST', url: '/whatever', headers: page });
    expect(post.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('should tell a navigation from other requests', () => {
    expect(isPageNavigation('GET', '/x?y=1', { accept: 'text/html' })).toBe(true);
    expect(isPageNavigation('GET', '/x', { 'sec-fetch-mode': 'navigate' })).toBe(true);
    expect(isPageNavigation('GET', '/api/x', { 'sec-fetch-mode': 'navigate' })).toBe(false);
    expect(isPageNavigation('GET', '/apis', { 'sec-fetch-mode': 'navigate' })).toBe(true);
    expect(isPageNavigation('DELETE', '/x', { accept: 'text/html' })).toBe(false);
    expect(isPageNavigation('GET', '/x', { accept: '*/*' })).toBe(false);
  });
});

describe("a document's heading", () => {
  const report = {
    resourceType: 'DocumentReference',
    description: 'Discharge paperwork',
    content: [
      { attachment: { url: 'Binary/1', title: 'Discharge Summary', contentType: 'text/plain' } },
      { attachment: { url: 'Binary/2', title: 'Discharge Summary (PDF)', contentType: 'application/pdf' } },
    ],
  };

  it('should come from the record: the attachment at that address, else the record itself', () => {
    expect(documentTitleFrom(report, 'Binary/2')).toBe('Discharge Summary (PDF)');
    expect(documentTitleFrom(report, 'Binary/9')).toBe('Discharge paperwork');
    expect(documentTitleFrom({ presentedForm: [{ title: 'Pathology report' }] }, null)).toBe('Pathology report');
    expect(documentTitleFrom({ code: { coding: [{ display: 'CT chest' }] } }, null)).toBe('CT chest');
    expect(documentTitleFrom({}, null)).toBeNull();
  });

  it('should never carry a title from the address into the viewer link', () => {
    const path = documentViewerPath({ id: 'd1', contentType: 'text/plain', url: 'Binary/1', title: 'Forged title' } as { id: string; contentType: string; url: string }, 'r1');
    expect(path).not.toContain('Forged');
  });
});
