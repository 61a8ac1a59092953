import {
  STRONG_PASSWORD,
  expect,
  signUp,
  submitLogIn,
  test,
  uniqueCompany,
  uniqueEmail,
  waitForHydration,
} from './fixtures';
import { allMail, mailTo } from './mail';

/**
 * Security notices, read back from the real SMTP server: a sign-in from a browser that had not
 * signed in as the user before is mailed to them; their first browser and a known one are not.
 */

const PASSWORD = 'Copper-Lantern-Fjord-58';

async function noticesTo(address: string): Promise<string[]> {
  return mailTo(await allMail(), address)
    .filter((m) => !m.text.includes('/verify-email/'))
    .map((m) => m.subject);
}

test('a sign-in from a new browser is told by mail, with where it came from', async ({ page, browser, baseURL }) => {
  const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
  const email = uniqueEmail();
  await page.goto('/users/new');
  await waitForHydration(page);
  await page.getByLabel('ID', { exact: true }).fill('ivy');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'User ivy added.' })).toBeVisible();
  const loginId = `${accountId}/ivy`;

  const first = await browser.newContext({ baseURL });
  const firstPage = await first.newPage();
  await submitLogIn(firstPage, loginId, PASSWORD);
  await expect(firstPage.getByTestId('header-account-id')).toContainText(accountId);

  const second = await browser.newContext({ baseURL });
  const secondPage = await second.newPage();
  await submitLogIn(secondPage, loginId, PASSWORD);
  await expect(secondPage.getByTestId('header-account-id')).toContainText(accountId);

  await expect.poll(() => noticesTo(email), { timeout: 20_000 }).toEqual(['New sign-in to Steward']);
  const notice = mailTo(await allMail(), email).find((m) => m.subject === 'New sign-in to Steward')!;
  expect(notice.text).toContain(loginId);
  expect(notice.text).toContain(`${baseURL}/security`);
  expect(notice.raw).not.toContain(PASSWORD);
  await first.close();
  await second.close();
});
