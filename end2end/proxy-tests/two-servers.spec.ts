/**
 * Two Steward servers on one PostgreSQL database behind one nginx, round-robin
 * (tests/deploy/two-servers.sh). nginx hands each request to the next server, so a walk's pages,
 * bundle files and server functions alternate between them; two-servers.sh reads nginx's access
 * log afterwards and fails unless both served pages and server functions. Whatever state one
 * server writes (sessions, one-time reveals, forced password changes, used TOTP steps) the other
 * must see: the steps that matter are repeated until the access log (STEWARD_DEPLOY_ACCESS_LOG,
 * which names the upstream of each request) shows that both servers answered them.
 */
import * as fs from 'node:fs';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import {
  LOGIN_FAILED,
  SECTIONS,
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

const NEW_PASSWORD = 'Amber-Pylon-Thistle-58';

/** The shape of a generated password: four groups of five readable characters. */
const GENERATED_PASSWORD = /^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/;

// ---- Helpers ----

/** A new browser context for the proxy (its own certificate accepted), watched for page errors. */
async function newWatchedContext(
  browser: Browser,
  baseURL: string,
  errors: string[],
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  page.on('pageerror', (err) => errors.push(`[pageerror] ${err.stack || err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /panicked|WebAssembly|RuntimeError/.test(msg.text())) errors.push(msg.text());
  });
  return { context, page };
}

/** nginx's access log: one line per request, ending in `upstream=<address>`. */
function accessLog(): string[] {
  const path = process.env.STEWARD_DEPLOY_ACCESS_LOG;
  if (!path) throw new Error('STEWARD_DEPLOY_ACCESS_LOG is not set: run tests/deploy/two-servers.sh');
  return fs.readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
}

/** The upstreams that served the log lines from index `from` on that `match` accepts. */
function servedBy(from: number, match: (line: string) => boolean): Set<string> {
  const upstreams = new Set<string>();
  for (const line of accessLog().slice(from)) {
    const upstream = / upstream=(\S+)$/.exec(line)?.[1];
    if (upstream && match(line)) upstreams.add(upstream);
  }
  return upstreams;
}

/**
 * Repeats `attempt` until both servers have served a request that `match` accepts, at most
 * `most` times. After attempt i, i + 1 extra requests (/healthz) go through nginx: each moves
 * the round-robin by one, and as their number changes from one attempt to the next, whatever
 * number of requests an attempt makes, two attempts in a row cannot both land on one server.
 */
async function onBothServers(
  page: Page,
  what: string,
  match: (line: string) => boolean,
  attempt: () => Promise<void>,
  most = 6,
): Promise<void> {
  const from = accessLog().length;
  for (let i = 0; i < most; i++) {
    await attempt();
    if (servedBy(from, match).size >= 2) return;
    for (let n = 0; n <= i; n++) expect((await page.request.get('/healthz')).status()).toBe(200);
  }
  throw new Error(
    `${what}: after ${most} attempts only ${[...servedBy(from, match)].join(', ')} served it:\n` +
      accessLog().slice(from).join('\n'),
  );
}

/** Reloads a reveal page until both servers have been asked for it: it is gone every time. */
async function expectRevealGone(page: Page, secret: string): Promise<void> {
  const path = new URL(page.url()).pathname;
  expect(path).toMatch(/^\/reveal\/[^/]+$/);
  await onBothServers(
    page,
    `the reveal ${path}`,
    (line) => line.includes(`"GET ${path} `),
    async () => {
      await page.reload();
      await expect(page.getByRole('heading', { level: 1, name: 'No longer available' })).toBeVisible();
      await expect(page.getByText(secret)).toHaveCount(0);
    },
  );
}

/** On /login/code: enters `code` and clicks Verify. */
async function submitCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
}

async function logInFirstStep(page: Page, accountId: string): Promise<void> {
  await submitLogIn(page, accountId, STRONG_PASSWORD);
  await expect(page.getByRole('heading', { level: 1, name: 'Two-factor authentication' })).toBeVisible();
  await expectPath(page, '/login/code');
  await waitForHydration(page);
}

test.describe('Two servers behind one nginx', () => {
  test('a walk whose requests alternate between the servers', async ({ page, context, browser, baseURL }) => {
    test.setTimeout(180_000);
    const base = baseURL as string;
    expect(base, 'the run goes through the TLS proxy').toMatch(/^https:\/\//);

    // Sign up on one server, log out and in: the session lives in the shared database.
    const accountId = await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    await logOut(page);
    await submitLogIn(page, accountId, STRONG_PASSWORD);
    await expect(page.getByTestId('header-account-id')).toContainText(accountId);
    const session = (await context.cookies(base)).find((c) => c.name === '__Host-steward');
    expect(session?.secure, 'the session cookie is Secure').toBe(true);

    // Every section, until both servers have rendered it: each knows the session.
    for (const section of SECTIONS) {
      await onBothServers(
        page,
        `the page ${section.path}`,
        (line) => line.includes(`"GET ${section.path} `) && line.includes('" 200 '),
        async () => {
          await page.goto(section.path);
          await waitForHydration(page);
          await expect(page.getByTestId('header-account-id')).toContainText(accountId);
          await expectPath(page, section.path);
        },
      );
    }

    // A user with a generated password: shown once, whichever server is asked again.
    const login = 'roaming';
    await page.goto('/users/new');
    await waitForHydration(page);
    await page.getByLabel('ID', { exact: true }).fill(login);
    await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Users added' })).toBeVisible();
    const secret = page.locator('td.secret');
    await expect(secret).toHaveText(GENERATED_PASSWORD);
    const generated = ((await secret.textContent()) ?? '').trim();
    await expectRevealGone(page, generated);

    // The user logs in with it (another browser) and must choose a new password first.
    const errors: string[] = [];
    const { context: otherContext, page: other } = await newWatchedContext(browser, base, errors);
    try {
      await submitLogIn(other, `${accountId}/${login}`, generated);
      await expect(other.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
      await other.goto('/users');
      await expect(other.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
      await waitForHydration(other);
      await other.getByLabel('Current password', { exact: true }).fill(generated);
      await other.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await other.getByLabel('Confirm the new password', { exact: true }).fill(NEW_PASSWORD);
      await other.getByRole('button', { name: 'Save and continue', exact: true }).click();
      await expect(other.getByRole('heading', { level: 1, name: 'My account' })).toBeVisible();
      for (let i = 0; i < 3; i++) {
        await other.goto('/');
        await expect(other.getByTestId('header-account-id')).toHaveText(accountId);
        await expect(other.locator('.topbar-user strong')).toHaveText(`${accountId}/${login}`);
      }
    } finally {
      await otherContext.close();
    }
    expect(errors).toEqual([]);

    // A sub-account: its credentials shown once, whichever server is asked again.
    await page.goto('/sub-accounts/new');
    await waitForHydration(page);
    const name = `Roaming ${Date.now()}`;
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByRole('button', { name: 'Create sub-account', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Sub-account created' })).toBeVisible();
    const token = ((await page.getByTestId('reveal-auth-token').textContent()) ?? '').trim();
    expect(token).toMatch(/\S{16,}/);
    await expectRevealGone(page, token);
    await page.goto('/sub-accounts');
    await waitForHydration(page);
    await expect(page.locator('table.sub-accounts tbody tr').filter({ hasText: name })).toHaveCount(1);

    // Two-factor authentication: a code used on one server is refused by both.
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
    const recovery = ((await page.getByTestId('recovery-codes').locator('li').first().textContent()) ?? '').trim();
    await expectRevealGone(page, recovery);

    await logOut(page);
    await logInFirstStep(page, accountId);
    await waitForStepAfter(page, enrolment.step);
    const { code } = currentCode(key);
    await submitCode(page, code);
    await expect(page.getByRole('heading', { level: 1, name: 'My account' })).toBeVisible();
    await logOut(page);
    await logInFirstStep(page, accountId);
    // The same code again, until both servers have refused it.
    await onBothServers(
      page,
      'a replayed code',
      (line) => /"POST \/api\/login_code [^"]*" 4\d\d /.test(line),
      async () => {
        await page.goto('/login/code');
        await waitForHydration(page);
        await submitCode(page, code);
        await expect(page.getByRole('alert').filter({ hasText: LOGIN_FAILED })).toBeVisible();
        await expectPath(page, '/login/code');
        await expect(page.getByTestId('header-account-id')).toHaveCount(0);
      },
      4,
    );
  });
});
