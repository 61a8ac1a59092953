import type { Browser, BrowserContext } from '@playwright/test';
import {
  ACCOUNT_ID_PATTERN,
  LOGIN_FAILED,
  STRONG_PASSWORD,
  expect,
  expectPath,
  logOut,
  signUp,
  submitLogIn,
  test,
  uniqueCompany,
  uniqueEmail,
} from './fixtures';

/** The whole panel must work as plain HTML forms, without the WASM bundle. */
test.describe('without JavaScript', () => {
  let context: BrowserContext;

  async function openPage(browser: Browser, baseURL: string | undefined) {
    context = await browser.newContext({ javaScriptEnabled: false, baseURL });
    return context.newPage();
  }

  test.afterEach(async () => {
    await context?.close();
  });

  test('sign up, log out and log in again', async ({ browser, baseURL }) => {
    const page = await openPage(browser, baseURL);

    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD, false);
    expect(accountId).toMatch(ACCOUNT_ID_PATTERN);
    await expect(page.getByTestId('header-account-id')).toContainText(accountId);

    await logOut(page);
    await page.goto('/');
    await expectPath(page, '/login');

    await submitLogIn(page, accountId, STRONG_PASSWORD, false);
    await expect(page.getByTestId('header-account-id')).toContainText(accountId);
  });

  test('a wrong password is refused', async ({ browser, baseURL }) => {
    const page = await openPage(browser, baseURL);

    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD, false);
    await logOut(page);

    await submitLogIn(page, accountId, `${STRONG_PASSWORD}-wrong`, false);

    await expect(page.getByRole('alert').filter({ hasText: LOGIN_FAILED })).toBeVisible();
    await expectPath(page, '/login');
    await expect(page.getByTestId('header-account-id')).toHaveCount(0);
  });
});
