import type { BrowserContext, Locator, Page } from '@playwright/test';
import {
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
import { RESET_LINK, waitForLink } from './mail';

/**
 * Invitations instead of passwords, and "Send sign-in details" from the one-time page: the
 * links are read back from a real SMTP server (./mail.ts) and followed.
 */

const CHOSEN = 'Marble-Pivot-Tundra-63';

function userRow(page: Page, loginId: string): Locator {
  return page.getByRole('row').filter({ has: page.getByRole('cell', { name: loginId, exact: true }) });
}

/** Adds `login` with "Send an invitation" ticked, from /users/new. */
async function invite(page: Page, login: string, email: string, jsEnabled = true): Promise<void> {
  await page.goto('/users/new');
  if (jsEnabled) await waitForHydration(page);
  await page.getByLabel('ID', { exact: true }).fill(login);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Send an invitation by e-mail instead of a password').check();
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(
    page.getByRole('status').filter({ hasText: `User ${login} added; an invitation is on its way to their address.` }),
  ).toBeVisible();
  await expectPath(page, '/users');
}

/** Follows an invitation link in `page`: chooses CHOSEN and lands on /login. */
async function accept(page: Page, link: string, loginId: string, jsEnabled = true): Promise<void> {
  await page.goto(link);
  if (jsEnabled) await waitForHydration(page);
  await expect(page.getByText('You are invited: choose the password you will sign in with.')).toBeVisible();
  await expect(page.getByTestId('link-login-id')).toHaveText(loginId);
  if (jsEnabled) await expectNoSeriousA11yViolations(page);
  await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
  await page.getByLabel('Confirm the new password', { exact: true }).fill(CHOSEN);
  await page.getByRole('button', { name: 'Set the password', exact: true }).click();
  await expectPath(page, '/login');
}

test.describe('invitations', () => {
  test('an invited user chooses a password with the mailed link; resend and withdraw from the row', async ({
    page,
    browser,
    baseURL,
  }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const email = uniqueEmail();
    await invite(page, 'nina', email);
    const loginId = `${accountId}/nina`;
    await expect(userRow(page, loginId)).toContainText('Invitation pending');
    await expectNoSeriousA11yViolations(page);

    // Sent again from the row menu: a second link, and only it works.
    await userRow(page, loginId).getByLabel('Actions for nina', { exact: true }).click();
    await userRow(page, loginId).getByRole('button', { name: 'Resend invitation', exact: true }).click();
    const { link: first, mail } = await waitForLink(email, RESET_LINK, 1);
    const { link: second } = await waitForLink(email, RESET_LINK, 2);
    expect(mail.subject).toContain('You are invited to');
    expect(mail.text).toContain(loginId);

    const context = await browser.newContext({ baseURL });
    const invitee = await context.newPage();
    await invitee.goto(first);
    await expect(invitee.getByRole('alert')).toContainText('This link has expired or was already used.');
    await accept(invitee, second, loginId);
    await submitLogIn(invitee, loginId, CHOSEN);
    await expect(invitee.getByTestId('header-account-id')).toContainText(accountId);
    await context.close();

    await page.reload();
    await waitForHydration(page);
    await expect(userRow(page, loginId)).not.toContainText('Invitation pending');
    await expect(userRow(page, loginId)).toContainText('Verified');

    // Another invitation, withdrawn: the user is gone.
    await invite(page, 'omar', uniqueEmail());
    const omar = `${accountId}/omar`;
    await userRow(page, omar).getByLabel('Actions for omar', { exact: true }).click();
    await userRow(page, omar).getByRole('button', { name: 'Withdraw invitation', exact: true }).click();
    await expect(userRow(page, omar)).toHaveCount(0);
  });

  test('Add several users invites each row', async ({ page }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    await page.goto('/users/bulk');
    await waitForHydration(page);
    const emails = [uniqueEmail(), uniqueEmail()];
    await page.getByLabel('ID, row 1', { exact: true }).fill('ana');
    await page.getByLabel('Email, row 1', { exact: true }).fill(emails[0]);
    await page.getByLabel('ID, row 2', { exact: true }).fill('ben');
    await page.getByLabel('Email, row 2', { exact: true }).fill(emails[1]);
    await page.getByLabel('Send each user an invitation by e-mail instead of a generated password').check();
    await page.getByRole('button', { name: 'Create users', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Users added' })).toBeVisible();
    for (const login of ['ana', 'ben']) {
      await expect(userRow(page, `${accountId}/${login}`)).toContainText('Invitation sent');
    }
    await expect(page.locator('td.secret')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Copy all' })).toHaveCount(0);
    for (const email of emails) await waitForLink(email, RESET_LINK);
  });

  test('sign-in details go from the one-time page to a typed address, without the password', async ({
    page,
    browser,
    baseURL,
  }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    await page.goto('/users/new');
    await waitForHydration(page);
    await page.getByLabel('ID', { exact: true }).fill('sam');
    await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Users added' })).toBeVisible();
    const loginId = `${accountId}/sam`;
    const password = ((await userRow(page, loginId).locator('td.secret').textContent()) ?? '').trim();

    const details = page.getByRole('region', { name: 'Send sign-in details' });
    await expect(details).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    const to = uniqueEmail();
    await details.getByLabel('Send to', { exact: true }).fill(to);
    await details.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(details.getByRole('status')).toHaveText('Sign-in details sent.');
    // The page keeps its secret: it is still there to copy.
    await expect(userRow(page, loginId).locator('td.secret')).toHaveText(password);

    const { mail, link } = await waitForLink(to, RESET_LINK);
    expect(mail.subject).toBe('Your Steward sign-in details');
    expect(mail.text).toContain(loginId);
    expect(mail.text).toContain(`${baseURL}`);
    expect(mail.raw).not.toContain(password);

    const context = await browser.newContext({ baseURL });
    const user = await context.newPage();
    await user.goto(link);
    await waitForHydration(user);
    await expect(user.getByTestId('link-login-id')).toHaveText(loginId);
    await context.close();
  });
});

test.describe('invitations without JavaScript', () => {
  let context: BrowserContext;

  test.afterEach(async () => {
    await context?.close();
  });

  test('inviting and accepting are plain form posts', async ({ browser, baseURL }) => {
    context = await browser.newContext({ javaScriptEnabled: false, baseURL });
    const page = await context.newPage();
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD, false);
    const email = uniqueEmail();
    await invite(page, 'uma', email, false);
    const loginId = `${accountId}/uma`;
    await expect(userRow(page, loginId)).toContainText('Invitation pending');
    const { link } = await waitForLink(email, RESET_LINK);
    const other = await browser.newContext({ javaScriptEnabled: false, baseURL });
    const invitee = await other.newPage();
    await accept(invitee, link, loginId, false);
    await submitLogIn(invitee, loginId, CHOSEN, false);
    await expect(invitee.getByTestId('header-account-id')).toContainText(accountId);
    await other.close();
  });

  test('sign-in details sent without JavaScript land on the users list', async ({ browser, baseURL }) => {
    context = await browser.newContext({ javaScriptEnabled: false, baseURL });
    const page = await context.newPage();
    await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD, false);
    await page.goto('/users/new');
    await page.getByLabel('ID', { exact: true }).fill('tom');
    await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Users added' })).toBeVisible();
    const to = uniqueEmail();
    const details = page.getByRole('region', { name: 'Send sign-in details' });
    await details.getByLabel('Send to', { exact: true }).fill(to);
    await details.getByRole('button', { name: 'Send', exact: true }).click();
    await expectPath(page, '/users');
    await expect(page.getByRole('status')).toHaveText('Sign-in details for tom are on their way.');
    await waitForLink(to, RESET_LINK);
  });
});

test.describe('invitations in French', () => {
  let context: BrowserContext;

  test.afterEach(async () => {
    await context?.close();
  });

  test("a French Administrator's invitation is mailed and opened in French", async ({ browser, baseURL }) => {
    context = await browser.newContext({ baseURL, locale: 'fr-FR' });
    const page = await context.newPage();
    await signUpInFrench(page);

    await page.goto('/users/new');
    await waitForHydration(page);
    const email = uniqueEmail();
    await page.getByLabel('Identifiant', { exact: true }).fill('lea');
    await page.getByLabel('E-mail', { exact: true }).fill(email);
    await page.getByLabel('Envoyer une invitation par e-mail plutôt qu’un mot de passe').check();
    await expectNoSeriousA11yViolations(page);
    await page.getByRole('button', { name: 'Valider', exact: true }).click();
    await expect(page.getByRole('status')).toContainText('une invitation part vers son adresse');

    const { mail, link } = await waitForLink(email, RESET_LINK);
    expect(mail.subject).toContain('Vous êtes invité chez');
    expect(mail.text).toContain('Pour choisir votre mot de passe, ouvrez ce lien :');
    expect(mail.html).toContain('lang="fr"');
    await page.goto(link);
    await waitForHydration(page);
    await expect(page.getByText('Vous êtes invité : choisissez le mot de passe avec lequel vous vous connecterez.')).toBeVisible();
    await expectNoSeriousA11yViolations(page);
  });
});
