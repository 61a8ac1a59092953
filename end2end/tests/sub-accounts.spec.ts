import * as fs from 'node:fs';
import type { APIRequestContext, BrowserContext, Locator, Page } from '@playwright/test';
import {
  ACCOUNT_ID_PATTERN,
  LOGIN_FAILED,
  STRONG_PASSWORD,
  test as base,
  expect,
  expectNoSeriousA11yViolations,
  expectPath,
  logOut,
  signUp,
  submitLogIn,
  uniqueCompany,
  uniqueEmail,
  waitForHydration,
} from './fixtures';

/** A password for a user added inside a sub-account (accepted by the password policy). */
const USER_PASSWORD = 'Brisk-Lantern-Harbor-77';

type SessionOptions = { javaScriptEnabled?: boolean };

/**
 * `test` plus `newSession`, which opens a page in a fresh browser context (another person's
 * session, or a session without JavaScript). Those contexts are not watched by the shared auto
 * fixture, so this one watches them the same way (page errors, panics, failed /pkg/ loads),
 * closes them at teardown and fails the test if any of their pages reported an error.
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

type NewSubAccount = {
  name: string;
  description?: string;
  email?: string;
  phone?: string;
  rateLimit?: string;
  calls?: boolean;
  cdr?: boolean;
  enabled?: boolean;
  /** `personal_use` (the default) or `customer_use`. */
  kycMode?: 'personal_use' | 'customer_use';
  /** A code such as `llp`; empty for "Not given". */
  businessType?: string;
  password?: string;
};

/** What the reveal page shows after creating a sub-account or rotating its credentials. */
type RevealedCredentials = {
  /** The numeric id, from the reveal's link to the sub-account (/sub-accounts/<id>). */
  id: string;
  accountId: string;
  authId: string;
  token: string;
};

/** Opens /sub-accounts/new, fills in the form and submits it, without waiting for the outcome. */
async function submitNewSubAccount(page: Page, sub: NewSubAccount, jsEnabled = true): Promise<void> {
  await page.goto('/sub-accounts/new');
  if (jsEnabled) await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Create a sub-account' })).toBeVisible();
  await page.getByLabel('Name', { exact: true }).fill(sub.name);
  if (sub.description !== undefined) await page.getByLabel('Description (optional)', { exact: true }).fill(sub.description);
  if (sub.email !== undefined) await page.getByLabel('Email', { exact: true }).fill(sub.email);
  if (sub.phone !== undefined) await page.getByLabel('Phone (optional)', { exact: true }).fill(sub.phone);
  if (sub.rateLimit !== undefined) {
    await page.getByLabel('Rate limit (API requests per minute)', { exact: true }).fill(sub.rateLimit);
  }
  if (sub.calls !== undefined) await page.getByRole('checkbox', { name: 'Calls', exact: true }).setChecked(sub.calls);
  if (sub.cdr !== undefined) {
    await page.getByRole('checkbox', { name: 'Call detail records (CDR)', exact: true }).setChecked(sub.cdr);
  }
  if (sub.enabled !== undefined) await page.getByRole('checkbox', { name: 'Enabled', exact: true }).setChecked(sub.enabled);
  if (sub.kycMode !== undefined) await page.getByLabel('KYC mode', { exact: true }).selectOption(sub.kycMode);
  if (sub.businessType !== undefined) {
    await page.getByLabel('Business type (optional)', { exact: true }).selectOption(sub.businessType);
  }
  if (sub.password !== undefined) {
    await page.getByLabel('Password for the sub-account holder (optional)', { exact: true }).fill(sub.password);
  }
  await page.getByRole('button', { name: 'Create sub-account', exact: true }).click();
}

/** Reads the credentials shown on a reveal page of account credentials (`heading` is its h1). */
async function readCredentialsReveal(page: Page, heading: string): Promise<RevealedCredentials> {
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
  expect(new URL(page.url()).pathname).toMatch(/^\/reveal\/[^/]+$/);
  const text = async (testid: string) => {
    const locator = page.getByTestId(testid);
    await expect(locator).toHaveText(/\S/);
    return ((await locator.textContent()) ?? '').trim();
  };
  const accountId = await text('reveal-account-id');
  const authId = await text('reveal-auth-id');
  const token = await text('reveal-auth-token');
  const back = page.getByRole('link', { name: /^(Go to|Back to) the sub-account$/ });
  const href = (await back.getAttribute('href')) ?? '';
  const id = /^\/sub-accounts\/(\d+)$/.exec(href)?.[1];
  expect(id, `the reveal's link to the sub-account (${href}) carries its numeric id`).toBeTruthy();
  return { id: id as string, accountId, authId, token };
}

/** Creates a sub-account and returns what its reveal page shows. */
async function createSubAccount(page: Page, sub: NewSubAccount, jsEnabled = true): Promise<RevealedCredentials> {
  await submitNewSubAccount(page, sub, jsEnabled);
  return readCredentialsReveal(page, 'Sub-account created');
}

/** POST /api/whoami with the given headers (no cookies): the user as JSON, or null. */
async function whoami(request: APIRequestContext, headers: Record<string, string>): Promise<Record<string, unknown> | null> {
  const response = await request.post('/api/whoami', { headers });
  expect(response.status(), `POST /api/whoami answered ${response.status()}: ${await response.text()}`).toBe(200);
  return (await response.json()) as Record<string, unknown> | null;
}

function accountHeaders(authId: string, token: string): Record<string, string> {
  return { 'X-Auth-ID': authId, 'X-Auth-Token': token };
}

function tokenHeaders(token: string): Record<string, string> {
  return { Authorization: `APIKey ${token}` };
}

/** The row of the sub-accounts table whose ID cell is `accountId`. */
function subAccountRow(page: Page, accountId: string): Locator {
  return page.locator('table.sub-accounts tbody tr').filter({ has: page.getByRole('link', { name: accountId, exact: true }) });
}

/** The value (`dd`) of a fact (`dt`) of the Summary on a sub-account's page. */
function fact(page: Page, term: string): Locator {
  return page
    .getByRole('region', { name: 'Summary' })
    .locator('dt')
    .filter({ hasText: new RegExp(`^${term}$`) })
    .locator('xpath=following-sibling::dd[1]');
}

/** The `.field` wrapper of the form control labelled `label`. */
function field(page: Page, label: string): Locator {
  return page.locator('.field').filter({ has: page.getByLabel(label, { exact: true }) });
}

/** Asserts that the control labelled `label` is marked invalid and shows `message` beside it. */
async function expectFieldError(page: Page, label: string, message: string | RegExp): Promise<void> {
  const control = page.getByLabel(label, { exact: true });
  await expect(field(page, label).locator('.field-error')).toHaveText(message);
  await expect(control).toHaveAttribute('aria-invalid', 'true');
  await expect(control).toHaveAccessibleDescription(message instanceof RegExp ? message : new RegExp(escapeRegExp(message)));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The JSON a data: URL carries. */
function dataUrlJson(href: string): Record<string, unknown> {
  expect(href).toMatch(/^data:application\/json[^,]*,/);
  return JSON.parse(decodeURIComponent(href.slice(href.indexOf(',') + 1))) as Record<string, unknown>;
}

function inDays(days: number): string {
  const date = new Date(Date.now() + days * 24 * 60 * 60 * 1000);
  return date.toISOString().slice(0, 10);
}

test.describe('Sub-accounts with JavaScript', () => {
  test('create a customer-use sub-account, read its credentials once, manage it and log in to it', async ({
    page,
    context,
    request,
  }) => {
    test.setTimeout(120_000);
    const company = uniqueCompany();
    const homeId = await signUp(page, company, uniqueEmail(), STRONG_PASSWORD);
    const name = `Customer ${Date.now()}`;
    const description = 'Reseller in Lyon';

    await page.goto('/sub-accounts');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1, name: 'Sub-accounts' })).toBeVisible();
    await expect(page.getByText('No sub-accounts yet.')).toBeVisible();
    await page.getByRole('link', { name: 'Create a sub-account', exact: true }).click();
    await expectPath(page, '/sub-accounts/new');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1, name: 'Create a sub-account' })).toBeVisible();
    await expectNoSeriousA11yViolations(page);

    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const created = await createSubAccount(page, {
      name,
      description,
      email: uniqueEmail(),
      phone: '+33 1 23 45 67 89',
      rateLimit: '250',
      calls: true,
      cdr: false,
      enabled: true,
      kycMode: 'customer_use',
      businessType: 'llp',
      password: STRONG_PASSWORD,
    });
    expect(created.accountId).toMatch(ACCOUNT_ID_PATTERN);
    expect(created.accountId).not.toBe(homeId);
    await expect(page.getByRole('alert').filter({ hasText: 'it will not be shown again' })).toBeVisible();
    await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();

    // Copy buttons appear once the page has hydrated; "Copy auth_token" puts the token on the clipboard.
    await waitForHydration(page);
    await expect(page.getByRole('button', { name: 'Copy Account ID', exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Copy auth_id', exact: true })).toBeVisible();
    const copyToken = page.getByRole('button', { name: 'Copy auth_token', exact: true });
    await copyToken.click();
    await expect(copyToken).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(created.token);

    // "Download as JSON" carries the same credentials, and downloads as a file.
    const download = page.getByRole('link', { name: 'Download as JSON', exact: true });
    await expect(download).toHaveAttribute('download', `steward-${created.accountId}.json`);
    const json = dataUrlJson((await download.getAttribute('href')) ?? '');
    expect(json).toMatchObject({
      account_id: created.accountId,
      auth_id: created.authId,
      auth_token: created.token,
      id: Number(created.id),
    });
    const downloadEvent = page.waitForEvent('download');
    await download.click();
    const file = await (await downloadEvent).path();
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(json);

    await expectNoSeriousA11yViolations(page);

    // The credentials work at once, as the sub-account's holder.
    const holder = await whoami(request, accountHeaders(created.authId, created.token));
    expect(holder).toMatchObject({ account_id: created.accountId, login_id: created.accountId, is_holder: true });
    // The token with its last character changed (never to itself: tokens may end in "x").
    const last = created.token.slice(-1) === 'x' ? 'y' : 'x';
    expect(await whoami(request, accountHeaders(created.authId, `${created.token.slice(0, -1)}${last}`))).toBeNull();

    // Shown once: a reload finds nothing (and nothing is cached).
    const reloaded = await page.reload();
    expect(reloaded?.headers()['cache-control']).toBe('no-store');
    await expect(page.getByRole('heading', { level: 1, name: 'No longer available' })).toBeVisible();
    await expect(page.getByText(created.token)).toHaveCount(0);

    // The list shows it; the search finds it.
    await page.goto('/sub-accounts');
    await waitForHydration(page);
    const row = subAccountRow(page, created.accountId);
    await expect(row).toBeVisible();
    await expect(row.getByRole('cell')).toHaveText([
      created.accountId,
      name,
      description,
      'Enabled',
      'Customer use · calls blocked until KYC',
      '250 / min',
      /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC$/,
    ]);
    await expect(page.getByRole('navigation', { name: 'Pages' })).toContainText('Page 1 of 1 · 1 sub-accounts');
    await expectNoSeriousA11yViolations(page);

    await page.getByLabel('Search', { exact: true }).fill('no such sub-account');
    await page.getByRole('search').getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page.getByText('No sub-account matches this search.')).toBeVisible();
    await page.getByLabel('Search', { exact: true }).fill(name.toLowerCase());
    await page.getByRole('search').getByRole('button', { name: 'Search', exact: true }).click();
    await expect(subAccountRow(page, created.accountId)).toBeVisible();
    expect(new URL(page.url()).searchParams.get('q')).toBe(name.toLowerCase());

    // Its page.
    await subAccountRow(page, created.accountId).getByRole('link', { name: created.accountId, exact: true }).click();
    await expectPath(page, `/sub-accounts/${created.id}`);
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${name} ${created.accountId}`);
    await expect(fact(page, 'Account ID')).toContainText(created.accountId);
    await expect(fact(page, 'Status')).toHaveText('Enabled');
    await expect(fact(page, 'KYC')).toHaveText('Customer use · calls blocked until KYC');
    await expect(fact(page, 'Rate limit')).toHaveText('250 API requests per minute');
    await expect(fact(page, 'Permissions')).toHaveText('Calls');
    await expect(fact(page, 'Business type')).toHaveText('Limited liability partnership');
    await expect(fact(page, 'API auth_id')).toHaveText(created.authId);
    await expect(page.getByRole('link', { name: 'Delete…', exact: true })).toHaveAttribute(
      'href',
      `/sub-accounts/${created.id}/delete`,
    );
    await expect(page.getByText(created.token)).toHaveCount(0);
    await expectNoSeriousA11yViolations(page);

    await page.getByRole('button', { name: 'Mark KYC complete', exact: true }).click();
    await expect(fact(page, 'KYC')).toHaveText('Customer use · KYC complete');
    await expect(page.getByRole('button', { name: 'Mark KYC complete', exact: true })).toHaveCount(0);

    // Manage it: its User management, with the banner, under its ID.
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Manage this sub-account', exact: true }).click();
    await expectPath(page, '/users');
    const banner = page.getByTestId('acting-banner');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText(`Acting in sub-account ${created.accountId} (${name})`);
    await expect(page.getByTestId('header-account-id')).toHaveText(created.accountId);
    await expect(page.getByRole('heading', { level: 1, name: 'User management' })).toBeVisible();

    const login = 'ops';
    await page.goto('/users/new');
    await waitForHydration(page);
    await expect(page.getByTestId('login-preview')).toHaveText(`${created.accountId}/login`);
    await page.getByLabel('ID', { exact: true }).fill(login);
    await expect(page.getByTestId('login-preview')).toHaveText(`${created.accountId}/${login}`);
    await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
    await page.getByLabel('Password', { exact: true }).fill(USER_PASSWORD);
    await page.getByLabel('Privilege', { exact: true }).selectOption('DEFAULT');
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: `User ${login} added.` })).toBeVisible();
    await expectPath(page, '/users');
    await expect(page.getByRole('cell', { name: `${created.accountId}/${login}`, exact: true })).toBeVisible();
    await expect(banner).toBeVisible();

    // Back home through the banner.
    await banner.getByRole('button', { name: `Back to ${homeId} (${company})`, exact: true }).click();
    await expectPath(page, `/sub-accounts/${created.id}`);
    await expect(page.getByTestId('acting-banner')).toHaveCount(0);
    await expect(page.getByTestId('header-account-id')).toHaveText(homeId);
    // Delegated users only: the holder is not counted.
    await expect(fact(page, 'Users')).toHaveText('1');

    // The user added there logs in as SUBID/login; the holder as SUBID with the password chosen.
    await logOut(page);
    await submitLogIn(page, `${created.accountId}/${login}`, USER_PASSWORD);
    await expect(page.getByTestId('header-account-id')).toHaveText(created.accountId);
    await expect(page.getByRole('banner')).toContainText(`${created.accountId}/${login}`);

    await logOut(page);
    await submitLogIn(page, created.accountId, STRONG_PASSWORD);
    await expect(page.getByTestId('header-account-id')).toHaveText(created.accountId);
    await expect(page.getByRole('banner')).toContainText('Account holder');
    await page.goto('/sub-accounts');
    await expect(page.getByText('sub-accounts cannot have sub-accounts of their own')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Create a sub-account', exact: true })).toHaveCount(0);
  });

  test('invalid fields are reported beside each field and nothing is created', async ({ page }) => {
    await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const name = `Invalid ${Date.now()}`;

    await submitNewSubAccount(page, {
      name,
      email: '',
      phone: '12345',
      rateLimit: '0',
      kycMode: 'customer_use',
    });

    await expectFieldError(page, 'Email', 'A customer-use sub-account needs an email address for KYC.');
    await expectFieldError(
      page,
      'Phone (optional)',
      'Enter the phone number in international format, such as +33 1 23 45 67 89.',
    );
    await expectFieldError(
      page,
      'Rate limit (API requests per minute)',
      'Enter a whole number of requests per minute from 1 to 100000.',
    );
    // The fields without a problem are not marked, and what was typed is kept.
    await expect(page.getByLabel('Name', { exact: true })).not.toHaveAttribute('aria-invalid', 'true');
    await expect(field(page, 'Name').locator('.field-error')).toHaveText('');
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue(name);
    await expect(page.getByLabel('Phone (optional)', { exact: true })).toHaveValue('12345');
    await expectPath(page, '/sub-accounts/new');
    await expect(page.getByRole('heading', { level: 1, name: 'Sub-account created' })).toHaveCount(0);

    await page.goto('/sub-accounts');
    await expect(page.getByText('No sub-accounts yet.')).toBeVisible();
    await expect(page.getByRole('cell', { name, exact: true })).toHaveCount(0);
  });

  test('rotate the credentials, disable the sub-account, then delete it', async ({ page, request, newSession }) => {
    test.setTimeout(90_000);
    await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const name = `Team ${Date.now()}`;
    const first = await createSubAccount(page, { name, password: STRONG_PASSWORD });
    expect(await whoami(request, accountHeaders(first.authId, first.token))).toMatchObject({
      account_id: first.accountId,
    });

    // Rotate: a new token, shown once; the old one stops working at once.
    await page.goto(`/sub-accounts/${first.id}`);
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Rotate credentials', exact: true }).click();
    const second = await readCredentialsReveal(page, 'New credentials');
    expect(second.id).toBe(first.id);
    expect(second.accountId).toBe(first.accountId);
    expect(second.token).not.toBe(first.token);
    expect(await whoami(request, accountHeaders(first.authId, first.token))).toBeNull();
    expect(await whoami(request, accountHeaders(second.authId, second.token))).toMatchObject({
      account_id: first.accountId,
      login_id: first.accountId,
    });

    // The holder can log in while it is enabled.
    const holder = await newSession();
    await submitLogIn(holder, first.accountId, STRONG_PASSWORD);
    await expect(holder.getByTestId('header-account-id')).toHaveText(first.accountId);

    // Disable: logins, sessions and credentials stop at once.
    await page.getByRole('link', { name: 'Back to the sub-account', exact: true }).click();
    await expectPath(page, `/sub-accounts/${first.id}`);
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await expect(fact(page, 'Status')).toHaveText('Disabled');
    await expect(page.getByRole('button', { name: 'Enable', exact: true })).toBeVisible();
    expect(await whoami(request, accountHeaders(second.authId, second.token))).toBeNull();

    await holder.reload();
    await expectPath(holder, '/login');
    await submitLogIn(holder, first.accountId, STRONG_PASSWORD);
    await expect(holder.getByRole('alert').filter({ hasText: LOGIN_FAILED })).toBeVisible();
    await expectPath(holder, '/login');
    await expect(holder.getByTestId('header-account-id')).toHaveCount(0);

    await page.goto('/sub-accounts');
    await expect(subAccountRow(page, first.accountId).getByRole('cell').nth(3)).toHaveText('Disabled');

    // Delete: the name must be typed exactly.
    await page.goto(`/sub-accounts/${first.id}`);
    await waitForHydration(page);
    await page.getByRole('link', { name: 'Delete…', exact: true }).click();
    await expectPath(page, `/sub-accounts/${first.id}/delete`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Delete ${name}?`);
    await waitForHydration(page);
    await expectNoSeriousA11yViolations(page);
    const confirm = "Type the sub-account's name to confirm";
    await page.getByLabel(confirm, { exact: true }).fill(`${name} typo`);
    await page.getByRole('button', { name: 'Delete sub-account', exact: true }).click();
    await expectFieldError(page, confirm, 'Type the name exactly as shown in the title to confirm.');
    await expectPath(page, `/sub-accounts/${first.id}/delete`);

    await page.getByLabel(confirm, { exact: true }).fill(name);
    await page.getByRole('button', { name: 'Delete sub-account', exact: true }).click();
    await expectPath(page, '/sub-accounts');
    await expect(page.getByRole('status').filter({ hasText: 'Sub-account deleted.' })).toBeVisible();
    await expect(page.getByRole('link', { name: first.accountId, exact: true })).toHaveCount(0);
    await expect(page.getByText('No sub-accounts yet.')).toBeVisible();

    await page.goto(`/sub-accounts/${first.id}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Sub-account' })).toBeVisible();
    await expect(page.getByRole('alert')).toBeVisible();
  });
});

test.describe('API keys with JavaScript', () => {
  test('create a personal token, use it, and revoke it', async ({ page, request }) => {
    test.setTimeout(60_000);
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const name = 'Nightly backup script';
    const lastDay = inDays(30);

    await page.goto('/api-keys');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1, name: 'API keys' })).toBeVisible();
    await expect(page.getByText('You have no tokens.')).toBeVisible();
    await expectNoSeriousA11yViolations(page);

    // The API keys page has several forms with a "Name" field: use the tokens one.
    const tokens = page.getByRole('region', { name: 'Personal API tokens' });
    await tokens.getByLabel('Name', { exact: true }).fill(name);
    await tokens.getByLabel('Description (optional)', { exact: true }).fill('Reads the user list at night');
    await tokens.getByLabel('Role', { exact: true }).selectOption({ label: 'None' });
    await tokens.getByLabel('Last day (optional)', { exact: true }).fill(lastDay);
    await page.getByRole('button', { name: 'Create token', exact: true }).click();

    await expect(page.getByRole('heading', { level: 1, name: 'API token created' })).toBeVisible();
    expect(new URL(page.url()).pathname).toMatch(/^\/reveal\/[^/]+$/);
    await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
    const shown = page.getByTestId('reveal-token');
    await expect(shown).toHaveText(/^\d+_\S+$/);
    const token = ((await shown.textContent()) ?? '').trim();
    await waitForHydration(page);
    await expect(page.getByRole('button', { name: 'Copy Token', exact: true })).toBeVisible();
    await expectNoSeriousA11yViolations(page);

    const me = await whoami(request, tokenHeaders(token));
    expect(me).toMatchObject({ account_id: accountId, login_id: accountId, role: 'None', can_manage_users: false });

    await page.getByRole('link', { name: 'Back to API keys', exact: true }).click();
    await expectPath(page, '/api-keys');
    const row = page.locator('table.tokens tbody tr').filter({ has: page.getByRole('cell', { name, exact: true }) });
    await expect(row).toBeVisible();
    await expect(row.getByRole('cell').nth(2)).toHaveText('None');
    // The last day, written the English way: 2026-12-31 is "31 Dec 2026".
    const [year, month, day] = lastDay.split('-').map(Number);
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    await expect(row.getByRole('cell').nth(3)).toHaveText(`${day} ${months[month - 1]} ${year}`);
    await expect(row.getByRole('cell').nth(5)).not.toHaveText('Never');
    await expect(page.getByText(token)).toHaveCount(0);

    await waitForHydration(page);
    await row.getByText('Revoke…', { exact: true }).click();
    await row.getByRole('button', { name: 'Revoke token', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Token revoked.' })).toBeVisible();
    await expect(page.getByRole('cell', { name, exact: true })).toHaveCount(0);
    await expect(page.getByText('You have no tokens.')).toBeVisible();
    expect(await whoami(request, tokenHeaders(token))).toBeNull();
  });

  test('create and rotate the account API credentials', async ({ page, request }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);

    await page.goto('/api-keys');
    await waitForHydration(page);
    const section = page.getByRole('region', { name: 'Account API credentials' });
    await expect(section.getByText('This account has no API credentials yet.')).toBeVisible();
    await section.getByRole('button', { name: 'Create credentials', exact: true }).click();

    await expect(page.getByRole('heading', { level: 1, name: 'New credentials' })).toBeVisible();
    const authId = ((await page.getByTestId('reveal-auth-id').textContent()) ?? '').trim();
    const token = ((await page.getByTestId('reveal-auth-token').textContent()) ?? '').trim();
    await expect(page.getByTestId('reveal-account-id')).toHaveText(accountId);
    expect(await whoami(request, accountHeaders(authId, token))).toMatchObject({ account_id: accountId });

    await page.getByRole('link', { name: 'Back to API keys', exact: true }).click();
    await expectPath(page, '/api-keys');
    await expect(page.getByTestId('auth-id')).toHaveText(authId);
    await waitForHydration(page);
    await section.getByRole('button', { name: 'Rotate credentials', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'New credentials' })).toBeVisible();
    await expect(page.getByTestId('reveal-auth-id')).toHaveText(authId);
    const rotated = ((await page.getByTestId('reveal-auth-token').textContent()) ?? '').trim();
    expect(rotated).not.toBe(token);
    expect(await whoami(request, accountHeaders(authId, token))).toBeNull();
    expect(await whoami(request, accountHeaders(authId, rotated))).toMatchObject({ account_id: accountId });
  });
});

test.describe('Sub-accounts and API keys without JavaScript', () => {
  test('create a sub-account and read its credentials once', async ({ newSession, request }) => {
    test.setTimeout(60_000);
    const page = await newSession({ javaScriptEnabled: false });
    const company = uniqueCompany();
    const homeId = await signUp(page, company, uniqueEmail(), STRONG_PASSWORD, false);
    const name = `Plain ${Date.now()}`;

    const revealResponse = page.waitForResponse(
      (r) => r.request().method() === 'GET' && /^\/reveal\/[^/]+$/.test(new URL(r.url()).pathname),
    );
    const created = await createSubAccount(
      page,
      {
        name,
        description: 'Made without JavaScript',
        email: uniqueEmail(),
        phone: '+44 20 7946 0958',
        rateLimit: '60',
        cdr: false,
        kycMode: 'customer_use',
        businessType: 'trust',
        password: STRONG_PASSWORD,
      },
      false,
    );
    const response = await revealResponse;
    expect(response.headers()['cache-control']).toBe('no-store');
    // No JavaScript, no Copy buttons: the values stay selectable text.
    await expect(page.getByRole('button', { name: /^Copy / })).toHaveCount(0);
    const json = dataUrlJson(
      (await page.getByRole('link', { name: 'Download as JSON', exact: true }).getAttribute('href')) ?? '',
    );
    expect(json).toMatchObject({ account_id: created.accountId, auth_id: created.authId, auth_token: created.token });
    expect(await whoami(request, accountHeaders(created.authId, created.token))).toMatchObject({
      account_id: created.accountId,
    });

    // Leave and come back: the reveal is gone.
    await page.getByRole('link', { name: 'Go to the sub-account', exact: true }).click();
    await expectPath(page, `/sub-accounts/${created.id}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${name} ${created.accountId}`);
    await page.goBack();
    await expect(page.getByRole('heading', { level: 1, name: 'No longer available' })).toBeVisible();
    await expect(page.getByText(created.token)).toHaveCount(0);

    // The forms of its page work too: KYC, then the list.
    await page.goto(`/sub-accounts/${created.id}`);
    await expect(fact(page, 'KYC')).toHaveText('Customer use · calls blocked until KYC');
    await page.getByRole('button', { name: 'Mark KYC complete', exact: true }).click();
    await expectPath(page, `/sub-accounts/${created.id}`);
    await expect(fact(page, 'KYC')).toHaveText('Customer use · KYC complete');
    await page.goto('/sub-accounts');
    await expect(subAccountRow(page, created.accountId)).toContainText(name);

    // Manage it and come back.
    await page.goto(`/sub-accounts/${created.id}`);
    await page.getByRole('button', { name: 'Manage this sub-account', exact: true }).click();
    await expectPath(page, '/users');
    const banner = page.getByTestId('acting-banner');
    await expect(banner).toContainText(`Acting in sub-account ${created.accountId} (${name})`);
    await expect(page.getByTestId('header-account-id')).toHaveText(created.accountId);
    await banner.getByRole('button', { name: `Back to ${homeId} (${company})`, exact: true }).click();
    await expectPath(page, `/sub-accounts/${created.id}`);
    await expect(page.getByTestId('acting-banner')).toHaveCount(0);
    await expect(page.getByTestId('header-account-id')).toHaveText(homeId);
  });

  test('invalid fields and a wrong delete confirmation are reported beside the fields', async ({ newSession }) => {
    const page = await newSession({ javaScriptEnabled: false });
    await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD, false);
    const name = `Plain ${Date.now()}`;

    await submitNewSubAccount(page, { name, phone: '12345', rateLimit: '0', kycMode: 'customer_use' }, false);
    await expectFieldError(page, 'Email', 'A customer-use sub-account needs an email address for KYC.');
    await expectFieldError(
      page,
      'Phone (optional)',
      'Enter the phone number in international format, such as +33 1 23 45 67 89.',
    );
    await expectFieldError(
      page,
      'Rate limit (API requests per minute)',
      'Enter a whole number of requests per minute from 1 to 100000.',
    );

    const created = await createSubAccount(page, { name }, false);
    await page.goto(`/sub-accounts/${created.id}/delete`);
    const confirm = "Type the sub-account's name to confirm";
    await page.getByLabel(confirm, { exact: true }).fill('not the name');
    await page.getByRole('button', { name: 'Delete sub-account', exact: true }).click();
    await expectFieldError(page, confirm, 'Type the name exactly as shown in the title to confirm.');
    await page.getByLabel(confirm, { exact: true }).fill(name);
    await page.getByRole('button', { name: 'Delete sub-account', exact: true }).click();
    await expectPath(page, '/sub-accounts');
    await expect(page.getByRole('status').filter({ hasText: 'Sub-account deleted.' })).toBeVisible();
    await expect(page.getByRole('link', { name: created.accountId, exact: true })).toHaveCount(0);
  });

  test('create a personal token and revoke it', async ({ newSession, request }) => {
    const page = await newSession({ javaScriptEnabled: false });
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD, false);
    const name = 'Plain script';

    await page.goto('/api-keys');
    // The API keys page has several forms with a "Name" field: use the tokens one.
    const tokens = page.getByRole('region', { name: 'Personal API tokens' });
    await tokens.getByLabel('Name', { exact: true }).fill(name);
    await tokens.getByLabel('Role', { exact: true }).selectOption({ label: 'None' });
    await page.getByRole('button', { name: 'Create token', exact: true }).click();

    await expect(page.getByRole('heading', { level: 1, name: 'API token created' })).toBeVisible();
    const token = ((await page.getByTestId('reveal-token').textContent()) ?? '').trim();
    expect(token).toMatch(/^\d+_\S+$/);
    await expect(page.getByRole('button', { name: /^Copy / })).toHaveCount(0);
    expect(await whoami(request, tokenHeaders(token))).toMatchObject({ account_id: accountId, role: 'None' });

    await page.goto('/api-keys');
    const row = page.locator('table.tokens tbody tr').filter({ has: page.getByRole('cell', { name, exact: true }) });
    await expect(row).toBeVisible();
    await row.getByText('Revoke…', { exact: true }).click();
    await row.getByRole('button', { name: 'Revoke token', exact: true }).click();
    await expectPath(page, '/api-keys');
    await expect(page.getByRole('status').filter({ hasText: 'Token revoked.' })).toBeVisible();
    await expect(page.getByRole('cell', { name, exact: true })).toHaveCount(0);
    expect(await whoami(request, tokenHeaders(token))).toBeNull();
  });
});
