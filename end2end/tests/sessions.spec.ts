import type { Browser, BrowserContext, Page } from '@playwright/test';
import {
  STRONG_PASSWORD,
  expect,
  expectNoSeriousA11yViolations,
  expectPath,
  signUp,
  submitLogIn,
  test,
  uniqueCompany,
  uniqueEmail,
  waitForHydration,
} from './fixtures';

/** A second person's browser; its page errors fail the test like the main page's. */
async function secondBrowser(browser: Browser, baseURL: string | undefined): Promise<[BrowserContext, Page, string[]]> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`${err.name}: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /panicked|WebAssembly|RuntimeError/.test(msg.text())) errors.push(msg.text());
  });
  return [context, page, errors];
}

test.describe('Security: sessions and the two-factor policy', () => {
  test('ending another session from the list logs that browser out', async ({ page, browser, baseURL }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const [context, other, errors] = await secondBrowser(browser, baseURL);
    await submitLogIn(other, accountId, STRONG_PASSWORD);
    await expect(other.getByTestId('header-account-id')).toHaveText(accountId);

    await page.goto('/security');
    await waitForHydration(page);
    const rows = page.locator('table.sessions tbody tr');
    await expect(rows).toHaveCount(2);
    await expect(page.locator('table.sessions tr.current')).toContainText('This session');
    await expectNoSeriousA11yViolations(page);
    await page.getByRole('button', { name: /^End the session of/ }).click();
    await expect(rows).toHaveCount(1);

    await other.reload();
    await expectPath(other, '/login');
    await context.close();
    expect(errors).toEqual([]);
  });

  test('requiring two-factor authentication for all users takes a user without it to enrolment', async ({
    page,
    browser,
    baseURL,
  }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    await page.goto('/users/new');
    await waitForHydration(page);
    await page.getByLabel('ID', { exact: true }).fill('forced');
    await page.getByLabel('Email', { exact: true }).fill('forced@example.com');
    await page.getByLabel('Password', { exact: true }).fill('Brisk-Lantern-Harbor-77');
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await expect(page.getByText('User forced added.')).toBeVisible();

    await page.goto('/security');
    await waitForHydration(page);
    await page.getByLabel('Require two-factor authentication for all users').check();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect(page.getByLabel('Require two-factor authentication for all users')).toBeChecked();

    const [context, other, errors] = await secondBrowser(browser, baseURL);
    await submitLogIn(other, `${accountId}/forced`, 'Brisk-Lantern-Harbor-77');
    await expect(other.getByRole('heading', { level: 1, name: 'Set up two-factor authentication' })).toBeVisible();
    await expect(other.getByRole('button', { name: 'Enable two-factor authentication' })).toBeVisible();
    // Nothing else opens until it is done.
    await other.goto('/users');
    await expect(other.getByRole('heading', { level: 1, name: 'Set up two-factor authentication' })).toBeVisible();
    await expect(other.getByRole('navigation', { name: 'Sections' })).toHaveCount(0);
    await expectNoSeriousA11yViolations(other);
    await context.close();
    expect(errors).toEqual([]);
  });
});
