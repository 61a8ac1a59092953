import * as fs from 'node:fs';
import type { BrowserContext, Locator, Page } from '@playwright/test';
import {
  LOGIN_FAILED,
  STRONG_PASSWORD,
  test as base,
  expect,
  expectNoSeriousA11yViolations,
  expectPath,
  signUp,
  submitLogIn,
  uniqueCompany,
  uniqueEmail,
  waitForHydration,
} from './fixtures';

/** Distinct passphrases the password policy accepts (none contains a login used below). */
const PASSWORDS = {
  first: 'Brisk-Lantern-Harbor-77',
  second: 'Quiet-Meadow-Falcon-19',
  third: 'Amber-Pylon-Thistle-58',
} as const;

/** The shape of a generated password: four groups of five readable characters. */
const GENERATED_PASSWORD = /^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/;

type SessionOptions = { javaScriptEnabled?: boolean };

/**
 * `test` plus `newSession`, which opens a page in a fresh browser context (a second person's
 * session). Those contexts are not watched by the shared auto fixture, so this one watches
 * them the same way (page errors, panics, failed /pkg/ loads), closes them at teardown and
 * fails the test if any of their pages reported an error.
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

type NewUser = {
  login: string;
  email?: string;
  /** Left empty: the server generates one and shows it on the reveal page. */
  password?: string;
  /** A group name: ADMIN, DEFAULT or UNPRIVILEGED. */
  group?: string;
  description?: string;
  requireChange?: boolean;
};

/** Opens /users/new, fills the form and confirms, without waiting for the outcome. */
async function submitNewUser(page: Page, user: NewUser, jsEnabled = true): Promise<void> {
  await page.goto('/users/new');
  if (jsEnabled) await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Add a user' })).toBeVisible();
  await page.getByLabel('ID', { exact: true }).fill(user.login);
  await page.getByLabel('Email', { exact: true }).fill(user.email ?? uniqueEmail());
  if (user.password) await page.getByLabel('Password', { exact: true }).fill(user.password);
  if (user.group) await page.getByLabel('Privilege', { exact: true }).selectOption(user.group);
  if (user.description) await page.getByLabel('Description', { exact: true }).fill(user.description);
  if (user.requireChange) await page.getByLabel('Require a password change at next login').check();
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
}

/** Adds a user with a typed password and waits for "User LOGIN added." on /users. */
async function addUser(page: Page, user: NewUser & { password: string }): Promise<void> {
  await submitNewUser(page, user);
  await expect(page.getByRole('status').filter({ hasText: `User ${user.login} added.` })).toBeVisible();
  await expectPath(page, '/users');
}

/** The row of the users table whose first cell is `loginId`. */
function userRow(page: Page, loginId: string): Locator {
  return page.getByRole('row').filter({ has: page.getByRole('cell', { name: loginId, exact: true }) });
}

/** The status cell (4th column) of a user's row. */
function statusCell(page: Page, loginId: string): Locator {
  return userRow(page, loginId).getByRole('cell').nth(3);
}

/** Opens the row menu ("Actions for LOGIN") of a user and returns the row. */
async function openRowMenu(page: Page, login: string, loginId: string): Promise<Locator> {
  const row = userRow(page, loginId);
  await row.getByLabel(`Actions for ${login}`, { exact: true }).click();
  await expect(row.getByRole('link', { name: 'Edit', exact: true })).toBeVisible();
  return row;
}

function sectionsNav(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Sections' });
}

test.describe('User management with JavaScript', () => {
  test('add a user with a typed password; they log in with ACCOUNT/login', async ({ page, newSession }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const login = 'alice';
    const loginId = `${accountId}/${login}`;

    await page.goto('/users/new');
    await waitForHydration(page);
    const preview = page.getByTestId('login-preview');
    await page.getByLabel('ID', { exact: true }).fill(login);
    await expect(preview).toHaveText(loginId);
    await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
    await page.getByLabel('Password', { exact: true }).fill(PASSWORDS.first);
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();

    await expect(page.getByRole('status').filter({ hasText: `User ${login} added.` })).toBeVisible();
    await expectPath(page, '/users');
    expect(new URL(page.url()).searchParams.get('added')).toBe(login);
    await expect(userRow(page, loginId)).toBeVisible();
    await expect(statusCell(page, loginId)).toHaveText('Active');

    const other = await newSession();
    await submitLogIn(other, loginId, PASSWORDS.first);
    await expect(other.getByTestId('header-account-id')).toContainText(accountId);
    await expect(other.getByRole('banner')).toContainText(loginId);
  });

  test('a None user sees the table but no controls that change users', async ({ page, newSession }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const login = 'viewer';
    const loginId = `${accountId}/${login}`;
    await addUser(page, { login, password: PASSWORDS.first, group: 'UNPRIVILEGED' });
    await expect(userRow(page, loginId)).toContainText('UNPRIVILEGED');

    const viewer = await newSession();
    await submitLogIn(viewer, loginId, PASSWORDS.first);
    await expect(viewer.getByTestId('header-account-id')).toContainText(accountId);
    await viewer.goto('/users');
    await waitForHydration(viewer);

    await expect(viewer.getByRole('heading', { level: 1, name: 'User management' })).toBeVisible();
    await expect(viewer.getByRole('table')).toBeVisible();
    await expect(userRow(viewer, loginId)).toBeVisible();
    await expect(viewer.getByRole('link', { name: 'Add a user', exact: true })).toHaveCount(0);
    await expect(viewer.getByRole('link', { name: 'Add several users', exact: true })).toHaveCount(0);
    await expect(viewer.getByLabel(/^Actions for /)).toHaveCount(0);
  });

  test('a user locked out by a stranger is shown locked and unlocked from the row menu', async ({ page, newSession }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const login = 'erin';
    const loginId = `${accountId}/${login}`;
    await addUser(page, { login, password: PASSWORDS.third });

    // A stranger's browser (no device cookie) guesses until the lock (run.sh: after 5).
    const stranger = await newSession();
    for (let i = 0; i < 5; i++) {
      const answer = await stranger.request.post('/api/login', {
        form: { account_id: loginId, password: `Wrong-Guess-Number-${i}` },
        headers: { accept: 'application/json' },
      });
      expect(answer.status()).toBe(401);
    }
    await submitLogIn(stranger, loginId, PASSWORDS.third);
    await expect(stranger.getByRole('alert').filter({ hasText: LOGIN_FAILED })).toBeVisible();

    await page.goto('/users');
    await waitForHydration(page);
    await expect(statusCell(page, loginId)).toContainText('Locked');
    const row = await openRowMenu(page, login, loginId);
    await row.getByRole('button', { name: 'Unlock sign-in', exact: true }).click();
    await expect(statusCell(page, loginId)).not.toContainText('Locked');

    const erin = await newSession();
    await submitLogIn(erin, loginId, PASSWORDS.third);
    await expect(erin.getByTestId('header-account-id')).toContainText(accountId);
  });

  test('disabling a user logs out their open page', async ({ page, newSession }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const login = 'dave';
    const loginId = `${accountId}/${login}`;
    await addUser(page, { login, password: PASSWORDS.second });

    const dave = await newSession();
    await submitLogIn(dave, loginId, PASSWORDS.second);
    await expect(dave.getByTestId('header-account-id')).toContainText(accountId);
    await dave.goto('/users');
    await expect(dave.getByRole('heading', { level: 1, name: 'User management' })).toBeVisible();

    await page.goto('/users');
    await waitForHydration(page);
    const row = await openRowMenu(page, login, loginId);
    await row.getByRole('button', { name: 'Disable', exact: true }).click();
    await expect(statusCell(page, loginId)).toHaveText('Disabled');

    await dave.reload();
    await expectPath(dave, '/login');
    await expect(dave.getByTestId('header-account-id')).toHaveCount(0);

    await submitLogIn(dave, loginId, PASSWORDS.second);
    await expect(dave.getByRole('alert').filter({ hasText: LOGIN_FAILED })).toBeVisible();
    await expectPath(dave, '/login');
  });

  test('add several users: passwords shown once, refused rows listed, CSV download', async ({ page }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const alpha = `${accountId}/alpha`;
    const carol = `${accountId}/carol`;

    await page.goto('/users/bulk');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1, name: 'Add several users' })).toBeVisible();
    await page.getByLabel('ID, row 1', { exact: true }).fill('alpha');
    await page.getByLabel('Email, row 1', { exact: true }).fill(uniqueEmail());
    await page.getByLabel('ID, row 2', { exact: true }).fill('bob');
    // Accepted by the browser's type=email check, refused by the server (no dot in the domain).
    await page.getByLabel('Email, row 2', { exact: true }).fill('bob@localhost');
    await page.getByLabel('ID, row 3', { exact: true }).fill('carol');
    await page.getByLabel('Email, row 3', { exact: true }).fill(uniqueEmail());
    await page.getByLabel('Privilege, row 3', { exact: true }).selectOption('UNPRIVILEGED');
    await page.getByRole('button', { name: 'Create users', exact: true }).click();

    await expect(page.getByRole('heading', { level: 1, name: 'Users added' })).toBeVisible();
    expect(new URL(page.url()).pathname).toMatch(/^\/reveal\/[^/]+$/);

    const passwords = new Map<string, string>();
    for (const loginId of [alpha, carol]) {
      const secret = userRow(page, loginId).locator('td.secret');
      await expect(secret).toHaveText(GENERATED_PASSWORD);
      passwords.set(loginId, ((await secret.textContent()) ?? '').trim());
    }
    await expect(page.locator('table.credentials tbody tr')).toHaveCount(2);
    await expect(page.getByRole('button', { name: 'Copy all' })).toBeVisible();

    const refused = page.getByRole('heading', { level: 2, name: 'Not created' });
    await expect(refused).toBeVisible();
    await expect(page.getByRole('listitem').filter({ hasText: 'Row 2 (bob): ' })).toHaveText(
      'Row 2 (bob): Enter an e-mail address such as name@example.com.',
    );

    const downloadEvent = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download CSV', exact: true }).click();
    const download = await downloadEvent;
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const file = await download.path();
    const lines = fs
      .readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .filter((l) => l !== '');
    expect(lines[0]).toBe('login_id,password');
    expect(lines.slice(1).sort()).toEqual([`${alpha},${passwords.get(alpha)}`, `${carol},${passwords.get(carol)}`].sort());

    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'No longer available' })).toBeVisible();
    for (const password of passwords.values()) await expect(page.getByText(password)).toHaveCount(0);
  });

  test('a user required to change their password can do nothing else first', async ({ page, newSession }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const login = 'erin';
    const loginId = `${accountId}/${login}`;
    await addUser(page, { login, password: PASSWORDS.first, requireChange: true });
    await expect(statusCell(page, loginId)).toHaveText('Password change required');

    const erin = await newSession();
    await submitLogIn(erin, loginId, PASSWORDS.first);
    const choose = erin.getByRole('heading', { level: 1, name: 'Choose a new password' });
    await expect(choose).toBeVisible();
    await expect(sectionsNav(erin)).toHaveCount(0);

    await erin.goto('/users');
    await expect(choose).toBeVisible();
    await expect(erin.getByRole('heading', { level: 1, name: 'User management' })).toHaveCount(0);
    await expect(sectionsNav(erin)).toHaveCount(0);

    await waitForHydration(erin);
    await erin.getByLabel('Current password', { exact: true }).fill(PASSWORDS.first);
    await erin.getByLabel('New password', { exact: true }).fill(PASSWORDS.third);
    await erin.getByLabel('Confirm the new password', { exact: true }).fill(PASSWORDS.third);
    await erin.getByRole('button', { name: 'Save and continue', exact: true }).click();

    await expect(erin.getByRole('heading', { level: 1, name: 'My account' })).toBeVisible();
    await expectPath(erin, '/');
    await expect(sectionsNav(erin)).toBeVisible();
    await expect(erin.getByTestId('header-account-id')).toContainText(accountId);
  });

  test('"Generate a password" fills in a readable password the user logs in with', async ({ page, newSession }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const login = 'frank';
    const loginId = `${accountId}/${login}`;

    await page.goto('/users/new');
    await waitForHydration(page);
    await page.getByLabel('ID', { exact: true }).fill(login);
    await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
    const password = page.getByLabel('Password', { exact: true });
    await expect(password).toHaveAttribute('type', 'password');
    await page.getByRole('button', { name: 'Generate a password', exact: true }).click();

    await expect(password).toHaveValue(GENERATED_PASSWORD);
    await expect(password).toHaveAttribute('type', 'text');
    await expect(page.getByText('Copy this password now')).toBeVisible();
    const generated = await password.inputValue();

    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: `User ${login} added.` })).toBeVisible();
    await expectPath(page, '/users');

    const frank = await newSession();
    await submitLogIn(frank, loginId, generated);
    await expect(frank.getByTestId('header-account-id')).toContainText(accountId);
    await expect(frank.getByRole('banner')).toContainText(loginId);
  });

  test('remove a user after confirmation', async ({ page }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const login = 'gina';
    const loginId = `${accountId}/${login}`;
    await addUser(page, { login, password: PASSWORDS.second });

    await page.goto('/users');
    await waitForHydration(page);
    const row = await openRowMenu(page, login, loginId);
    await row.getByRole('link', { name: 'Remove', exact: true }).click();

    await expectPath(page, `/users/${login}/remove`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Remove ${loginId}?`);
    await expect(page.getByRole('link', { name: 'Cancel', exact: true })).toBeVisible();
    await waitForHydration(page);
    await page.getByRole('button', { name: `Remove ${login}`, exact: true }).click();

    await expect(page.getByRole('status').filter({ hasText: `User ${login} removed.` })).toBeVisible();
    await expectPath(page, '/users');
    await expect(page.getByRole('cell', { name: loginId, exact: true })).toHaveCount(0);
  });

  test('the user management pages pass axe', async ({ page }) => {
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    const login = 'hana';
    await addUser(page, { login, password: PASSWORDS.first, description: 'Front desk' });

    const pages = [
      { path: '/users', h1: 'User management' },
      { path: '/users/new', h1: 'Add a user' },
      { path: '/users/bulk', h1: 'Add several users' },
      { path: '/users/groups', h1: 'Groups' },
      { path: `/users/${login}/edit`, h1: `Edit ${accountId}/${login}` },
    ];
    for (const { path, h1 } of pages) {
      await page.goto(path);
      await waitForHydration(page);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(h1);
      await expectNoSeriousA11yViolations(page);
    }

    await submitNewUser(page, { login: 'ivan' });
    await expect(page.getByRole('heading', { level: 1, name: 'Users added' })).toBeVisible();
    await waitForHydration(page);
    await expect(page.locator('td.secret')).toHaveText(GENERATED_PASSWORD);
    await expectNoSeriousA11yViolations(page);
  });
});

test.describe('User management without JavaScript', () => {
  test('add a user with a generated password, then disable them', async ({ newSession }) => {
    const page = await newSession({ javaScriptEnabled: false });
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD, false);
    const login = 'jack';
    const loginId = `${accountId}/${login}`;

    await page.goto('/users/new');
    await expect(page.getByRole('button', { name: 'Generate a password' })).toHaveCount(0);
    await submitNewUser(page, { login }, false);

    await expect(page.getByRole('heading', { level: 1, name: 'Users added' })).toBeVisible();
    expect(new URL(page.url()).pathname).toMatch(/^\/reveal\/[^/]+$/);
    await expect(userRow(page, loginId).locator('td.secret')).toHaveText(GENERATED_PASSWORD);
    await expect(page.getByRole('link', { name: 'Download CSV', exact: true })).toBeVisible();

    await page.goto('/users');
    await expect(statusCell(page, loginId)).toHaveText('Password change required');
    const row = await openRowMenu(page, login, loginId);
    await row.getByRole('button', { name: 'Disable', exact: true }).click();

    await expectPath(page, '/users');
    await expect(statusCell(page, loginId)).toHaveText('Disabled');
    await expect(page.getByTestId('header-account-id')).toContainText(accountId);
  });
});
