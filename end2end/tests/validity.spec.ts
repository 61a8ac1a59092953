import type { BrowserContext, Locator, Page } from '@playwright/test';
import {
  LOGIN_FAILED,
  STRONG_PASSWORD,
  expect,
  expectNoSeriousA11yViolations,
  expectPath,
  signUp,
  signUpInFrench,
  submitLogIn,
  test,
  uniqueCompany,
  uniqueEmail,
  waitForHydration,
} from './fixtures';

/** Users who should not last: sign-in dates on the edit page, and the account's policies. */

const PASSWORD = 'Copper-Lantern-Fjord-58';

function userRow(page: Page, loginId: string): Locator {
  return page.getByRole('row').filter({ has: page.getByRole('cell', { name: loginId, exact: true }) });
}

/** The UTC day `offset` days from today, as a date field's value. */
function day(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

async function addUser(page: Page, login: string): Promise<void> {
  await page.goto('/users/new');
  await waitForHydration(page);
  await page.getByLabel('ID', { exact: true }).fill(login);
  await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: `User ${login} added.` })).toBeVisible();
}

test.describe('sign-in dates and policies', () => {
  test('a last day in the past stops the user; the list marks and filters them', async ({ page, browser, baseURL }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    await addUser(page, 'vic');
    const loginId = `${accountId}/vic`;

    await page.goto('/users/vic/edit');
    await waitForHydration(page);
    const card = page.getByRole('region', { name: 'Sign-in dates' });
    await expect(card).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    // A last day before the first is refused beside the field.
    await card.getByLabel('First day', { exact: true }).fill(day(3));
    await card.getByLabel('Last day', { exact: true }).fill(day(1));
    await card.getByRole('button', { name: 'Save the dates', exact: true }).click();
    await expect(card.getByText('The last day must come after the first.')).toBeVisible();

    await card.getByLabel('First day', { exact: true }).fill('');
    await card.getByLabel('Last day', { exact: true }).fill(day(-1));
    await card.getByRole('button', { name: 'Save the dates', exact: true }).click();
    await expectPath(page, '/users');
    await expect(userRow(page, loginId)).toContainText('Expired');

    await page.getByLabel('Status', { exact: true }).selectOption('EXPIRED');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(userRow(page, loginId)).toBeVisible();

    const context = await browser.newContext({ baseURL });
    const vic = await context.newPage();
    await submitLogIn(vic, loginId, PASSWORD);
    await expect(vic.getByRole('alert').filter({ hasText: LOGIN_FAILED })).toBeVisible();
    await context.close();

    // The dates are shown back on the edit page.
    await page.goto('/users/vic/edit');
    await waitForHydration(page);
    await expect(page.getByLabel('Last day', { exact: true })).toHaveValue(day(-1));
  });

  test('an Administrator sets the sign-in policies on the Security page', async ({ page }) => {
    await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    await page.goto('/security');
    await waitForHydration(page);
    const card = page.getByRole('region', { name: 'Sign-in policies' });
    await card.getByLabel('Temporary passwords expire after (days)', { exact: true }).fill('0');
    await card.getByRole('button', { name: 'Save the policies', exact: true }).click();
    await expect(card.getByText('Enter a number of days from 1 to 3650, or leave it empty.')).toBeVisible();
    await card.getByLabel('Temporary passwords expire after (days)', { exact: true }).fill('7');
    await card.getByLabel('Disable users inactive for (days)', { exact: true }).fill('90');
    await card.getByRole('button', { name: 'Save the policies', exact: true }).click();
    await expect(card.getByRole('status')).toHaveText('Policies saved.');
    await expectNoSeriousA11yViolations(page);
    await page.reload();
    await expect(page.getByLabel('Disable users inactive for (days)', { exact: true })).toHaveValue('90');
  });
});

test.describe('sign-in dates without JavaScript, and in French', () => {
  let context: BrowserContext;

  test.afterEach(async () => {
    await context?.close();
  });

  test('the dates are a plain form post', async ({ browser, baseURL }) => {
    context = await browser.newContext({ javaScriptEnabled: false, baseURL });
    const page = await context.newPage();
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD, false);
    await page.goto('/users/new');
    await page.getByLabel('ID', { exact: true }).fill('wes');
    await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await expectPath(page, '/users');
    await page.goto('/users/wes/edit');
    await page.getByLabel('Last day', { exact: true }).fill(day(-2));
    await page.getByRole('button', { name: 'Save the dates', exact: true }).click();
    await expectPath(page, '/users');
    await expect(userRow(page, `${accountId}/wes`)).toContainText('Expired');
  });

  test('the card and the policies speak French', async ({ browser, baseURL }) => {
    context = await browser.newContext({ baseURL, locale: 'fr-FR' });
    const page = await context.newPage();
    await signUpInFrench(page);
    await page.goto('/security');
    await waitForHydration(page);
    await expect(page.getByRole('region', { name: 'Règles de connexion' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Adresse e-mail' })).toContainText('Non vérifiée');
    await expectNoSeriousA11yViolations(page);
  });
});
