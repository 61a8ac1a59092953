/**
 * One Steward server behind a reverse proxy that terminates TLS: nginx (tests/deploy/proxy.sh)
 * or Caddy (tests/deploy/caddy.sh). The base URL is the proxy's https://127.0.0.1:<port>; the
 * proxy forwards with its default headers (nginx: Host is the server's own address; Caddy: the
 * client's Host is kept) plus X-Forwarded-For, and Steward is told its public URL and that
 * 127.0.0.1 is a trusted proxy. Everything a browser does must work through it, with Secure
 * cookies.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import {
  STRONG_PASSWORD,
  expect,
  expectPath,
  logOut,
  signUp,
  submitLogIn,
  test,
  uniqueCompany,
  uniqueEmail,
  waitForHydration,
} from '../tests/fixtures';
import { currentCode, waitForStepAfter } from '../tests/totp';

const USER_PASSWORD = 'Brisk-Lantern-Harbor-77';

/** A documentation address (RFC 5737) the client claims in X-Forwarded-For. */
const CLIENT_ADDRESS = '198.51.100.9';

/**
 * What the proxy does with the X-Forwarded-For a client sends (STEWARD_DEPLOY_XFF):
 * - `append` (the default; nginx's `$proxy_add_x_forwarded_for`): it adds its peer to the
 *   client's header, so the claimed address reaches Steward;
 * - `replace` (Caddy 2.6, which trusts no client unless `trusted_proxies` says so): it sends
 *   only its peer's address, so the claim never reaches Steward.
 */
const PROXY_XFF = process.env.STEWARD_DEPLOY_XFF ?? 'append';
if (PROXY_XFF !== 'append' && PROXY_XFF !== 'replace') {
  throw new Error(`STEWARD_DEPLOY_XFF must be append or replace, not ${JSON.stringify(PROXY_XFF)}`);
}

// ---- Helpers ----

/** Fails unless the page is still on the public origin (no redirect to the server's own address). */
function expectOnPublicOrigin(page: Page, baseURL: string): void {
  expect(new URL(page.url()).origin, `${page.url()} left the public origin`).toBe(new URL(baseURL).origin);
}

/** The session cookie must be Secure (and HttpOnly): that is the point of serving over TLS. */
async function expectSecureSessionCookie(context: BrowserContext, baseURL: string): Promise<void> {
  const cookies = await context.cookies(baseURL);
  const session = cookies.find((c) => c.name === '__Host-steward');
  expect(session, `no __Host-steward cookie among ${cookies.map((c) => c.name).join(', ')}`).toBeDefined();
  expect(session?.secure, 'the session cookie is Secure').toBe(true);
  expect(session?.httpOnly, 'the session cookie is HttpOnly').toBe(true);
}

/** Adds a user with a typed password from /users/new. */
async function addUser(page: Page, login: string, jsEnabled = true): Promise<void> {
  await page.goto('/users/new');
  if (jsEnabled) await waitForHydration(page);
  await page.getByLabel('ID', { exact: true }).fill(login);
  await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
  await page.getByLabel('Password', { exact: true }).fill(USER_PASSWORD);
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: `User ${login} added.` })).toBeVisible();
  await expectPath(page, '/users');
}

/** A new browser context for the proxy (its own certificate accepted), watched for page errors. */
async function newWatchedContext(
  browser: Browser,
  baseURL: string,
  errors: string[],
  options: { javaScriptEnabled?: boolean; extraHTTPHeaders?: Record<string, string> } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, ignoreHTTPSErrors: true, ...options });
  const page = await context.newPage();
  page.on('pageerror', (err) => errors.push(`[pageerror] ${err.stack || err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /panicked|WebAssembly|RuntimeError/.test(msg.text())) errors.push(msg.text());
  });
  return { context, page };
}

// ---- Tests ----

test.describe('Behind a reverse proxy with TLS', () => {
  test('sign up, log in, add a user, enrol in two-factor authentication, and create a sub-account', async ({
    page,
    context,
    request,
    baseURL,
  }) => {
    test.setTimeout(150_000);
    const base = baseURL as string;
    expect(base, 'the run goes through the TLS proxy').toMatch(/^https:\/\//);

    // Sign up: the session cookie is Secure.
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    expectOnPublicOrigin(page, base);
    await expectSecureSessionCookie(context, base);

    // Log out and in again.
    await logOut(page);
    await submitLogIn(page, accountId, STRONG_PASSWORD);
    await expect(page.getByTestId('header-account-id')).toContainText(accountId);
    expectOnPublicOrigin(page, base);
    await expectSecureSessionCookie(context, base);

    // A user.
    await addUser(page, 'proxy.user');
    await expect(page.getByRole('cell', { name: `${accountId}/proxy.user`, exact: true })).toBeVisible();

    // Two-factor authentication: enrol with the key, confirm with a code and the password.
    await page.goto('/security');
    await waitForHydration(page);
    const section = page.locator('#two-factor');
    await section.getByRole('button', { name: 'Enable two-factor authentication', exact: true }).click();
    const keyLocator = section.getByTestId('totp-key');
    await expect(keyLocator).toHaveText(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})*$/);
    const key = ((await keyLocator.textContent()) ?? '').trim();
    await section.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
    const enrolment = currentCode(key);
    await section.getByLabel('Code', { exact: true }).fill(enrolment.code);
    await section.getByRole('button', { name: 'Turn on two-factor authentication', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Recovery codes' })).toBeVisible();
    await expect(page.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
    expectOnPublicOrigin(page, base);

    // Logging in now takes the password, then a fresh code.
    await logOut(page);
    await submitLogIn(page, accountId, STRONG_PASSWORD);
    await expect(page.getByRole('heading', { level: 1, name: 'Two-factor authentication' })).toBeVisible();
    await expectPath(page, '/login/code');
    await waitForHydration(page);
    await waitForStepAfter(page, enrolment.step);
    await page.getByLabel('Code', { exact: true }).fill(currentCode(key).code);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'My account' })).toBeVisible();
    await expect(page.getByTestId('header-account-id')).toContainText(accountId);
    await expectSecureSessionCookie(context, base);

    // A sub-account: its credentials are shown once, and work through the proxy.
    await page.goto('/sub-accounts/new');
    await waitForHydration(page);
    await page.getByLabel('Name', { exact: true }).fill(`Proxied ${Date.now()}`);
    await page.getByRole('button', { name: 'Create sub-account', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Sub-account created' })).toBeVisible();
    expectOnPublicOrigin(page, base);
    const authId = ((await page.getByTestId('reveal-auth-id').textContent()) ?? '').trim();
    const token = ((await page.getByTestId('reveal-auth-token').textContent()) ?? '').trim();
    expect(authId).toMatch(/^SA_/);
    expect(token).toMatch(/\S{16,}/);
    const whoami = await request.post('/api/whoami', { headers: { 'X-Auth-ID': authId, 'X-Auth-Token': token } });
    expect(whoami.status(), await whoami.text()).toBe(200);
    expect(await whoami.json()).toMatchObject({ is_holder: true });
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'No longer available' })).toBeVisible();
    await expect(page.getByText(token)).toHaveCount(0);

    // The session list: this session, from the proxy's client (127.0.0.1 here).
    await page.goto('/security');
    await waitForHydration(page);
    const current = page.locator('table.sessions tr.current');
    await expect(current).toContainText('This session');
    await expect(current).toContainText('127.0.0.1');
  });

  test('without JavaScript: plain form posts and their redirects stay on the public origin', async ({
    browser,
    baseURL,
  }) => {
    test.setTimeout(90_000);
    const base = baseURL as string;
    const errors: string[] = [];
    const { context, page } = await newWatchedContext(browser, base, errors, { javaScriptEnabled: false });
    try {
      const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD, false);
      expectOnPublicOrigin(page, base);
      await expectSecureSessionCookie(context, base);
      await addUser(page, 'plain.form', false);
      expectOnPublicOrigin(page, base);
      await logOut(page);
      await submitLogIn(page, accountId, STRONG_PASSWORD, false);
      await expect(page.getByTestId('header-account-id')).toContainText(accountId);
      expectOnPublicOrigin(page, base);
    } finally {
      await context.close();
    }
    expect(errors).toEqual([]);
  });

  test("a client's X-Forwarded-For, through the trusted proxy, decides the address of its session and events", async ({
    page,
    browser,
    baseURL,
  }) => {
    test.setTimeout(90_000);
    const base = baseURL as string;
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);

    // nginx appends its own peer (127.0.0.1, trusted) to what the client sent: the right-most
    // untrusted address is the client's. Caddy replaces what the client sent with its peer
    // (127.0.0.1): the claim is dropped. (tests/deploy/caddy.sh checks with curl, from 127.0.0.2,
    // that the address Steward records is then the one in Caddy's header, not its own peer.)
    const claimed = PROXY_XFF === 'append';
    const errors: string[] = [];
    const { context, page: other } = await newWatchedContext(browser, base, errors, {
      extraHTTPHeaders: { 'X-Forwarded-For': CLIENT_ADDRESS },
    });
    try {
      await submitLogIn(other, accountId, STRONG_PASSWORD);
      await expect(other.getByTestId('header-account-id')).toContainText(accountId);
      await other.goto('/security');
      await waitForHydration(other);
      if (claimed) {
        await expect(other.locator('table.sessions tr.current')).toContainText(CLIENT_ADDRESS);
      } else {
        await expect(other.locator('table.sessions tr.current')).toContainText('127.0.0.1');
        await expect(other.locator('table.sessions tr.current')).not.toContainText(CLIENT_ADDRESS);
      }
    } finally {
      await context.close();
    }
    expect(errors).toEqual([]);

    // The holder's own browser sees both sessions: its own from 127.0.0.1, the other from the
    // forwarded address (or, when the proxy dropped the claim, from 127.0.0.1 too).
    await page.goto('/security');
    await waitForHydration(page);
    const rows = page.locator('table.sessions tbody tr');
    await expect(rows).toHaveCount(2);
    await expect(page.locator('table.sessions tr.current')).toContainText('127.0.0.1');
    await expect(page.locator('table.sessions tr.current')).not.toContainText(CLIENT_ADDRESS);
    if (claimed) {
      await expect(rows.filter({ hasText: CLIENT_ADDRESS })).toHaveCount(1);
    } else {
      await expect(rows.filter({ hasText: '127.0.0.1' })).toHaveCount(2);
      await expect(rows.filter({ hasText: CLIENT_ADDRESS })).toHaveCount(0);
    }

    // And the activity log records the login from there.
    await page.goto('/activity');
    await waitForHydration(page);
    const events = page.locator('table.activity tbody tr');
    if (claimed) {
      await expect(events.filter({ hasText: CLIENT_ADDRESS }).first()).toBeVisible();
    } else {
      await expect(events.filter({ hasText: '127.0.0.1' }).first()).toBeVisible();
      await expect(events.filter({ hasText: CLIENT_ADDRESS })).toHaveCount(0);
    }
  });
});
