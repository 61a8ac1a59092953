import type { BrowserContext, Page } from '@playwright/test';
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
import { RESET_LINK, allMail, waitForLink } from './mail';

/**
 * "Forgot your password?": a link by mail (read back from a real SMTP server: ./mail.ts), then a
 * new password with it.
 */

/** The new password chosen with the link: strong, and sharing no word with the company or e-mail. */
const NEW_PASSWORD = 'Marble-Pivot-Tundra-63';

const SENT_EN =
  'If this login exists and has an e-mail address, a link to choose a new password is on its way. ' +
  'It works once, for a limited time. Check your mailbox (and its spam folder).';
const SENT_FR =
  'Si cet identifiant existe et a une adresse e-mail, un lien pour choisir un nouveau mot de passe est en route. ' +
  'Il sert une seule fois, pour un temps limité. Consultez votre messagerie (et ses indésirables).';
const DONE = 'Your password is changed. Log in with it.';
const EXPIRED = 'This link has expired or was already used.';

/** From /login: follows "Forgot your password?" and asks for a link for `loginId`. */
async function askForLink(page: Page, loginId: string, jsEnabled = true): Promise<void> {
  await page.goto('/login');
  if (jsEnabled) await waitForHydration(page);
  await page.getByRole('link', { name: 'Forgot your password?', exact: true }).click();
  await expectPath(page, '/login/forgot');
  await expect(page).toHaveTitle(/Forgot your password/);
  await page.getByLabel('Account ID', { exact: true }).fill(loginId);
  await page.getByRole('button', { name: 'Send the link', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText(SENT_EN);
  await expectPath(page, '/login/forgot');
}

/** Checks the reset mail to `email` for `accountId` in English and returns its link. */
async function expectEnglishMail(baseURL: string | undefined, email: string, accountId: string): Promise<string> {
  const { mail, link } = await waitForLink(email, RESET_LINK);
  expect(mail.to).toEqual([email]);
  expect(mail.from).toContain('panel@steward.test');
  expect(mail.subject).toBe('Choose a new Steward password');
  expect(link.startsWith(`${baseURL}/login/reset/`), `${link} should start with ${baseURL}/login/reset/`).toBe(true);
  expect(mail.text).toContain(link);
  expect(mail.text).toContain(accountId);
  expect(mail.text).toContain('To choose it, open this link:');
  expect(mail.html).toContain(`href="${link}"`);
  expect(mail.raw).not.toContain(STRONG_PASSWORD);
  expect(mail.raw).not.toContain(NEW_PASSWORD);
  return link;
}

/** On the page the link opens: chooses NEW_PASSWORD and lands on the login page with the notice. */
async function chooseNewPassword(page: Page): Promise<void> {
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm the new password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set the password', exact: true }).click();
  await expectPath(page, '/login');
  expect(new URL(page.url()).searchParams.get('reset')).toBe('1');
  await expect(page.getByRole('status').filter({ hasText: DONE })).toBeVisible();
}

/** Logs in with the old password (refused), then with the new one. */
async function expectNewPasswordOnly(page: Page, accountId: string, jsEnabled = true): Promise<void> {
  await submitLogIn(page, accountId, STRONG_PASSWORD, jsEnabled);
  await expect(page.getByRole('alert').filter({ hasText: LOGIN_FAILED })).toBeVisible();
  await submitLogIn(page, accountId, NEW_PASSWORD, jsEnabled);
  await expect(page.getByTestId('header-account-id')).toContainText(accountId);
}

/** The used link now only offers to ask for a new one. */
async function expectLinkUsedUp(page: Page, link: string, jsEnabled = true): Promise<void> {
  await page.goto(link);
  if (jsEnabled) await waitForHydration(page);
  await expect(page.getByRole('alert').filter({ hasText: EXPIRED })).toBeVisible();
  await expect(page.getByLabel('New password', { exact: true })).toHaveCount(0);
  const again = page.getByRole('link', { name: 'Ask for a new link', exact: true });
  await expect(again).toHaveAttribute('href', '/login/forgot');
  await again.click();
  await expectPath(page, '/login/forgot');
  await expect(page.getByRole('button', { name: 'Send the link', exact: true })).toBeVisible();
}

test.describe('forgot your password', () => {
  test('a link by mail sets a new password, once', async ({ page, baseURL }) => {
    const email = uniqueEmail();
    const accountId = await signUp(page, uniqueCompany(), email, STRONG_PASSWORD);
    await logOut(page);

    await askForLink(page, accountId);
    const link = await expectEnglishMail(baseURL, email, accountId);

    await page.goto(link);
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a new password');
    await expectNoSeriousA11yViolations(page);
    await chooseNewPassword(page);

    await expectNewPasswordOnly(page, accountId);
    await expectLinkUsedUp(page, link);
  });

  test('an unknown account ID gets the same answer and no mail', async ({ page }) => {
    const email = uniqueEmail();
    const accountId = await signUp(page, uniqueCompany(), email, STRONG_PASSWORD);
    await logOut(page);
    const before = (await allMail()).length;

    // An account that does not exist, and a login that does not exist in a real account.
    await askForLink(page, '0000-000-00');
    await askForLink(page, `${accountId}/nobody`);
    // Then a real one: once its mail is in, the outbox has sent everything asked before it.
    await askForLink(page, accountId);
    await waitForLink(email, RESET_LINK);

    // Other tests mail in parallel, and sign-up mailed a verification link: only password links
    // naming one of the logins asked for here count.
    const sinceThen = (await allMail())
      .slice(before)
      .filter((m) => RESET_LINK.test(m.text) && (m.text.includes(accountId) || m.text.includes('0000-000-00')));
    expect(
      sinceThen.map((m) => m.to),
      'only the real login is mailed',
    ).toEqual([[email]]);
  });

  test('the forgot page passes axe, before and after asking', async ({ page }) => {
    await page.goto('/login/forgot');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a new password');
    await expectNoSeriousA11yViolations(page);
    await page.getByLabel('Account ID', { exact: true }).fill('0000-000-00');
    await page.getByRole('button', { name: 'Send the link', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText(SENT_EN);
    await expectNoSeriousA11yViolations(page);
  });
});

test.describe('forgot your password without JavaScript', () => {
  let context: BrowserContext;

  test.afterEach(async () => {
    await context?.close();
  });

  test('the same flow works with plain form posts', async ({ browser, baseURL }) => {
    context = await browser.newContext({ javaScriptEnabled: false, baseURL });
    const page = await context.newPage();

    const email = uniqueEmail();
    const accountId = await signUp(page, uniqueCompany(), email, STRONG_PASSWORD, false);
    await logOut(page);

    await askForLink(page, accountId, false);
    const link = await expectEnglishMail(baseURL, email, accountId);

    await page.goto(link);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a new password');
    await chooseNewPassword(page);

    await expectNewPasswordOnly(page, accountId, false);
    await expectLinkUsedUp(page, link, false);
  });
});

test.describe('forgot your password in French', () => {
  let context: BrowserContext;

  test.afterEach(async () => {
    await context?.close();
  });

  test('a French browser gets the page and the mail in French', async ({ page, browser, baseURL }) => {
    const email = uniqueEmail();
    const accountId = await signUp(page, uniqueCompany(), email, STRONG_PASSWORD);
    await logOut(page);

    context = await browser.newContext({ baseURL, locale: 'fr-FR' });
    const fr = await context.newPage();
    await fr.goto('/login');
    await waitForHydration(fr);
    await fr.getByRole('link', { name: 'Mot de passe oublié ?', exact: true }).click();
    await expectPath(fr, '/login/forgot');
    await expect(fr.locator('html')).toHaveAttribute('lang', 'fr');
    await expect(fr).toHaveTitle(/Mot de passe oublié/);
    await expect(fr.getByRole('heading', { level: 1 })).toHaveText('Choisir un nouveau mot de passe');
    await expectNoSeriousA11yViolations(fr);
    await fr.getByLabel('Identifiant de compte', { exact: true }).fill(accountId);
    await fr.getByRole('button', { name: 'Envoyer le lien', exact: true }).click();
    await expect(fr.getByRole('status')).toHaveText(SENT_FR);

    const { mail, link } = await waitForLink(email, RESET_LINK);
    expect(mail.subject).toBe('Choisir un nouveau mot de passe Steward');
    expect(mail.text).toContain('Pour le choisir, ouvrez ce lien :');
    expect(mail.text).toContain(link);
    expect(mail.html).toContain('lang="fr"');
    expect(mail.html).toContain(`href="${link}"`);
    expect(link.startsWith(`${baseURL}/login/reset/`)).toBe(true);

    await fr.goto(link);
    await waitForHydration(fr);
    await expect(fr.getByRole('heading', { level: 1 })).toHaveText('Choisir un nouveau mot de passe');
    await expect(fr.getByLabel('Nouveau mot de passe', { exact: true })).toBeVisible();
    await expect(fr.getByLabel('Confirmez le nouveau mot de passe', { exact: true })).toBeVisible();
    await expect(fr.getByRole('button', { name: 'Enregistrer le mot de passe', exact: true })).toBeVisible();
  });
});
