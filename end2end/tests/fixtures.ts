import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';

export { expect };

/** A password that the server's strength check (zxcvbn) accepts. */
export const STRONG_PASSWORD = 'Velvet-Orbit-Canyon-42';

/** The format of an account ID, e.g. 1234-567-89. */
export const ACCOUNT_ID_PATTERN = /^\d{4}-\d{3}-\d{2}$/;

/** The login failure message; the same for an unknown ID and a wrong password. */
export const LOGIN_FAILED = 'Incorrect account ID or password.';

/** The navigation links shown once logged in, and the path each one opens. */
export const SECTIONS = [
  { name: 'My account', path: '/' },
  { name: 'User management', path: '/users' },
  { name: 'Sub-accounts', path: '/sub-accounts' },
  { name: 'Security', path: '/security' },
  { name: 'API keys', path: '/api-keys' },
  { name: 'Activity', path: '/activity' },
] as const;

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 8);
}

/** A company name no other test (or earlier run) uses. */
export function uniqueCompany(): string {
  return `Acme ${Date.now()}-${randomSuffix()}`;
}

/** An email address no other test uses. */
export function uniqueEmail(): string {
  return `e2e-${Date.now()}-${randomSuffix()}@example.com`;
}

/** Waits until the WASM bundle has hydrated the page (it sets data-hydrated="true"). */
export async function waitForHydration(page: Page): Promise<void> {
  try {
    await page.locator('[data-hydrated="true"]').first().waitFor({ state: 'attached', timeout: 15_000 });
  } catch (e) {
    throw new Error(`the WASM bundle did not hydrate ${page.url()} within 15 s (no [data-hydrated="true"])`, {
      cause: e,
    });
  }
}

/** Asserts that the page's path (without query or hash) becomes `path`. */
export async function expectPath(page: Page, path: string): Promise<void> {
  await expect.poll(() => new URL(page.url()).pathname, { message: `expected to be on ${path}` }).toBe(path);
}

/** Runs axe on the current page and fails on any violation of impact "serious" or "critical". */
export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = serious.map(
    (v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
  );
  expect(
    summary,
    `serious/critical accessibility violations on ${page.url()}:\n${summary.join('\n')}`,
  ).toEqual([]);
}

/** Opens /signup, fills the form and submits it, without waiting for the outcome. */
export async function submitSignUp(
  page: Page,
  company: string,
  email: string,
  password: string,
  jsEnabled = true,
): Promise<void> {
  await page.goto('/signup');
  if (jsEnabled) await waitForHydration(page);
  await page.getByLabel('Company', { exact: true }).fill(company);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
}

/**
 * Signs up a new company and returns the account ID shown on the welcome page.
 * Pass jsEnabled = false for a context created with javaScriptEnabled: false
 * (then it does not wait for hydration).
 */
export async function signUp(
  page: Page,
  company: string,
  email: string,
  password: string,
  jsEnabled = true,
): Promise<string> {
  await submitSignUp(page, company, email, password, jsEnabled);
  await expect(page.getByRole('heading', { level: 1, name: 'Your account is ready' })).toBeVisible();
  const accountId = page.getByTestId('account-id');
  await expect(accountId).toHaveText(/\d/);
  return ((await accountId.textContent()) ?? '').trim();
}

/**
 * Signs up a new company from a page whose browser asks for French (a context made with
 * `locale: 'fr-FR'`), waiting for the welcome page; `email` defaults to a new address.
 */
export async function signUpInFrench(page: Page, email = uniqueEmail()): Promise<void> {
  await page.goto('/signup');
  await waitForHydration(page);
  await page.getByLabel('Société', { exact: true }).fill(uniqueCompany());
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(STRONG_PASSWORD);
  await page.getByRole('button', { name: 'Créer le compte', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Votre compte est prêt' })).toBeVisible();
}

/** Opens /login, fills the account ID and password and submits, without waiting for the outcome. */
export async function submitLogIn(page: Page, accountId: string, password: string, jsEnabled = true): Promise<void> {
  await page.goto('/login');
  if (jsEnabled) await waitForHydration(page);
  await page.getByLabel('Account ID', { exact: true }).fill(accountId);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
}

/** Clicks "Log out" in the header and waits to be on /login. */
export async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await expectPath(page, '/login');
}

type WasmError = { kind: string; text: string };

/**
 * `test` with an automatic fixture that watches every page of the test's
 * context. An uncaught page error, a console error mentioning a panic or
 * WebAssembly, or a failed load of the WASM bundle (anything under /pkg/)
 * fails the test at teardown: a broken WASM build must fail the suite.
 */
export const test = base.extend<{ failOnWasmErrors: void }>({
  failOnWasmErrors: [
    async ({ context }, use) => {
      const errors: WasmError[] = [];
      const watched = new WeakSet<Page>();
      const watch = (page: Page) => {
        if (watched.has(page)) return;
        watched.add(page);
        page.on('pageerror', (err) => {
          errors.push({ kind: 'pageerror', text: err.stack || `${err.name}: ${err.message}` });
        });
        page.on('console', (msg) => {
          if (msg.type() !== 'error') return;
          const text = msg.text();
          if (/panicked|WebAssembly|RuntimeError/.test(text)) errors.push({ kind: 'console.error', text });
        });
        page.on('response', (res) => {
          if (res.status() >= 400 && new URL(res.url()).pathname.startsWith('/pkg/')) {
            errors.push({ kind: 'bundle', text: `${res.status()} for ${res.url()}` });
          }
        });
        page.on('requestfailed', (req) => {
          const reason = req.failure()?.errorText ?? 'failed';
          // ERR_ABORTED only means the page navigated away while the bundle was loading.
          if (new URL(req.url()).pathname.startsWith('/pkg/') && !reason.includes('ERR_ABORTED')) {
            errors.push({ kind: 'bundle', text: `${reason} for ${req.url()}` });
          }
        });
      };
      context.pages().forEach(watch);
      context.on('page', watch);

      await use();

      const report = errors.map((e) => `[${e.kind}] ${e.text}`).join('\n');
      expect(errors.length, `the page reported WASM/JavaScript errors:\n${report}`).toBe(0);
    },
    { auto: true },
  ],
});
