import type { BrowserContext, Page } from '@playwright/test';
import {
  STRONG_PASSWORD,
  expect,
  expectNoSeriousA11yViolations,
  expectPath,
  signUp,
  signUpInFrench,
  test,
  uniqueCompany,
  uniqueEmail,
  waitForHydration,
} from './fixtures';
import { VERIFY_LINK, waitForLink } from './mail';

/**
 * E-mail verification: sign-up mails a link (read back from a real SMTP server: ./mail.ts); the
 * page it opens changes nothing until its button is pressed; the Security page shows the state
 * and sends another link on request.
 */

const VERIFIED = 'Your e-mail address is verified.';

/** The Security page's e-mail card. */
function emailCard(page: Page) {
  return page.getByRole('region', { name: 'E-mail address' });
}

/** Opens the link, checks what it offers, and presses the button. */
async function confirmWithLink(page: Page, link: string, email: string, jsEnabled = true): Promise<void> {
  await page.goto(link);
  if (jsEnabled) await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Verify your e-mail address');
  await expect(page.getByText(`Confirm that ${email} is your address.`, { exact: true })).toBeVisible();
  if (jsEnabled) await expectNoSeriousA11yViolations(page);
  await page.getByRole('button', { name: 'Confirm my address', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: VERIFIED })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Confirm my address', exact: true })).toHaveCount(0);
}

test.describe('e-mail verification', () => {
  test('the sign-up link verifies the address, and the Security page says so', async ({ page, baseURL }) => {
    const email = uniqueEmail();
    await signUp(page, uniqueCompany(), email, STRONG_PASSWORD);

    await page.goto('/security');
    await waitForHydration(page);
    const card = emailCard(page);
    await expect(card).toContainText(email);
    await expect(card).toContainText('Not verified');
    await expectNoSeriousA11yViolations(page);
    // Another link on request: the page says it is on its way, and it arrives.
    await card.getByRole('button', { name: 'Send a verification link', exact: true }).click();
    await expect(
      page.getByRole('status').filter({ hasText: 'A verification link is on its way' }),
    ).toBeVisible();
    const { link: second } = await waitForLink(email, VERIFY_LINK, 2);

    const { mail, link } = await waitForLink(email, VERIFY_LINK, 1);
    expect(mail.subject).toBe('Confirm your e-mail address');
    expect(link.startsWith(`${baseURL}/verify-email/`)).toBe(true);
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.raw).not.toContain(STRONG_PASSWORD);

    await confirmWithLink(page, link, email);

    await page.goto('/security');
    await waitForHydration(page);
    await expect(emailCard(page)).toContainText('Verified');
    await expect(emailCard(page).getByRole('button')).toHaveCount(0);
    // The other link has nothing left to do, and says the address is verified.
    await page.goto(second);
    await expect(page.getByRole('status').filter({ hasText: VERIFIED })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Confirm my address', exact: true })).toHaveCount(0);
  });

  test('a link that is not one says so', async ({ page }) => {
    await page.goto('/verify-email/0123456789abcdef');
    await waitForHydration(page);
    await expect(page.getByRole('alert')).toHaveText(
      'This link has expired or has been used. Ask for a new one from the Security page.',
    );
    await expectNoSeriousA11yViolations(page);
  });

  test('the users list shows whose address is verified', async ({ page, browser, baseURL }) => {
    await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    await page.goto('/users/new');
    await waitForHydration(page);
    const email = uniqueEmail();
    await page.getByLabel('ID', { exact: true }).fill('vera');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill('Copper-Lantern-Fjord-58');
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'User vera added.' })).toBeVisible();
    await expectPath(page, '/users');
    const row = page.getByRole('row').filter({ hasText: email });
    await expect(row).toContainText('Not verified');

    const { link } = await waitForLink(email, VERIFY_LINK);
    const context = await browser.newContext({ baseURL });
    await confirmWithLink(await context.newPage(), link, email);
    await context.close();
    await page.reload();
    await expect(page.getByRole('row').filter({ hasText: email })).toContainText('Verified');
    await expect(page.getByRole('row').filter({ hasText: email })).not.toContainText('Not verified');
  });
});

test.describe('e-mail verification without JavaScript, and in French', () => {
  let context: BrowserContext;

  test.afterEach(async () => {
    await context?.close();
  });

  test('the button is a plain form post', async ({ browser, baseURL }) => {
    context = await browser.newContext({ javaScriptEnabled: false, baseURL });
    const page = await context.newPage();
    const email = uniqueEmail();
    await signUp(page, uniqueCompany(), email, STRONG_PASSWORD, false);
    const { link } = await waitForLink(email, VERIFY_LINK);
    await confirmWithLink(page, link, email, false);
    await page.goto('/security');
    await expect(emailCard(page)).toContainText('Verified');
  });

  test('a French sign-up gets the mail and the page in French', async ({ browser, baseURL }) => {
    context = await browser.newContext({ baseURL, locale: 'fr-FR' });
    const page = await context.newPage();
    const email = uniqueEmail();
    await signUpInFrench(page, email);

    const { mail, link } = await waitForLink(email, VERIFY_LINK);
    expect(mail.subject).toBe('Confirmez votre adresse e-mail');
    expect(mail.html).toContain('lang="fr"');
    await page.goto(link);
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vérifier votre adresse e-mail');
    await expectNoSeriousA11yViolations(page);
    await page.getByRole('button', { name: 'Confirmer mon adresse', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText('Votre adresse e-mail est vérifiée.');
    await expectPath(page, new URL(link).pathname);
  });
});
