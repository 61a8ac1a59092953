import type { Locator, Page } from '@playwright/test';
import {
  ACCOUNT_ID_PATTERN,
  LOGIN_FAILED,
  SECTIONS,
  STRONG_PASSWORD,
  expect,
  expectNoSeriousA11yViolations,
  expectPath,
  logOut,
  signUp,
  submitLogIn,
  submitSignUp,
  test,
  uniqueCompany,
  uniqueEmail,
  waitForHydration,
} from './fixtures';

/** Flips the case of every letter: "Acme 17-ab" -> "aCME 17-AB". */
function swapCase(s: string): string {
  return [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

/** True when `a` comes before `b` in document order. */
async function precedes(a: Locator, b: Locator): Promise<boolean> {
  const other = await b.elementHandle();
  return a.evaluate((x, y) => !!(x.compareDocumentPosition(y as Node) & Node.DOCUMENT_POSITION_FOLLOWING), other);
}

function sectionsNav(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Sections' });
}

test.describe('with JavaScript', () => {
  test('sign up lands on My account with the new account ID', async ({ page }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);

    expect(accountId).toMatch(ACCOUNT_ID_PATTERN);
    await expectPath(page, '/');
    expect(new URL(page.url()).search).toContain('welcome');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account is ready');
    await expect(page.getByTestId('header-account-id')).toContainText(accountId);
  });

  test('the account ID on My account has a copy button', async ({ page }) => {
    await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);

    const copy = page.getByRole('button', { name: /copy/i });
    await expect(copy).toBeVisible();
    await expect(copy).toBeEnabled();
  });

  test('log out ends on /login and the panel then redirects to /login', async ({ page }) => {
    await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);

    await logOut(page);
    await expect(page.getByTestId('header-account-id')).toHaveCount(0);

    await page.goto('/');
    await expectPath(page, '/login');
    await expect(page.getByRole('button', { name: 'Log in', exact: true })).toBeVisible();
  });

  test('log in with the account ID and password', async ({ page }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    await logOut(page);

    await submitLogIn(page, accountId, STRONG_PASSWORD);

    await expect(page.getByTestId('header-account-id')).toContainText(accountId);
    await expect(page.getByRole('button', { name: 'Log out', exact: true })).toBeVisible();
  });

  test('a wrong password is refused', async ({ page }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    await logOut(page);

    await submitLogIn(page, accountId, `${STRONG_PASSWORD}-wrong`);

    await expect(page.getByRole('alert').filter({ hasText: LOGIN_FAILED })).toBeVisible();
    await expectPath(page, '/login');
    await expect(page.getByTestId('header-account-id')).toHaveCount(0);
  });

  test('a company name is unique regardless of letter case', async ({ page }) => {
    const company = uniqueCompany();
    await signUp(page, company, uniqueEmail(), STRONG_PASSWORD);
    await page.context().clearCookies();

    await submitSignUp(page, swapCase(company), uniqueEmail(), STRONG_PASSWORD);

    // "Next to the Company field": inside the sign-up form, before the next field (Email).
    const form = page.locator('form').filter({ has: page.getByLabel('Company', { exact: true }) });
    const error = form.getByText('Company with this name already exists').first();
    await expect(error).toBeVisible();
    await expectPath(page, '/signup');
    expect(await precedes(error, form.getByLabel('Email', { exact: true })), 'the error is placed before the Email field').toBe(true);
  });

  test('a weak password gets live feedback and is refused', async ({ page }) => {
    const company = uniqueCompany();
    await page.goto('/signup');
    await waitForHydration(page);
    await page.getByLabel('Company', { exact: true }).fill(company);
    await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
    await page.getByLabel('Password', { exact: true }).fill('password123');

    // Live feedback, before anything is submitted.
    const feedback = page.getByTestId('password-feedback');
    await expect(feedback.getByRole('listitem').first()).toBeVisible();
    expect(await feedback.getByRole('listitem').count()).toBeGreaterThanOrEqual(1);

    // Text about the password outside the live feedback list; submitting must add some.
    const wording = /weak|strong|guess|common|password/i;
    const errorsOutsideFeedback = async () =>
      (await page.getByText(wording).count()) - (await feedback.getByText(wording).count());
    const before = await errorsOutsideFeedback();

    await page.getByRole('button', { name: 'Create account', exact: true }).click();

    await expect.poll(errorsOutsideFeedback, { message: 'an error about the password appears' }).toBeGreaterThan(before);
    await expectPath(page, '/signup');
    await expect(page.getByRole('heading', { name: 'Your account is ready' })).toHaveCount(0);

    // Nothing was created: the same company name can still sign up.
    const accountId = await signUp(page, company, uniqueEmail(), STRONG_PASSWORD);
    expect(accountId).toMatch(ACCOUNT_ID_PATTERN);
  });

  for (const section of SECTIONS) {
    test(`the "${section.name}" link opens its page, which passes axe`, async ({ page }) => {
      await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);

      await sectionsNav(page).getByRole('link', { name: section.name, exact: true }).click();

      await expectPath(page, section.path);
      const h1 = page.getByRole('heading', { level: 1 });
      await expect(h1).toHaveCount(1);
      await expect(h1).toContainText(section.name);
      await expectNoSeriousA11yViolations(page);
    });
  }

  test('the login and sign-up pages pass axe', async ({ page }) => {
    for (const path of ['/login', '/signup']) {
      await page.goto(path);
      await waitForHydration(page);
      await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
      await expectNoSeriousA11yViolations(page);
    }
  });
});
