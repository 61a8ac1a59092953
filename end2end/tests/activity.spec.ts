import * as fs from 'node:fs';
import type { Page } from '@playwright/test';
import {
  STRONG_PASSWORD,
  test,
  expect,
  expectNoSeriousA11yViolations,
  expectPath,
  signUp,
  uniqueCompany,
  uniqueEmail,
  waitForHydration,
} from './fixtures';

/** Adds a user through /users/new and waits for the confirmation on /users. */
async function addUser(page: Page, login: string, jsEnabled: boolean): Promise<void> {
  await page.goto('/users/new');
  if (jsEnabled) await waitForHydration(page);
  await page.getByLabel('ID', { exact: true }).fill(login);
  await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
  await page.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: `User ${login} added.` })).toBeVisible();
}

/** The body rows of the activity table. */
function eventRows(page: Page) {
  return page.locator('table.activity tbody tr');
}

/**
 * Signs up, adds two users, then reads, filters and downloads the activity log. Without
 * JavaScript everything is plain links and GET forms; axe needs JavaScript, so the
 * accessibility check runs in the hydrated walk (the HTML is the same).
 */
async function walk(page: Page, jsEnabled: boolean): Promise<void> {
  const account = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD, jsEnabled);
  await addUser(page, 'ann.audit', jsEnabled);
  await addUser(page, 'ben.audit', jsEnabled);

  await page.goto('/activity');
  if (jsEnabled) await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Activity' })).toBeVisible();
  // Newest first: the two additions, each address sent a verification link (the holder's
  // too), then the sign-up.
  await expect(eventRows(page)).toHaveCount(6);
  await expect(eventRows(page).filter({ hasText: 'Added a user' })).toHaveCount(2);
  await expect(eventRows(page).filter({ hasText: 'Sent an e-mail verification link' })).toHaveCount(3);
  await expect(eventRows(page).first()).toContainText('ben.audit');
  await expect(eventRows(page).last()).toContainText('Signed up');
  await expect(eventRows(page).first()).toContainText(account);
  if (jsEnabled) await expectNoSeriousA11yViolations(page);

  await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Added a user' });
  await page.getByLabel('Target starts with', { exact: true }).fill('ann');
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await expectPath(page, '/activity');
  await expect.poll(() => new URL(page.url()).searchParams.get('action')).toBe('user.create');
  await expect(eventRows(page)).toHaveCount(1);
  await expect(eventRows(page).first()).toContainText('ann.audit');
  await expect(page.getByLabel('Target starts with', { exact: true })).toHaveValue('ann');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download CSV', exact: true }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('activity.csv');
  const lines = fs.readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  // Every cell quoted, so that no cell can start a formula in a spreadsheet.
  expect(lines[0]).toBe(
    '"time","account","actor","via","key","acting_from","action","target","result","detail","ip","user_agent"',
  );
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(`,"${account}","session","","","user.create","ann.audit","success",`);

  // A bad date is refused beside its field.
  await page.goto('/activity?from=someday');
  if (jsEnabled) await waitForHydration(page);
  await expect(page.locator('#from-error')).toHaveText('Enter a date as YYYY-MM-DD.');
}

test('the activity log lists recent actions, filters them, and downloads them as CSV', async ({ page }) => {
  await walk(page, true);
});

test('the activity log works as plain HTML without JavaScript', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL });
  try {
    await walk(await context.newPage(), false);
  } finally {
    await context.close();
  }
});
