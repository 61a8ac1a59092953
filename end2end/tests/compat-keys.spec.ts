import { createHash } from 'node:crypto';
import type { APIRequestContext, BrowserContext, Locator, Page } from '@playwright/test';
import {
  STRONG_PASSWORD,
  test as base,
  expect,
  expectNoSeriousA11yViolations,
  expectPath,
  logOut,
  signUp,
  uniqueCompany,
  uniqueEmail,
  waitForHydration,
} from './fixtures';

/** A password for a user added to the account (accepted by the password policy). */
const USER_PASSWORD = 'Brisk-Lantern-Harbor-77';

/** The access rules every consumer key of these tests asks for. */
const RULES = [{ method: 'GET', path: '/me/*' }];

type SessionOptions = { javaScriptEnabled?: boolean };

/**
 * `test` plus `newSession`, which opens a page in a fresh browser context (here: a session
 * without JavaScript). Those contexts are not watched by the shared auto fixture, so this one
 * watches them the same way (page errors, panics, failed /pkg/ loads), closes them at teardown
 * and fails the test if any of their pages reported an error.
 */
const test = base.extend<{ newSession: (options?: SessionOptions) => Promise<Page> }>({
  newSession: async ({ browser, baseURL }, use) => {
    const contexts: BrowserContext[] = [];
    const errors: string[] = [];
    const watched = new WeakSet<Page>();
    const watch = (page: Page) => {
      if (watched.has(page)) return;
      watched.add(page);
      page.on('pageerror', (err) => errors.push(`[pageerror] ${err.stack || `${err.name}: ${err.message}`}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error' && /panicked|WebAssembly|RuntimeError/.test(msg.text())) {
          errors.push(`[console.error] ${msg.text()}`);
        }
      });
      page.on('response', (res) => {
        if (res.status() >= 400 && new URL(res.url()).pathname.startsWith('/pkg/')) {
          errors.push(`[bundle] ${res.status()} for ${res.url()}`);
        }
      });
    };
    await use(async (options = {}) => {
      const context = await browser.newContext({ baseURL, ...options });
      contexts.push(context);
      context.on('page', watch);
      const page = await context.newPage();
      watch(page);
      return page;
    });
    for (const context of contexts) await context.close();
    expect(errors, `a second session's page reported errors:\n${errors.join('\n')}`).toEqual([]);
  },
});

type OvhApplication = { key: string; secret: string };
type ConsumerKeyRequest = { validationUrl: string; consumerKey: string; state: string };

/** The text of the element with `data-testid=testid`, once it has some. */
async function testIdText(page: Page, testid: string): Promise<string> {
  const locator = page.getByTestId(testid);
  await expect(locator).toHaveText(/\S/);
  return ((await locator.textContent()) ?? '').trim();
}

/** The "OVHcloud applications" section of /api-keys. */
function ovhApplications(page: Page): Locator {
  return page.getByRole('region', { name: 'OVHcloud applications' });
}

/** The "OVHcloud consumer keys" section of /api-keys. */
function ovhConsumerKeys(page: Page): Locator {
  // Exact: the section below it lists every key acting in the account.
  return page.getByRole('region', { name: 'OVHcloud consumer keys', exact: true });
}

/** The "Tencent Cloud access keys" section of /api-keys. */
function tencentKeys(page: Page): Locator {
  return page.getByRole('region', { name: 'Tencent Cloud access keys' });
}

/** Fills in "New application" on /api-keys (already open) and submits it. */
async function submitNewOvhApplication(page: Page, name: string, description: string): Promise<void> {
  const section = ovhApplications(page);
  await section.getByLabel('Name', { exact: true }).fill(name);
  await section.getByLabel('Description (optional)', { exact: true }).fill(description);
  await section.getByRole('button', { name: 'Create application', exact: true }).click();
}

/** Reads the reveal page of a new OVHcloud application. */
async function readOvhApplicationReveal(page: Page): Promise<OvhApplication> {
  await expect(page.getByRole('heading', { level: 1, name: 'OVHcloud application created' })).toBeVisible();
  expect(new URL(page.url()).pathname).toMatch(/^\/reveal\/[^/]+$/);
  const key = await testIdText(page, 'reveal-application-key');
  const secret = await testIdText(page, 'reveal-application-secret');
  expect(key).toMatch(/^[0-9a-f]{16}$/);
  expect(secret).not.toBe(key);
  return { key, secret };
}

/** Reads the reveal page of a new Tencent Cloud access key. */
async function readTencentReveal(page: Page): Promise<{ secretId: string; secretKey: string }> {
  await expect(page.getByRole('heading', { level: 1, name: 'Tencent Cloud access key created' })).toBeVisible();
  expect(new URL(page.url()).pathname).toMatch(/^\/reveal\/[^/]+$/);
  const secretId = await testIdText(page, 'reveal-secret-id');
  const secretKey = await testIdText(page, 'reveal-secret-key');
  expect(secretId).toMatch(/^AKID[A-Za-z0-9]{32}$/);
  expect(secretKey).toMatch(/^\S{16,}$/);
  expect(secretKey).not.toBe(secretId);
  return { secretId, secretKey };
}

/** `POST /1.0/auth/credential` as an application: a pending consumer key and its validation page. */
async function requestConsumerKey(request: APIRequestContext, applicationKey: string): Promise<ConsumerKeyRequest> {
  const response = await request.post('/1.0/auth/credential', {
    headers: { 'X-Ovh-Application': applicationKey, 'Content-Type': 'application/json' },
    data: JSON.stringify({ accessRules: RULES, redirection: null }),
  });
  expect(response.status(), `POST /1.0/auth/credential answered ${response.status()}: ${await response.text()}`).toBe(200);
  const body = (await response.json()) as ConsumerKeyRequest;
  expect(body.state).toBe('pendingValidation');
  expect(body.consumerKey).toMatch(/\S/);
  expect(body.validationUrl).toMatch(/^https?:\/\/[^/]+\/ovh\/authorize\/[^/?#]+$/);
  return body;
}

/** The server's clock, from `GET /1.0/auth/time`. */
async function ovhTime(request: APIRequestContext): Promise<number> {
  const response = await request.get('/1.0/auth/time');
  expect(response.status()).toBe(200);
  const time = (await response.json()) as number;
  expect(Number.isInteger(time)).toBe(true);
  return time;
}

/** A signed `GET /1.0<path>`, as an OVHcloud client sends it: its status and JSON body. */
async function signedGet(
  request: APIRequestContext,
  baseURL: string,
  app: OvhApplication,
  consumerKey: string,
  path: string,
): Promise<{ status: number; body: unknown }> {
  const timestamp = String(await ovhTime(request));
  const url = new URL(`/1.0${path}`, baseURL).href;
  const signature =
    '$1$' +
    createHash('sha1').update([app.secret, consumerKey, 'GET', url, '', timestamp].join('+')).digest('hex');
  const response = await request.get(url, {
    headers: {
      'X-Ovh-Application': app.key,
      'X-Ovh-Consumer': consumerKey,
      'X-Ovh-Timestamp': timestamp,
      'X-Ovh-Signature': signature,
    },
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Left as text: the assertion shows it.
  }
  return { status: response.status(), body };
}

/** Asserts that a signed `GET /1.0/me/identity/user` is refused with 403 and `errorCode`. */
async function expectRefused(
  request: APIRequestContext,
  baseURL: string,
  app: OvhApplication,
  consumerKey: string,
  errorCode: string,
): Promise<void> {
  const answer = await signedGet(request, baseURL, app, consumerKey, '/me/identity/user');
  expect(answer, `a signed call answered ${JSON.stringify(answer)}`).toMatchObject({
    status: 403,
    body: { errorCode },
  });
}

/** The path of a validation URL (`/ovh/authorize/<id>`). */
function validationPath(validationUrl: string): string {
  return new URL(validationUrl).pathname;
}

/** The rows of the "OVHcloud consumer keys" table for application `name`. */
function consumerKeyRows(page: Page, name: string): Locator {
  return ovhConsumerKeys(page).locator('table tbody tr').filter({ hasText: name });
}

/** The row of the Tencent keys table whose SecretId cell is `secretId`. */
function tencentRow(page: Page, secretId: string): Locator {
  return tencentKeys(page)
    .locator('table tbody tr')
    .filter({ has: page.getByRole('cell', { name: secretId, exact: true }) });
}

test.describe('Provider-compatible keys with JavaScript', () => {
  test('an OVHcloud application, a consumer key authorized after logging in, and its revocation', async ({
    page,
    request,
    baseURL,
  }) => {
    test.setTimeout(120_000);
    const base = baseURL as string;
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const appName = `Provisioning ${Date.now()}`;

    // A user of the account, so that the identity listing has something to list.
    const login = 'ovh.reader';
    await page.goto('/users/new');
    await waitForHydration(page);
    await page.getByLabel('ID', { exact: true }).fill(login);
    await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
    await page.getByLabel('Password', { exact: true }).fill(USER_PASSWORD);
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: `User ${login} added.` })).toBeVisible();

    await page.goto('/api-keys');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1, name: 'API keys' })).toBeVisible();
    await expect(ovhApplications(page).getByText('You have no applications.')).toBeVisible();
    await expect(ovhConsumerKeys(page).getByText('There are no consumer keys.')).toBeVisible();
    await expect(tencentKeys(page).getByText('You have no access keys.')).toBeVisible();
    await expectNoSeriousA11yViolations(page);

    // Create the application: key and secret are shown once.
    await submitNewOvhApplication(page, appName, 'Reads the users');
    const app = await readOvhApplicationReveal(page);
    await waitForHydration(page);
    await expect(page.getByRole('button', { name: 'Copy Application secret', exact: true })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'No longer available' })).toBeVisible();
    await expect(page.getByText(app.secret)).toHaveCount(0);

    // The list shows the application and its key, never its secret.
    await page.goto('/api-keys');
    await waitForHydration(page);
    const appRow = ovhApplications(page).locator('table tbody tr').filter({ hasText: appName });
    await expect(appRow).toBeVisible();
    await expect(appRow.getByRole('cell', { name: app.key, exact: true })).toBeVisible();
    await expect(page.getByText(app.secret)).toHaveCount(0);

    // The application asks for a consumer key; it does nothing until a user authorizes it.
    const pending = await requestConsumerKey(request, app.key);
    const authorizePath = validationPath(pending.validationUrl);
    await expectRefused(request, base, app, pending.consumerKey, 'NOT_CREDENTIAL');

    // Opened while logged out, the validation page asks for a login and comes back after it.
    await logOut(page);
    await page.goto(pending.validationUrl);
    await expectPath(page, '/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe(authorizePath);
    await waitForHydration(page);
    await page.getByLabel('Account ID', { exact: true }).fill(accountId);
    await page.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await expectPath(page, authorizePath);

    await expect(page.getByRole('heading', { level: 1, name: 'Authorize an OVHcloud application' })).toBeVisible();
    const card = page.getByRole('region', { name: appName });
    await expect(card).toBeVisible();
    await expect(card.getByText('Reads the users', { exact: true })).toBeVisible();
    await expect(card.getByRole('listitem')).toHaveText(['GET /me/*']);
    await expect(card).toContainText(`act as you (${accountId})`);
    await waitForHydration(page);
    await expectNoSeriousA11yViolations(page);
    await card.getByRole('button', { name: 'Authorize', exact: true }).click();
    await expect(page.getByTestId('ovh-authorized')).toHaveText('Authorized');
    await expectPath(page, authorizePath);
    await expect(page.getByRole('button', { name: 'Authorize', exact: true })).toHaveCount(0);
    await expect(page.getByRole('listitem').filter({ hasText: 'GET /me/*' })).toBeVisible();
    await expectNoSeriousA11yViolations(page);

    // The key now works, as the user who authorized it.
    const listed = await signedGet(request, base, app, pending.consumerKey, '/me/identity/user');
    expect(listed, `the signed call answered ${JSON.stringify(listed)}`).toEqual({ status: 200, body: [login] });
    // The signature matters: the same call signed with another secret is refused.
    const forged = await signedGet(request, base, { ...app, secret: `${app.secret}x` }, pending.consumerKey, '/me/identity/user');
    expect(forged, `a badly signed call answered ${JSON.stringify(forged)}`).toMatchObject({
      status: 400,
      body: { errorCode: 'INVALID_SIGNATURE' },
    });

    // It is listed on /api-keys (never the key itself), and revoking it stops it at once.
    await page.getByRole('link', { name: 'Back to API keys', exact: true }).click();
    await expectPath(page, '/api-keys');
    await waitForHydration(page);
    const keyRow = consumerKeyRows(page, appName);
    await expect(keyRow).toHaveCount(1);
    await expect(keyRow.getByRole('cell').nth(0)).toContainText(app.key);
    await expect(keyRow.getByRole('cell').nth(1)).toContainText(accountId);
    await expect(keyRow.getByRole('cell').nth(2)).toHaveText('GET /me/*');
    await expect(keyRow.getByRole('cell').nth(4)).not.toHaveText('Never');
    await expect(page.getByText(pending.consumerKey)).toHaveCount(0);
    await expect(appRow.getByRole('cell').nth(2)).toHaveText('1');

    await keyRow.getByText('Revoke…', { exact: true }).click();
    await keyRow.getByRole('button', { name: 'Revoke consumer key', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Consumer key revoked.' })).toBeVisible();
    await expect(consumerKeyRows(page, appName)).toHaveCount(0);
    await expect(ovhConsumerKeys(page).getByText('There are no consumer keys.')).toBeVisible();
    await expectRefused(request, base, app, pending.consumerKey, 'INVALID_CREDENTIAL');
  });

  test('a Tencent Cloud access key: shown once, listed by its SecretId, deleted after confirmation', async ({ page }) => {
    test.setTimeout(60_000);
    await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);

    await page.goto('/api-keys');
    await waitForHydration(page);
    await expect(tencentKeys(page).getByText('You have no access keys.')).toBeVisible();
    await tencentKeys(page).getByRole('button', { name: 'Create access key', exact: true }).click();

    const { secretId, secretKey } = await readTencentReveal(page);
    await waitForHydration(page);
    await expect(page.getByRole('button', { name: 'Copy SecretKey', exact: true })).toBeVisible();
    await expectNoSeriousA11yViolations(page);

    await page.getByRole('link', { name: 'Back to API keys', exact: true }).click();
    await expectPath(page, '/api-keys');
    await waitForHydration(page);
    const row = tencentRow(page, secretId);
    await expect(row).toBeVisible();
    await expect(row.getByRole('cell').nth(2)).toHaveText('Never');
    await expect(page.getByText(secretKey)).toHaveCount(0);
    expect(await page.content()).not.toContain(secretKey);

    // Going back to the reveal finds nothing.
    await page.goBack();
    await expect(page.getByRole('heading', { level: 1, name: 'No longer available' })).toBeVisible();
    await expect(page.getByText(secretKey)).toHaveCount(0);

    await page.goto('/api-keys');
    await waitForHydration(page);
    await row.getByText('Delete…', { exact: true }).click();
    await expect(row.getByText(`Delete ${secretId}? Clients using it stop working at once.`)).toBeVisible();
    await row.getByRole('button', { name: 'Delete access key', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Access key deleted.' })).toBeVisible();
    await expect(page.getByRole('cell', { name: secretId, exact: true })).toHaveCount(0);
    await expect(tencentKeys(page).getByText('You have no access keys.')).toBeVisible();
  });
});

test.describe('Provider-compatible keys without JavaScript', () => {
  test('create an OVHcloud application, authorize a consumer key, create and delete a Tencent key', async ({
    newSession,
    request,
    baseURL,
  }) => {
    test.setTimeout(120_000);
    const base = baseURL as string;
    const page = await newSession({ javaScriptEnabled: false });
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD, false);
    const appName = `Plain provisioning ${Date.now()}`;

    // An OVHcloud application, read once.
    await page.goto('/api-keys');
    const revealResponse = page.waitForResponse(
      (r) => r.request().method() === 'GET' && /^\/reveal\/[^/]+$/.test(new URL(r.url()).pathname),
    );
    await submitNewOvhApplication(page, appName, 'Made without JavaScript');
    const app = await readOvhApplicationReveal(page);
    expect((await revealResponse).headers()['cache-control']).toBe('no-store');
    await expect(page.getByRole('button', { name: /^Copy / })).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'No longer available' })).toBeVisible();
    await expect(page.getByText(app.secret)).toHaveCount(0);

    // A consumer key, authorized on its validation page.
    const pending = await requestConsumerKey(request, app.key);
    const authorizePath = validationPath(pending.validationUrl);
    await expectRefused(request, base, app, pending.consumerKey, 'NOT_CREDENTIAL');
    await page.goto(pending.validationUrl);
    await expectPath(page, authorizePath);
    const card = page.getByRole('region', { name: appName });
    await expect(card.getByRole('listitem')).toHaveText(['GET /me/*']);
    await expect(card).toContainText(`act as you (${accountId})`);
    await card.getByRole('button', { name: 'Authorize', exact: true }).click();
    await expectPath(page, authorizePath);
    await expect(page.getByTestId('ovh-authorized')).toHaveText('Authorized');
    await expect(page.getByRole('button', { name: 'Authorize', exact: true })).toHaveCount(0);
    expect(await signedGet(request, base, app, pending.consumerKey, '/me/identity/user')).toEqual({
      status: 200,
      body: [],
    });

    // Listed on /api-keys; revoked through its confirmation.
    await page.goto('/api-keys');
    const keyRow = consumerKeyRows(page, appName);
    await expect(keyRow).toHaveCount(1);
    await expect(keyRow.getByRole('cell').nth(1)).toContainText(accountId);
    await keyRow.getByText('Revoke…', { exact: true }).click();
    await keyRow.getByRole('button', { name: 'Revoke consumer key', exact: true }).click();
    await expectPath(page, '/api-keys');
    await expect(page.getByRole('status').filter({ hasText: 'Consumer key revoked.' })).toBeVisible();
    await expect(consumerKeyRows(page, appName)).toHaveCount(0);
    await expectRefused(request, base, app, pending.consumerKey, 'INVALID_CREDENTIAL');

    // A Tencent Cloud access key: created, listed, deleted through its confirmation.
    await tencentKeys(page).getByRole('button', { name: 'Create access key', exact: true }).click();
    const { secretId, secretKey } = await readTencentReveal(page);
    await expect(page.getByRole('button', { name: /^Copy / })).toHaveCount(0);
    await page.getByRole('link', { name: 'Back to API keys', exact: true }).click();
    await expectPath(page, '/api-keys');
    const row = tencentRow(page, secretId);
    await expect(row).toBeVisible();
    await expect(page.getByText(secretKey)).toHaveCount(0);
    await row.getByText('Delete…', { exact: true }).click();
    await row.getByRole('button', { name: 'Delete access key', exact: true }).click();
    await expectPath(page, '/api-keys');
    await expect(page.getByRole('status').filter({ hasText: 'Access key deleted.' })).toBeVisible();
    await expect(page.getByRole('cell', { name: secretId, exact: true })).toHaveCount(0);
    await expect(tencentKeys(page).getByText('You have no access keys.')).toBeVisible();
  });
});
