import type { CDPSession, Locator, Page } from '@playwright/test';
import {
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

// A WebAuthn relying party is a domain name: browsers refuse keys on an IP address. The panel
// listening on 127.0.0.1 is the relying party `localhost`, so these tests reach it by that name.
test.use({
  baseURL: (process.env.STEWARD_E2E_BASE_URL ?? 'http://127.0.0.1:3000').replace('127.0.0.1', 'localhost'),
});

type Authenticator = { cdp: CDPSession; id: string };

/** A security key with a PIN (user verification) and room for passkeys, plugged into `page`. */
async function plugInKey(page: Page): Promise<Authenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

async function unplug(key: Authenticator): Promise<void> {
  await key.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: key.id });
}

function keysSection(page: Page): Locator {
  return page.locator('#keys');
}

async function openSecurity(page: Page): Promise<void> {
  await page.goto('/security');
  await waitForHydration(page);
  await expect(keysSection(page).getByRole('heading', { name: 'Security keys and passkeys' })).toBeVisible();
}

/** Fills the "Add a security key or passkey" form and sends it; the key answers by itself. */
async function addKey(page: Page, name: string): Promise<void> {
  const form = keysSection(page).locator('form').filter({ hasText: 'Add a security key or passkey' });
  await form.getByLabel('Name of the key', { exact: true }).fill(name);
  await form.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
  await form.getByRole('button', { name: 'Add the key', exact: true }).click();
}

/** The recovery codes page the first second factor leads to; returns the codes. */
async function recoveryCodes(page: Page): Promise<string[]> {
  await expect(page.getByRole('heading', { level: 1, name: 'Recovery codes' })).toBeVisible();
  const items = page.getByTestId('recovery-codes').locator('li');
  await expect(items).toHaveCount(10);
  return (await items.allTextContents()).map((c) => c.trim());
}

/** Opens a `<details>` confirmation unless it is open already (it stays open across a refresh). */
async function open(details: Locator): Promise<void> {
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
}

function keyRows(page: Page): Locator {
  return keysSection(page).locator('table.keys tbody tr');
}

test('a security key is registered, logs in as the second step, signs in without a password, and is removed', async ({
  page,
}) => {
  const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
  let key = await plugInKey(page);
  await openSecurity(page);
  await expectNoSeriousA11yViolations(page);
  await addKey(page, 'Desk key');
  // The first second factor turns two-factor authentication on: recovery codes, shown once.
  await recoveryCodes(page);
  const { credentials } = await key.cdp.send('WebAuthn.getCredentials', { authenticatorId: key.id });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential, 'registered as a passkey').toBe(true);

  await openSecurity(page);
  await expect(keyRows(page)).toHaveCount(1);
  await expect(keyRows(page).first()).toContainText('Desk key');
  await expect(keyRows(page).first().locator('td').nth(3)).toHaveText('Yes');

  // The same key again: the browser itself refuses, and the page says why.
  await addKey(page, 'Desk key again');
  await expect(keysSection(page).getByRole('alert')).toContainText('This key is registered already.');

  // The second login step with the key.
  await logOut(page);
  await submitLogIn(page, accountId, STRONG_PASSWORD);
  await expectPath(page, '/login/code');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Use your security key', exact: true }).click();
  await expectPath(page, '/');
  await expect(page.getByTestId('header-account-id')).toHaveText(accountId);

  // Without a password: the account ID, then the passkey.
  await logOut(page);
  await waitForHydration(page);
  await expectNoSeriousA11yViolations(page);
  await page.getByLabel('Account ID', { exact: true }).fill(accountId);
  await page.getByRole('button', { name: 'Sign in with a passkey', exact: true }).click();
  await expectPath(page, '/');
  await expect(page.getByTestId('header-account-id')).toHaveText(accountId);
  const after = await key.cdp.send('WebAuthn.getCredentials', { authenticatorId: key.id });
  expect(after.credentials[0].signCount, 'each use counted').toBeGreaterThanOrEqual(3);

  // A second key (another authenticator), then the first one removed.
  await unplug(key);
  key = await plugInKey(page);
  await openSecurity(page);
  await addKey(page, 'Spare key');
  await expect(keysSection(page).getByRole('status')).toHaveText('Security key added.');
  await expect(keyRows(page)).toHaveCount(2);
  const remove = keysSection(page).locator('details.confirm');
  await open(remove);
  await remove.getByLabel('Key', { exact: true }).selectOption({ label: 'Desk key' });
  await remove.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
  await remove.getByRole('button', { name: 'Remove a key', exact: true }).click();
  await expect(keysSection(page).getByRole('status')).toHaveText('Security key removed.');
  await expect(keyRows(page)).toHaveCount(1);
  await expect(keyRows(page).first()).toContainText('Spare key');

  // The last key, the only second factor, stays: turning two-factor off is its own action
  // (the server refuses it too: tests/api/passkeys.rs).
  await expect(remove).toHaveCount(0);
  await expect(keysSection(page).getByText('This key is your only second factor')).toBeVisible();
  await expect(keyRows(page)).toHaveCount(1);
});

test('a key that does not answer leaves the code step open', async ({ page }) => {
  const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
  const key = await plugInKey(page);
  await openSecurity(page);
  await addKey(page, 'Desk key');
  const codes = await recoveryCodes(page);
  await page.goto('/');
  await logOut(page);

  // The key is gone (left at home): the browser gives up, the page says so, a code still works.
  await unplug(key);
  await submitLogIn(page, accountId, STRONG_PASSWORD);
  await expectPath(page, '/login/code');
  await waitForHydration(page);
  const other = await plugInKey(page);
  await page.getByRole('button', { name: 'Use your security key', exact: true }).click();
  await expect(page.getByRole('alert').first()).toContainText('The key did not answer');
  await expectPath(page, '/login/code');
  await expectNoSeriousA11yViolations(page);
  await unplug(other);
  await page.getByLabel('Code', { exact: true }).fill(codes[0]);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await expectPath(page, '/');
});

test('without JavaScript the pages say that a key needs it, and codes keep working', async ({ browser, baseURL, page }) => {
  const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
  await plugInKey(page);
  await openSecurity(page);
  await addKey(page, 'Desk key');
  const codes = await recoveryCodes(page);

  const context = await browser.newContext({ javaScriptEnabled: false, baseURL });
  try {
    const plain = await context.newPage();
    await plain.goto('/login');
    await expect(plain.getByText('Signing in with a passkey needs JavaScript.')).toBeVisible();
    await expect(plain.getByRole('button', { name: 'Sign in with a passkey', exact: true })).toBeDisabled();
    await submitLogIn(plain, accountId, STRONG_PASSWORD, false);
    await expectPath(plain, '/login/code');
    await expect(plain.getByText('A security key needs JavaScript; enter a code below instead.')).toBeVisible();
    await plain.getByLabel('Code', { exact: true }).fill(codes[1]);
    await plain.getByRole('button', { name: 'Verify', exact: true }).click();
    await expectPath(plain, '/');
    await plain.goto('/security');
    await expect(plain.getByText('Adding a security key needs JavaScript')).toBeVisible();
    await expect(plain.locator('#keys table.keys tbody tr')).toHaveCount(1);
  } finally {
    await context.close();
  }
});

test('in French, and with the policy that Administrators use a key', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ locale: 'fr-FR', baseURL });
  try {
    const page = await context.newPage();
    await page.goto('/signup');
    await waitForHydration(page);
    await page.getByLabel('Société', { exact: true }).fill(uniqueCompany());
    await page.getByLabel('E-mail', { exact: true }).fill(uniqueEmail());
    await page.getByLabel('Mot de passe', { exact: true }).fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Créer le compte', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Votre compte est prêt' })).toBeVisible();

    // The holder requires keys of Administrators, themselves included: enrolment comes first.
    await page.goto('/security');
    await waitForHydration(page);
    await page.getByLabel('Exiger des administrateurs une clé de sécurité ou une clé d’accès (résiste à l’hameçonnage)').check();
    await page.getByRole('button', { name: 'Enregistrer la règle', exact: true }).click();
    await page.goto('/users');
    await expectPath(page, '/two-factor-setup');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { name: 'Clés de sécurité et clés d’accès' })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await plugInKey(page);
    const form = page.locator('#keys form').filter({ hasText: 'Ajouter une clé de sécurité ou une clé d’accès' });
    await form.getByLabel('Nom de la clé', { exact: true }).fill('Clé du bureau');
    await form.getByLabel('Mot de passe', { exact: true }).fill(STRONG_PASSWORD);
    await form.getByRole('button', { name: 'Ajouter la clé', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Codes de secours' })).toBeVisible();
    await page.goto('/users');
    await expectPath(page, '/users');
  } finally {
    await context.close();
  }
});
