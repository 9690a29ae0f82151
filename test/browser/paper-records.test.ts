// A patient with no portal at all, in a real browser (Debian's chromium driven by playwright-core):
// sign up, upload the C-CDA documents and a PDF a hospital handed over and see them filed in the
// right categories with their documents viewable, see a refused file leave the binder unchanged,
// add a supplement with its dose and a side effect with whether it continued, find both in the
// binder and the treatment summary marked "Entered by you", read the checklist of what is still
// missing and download a request letter for it. Screenshots go to test-results/screenshots/paper-*.png.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { TEST_PASSWORD, uniqueEmail } from '../helpers/app.js';
import { pdfWithText } from '../integration/uploads-helpers.js';
import { assertChromiumInstalled, launchChromium, screenshot, type Browser } from './helpers/chromium.js';
import { startBrowserStack, type BrowserStack } from './helpers/stack.js';

const STEP_TIMEOUT = 120_000;
/** How long the upload job may take to file a file. */
const FILING_TIMEOUT = 30_000;

let stack: BrowserStack;
let browser: Browser;
let page: Page;
const email = uniqueEmail('paper');
const pageProblems: string[] = [];
/** Refused uploads answer 415 on purpose; anything else at 400+ is a problem. */
const expectedFailures = new Set(['POST /api/uploads 415']);

const fixture = (name: string) => readFileSync(new URL(`../fixtures/ccda/${name}`, import.meta.url));

beforeAll(async () => {
  assertChromiumInstalled();
  stack = await startBrowserStack();
  await stack.startWorkers();
  browser = await launchChromium();
  page = browser.page;
  page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageProblems.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    const address = new URL(response.url());
    const key = `${response.request().method()} ${address.pathname} ${response.status()}`;
    const expected = (response.status() === 401 && address.pathname === '/api/me') || expectedFailures.has(key);
    if (response.status() >= 400 && !expected) pageProblems.push(`HTTP ${key}`);
  });
}, STEP_TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
}, STEP_TIMEOUT);

const url = (path: string) => `${stack.baseUrl}${path}`;
const onPage = (path: string) => (address: URL) => address.origin === stack.baseUrl && address.pathname === path;

async function shown(ready: Locator, timeout = 15_000): Promise<void> {
  const alert = page.locator('#main [role="alert"]');
  await ready.or(alert).first().waitFor({ timeout });
  if (await alert.first().isVisible()) throw new Error(`${new URL(page.url()).pathname} showed an error instead: ${await alert.first().innerText()}`);
}

async function goTo(label: string, path: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: label, exact: true }).click();
  await page.waitForURL(onPage(path));
}

/** The binder's items in one category: title and source badges. */
async function categoryItems(category: string): Promise<Array<{ title: string; sources: string[] }>> {
  const section = page.locator(`section[data-category="${category}"]`);
  return section.locator('li[data-item-id]').evaluateAll((items) =>
    items.map((item) => ({
      title: item.querySelector('.item-title')?.textContent ?? '',
      sources: [...item.querySelectorAll('[data-portal]')].map((badge) => badge.textContent ?? ''),
    })),
  );
}

async function recordCount(): Promise<number> {
  const response = await page.request.get(url('/api/record'));
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { categories: Array<{ count: number }> };
  return body.categories.reduce((sum, category) => sum + category.count, 0);
}

async function uploadFile(file: { name: string; mimeType: string; buffer: Buffer }, fields: { category?: string; title?: string } = {}): Promise<void> {
  await page.getByLabel('File', { exact: true }).setInputFiles(file);
  if (fields.category) await page.getByLabel('Category (optional)').selectOption({ label: fields.category });
  if (fields.title) await page.getByLabel('Title (optional)').fill(fields.title);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
}

function uploadRow(fileName: string): Locator {
  return page.locator('li[data-upload-id]').filter({ has: page.getByRole('heading', { level: 3, name: fileName, exact: true }) });
}

describe('a patient without a portal', () => {
  it('signs up', async () => {
    await page.goto(url('/'));
    await page.waitForURL(onPage('/sign-in'));
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign up', exact: true }).click();
    // Nothing linked yet: the client opens the portals page.
    await page.waitForURL(onPage('/portals'));
  }, STEP_TIMEOUT);

  it('uploads a C-CDA document and a PDF, and sees them filed with their state', async () => {
    await goTo('Upload copies', '/uploads');
    await shown(page.getByText('Nothing uploaded yet.'));
    await uploadFile({ name: 'CCD.xml', mimeType: 'text/xml', buffer: fixture('ccd-r2.1.xml') });
    await uploadRow('CCD.xml').and(page.locator('[data-state="done"]')).waitFor({ timeout: FILING_TIMEOUT });
    expect(await uploadRow('CCD.xml').locator('.upload-state').innerText()).toMatch(/^Filed \d+ records in .*Other health problems.*Medicines, vitamins and supplements/);

    const pdf = await pdfWithText(['Surgical pathology report', 'Invasive ductal carcinoma, grade 2. Margins clear.']);
    await uploadFile({ name: 'pathology.pdf', mimeType: 'application/pdf', buffer: pdf }, { category: 'Pathology reports', title: 'Pathology report, left breast' });
    const pdfRow = uploadRow('pathology.pdf');
    await pdfRow.and(page.locator('[data-state="done"]')).waitFor({ timeout: FILING_TIMEOUT });
    expect(await pdfRow.locator('.upload-state').innerText()).toBe('Filed 1 record in Pathology reports.');
    await screenshot(page, 'paper-01-uploads', { fullPage: true });
  }, STEP_TIMEOUT);

  it('sees a refused file leave the binder unchanged', async () => {
    const before = await recordCount();
    await uploadFile({ name: 'program.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00 not a record at all', 'binary') });
    await page.locator('#main [role="alert"]').waitFor();
    expect(await page.locator('#main [role="alert"]').innerText()).toMatch(/\S/);
    expect(await uploadRow('program.exe').count()).toBe(0);
    expect(await recordCount()).toBe(before);
  }, STEP_TIMEOUT);

  it('finds the uploads in the right categories with their documents viewable', async () => {
    await goTo('Binder', '/binder');
    await shown(page.locator('section[data-category]').first());
    const today = new Date().toISOString().slice(0, 10);
    const problems = await categoryItems('health-problems');
    expect(problems.map((item) => item.title)).toEqual(expect.arrayContaining(['Essential hypertension']));
    expect(problems.find((item) => item.title === 'Essential hypertension')?.sources).toEqual([`Uploaded: CCD.xml (${today})`]);
    expect((await categoryItems('vaccines')).map((item) => item.title)).toEqual(['Influenza, seasonal, injectable, preservative free']);
    expect(await categoryItems('pathology-reports')).toEqual([{ title: 'Pathology report, left breast', sources: [`Uploaded: pathology.pdf (${today})`] }]);

    await page.locator('section[data-category="pathology-reports"] a.doc-link').first().click();
    await page.waitForURL((address) => address.origin === stack.baseUrl && address.pathname.startsWith('/documents/'));
    const frame = page.locator('iframe.pdf-frame');
    await shown(frame);
    const bytes = await page.request.get(new URL((await frame.getAttribute('src')) ?? '', stack.baseUrl).href);
    expect(bytes.status()).toBe(200);
    expect(bytes.headers()['content-type']).toMatch(/^application\/pdf/);
    await page.goBack();
    await page.waitForURL(onPage('/binder'));
  }, STEP_TIMEOUT);

  it('adds a supplement with its dose and how often', async () => {
    await goTo('Add to my binder', '/add');
    await shown(page.getByText('Nothing entered yet.'));
    await page.getByLabel('What do you want to add?').selectOption({ label: 'A medicine, vitamin or supplement' });
    const form = page.locator('form.entry-form');
    await form.getByLabel('Name').fill('Turmeric');
    await form.getByLabel('Dose (amount)').fill('500');
    await form.getByLabel('Dose (unit)').fill('mg');
    await form.getByLabel('How often').selectOption({ label: 'Twice a day' });
    await form.getByRole('button', { name: 'Add to my binder' }).click();
    await page.locator('.banner-success').getByText('Added “Turmeric”.').waitFor();
    const row = page.locator('li[data-entry-id]').filter({ hasText: 'Turmeric' });
    expect(await row.locator('.entry-summary').innerText()).toBe('500 mg, twice a day');
  }, STEP_TIMEOUT);

  it('adds a side effect with the treatment that caused it and whether it continued', async () => {
    await page.getByLabel('What do you want to add?').selectOption({ label: 'A side effect of treatment' });
    const form = page.locator('form.entry-form');
    await form.getByLabel('What side effect').fill('Numb fingers');
    await form.getByLabel('When it started').fill('2024-02-15');
    await form.getByLabel('Which treatment do you think caused it?').fill('Paclitaxel');
    await form.getByLabel('Did it continue after that treatment ended?').selectOption({ label: 'Yes' });
    await form.getByLabel('Is it still there now?').selectOption({ label: 'Yes' });
    await form.getByRole('button', { name: 'Add to my binder' }).click();
    await page.locator('.banner-success').getByText('Added “Numb fingers”.').waitFor();
    const row = page.locator('li[data-entry-id]').filter({ hasText: 'Numb fingers' });
    expect(await row.locator('.entry-summary').innerText()).toBe('after Paclitaxel · continued after treatment: yes · still there');
    await screenshot(page, 'paper-02-entries', { fullPage: true });
  }, STEP_TIMEOUT);

  it('edits the supplement', async () => {
    await page.getByRole('button', { name: 'Edit Turmeric' }).click();
    const form = page.locator('form.entry-form');
    expect(await form.getByLabel('Dose (amount)').inputValue()).toBe('500');
    await form.getByLabel('How often').selectOption({ label: 'Once a day' });
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.banner-success').getByText('Saved “Turmeric”.').waitFor();
    expect(await page.locator('li[data-entry-id]').filter({ hasText: 'Turmeric' }).locator('.entry-summary').innerText()).toBe('500 mg, once a day');
  }, STEP_TIMEOUT);

  it('finds its own entries in the binder and the treatment summary as "Entered by you"', async () => {
    await goTo('Binder', '/binder');
    await shown(page.locator('section[data-category]').first());
    const medicines = await categoryItems('medicines-and-supplements');
    expect(medicines.find((item) => item.title === 'Turmeric')?.sources).toEqual(['Entered by you']);
    expect(await categoryItems('treatment-side-effects')).toEqual([{ title: 'Numb fingers', sources: ['Entered by you'] }]);

    await goTo('Treatment summary', '/treatment');
    const sideEffects = page.locator('[data-summary="side-effects"]');
    await shown(sideEffects.getByText('Numb fingers'));
    const row = sideEffects.locator('tr').filter({ hasText: 'Numb fingers' });
    expect(await row.innerText()).toContain('Paclitaxel');
    expect(await row.locator('.continued-yes').count()).toBe(1);
    await screenshot(page, 'paper-03-treatment', { fullPage: true });

    // The print view marks them the same way, item by item and in its treatment summary.
    await goTo('Print', '/print');
    await shown(page.locator('li[data-item-id] [data-portal="entries"]').first());
    const printed = await page.locator('li[data-item-id]').filter({ has: page.locator('[data-portal="entries"]') }).locator('.item-title').allInnerTexts();
    expect(printed.sort()).toEqual(['Numb fingers', 'Turmeric']);
  }, STEP_TIMEOUT);

  it('reads the checklist: what it has (its own entries count) and what is still missing', async () => {
    await goTo("What's missing", '/missing');
    const rows = page.locator('tr[data-category]');
    await shown(rows.first());
    const status = async (category: string) => (await page.locator(`tr[data-category="${category}"] .status`).innerText()).trim();
    // The supplement and the side effect the patient added fill their categories.
    expect(await status('medicines-and-supplements')).toBe('Have');
    expect(await status('treatment-side-effects')).toBe('Have');
    // Filed from the uploads (incomplete when the CCD names an event whose report it lacks).
    expect(['Have', 'Incomplete']).toContain(await status('pathology-reports'));
    // Nothing uploaded or entered for these.
    expect(await status('discharge-summaries')).toBe('Missing');
    expect(await status('radiation-treatment-summary')).toBe('Missing');
    await screenshot(page, 'paper-04-missing', { fullPage: true });
  }, STEP_TIMEOUT);

  it('asks for the missing discharge summaries and downloads the request letter', async () => {
    await page.locator('tr[data-category="discharge-summaries"]').getByRole('button', { name: 'Request' }).click();
    await page.waitForURL(onPage('/requests/new'));
    const form = page.locator('form.request-form');
    await shown(form);
    await form.getByLabel('Provider').fill('Springfield General Hospital');
    await form.getByLabel('Address').fill('1 Hospital Road, Springfield, IL 62701');
    await screenshot(page, 'paper-05-request-form', { fullPage: true });
    expect(await form.getByRole('checkbox', { name: /Discharge summaries/ }).isChecked()).toBe(true);
    await form.getByRole('button', { name: 'Make request' }).click();
    await page.waitForURL(onPage('/requests'));
    const request = page.locator('[data-request]').filter({ has: page.getByRole('heading', { level: 3, name: /Springfield General Hospital/ }) });
    await shown(request);
    expect(await request.innerText()).toMatch(/Discharge summaries/i);

    const [download] = await Promise.all([page.waitForEvent('download'), request.getByRole('link', { name: 'Download letter' }).click()]);
    const file = await download.path();
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    // Read back as text (poppler's pdftotext, as the letter's own tests do): whom it asks, and for what.
    const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('Springfield General Hospital');
    expect(text).toMatch(/discharge summar/i);
    await screenshot(page, 'paper-06-requests', { fullPage: true });
  }, STEP_TIMEOUT);

  it('reported no page errors', () => {
    expect(pageProblems).toEqual([]);
  });
});
