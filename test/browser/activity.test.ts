// The activity page in a real browser (Debian's chromium): a patient reads their own audit trail
// (the sign-up's sign-in, a failed sign-in marked for a second look) and chooses their e-mails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { TEST_PASSWORD, uniqueEmail } from '../helpers/app.js';
import { assertChromiumInstalled, launchChromium, screenshot, type Browser } from './helpers/chromium.js';
import { startBrowserStack, type BrowserStack } from './helpers/stack.js';

const STEP_TIMEOUT = 120_000;

let stack: BrowserStack;
let browser: Browser;
let page: Page;
const email = uniqueEmail('activity');
const pageProblems: string[] = [];

beforeAll(async () => {
  assertChromiumInstalled();
  stack = await startBrowserStack();
  browser = await launchChromium();
  page = browser.page;
  page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageProblems.push(`console: ${message.text()}`);
  });
}, STEP_TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
}, STEP_TIMEOUT);

const url = (path: string) => `${stack.baseUrl}${path}`;

describe('the activity page', () => {
  it('shows the patient who signed in, and when a sign-in failed', async () => {
    // A wrong password for the account first (from outside the browser), then the real sign-up.
    await stack.app.app.inject({ method: 'POST', url: '/api/accounts', payload: { email, password: TEST_PASSWORD } });
    expect((await stack.app.app.inject({ method: 'POST', url: '/api/session', payload: { email, password: 'not the password' } })).statusCode).toBe(401);
    await page.goto(url('/sign-in'));
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((address) => address.pathname !== '/sign-in');

    await page.getByRole('navigation').getByRole('link', { name: 'Activity', exact: true }).click();
    await page.waitForURL((address) => address.pathname === '/activity');
    const items = page.locator('.audit-list li');
    await items.first().waitFor();
    expect(await items.allInnerTexts()).toEqual([expect.stringMatching(/^Signed in/), expect.stringMatching(/^Failed sign-in \(wrong password\)/)]);
    expect(await page.locator('.audit-list li.notable').count()).toBe(1);
    // Everything fits one page: no way to "older" events that do not exist.
    expect(await page.getByRole('button', { name: 'Show older' }).isVisible()).toBe(false);
    await screenshot(page, 'activity-trail');
  }, STEP_TIMEOUT);

  it('saves which e-mails the patient wants, and the change is in the trail', async () => {
    const digest = page.getByLabel('Once a week: how many new records were filed');
    expect(await digest.isChecked()).toBe(false);
    expect(await page.getByLabel('A portal must be linked again').isChecked()).toBe(true);
    await digest.check();
    await page.getByRole('button', { name: 'Save e-mail choices' }).click();
    await page.getByText('Saved.').waitFor();
    await page.reload();
    await page.getByLabel('Once a week: how many new records were filed').waitFor();
    expect(await page.getByLabel('Once a week: how many new records were filed').isChecked()).toBe(true);
    await page.locator('.audit-list li').first().waitFor();
    expect(await page.locator('.audit-list li').first().innerText()).toMatch(/^Changed which e-mails you get/);
    expect(pageProblems).toEqual([]);
  }, STEP_TIMEOUT);
});
