import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';
import {
  LOGIN_FAILED,
  STRONG_PASSWORD,
  expect,
  expectNoSeriousA11yViolations,
  expectPath,
  logOut,
  signUp,
  submitLogIn,
  test,
  uniqueCompany,
  uniqueEmail,
  waitForHydration,
} from './fixtures';
import { base32Decode, currentCode, waitForStepAfter, wrongCode } from './totp';

// ---------------------------------------------------------------------------------------------
// Page helpers
// ---------------------------------------------------------------------------------------------

/** A recovery code as shown: xxxx-xxxx-xxxx, lower-case letters and digits. */
const RECOVERY_CODE = /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/;

/** The key as shown for typing by hand: base32 in groups of four. */
const GROUPED_KEY = /^[A-Z2-7]{4}( [A-Z2-7]{1,4})*$/;

function twoFactorSection(page: Page): Locator {
  return page.locator('#two-factor');
}

function disableForm(page: Page): Locator {
  return page.locator('#two-factor form').filter({ hasText: 'Disable two-factor authentication' });
}

function newCodesForm(page: Page): Locator {
  return page.locator('#two-factor form').filter({ hasText: 'New recovery codes' });
}

function enableButton(page: Page): Locator {
  return twoFactorSection(page).getByRole('button', { name: 'Enable two-factor authentication', exact: true });
}

/** The "On." line of the two-factor section. */
function onStatus(page: Page): Locator {
  return twoFactorSection(page).getByText(/^On\./).first();
}

/** The error shown next to a field (the text of its .field wrapper's error line). */
function fieldError(scope: Locator, label: string): Locator {
  return scope.locator('.field').filter({ has: scope.page().getByLabel(label, { exact: true }) }).locator('.field-error');
}

/** Opens Security from the navigation (JS) or by address (no JS) and waits for the 2FA section. */
async function openSecurity(page: Page, jsEnabled = true): Promise<void> {
  if (jsEnabled) {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Security', exact: true }).click();
    await expectPath(page, '/security');
    await waitForHydration(page);
  } else {
    await page.goto('/security');
  }
  await expect(page.getByRole('heading', { level: 1, name: 'Security' })).toBeVisible();
  await expect(twoFactorSection(page).getByRole('heading', { level: 2, name: 'Two-factor authentication' })).toBeVisible();
}

/**
 * On /security with two-factor authentication off: clicks "Enable two-factor authentication",
 * checks the QR code, key and setup link, and returns the key (grouped, as shown).
 */
async function startEnrolment(page: Page): Promise<string> {
  const section = twoFactorSection(page);
  await enableButton(page).click();

  const keyLocator = section.getByTestId('totp-key');
  await expect(keyLocator).toHaveText(GROUPED_KEY);
  const key = ((await keyLocator.textContent()) ?? '').trim();
  expect(base32Decode(key).length, 'the key should be a 160-bit seed').toBe(20);

  await expect(section.locator('.qr svg')).toBeVisible();
  await expect(section.locator('.qr svg')).toHaveAttribute('aria-label', 'QR code for your authenticator app');

  await section.locator('details summary').filter({ hasText: 'The setup link' }).click();
  const uriLocator = section.locator('details').getByText(/^otpauth:\/\/totp\/Steward:/);
  await expect(uriLocator).toBeVisible();
  const uri = new URL(((await uriLocator.textContent()) ?? '').trim());
  expect(uri.searchParams.get('secret'), 'the setup link carries the same key').toBe(key.replace(/\s+/g, ''));

  await expect(section.getByLabel('Password', { exact: true })).toBeVisible();
  await expect(section.getByLabel('Code', { exact: true })).toBeVisible();
  await expect(section.getByRole('button', { name: 'Turn on two-factor authentication', exact: true })).toBeVisible();
  return key;
}

/**
 * Confirms enrolment with the password and the current code; checks the recovery-codes page and
 * returns the codes and the TOTP step spent on the confirmation.
 */
async function confirmEnrolment(page: Page, key: string, jsEnabled = true): Promise<{ codes: string[]; step: number }> {
  const section = twoFactorSection(page);
  await section.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
  const { code, step } = currentCode(key);
  await section.getByLabel('Code', { exact: true }).fill(code);
  await section.getByRole('button', { name: 'Turn on two-factor authentication', exact: true }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'Recovery codes' })).toBeVisible();
  expect(new URL(page.url()).pathname).toMatch(/^\/reveal\/[^/]+$/);
  const items = page.getByTestId('recovery-codes').locator('li');
  await expect(items).toHaveCount(10);
  const codes = (await items.allTextContents()).map((c) => c.trim());
  for (const c of codes) expect(c).toMatch(RECOVERY_CODE);
  expect(new Set(codes).size, 'the recovery codes are all different').toBe(10);
  if (jsEnabled) await expect(page.getByRole('button', { name: 'Copy all' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Download', exact: true })).toBeVisible();
  return { codes, step };
}

/** Logs in with the password and expects the second step on /login/code. */
async function logInFirstStep(page: Page, accountId: string, jsEnabled = true): Promise<void> {
  await submitLogIn(page, accountId, STRONG_PASSWORD, jsEnabled);
  await expect(page.getByRole('heading', { level: 1, name: 'Two-factor authentication' })).toBeVisible();
  await expectPath(page, '/login/code');
  await expect(page.getByTestId('header-account-id')).toHaveCount(0);
  if (jsEnabled) await waitForHydration(page);
}

/** On /login/code: enters `code` and clicks Verify, without waiting for the outcome. */
async function submitCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
}

async function expectMyAccount(page: Page, accountId: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'My account' })).toBeVisible();
  await expectPath(page, '/');
  await expect(page.getByTestId('header-account-id')).toContainText(accountId);
}

async function expectCodeRefused(page: Page): Promise<void> {
  await expect(page.getByRole('alert').filter({ hasText: LOGIN_FAILED })).toBeVisible();
  await expectPath(page, '/login/code');
  await expect(page.getByTestId('header-account-id')).toHaveCount(0);
}

/** Signs up, opens Security, enrols and confirms; returns what later steps need. */
async function signUpAndEnrol(page: Page): Promise<{ accountId: string; key: string; codes: string[]; step: number }> {
  const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
  await openSecurity(page);
  const key = await startEnrolment(page);
  const { codes, step } = await confirmEnrolment(page, key);
  return { accountId, key, codes, step };
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

test.describe('Two-factor authentication with JavaScript', () => {
  test('enrol, then log in with a code once, and with a recovery code once', async ({ page }) => {
    test.setTimeout(120_000);
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    await openSecurity(page);
    await expect(enableButton(page)).toBeVisible();
    const key = await startEnrolment(page);
    const section = twoFactorSection(page);

    // A wrong code (with the right password) is refused next to the Code field; 2FA stays off.
    await section.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
    await section.getByLabel('Code', { exact: true }).fill(wrongCode(key));
    await section.getByRole('button', { name: 'Turn on two-factor authentication', exact: true }).click();
    await expect(section.getByLabel('Code', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(fieldError(section, 'Code')).not.toBeEmpty();
    await expect(fieldError(section, 'Password')).toBeEmpty();
    await expectPath(page, '/security');
    await expect(onStatus(page)).toHaveCount(0);
    await page.reload();
    await waitForHydration(page);
    await expect(section.getByTestId('totp-key'), 'the same enrolment is still pending').toHaveText(key);
    await expect(onStatus(page)).toHaveCount(0);

    // The right password and code turn it on and show the recovery codes once.
    const { codes, step: enrolStep } = await confirmEnrolment(page, key);
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'No longer available' })).toBeVisible();
    for (const c of codes) await expect(page.getByText(c)).toHaveCount(0);

    await page.goto('/security');
    await waitForHydration(page);
    await expect(onStatus(page)).toBeVisible();
    await expect(enableButton(page)).toHaveCount(0);

    // Log in: password, then a fresh code (the confirmation's step is spent).
    await logOut(page);
    await logInFirstStep(page, accountId);
    await waitForStepAfter(page, enrolStep);
    const { code } = currentCode(key);
    await submitCode(page, code);
    await expectMyAccount(page, accountId);

    // The same code again is refused: each step is accepted once.
    await logOut(page);
    await logInFirstStep(page, accountId);
    await submitCode(page, code);
    await expectCodeRefused(page);

    // A recovery code (typed in upper case) works instead...
    await submitCode(page, codes[0].toUpperCase());
    await expectMyAccount(page, accountId);

    // ...but only once.
    await logOut(page);
    await logInFirstStep(page, accountId);
    await submitCode(page, codes[0]);
    await expectCodeRefused(page);
  });

  test('disable with password and code; logging in asks only for the password again', async ({ page }) => {
    test.setTimeout(120_000);
    const { accountId, key, step } = await signUpAndEnrol(page);

    await page.goto('/security');
    await waitForHydration(page);
    await expect(onStatus(page)).toBeVisible();
    const form = disableForm(page);
    await expect(form.getByRole('heading', { name: 'Disable two-factor authentication' })).toBeVisible();
    await expect(newCodesForm(page).getByRole('button', { name: 'New recovery codes', exact: true })).toBeVisible();

    await waitForStepAfter(page, step);
    await form.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
    await form.getByLabel('Code', { exact: true }).fill(currentCode(key).code);
    await form.getByRole('button', { name: 'Disable two-factor authentication', exact: true }).click();

    await expect(enableButton(page)).toBeVisible();
    await expect(onStatus(page)).toHaveCount(0);
    await expectPath(page, '/security');

    await logOut(page);
    await submitLogIn(page, accountId, STRONG_PASSWORD);
    await expectMyAccount(page, accountId);
  });

  test('the two-factor pages pass axe', async ({ page }) => {
    test.setTimeout(90_000);
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    await openSecurity(page);
    const key = await startEnrolment(page);
    await expectNoSeriousA11yViolations(page);

    await confirmEnrolment(page, key);
    await waitForHydration(page);
    await expectNoSeriousA11yViolations(page);

    await page.goto('/security');
    await waitForHydration(page);
    await expect(onStatus(page)).toBeVisible();
    await expect(disableForm(page).getByLabel('Code', { exact: true })).toBeVisible();
    await expectNoSeriousA11yViolations(page);

    await logOut(page);
    await logInFirstStep(page, accountId);
    await expect(page.getByLabel('Code', { exact: true })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
  });
});

test.describe('Two-factor authentication without JavaScript', () => {
  let context: BrowserContext | undefined;

  async function openPage(browser: Browser, baseURL: string | undefined): Promise<Page> {
    context = await browser.newContext({ javaScriptEnabled: false, baseURL });
    return context.newPage();
  }

  test.afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  test('enrol with plain forms, then log in with a code', async ({ browser, baseURL }) => {
    test.setTimeout(120_000);
    const page = await openPage(browser, baseURL);
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD, false);

    await openSecurity(page, false);
    const key = await startEnrolment(page);
    await expectPath(page, '/security');
    const { step } = await confirmEnrolment(page, key, false);

    await logOut(page);
    await logInFirstStep(page, accountId, false);
    await waitForStepAfter(page, step);
    await submitCode(page, currentCode(key).code);
    await expectMyAccount(page, accountId);
  });
});

test.describe('Several authenticator apps', () => {
  test('a second app is added with a name, logs in, and the first is removed', async ({ page }) => {
    test.setTimeout(180_000);
    const { accountId, key, step } = await signUpAndEnrol(page);
    await page.goto('/security');
    await waitForHydration(page);
    const section = twoFactorSection(page);
    await expect(section.getByRole('cell', { name: 'Authenticator app', exact: true })).toBeVisible();
    await section.getByRole('button', { name: 'Add another authenticator app', exact: true }).click();

    const keyLocator = section.getByTestId('totp-key');
    await expect(keyLocator).toHaveText(GROUPED_KEY);
    const tablet = ((await keyLocator.textContent()) ?? '').trim();
    expect(tablet).not.toBe(key);
    const name = section.getByLabel('Name of the app (optional)', { exact: true });
    const enrol = section.locator('form').filter({ has: page.getByLabel('Name of the app (optional)', { exact: true }) });
    await name.fill('Tablet');
    await enrol.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
    const added = currentCode(tablet);
    await enrol.getByLabel('Code', { exact: true }).fill(added.code);
    await enrol.getByRole('button', { name: 'Add this app', exact: true }).click();
    await expect(section.getByRole('status')).toHaveText('The authenticator app is added: its codes work too.');
    await expect(section.getByRole('cell', { name: 'Tablet', exact: true })).toBeVisible();
    await expectNoSeriousA11yViolations(page);

    // The tablet's code logs in.
    await logOut(page);
    await logInFirstStep(page, accountId);
    await waitForStepAfter(page, Math.max(step, added.step));
    const used = currentCode(tablet);
    await submitCode(page, used.code);
    await expectMyAccount(page, accountId);

    // The phone's app is removed with the password and a code from the tablet.
    await openSecurity(page);
    await section.locator('details summary').filter({ hasText: 'Remove an app' }).click();
    const remove = section.locator('details form').filter({ hasText: 'Remove an app' });
    await remove.getByLabel('App', { exact: true }).selectOption({ label: 'Authenticator app' });
    await remove.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
    await waitForStepAfter(page, used.step);
    await remove.getByLabel('Code', { exact: true }).fill(currentCode(tablet).code);
    await remove.getByRole('button', { name: 'Remove an app', exact: true }).click();
    await expect(section.getByRole('status')).toHaveText('The authenticator app is removed: its codes no longer work.');
    await expect(section.getByRole('cell', { name: 'Authenticator app', exact: true })).toHaveCount(0);
    await expect(section.getByRole('cell', { name: 'Tablet', exact: true })).toBeVisible();
    await expect(section.locator('details summary').filter({ hasText: 'Remove an app' })).toHaveCount(0);
  });
});
