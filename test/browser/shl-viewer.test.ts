// SMART Health Links in a real browser. The built-in viewer (/shl): a clinician without an SHL app
// opens a passcode-protected link, is told how many attempts a wrong passcode leaves, then reads the
// International Patient Summary and the binder PDF, decrypted in the page; the link travels only in
// the URL fragment, so no request the browser makes carries the key. Then the patient's side, the
// "Export & share" page: downloads with sizes, a link made with a passcode, shown once with its QR
// code and a warning, opened by the viewer, listed with its access log, and revoked. Last, the print
// view with the documents in place, as the binder PDF has them.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../../web/build.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { DISCHARGE_TEXT, seedExportPatient, type ExportPatient } from '../helpers/export-patient.js';
import { decodeShlink } from '../helpers/shl-decoder.js';
import { assertChromiumInstalled, launchChromium, screenshot, type Browser } from './helpers/chromium.js';
import { freePort } from './helpers/stack.js';

const PASSCODE = 'amber-7731';
let app: TestApp;
let browser: Browser;
let page: Page;
let patient: ExportPatient;
let share: { id: string; link: string; viewerUrl: string };
const requested: string[] = [];
let baseUrl: string;
const pageProblems: string[] = [];

beforeAll(async () => {
  assertChromiumInstalled();
  await buildWeb();
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  app = await buildTestApp({ env: { PUBLIC_URL: baseUrl, PORT: String(port) } });
  await app.app.listen({ port, host: '127.0.0.1' });
  patient = await seedExportPatient(app.app, app.pool, randomBytes(3).toString('hex'));
  const created = await app.app.inject({
    method: 'POST',
    url: '/api/shares',
    headers: { cookie: patient.cookie },
    payload: { label: 'For the oncology clinic', passcode: PASSCODE, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), contents: ['ips', 'pdf'] },
  });
  expect(created.statusCode, created.body).toBe(201);
  share = created.json();

  browser = await launchChromium();
  page = browser.page;
  page.on('request', (request) => requested.push(`${request.method()} ${request.url()} ${request.postData() ?? ''}`));
  page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageProblems.push(`console: ${message.text()}`);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
}, 60_000);

describe('the /shl viewer', () => {
  it('reads the link from the fragment and asks for a name and the passcode', async () => {
    await page.goto(share.viewerUrl);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Shared medical records');
    expect(await page.locator('main').textContent()).toContain('For the oncology clinic');
    expect(await page.getByLabel('Passcode').count()).toBe(1);
  });

  it('says how many attempts a wrong passcode leaves', async () => {
    await page.getByLabel('Your name').fill('Dr. Ana Ruiz');
    await page.getByLabel('Passcode').fill('not-the-passcode');
    await page.getByRole('button', { name: 'Open the records' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('9 attempts left');
  });

  it('decrypts and shows the patient summary and the PDF with the right passcode', async () => {
    await page.getByLabel('Passcode').fill(PASSCODE);
    await page.getByRole('button', { name: 'Open the records' }).click();
    await page.getByRole('heading', { name: 'Patient summary' }).waitFor();
    const summary = page.locator('.shl-ips');
    expect(await summary.textContent()).toContain('Zoë Ångström');
    const sections = await summary.locator('h3').allTextContents();
    expect(sections.length).toBeGreaterThan(5);
    expect(sections.some((title) => /problem/i.test(title))).toBe(true);
    // The narrative tables of the IPS are shown (sanitised), not raw XHTML.
    expect(await summary.locator('.narrative table').count()).toBeGreaterThan(0);

    const download = page.getByRole('link', { name: /Download the PDF/ });
    await download.waitFor();
    const href = await download.getAttribute('href');
    expect(href).toMatch(/^blob:/);
    expect(await page.locator('iframe.pdf-frame').getAttribute('src')).toBe(href);
    // The page's CSP lets nothing fetch the blob (connect-src 'self'): read it as the reader would, downloaded.
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    expect(file.suggestedFilename()).toMatch(/^binder-\d{4}-\d{2}-\d{2}\.pdf$/);
    const bytes = await readFile((await file.path()));
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    await screenshot(page, 'shl-viewer', { fullPage: true });
  });

  it('never sent the key to the server, and the page reported no problems (CSP included)', async () => {
    const key = decodeShlink(share.link).key;
    expect(requested.length).toBeGreaterThan(0);
    for (const line of requested) {
      expect(line.includes(key), line).toBe(false);
      expect(line.includes('shlink:/'), line).toBe(false);
    }
    expect(pageProblems).toEqual([]);
    const log = await app.app.inject({ method: 'GET', url: `/api/shares/${share.id}`, headers: { cookie: patient.cookie } });
    expect(log.json<{ accesses: Array<{ recipient: string; outcome: string }> }>().accesses.map((a) => [a.recipient, a.outcome])).toEqual([
      ['Dr. Ana Ruiz', 'served'],
      ['Dr. Ana Ruiz', 'wrong-passcode'],
    ]);
  });
});

describe('the Export & share page', () => {
  let viewerUrl: string;

  it('lists the downloads with their sizes', async () => {
    const [name, value] = patient.cookie.split('=') as [string, string];
    await browser.context.addCookies([{ name, value, url: baseUrl }]);
    await page.goto(`${baseUrl}/share`);
    await page.getByRole('heading', { name: 'Export & share', level: 1 }).waitFor();
    for (const title of ['Everything, to keep (ZIP)', 'The binder to print (PDF)', 'A summary for a clinician’s system (IPS)', 'The complete record (FHIR JSON)']) {
      expect(await page.getByRole('link', { name: title }).getAttribute('download'), title).toBeTruthy();
    }
    await expect.poll(() => page.locator('[data-size="/api/record/ips.json"]').textContent()).toMatch(/\d+ (KB|bytes)/);
    expect(await page.locator('[data-size="/api/record/export.zip"]').textContent()).toMatch(/^about \d/);
  });

  it('creates a link with a passcode and shows it once, with its QR code and the warning that it is the key', async () => {
    await page.getByLabel('Label').fill('Made on the page');
    await page.getByLabel('Passcode (recommended)').fill('page-4242');
    await page.getByLabel('The link works for').selectOption('30d');
    await page.getByRole('button', { name: 'Create the link' }).click();
    await page.getByRole('heading', { name: 'Your link is ready' }).waitFor();
    expect(await page.locator('.share-result').textContent()).toContain('This link is the key to your records');
    expect(await page.locator('img.share-qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    viewerUrl = await page.getByLabel('The link', { exact: true }).inputValue();
    expect(viewerUrl).toMatch(new RegExp(`^${baseUrl}/shl#shlink:/`));
    await expect.poll(() => page.locator('.share-list li[data-state="active"] h3').allTextContents()).toContainEqual(expect.stringContaining('Made on the page'));
    await screenshot(page, 'share-created', { fullPage: true });
  });

  it('the link opens in the viewer, and the access log shows it', async () => {
    const viewer = await browser.context.newPage();
    try {
      await viewer.goto(viewerUrl);
      await viewer.getByLabel('Your name').fill('Nurse Okafor');
      await viewer.getByLabel('Passcode').fill('page-4242');
      await viewer.getByRole('button', { name: 'Open the records' }).click();
      await viewer.getByRole('heading', { name: 'Patient summary' }).waitFor();
    } finally {
      await viewer.close();
    }
    await page.reload();
    const item = page.locator('.share-list li', { hasText: 'Made on the page' });
    await item.getByRole('button', { name: 'Access log' }).click();
    await expect.poll(() => item.locator('.access-log').textContent()).toContain('Nurse Okafor');
  });

  it('revokes after asking, and the list says so', async () => {
    const item = page.locator('.share-list li', { hasText: 'Made on the page' });
    await item.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => page.locator('.share-list li', { hasText: 'Made on the page' }).getAttribute('data-state')).toBe('revoked');
    expect(pageProblems).toEqual([]);
  });
});

describe('the print view', () => {
  it('prints the documents under their records: text as text, images inline, PDFs by their address', async () => {
    await page.goto(`${baseUrl}/print`);
    const button = page.getByRole('button', { name: 'Print', exact: true });
    await expect.poll(() => button.isEnabled(), { timeout: 30_000 }).toBe(true);
    const texts = await page.locator('.print-text').allTextContents();
    expect(texts).toContain(DISCHARGE_TEXT);
    const image = page.locator('img.print-image').first();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await page.locator('.print-document', { hasText: 'A PDF: open it at its address above.' }).count()).toBeGreaterThan(0);
    expect(pageProblems).toEqual([]);
    await screenshot(page, 'print-documents', { fullPage: true });
  });
});
