// The whole patient journey in a real browser (Debian's chromium driven by playwright-core):
// sign up, link both sandbox hospitals through their own sign-in and consent pages, wait on the
// sync progress bars, find every category filled from the right hospitals, open a record and its
// documents, the treatment summary and the print view. Each main page is saved as a PNG in
// test-results/screenshots/. Expectations come from the sandbox's data (labels.json), not counts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { CATEGORY_IDS, type CategoryId } from '../../src/records/categories.js';
import { TEST_PASSWORD, uniqueEmail } from '../helpers/app.js';
import { DEMO_LOGIN } from '../helpers/sandbox.js';
import { assertChromiumInstalled, launchChromium, resetScreenshots, screenshot, type Browser } from './helpers/chromium.js';
import { attachmentText, expectedHospitalsByCategory } from './helpers/demo-data.js';
import { startBrowserStack, type BrowserStack } from './helpers/stack.js';

const STEP_TIMEOUT = 120_000;
/** How long a hospital's first sync may take before the test gives up on the progress bar. */
const SYNC_TIMEOUT = 60_000;
/**
 * While a hospital syncs, every sandbox answer waits this long, so the sync runs for a few
 * seconds and the page's progress bar (polled every second) shows it running.
 */
const SYNC_LATENCY_MS = 100;

const HOSPITALS = ['northside', 'riverside'] as const;
type Hospital = (typeof HOSPITALS)[number];

interface ApiLink {
  id: string;
  status: string;
  portal: { id: string; name: string };
  lastSync: { state: string | null; finishedAt: string | null };
}

let stack: BrowserStack;
let browser: Browser;
let page: Page;
const email = uniqueEmail('browser');
const expected = expectedHospitalsByCategory(DEMO_LOGIN.username);
/** Problems the page itself reported: uncaught exceptions and console errors (CSP violations, say). */
const pageProblems: string[] = [];
/** data-count per category as the binder showed it, compared with the print view. */
const binderCounts = new Map<CategoryId, number>();

beforeAll(async () => {
  // First, so a machine without chromium fails at once with the reason rather than after the setup.
  assertChromiumInstalled();
  await resetScreenshots();
  stack = await startBrowserStack();
  browser = await launchChromium();
  page = browser.page;
  page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // Failed loads are reported with their address below.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageProblems.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    const address = new URL(response.url());
    // A 401 from /api/me before signing up is the client asking who is there, not a problem.
    const expected = response.status() === 401 && address.pathname === '/api/me';
    if (response.status() >= 400 && !expected) pageProblems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    // Aborted: the client cancels a page's requests when the reader moves on.
    const failure = request.failure()?.errorText ?? 'unknown';
    if (failure !== 'net::ERR_ABORTED') pageProblems.push(`request failed: ${request.method()} ${request.url()}: ${failure}`);
  });
}, STEP_TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
}, STEP_TIMEOUT);

const hospitalName = (hospital: Hospital) => stack.sandbox.hospital(hospital).name;
const portalOf = (hospital: string) => {
  const id = stack.portals[hospital];
  if (!id) throw new Error(`no portal registered for ${hospital}`);
  return id;
};
const expectedPortals = (category: CategoryId) => [...(expected.get(category) ?? [])].map(portalOf).sort();
const url = (path: string) => `${stack.baseUrl}${path}`;
const onPage = (path: string) => (address: URL) => address.origin === stack.baseUrl && address.pathname === path;

/** Waits until the page shows `ready`, failing with the page's own words if it shows an error instead. */
async function shown(ready: Locator, timeout = 15_000): Promise<void> {
  const alert = page.locator('#main [role="alert"]');
  await ready.or(alert).first().waitFor({ timeout });
  if (await alert.first().isVisible()) throw new Error(`${new URL(page.url()).pathname} showed an error instead: ${await alert.first().innerText()}`);
}

async function badgesIn(scope: Locator): Promise<string[]> {
  return scope.locator('[data-portal]').evaluateAll((badges) => badges.map((badge) => badge.getAttribute('data-portal') ?? ''));
}

/** Every item's source badges, one sorted list per item. */
async function itemSources(section: Locator): Promise<string[][]> {
  return section
    .locator('li[data-item-id]')
    .evaluateAll((items) => items.map((item) => [...item.querySelectorAll('[data-portal]')].map((badge) => badge.getAttribute('data-portal') ?? '').sort()));
}

/** Presses the section's "Show all N" and then "Load more" until all `count` items are listed. */
async function showEveryItem(section: Locator, count: number): Promise<void> {
  const items = section.locator('li[data-item-id]');
  for (let listed = await items.count(); listed < count; listed = await items.count()) {
    await section.locator('.actions button').click();
    await expect.poll(() => items.count(), { message: 'the next page of items appears' }).toBeGreaterThan(listed);
  }
}

function linkRow(hospital: Hospital): Locator {
  return page.locator('ul.link-list > li[data-link-id]').filter({ has: page.getByRole('heading', { level: 3, name: hospitalName(hospital), exact: true }) });
}

async function apiLinks(): Promise<ApiLink[]> {
  const response = await page.request.get(url('/api/links'));
  expect(response.status()).toBe(200);
  return ((await response.json()) as { links: ApiLink[] }).links;
}

/**
 * From the portals page: the hospital's sign-in and consent pages, and back with a success banner.
 * The workers are stopped meanwhile, so the new link's sync waits in the queue as it would behind
 * other jobs, and the page must show it queued.
 */
async function linkThroughPortal(hospital: Hospital, shots: boolean): Promise<void> {
  const name = hospitalName(hospital);
  const portalOrigin = new URL(stack.sandbox.hospital(hospital).fhirBaseUrl).origin;
  await stack.stopWorkers();

  await page.locator(`li[data-portal-id="${portalOf(hospital)}"]`).getByRole('button', { name: `Link ${name}`, exact: true }).click();
  await page.waitForURL((address) => address.origin === portalOrigin && address.pathname === '/oauth/authorize');
  await page.getByRole('heading', { name: `Sign in to ${name}` }).waitFor();
  await page.getByLabel('Username').fill(DEMO_LOGIN.username);
  await page.getByLabel('Password').fill(DEMO_LOGIN.password);
  if (shots) await screenshot(page, '02-portal-sign-in');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();

  await page.getByRole('heading', { name: /to access your records\?$/ }).waitFor();
  expect(await page.locator('body').innerText()).toContain('Signed in as the patient');
  expect(await page.locator('#scopes li').count()).toBeGreaterThan(0);
  if (shots) await screenshot(page, '03-consent');
  await page.getByRole('button', { name: 'Allow', exact: true }).click();

  // Through carebinder's /smart/callback and / to the portals page, which shows how it went.
  await page.waitForURL(onPage('/portals'));
  await page.locator('.flash-area').getByText(`Linked ${name}.`).waitFor();
}

/**
 * Waits on the hospital's progress bar: queued while the workers are stopped, running once they
 * start, gone when the sync is done. Then checks the link through the API.
 */
async function waitForSyncInPage(hospital: Hospital, shotName: string | null): Promise<void> {
  const name = hospitalName(hospital);
  const row = linkRow(hospital);
  await row.waitFor();
  const bar = row.getByRole('progressbar', { name: `Sync progress for ${name}`, exact: true });
  const syncText = row.locator('.sync-text');
  try {
    await bar.waitFor({ state: 'visible', timeout: 10_000 });
  } catch {
    const rowText = (await row.innerText()).replace(/\s+/g, ' ');
    // Let the sync finish all the same, so the later steps still check the binder.
    await stack.startWorkers();
    await expect.poll(async () => (await apiLinks()).find((l) => l.portal.id === portalOf(hospital))?.lastSync.state, { timeout: SYNC_TIMEOUT }).toBe('succeeded');
    throw new Error(`The portals page shows no progress bar for ${name} while its first sync is queued. The row says: ${rowText}`);
  }
  await syncText.filter({ hasText: 'Waiting to start' }).waitFor();

  stack.sandbox.hospital(hospital).admin.setFaults({ latencyMs: SYNC_LATENCY_MS });
  await stack.startWorkers();
  // Running: "Fetching records: 12% (3 pages)".
  await syncText.filter({ hasText: /^Fetching records: \d+% \(\d+ pages?\)/ }).waitFor({ timeout: SYNC_TIMEOUT });
  if (shotName) await screenshot(page, shotName);

  // Sample the bar until it is gone: the page replaces it with the outcome when the sync ends.
  const seen: number[] = [];
  await expect
    .poll(
      async () => {
        const values = await row.locator('progress').evaluateAll((bars) => bars.map((b) => (b.hasAttribute('value') ? (b as HTMLProgressElement).value : -1)));
        seen.push(...values.filter((value) => value >= 0));
        return values.length;
      },
      { timeout: SYNC_TIMEOUT, interval: 50 },
    )
    .toBe(0);
  stack.sandbox.hospital(hospital).admin.setFaults({ latencyMs: null });
  expect(seen.length, 'progress values seen while running').toBeGreaterThan(0);
  for (const value of seen) expect(value, 'progress value').toBeLessThanOrEqual(1);
  // Progress never goes backwards within one sync.
  expect(seen).toEqual([...seen].sort((a, b) => a - b));

  const done = page.locator('ul.link-list > li[data-link-id][data-status="active"]').filter({ has: page.getByRole('heading', { level: 3, name, exact: true }) });
  await done.locator('.sync-text').filter({ hasText: /^Finished: \d+ records? stored/ }).waitFor({ timeout: SYNC_TIMEOUT });
  expect(await done.locator('.text-error').count()).toBe(0);
  expect(await done.innerText()).toMatch(/Last sync\s*Succeeded/);

  const link = (await apiLinks()).find((l) => l.portal.id === portalOf(hospital));
  expect(link?.status).toBe('active');
  expect(link?.lastSync.state).toBe('succeeded');
  expect(link?.lastSync.finishedAt).toBeTruthy();
}

describe('the patient journey in a browser', { timeout: STEP_TIMEOUT }, () => {
  beforeEach(({ task, onTestFailed }) => {
    // What the browser showed when a step failed, next to the other screenshots.
    onTestFailed(async () => {
      const name = `failed-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`;
      await screenshot(page, name, { fullPage: true }).catch(() => undefined);
      console.error(`${task.name}: the page was ${page.url()}; screenshot test-results/screenshots/${name}.png`);
    });
  });

  it('signs up a new patient, who lands on the portals page', async () => {
    await page.goto(url('/'));
    await page.waitForURL(onPage('/sign-in'));
    await page.getByRole('heading', { name: 'Sign in to carebinder' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await screenshot(page, '01-sign-up');
    await page.getByRole('button', { name: 'Sign up', exact: true }).click();

    // Nothing linked yet: the client sends a new patient to the portals page.
    await page.waitForURL(onPage('/portals'));
    await page.getByRole('heading', { name: 'Your portals', level: 1 }).waitFor();
    await page.getByText('No portals linked yet.').waitFor();
    await page.locator('#nav').getByText(email).waitFor();
    for (const hospital of HOSPITALS) await page.locator(`li[data-portal-id="${portalOf(hospital)}"]`).waitFor();
  });

  it('links Northside through its sign-in and consent pages, then waits on the progress bar', async () => {
    await linkThroughPortal('northside', true);
    await waitForSyncInPage('northside', '04-portals-syncing');
  });

  it('links Riverside the same way, then waits on its progress bar', async () => {
    await linkThroughPortal('riverside', false);
    await waitForSyncInPage('riverside', null);
    // Both linked and synced, the catalog says so.
    expect((await apiLinks()).map((l) => l.portal.id).sort()).toEqual(HOSPITALS.map(portalOf).sort());
    expect(await page.locator('ul.link-list > li[data-link-id][data-status="active"]').count()).toBe(2);
    await screenshot(page, '05-portals-synced', { fullPage: true });
  });

  it("shows every category with the demo patient's items from the right hospitals", async () => {
    await page.locator('#nav').getByRole('link', { name: 'Binder', exact: true }).click();
    await page.waitForURL(onPage('/binder'));
    const sections = page.locator('section[data-category]');
    await shown(sections.first());
    await expect.poll(() => sections.count()).toBe(CATEGORY_IDS.length);
    expect(await sections.evaluateAll((all) => all.map((s) => s.getAttribute('data-category')))).toEqual([...CATEGORY_IDS]);

    for (const category of CATEGORY_IDS) {
      const section = page.locator(`section[data-category="${category}"]`);
      const count = Number(await section.locator('h2 [data-count]').getAttribute('data-count'));
      binderCounts.set(category, count);
      expect(expectedPortals(category).length, `the sandbox data files something under ${category}`).toBeGreaterThan(0);
      expect(count, category).toBeGreaterThan(0);
      const recent = await itemSources(section);
      expect(recent.length, category).toBeGreaterThan(0);
      expect(recent.length, category).toBeLessThanOrEqual(count);
      // Every item on screen ("Show all", then "Load more" while there are more), so the
      // hospitals shown are exactly those that have such records.
      await showEveryItem(section, count);
      const sources = await itemSources(section);
      expect(sources.length, category).toBe(count);
      for (const itemSourceList of sources) expect(itemSourceList.length, `${category}: every item names its portal`).toBeGreaterThan(0);
      expect([...new Set(sources.flat())].sort(), category).toEqual(expectedPortals(category));
    }

    const northside = portalOf('northside');
    const riverside = portalOf('riverside');
    const sourcesOf = (category: CategoryId) => itemSources(page.locator(`section[data-category="${category}"]`));
    // Surgery happened at Northside, radiation at Riverside.
    expect((await sourcesOf('operation-reports')).every((s) => s.includes(northside))).toBe(true);
    expect((await sourcesOf('radiation-treatment-summary')).every((s) => s.includes(riverside))).toBe(true);
    // The same influenza dose and the same pathology report from both hospitals: one item, two badges.
    for (const category of ['vaccines', 'pathology-reports'] as const) {
      expect((await sourcesOf(category)).some((s) => s.join() === [northside, riverside].sort().join()), category).toBe(true);
    }
    await screenshot(page, '06-binder', { fullPage: true });
  });

  it('opens a record shared by both hospitals and shows where it came from', async () => {
    const both = [portalOf('northside'), portalOf('riverside')].sort().join();
    const items = page.locator('section[data-category="vaccines"] li[data-item-id]');
    const index = (await itemSources(page.locator('section[data-category="vaccines"]'))).findIndex((s) => s.join() === both);
    expect(index).toBeGreaterThanOrEqual(0);
    const item = items.nth(index);
    const title = (await item.locator('.item-title').innerText()).trim();
    await item.locator('button.item-title').click();

    const dialog = page.getByRole('dialog', { name: title });
    await dialog.getByRole('heading', { name: 'Where it came from' }).waitFor();
    expect((await badgesIn(dialog)).sort()).toEqual(both.split(','));
    for (const hospital of HOSPITALS) expect(await dialog.innerText()).toContain(hospitalName(hospital));
    await screenshot(page, '07-record-detail');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('opens a text document and a PDF in the document viewer', async () => {
    const discharge = page.locator('section[data-category="discharge-summaries"]');
    await discharge.getByRole('link', { name: 'Discharge Summary', exact: true }).first().click();
    await page.waitForURL((address) => address.origin === stack.baseUrl && address.pathname.startsWith('/documents/'));
    await page.getByRole('heading', { name: 'Discharge Summary', level: 1 }).waitFor();
    const text = page.locator('pre.document-text');
    await shown(text);
    // The document as the hospital wrote it, shown as text.
    expect((await text.textContent())?.trim()).toBe(attachmentText('northside', 'Discharge Summary').trim());
    await screenshot(page, '08-document');

    await page.goBack();
    await page.waitForURL(onPage('/binder'));
    await discharge.getByRole('link', { name: 'Discharge Summary (PDF)', exact: true }).first().click();
    await page.waitForURL((address) => address.origin === stack.baseUrl && address.pathname.startsWith('/documents/'));
    const frame = page.locator('iframe.pdf-frame');
    await shown(frame);
    const src = await frame.getAttribute('src');
    expect(src).toMatch(/^\/api\/documents\//);
    const pdf = await page.request.get(url(src ?? ''));
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toMatch(/^application\/pdf/);
    expect((await pdf.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // Chromium's PDF viewer (an extension frame inside the iframe) titles itself once it has the document open.
    await expect
      .poll(async () => {
        for (const frame of page.frames()) {
          if (!frame.url().startsWith('chrome-extension://')) continue;
          const title = await frame.evaluate(() => document.title).catch(() => '');
          if (title) return title;
        }
        return '';
      }, { timeout: 15_000, message: "Chromium's PDF viewer shows the document in the viewer's frame" })
      .not.toBe('');
    await screenshot(page, '09-document-pdf');
  });

  it('shows the treatment summary: chemotherapy, radiation and side effects', async () => {
    await page.locator('#nav').getByRole('link', { name: 'Treatment summary', exact: true }).click();
    await page.waitForURL(onPage('/treatment'));
    const rowNames = (key: string) => page.locator(`section[data-summary="${key}"] tbody th[scope="row"]`);
    await shown(rowNames('medicines').first());
    const medicines = (await rowNames('medicines').allInnerTexts()).map((m) => m.toLowerCase());
    expect(medicines).toEqual(expect.arrayContaining(['docetaxel', 'cyclophosphamide']));
    expect(await rowNames('radiation').count()).toBeGreaterThan(0);
    expect(await rowNames('side-effects').count()).toBeGreaterThan(0);
    // The chemotherapy was given at Riverside.
    const docetaxel = page.locator('section[data-summary="medicines"] tbody tr').filter({ has: page.locator('th', { hasText: /^Docetaxel$/i }) });
    expect(await docetaxel.innerText()).toContain(hospitalName('riverside'));
    await screenshot(page, '10-treatment-summary', { fullPage: true });
  });

  it('prints every record of every category, from the right hospitals', async () => {
    await page.locator('#nav').getByRole('link', { name: 'Print', exact: true }).click();
    await page.waitForURL(onPage('/print'));
    const printButton = page.getByRole('button', { name: 'Print', exact: true });
    // The button is enabled once every record of every category has been collected.
    await shown(page.locator('.print-body section[data-category]').first(), 30_000);
    await expect.poll(() => printButton.isEnabled()).toBe(true);
    expect(await page.locator('.print-meta').innerText()).toContain(`Prepared for ${email}`);

    const sections = page.locator('section.print-category[data-category]');
    expect(await sections.evaluateAll((all) => all.map((s) => s.getAttribute('data-category')))).toEqual([...CATEGORY_IDS]);
    for (const category of CATEGORY_IDS) {
      const section = page.locator(`section.print-category[data-category="${category}"]`);
      const count = Number(await section.locator('h2 [data-count]').getAttribute('data-count'));
      const sources = await itemSources(section);
      // Every record, not just the recent ones, and the same count as the binder.
      expect(sources.length, category).toBe(count);
      expect(count, category).toBe(binderCounts.get(category));
      expect([...new Set(sources.flat())].sort(), category).toEqual(expectedPortals(category));
    }
    // Printed documents carry an address someone can type in later.
    const hrefs = await page.locator('a.print-url').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href.startsWith(`${stack.baseUrl}/api/documents/`), href).toBe(true);
    expect(await page.locator('section[data-summary="medicines"] tbody tr').count()).toBeGreaterThan(0);

    await page.emulateMedia({ media: 'print' });
    await screenshot(page, '11-print', { fullPage: true });
    await page.emulateMedia({ media: 'screen' });
  });

  it('shows only its own words when an address carries a forged link banner', async () => {
    const forged = 'Your carebinder account was suspended. Call +1-555-0100';
    await page.goto(url(`/?link=error&portal=${portalOf('northside')}&reason=${encodeURIComponent(forged)}`));
    await page.waitForURL(onPage('/portals'));
    const flash = page.locator('.flash-area [role="alert"]');
    await flash.waitFor();
    expect(await flash.innerText()).toContain(`Linking ${hospitalName('northside')} did not work. Nothing was linked.`);
    expect(await page.locator('body').innerText()).not.toContain('suspended');
    // The flags are read once and leave the address bar.
    expect(new URL(page.url()).search).toBe('');
    await screenshot(page, '12-forged-banner');

    // A reason code carebinder sent is worded by carebinder; a portal id it does not know is not shown.
    await page.goto(url(`/?link=error&portal=call-555-0100&reason=issuer-mismatch`));
    await page.waitForURL(onPage('/portals'));
    await flash.waitFor();
    const words = await flash.innerText();
    expect(words).toMatch(/different server than the one carebinder sent you to \(the portal\)/);
    expect(words).not.toContain('555');

    // A forged success for a portal the patient has no link to announces nothing.
    await page.goto(url(`/?link=success&portal=call-555-0100`));
    await page.waitForURL(onPage('/portals'));
    await page.locator('ul.link-list > li[data-link-id]').first().waitFor();
    expect(await page.locator('.flash-area').innerText()).toBe('');
  });

  it('reported no script errors or failed requests along the way', () => {
    expect(pageProblems).toEqual([]);
  });

  // No dead ends (issue 13): the steps below land on pages that answer 404 on purpose, so they
  // come after the check above.

  it("re-syncs a portal with nothing new as \"Up to date\", offering Sync now and no second Link", async () => {
    await page.goto(url('/portals'));
    const row = linkRow('northside');
    await shown(row);
    // A linked, healthy portal: one way forward on its row, none in the catalog.
    expect(await row.locator('[data-action="relink"]').count()).toBe(0);
    expect(await page.locator(`li[data-portal-id="${portalOf('northside')}"]`).getByRole('button', { name: /^Link/ }).count()).toBe(0);
    await row.getByRole('button', { name: 'Sync now', exact: true }).click();
    await row.locator('.sync-text').filter({ hasText: /^Up to date/ }).waitFor({ timeout: SYNC_TIMEOUT });
    expect(await row.innerText()).not.toContain('Finished: 0');
    expect(await page.locator('.flash-area').innerText()).toBe('');
    await screenshot(page, '13-resync-up-to-date');
  });

  for (const [width, height] of [
    [1280, 900],
    [390, 844],
  ] as const) {
    it(`shows the treatment summary at ${width} px with every column and no sideways scroll`, async () => {
      await page.setViewportSize({ width, height });
      try {
        await page.goto(url('/treatment'));
        const tables = page.locator('section[data-summary] table');
        await shown(tables.first());
        const overflow = await page.evaluate(() => {
          const root = document.scrollingElement as HTMLElement;
          return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
        });
        expect(overflow.scrollWidth, 'the page scrolls sideways').toBeLessThanOrEqual(overflow.clientWidth);
        // No table scrolls inside itself either, and every cell is on screen horizontally.
        const clipped = await page.evaluate(() => {
          const problems: string[] = [];
          for (const wrap of document.querySelectorAll<HTMLElement>('.table-wrap')) {
            if (wrap.scrollWidth > wrap.clientWidth + 1) problems.push(`a table scrolls sideways (${wrap.scrollWidth} > ${wrap.clientWidth})`);
          }
          for (const cell of document.querySelectorAll<HTMLElement>('section[data-summary] tbody td, section[data-summary] tbody th')) {
            const box = cell.getBoundingClientRect();
            if (box.width === 0 || box.left < 0 || box.right > document.documentElement.clientWidth + 1) problems.push(`a cell is hidden or cut: ${cell.dataset.label ?? cell.textContent}`);
          }
          return problems;
        });
        expect(clipped).toEqual([]);
        if (width < 600) {
          // Stacked into cards: each value says which column it is.
          const label = await page.locator('section[data-summary="medicines"] tbody td').first().evaluate((td) => getComputedStyle(td, '::before').content);
          expect(label).toContain('Doses');
        }
        await screenshot(page, `14-treatment-${width}`, { fullPage: true });
      } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
      }
    });
  }

  it('shows its own not-found page, with status 404, for addresses it does not have', async () => {
    for (const path of ['/binder/not-a-category', '/whatever']) {
      const response = await page.goto(url(path));
      expect(response?.status(), path).toBe(404);
      expect(response?.headers()['content-type'], path).toMatch(/^text\/html/);
      await page.getByRole('heading', { name: 'Page not found', level: 1 }).waitFor();
      expect(await page.locator('body').innerText()).not.toContain('"type"');
      expect(new URL(page.url()).pathname).toBe(path);
    }
    await screenshot(page, '15-not-found');
    // The API keeps answering problem+json.
    const api = await page.request.get(url('/api/no-such-thing'));
    expect(api.status()).toBe(404);
    expect(api.headers()['content-type']).toMatch(/^application\/problem\+json/);
  });

  it("takes a document's heading from its record, and shows a missing one as not found with no Download", async () => {
    await page.goto(url('/binder'));
    const link = page.locator('section[data-category="discharge-summaries"]').getByRole('link', { name: 'Discharge Summary', exact: true }).first();
    await shown(link);
    const href = (await link.getAttribute('href')) ?? '';
    await page.goto(url(`${href}${href.includes('?') ? '&' : '?'}title=Forged+title`));
    await page.getByRole('heading', { name: 'Discharge Summary', level: 1 }).waitFor();
    await shown(page.locator('pre.document-text'));
    expect(await page.locator('body').innerText()).not.toContain('Forged title');

    await page.goto(url('/documents/d999999999?title=Forged+title'));
    await page.getByRole('heading', { name: 'Document not found', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: 'Download' }).count()).toBe(0);
    expect(await page.locator('body').innerText()).not.toContain('Forged title');
    await screenshot(page, '17-document-not-found');
  });

  it('says the filter is why a filtered category is empty', async () => {
    await page.goto(url(`/binder?portal=${portalOf('northside')}`));
    const empty = page.locator('section[data-category="radiation-treatment-summary"] .empty');
    await shown(empty);
    expect(await empty.innerText()).toMatch(/matches the filters/);
  });

  it('lands a stale or replayed portal callback on the portals page with a plain message', async () => {
    const response = await page.goto(url('/smart/callback?state=made-up-state&code=whatever'));
    expect(response?.status()).toBe(200);
    await page.waitForURL(onPage('/portals'));
    const flash = page.locator('.flash-area [role="alert"]');
    await flash.waitFor();
    expect(await flash.innerText()).toContain('That sign-in address is old or was not started here');
    expect(await page.locator('body').innerText()).not.toMatch(/"status"|Bad Request/);
    await screenshot(page, '16-stale-callback');
  });
});
