import type { BrowserContext, Page } from '@playwright/test';
import {
  STRONG_PASSWORD,
  expect,
  expectNoSeriousA11yViolations,
  expectPath,
  signUp,
  test,
  uniqueCompany,
  uniqueEmail,
  waitForHydration,
} from './fixtures';

/**
 * The main pages and their headings, in English and in French. With JavaScript each page is
 * also checked with axe (the no-JavaScript walk checks the server's HTML alone).
 */
const PAGES = [
  { path: '/', en: 'My account', fr: 'Mon compte' },
  { path: '/users', en: 'User management', fr: 'Gestion des utilisateurs' },
  { path: '/users/new', en: 'Add a user', fr: 'Ajouter un utilisateur' },
  { path: '/users/groups', en: 'Groups', fr: 'Groupes' },
  { path: '/security', en: 'Security', fr: 'Sécurité' },
  { path: '/sub-accounts', en: 'Sub-accounts', fr: 'Sous-comptes' },
  { path: '/api-keys', en: 'API keys', fr: 'Clés d’API' },
  { path: '/activity', en: 'Activity', fr: 'Activité' },
] as const;

async function expectHeading(page: Page, text: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(text);
}

async function walk(page: Page, lang: 'en' | 'fr', jsEnabled = true): Promise<void> {
  for (const p of PAGES) {
    await page.goto(p.path);
    if (jsEnabled) await waitForHydration(page);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await expectHeading(page, p[lang]);
    if (jsEnabled) await expectNoSeriousA11yViolations(page);
  }
}

test.describe('in French', () => {
  test('the header switches to French and every main page follows', async ({ page }) => {
    await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    await walk(page, 'en');

    await page.goto('/users');
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Français', exact: true }).click();
    await expectHeading(page, 'Gestion des utilisateurs');
    await expectPath(page, '/users');
    await expect(page.getByRole('button', { name: 'Français', exact: true })).toHaveAttribute('aria-pressed', 'true');
    const nav = page.getByRole('navigation', { name: 'Rubriques' });
    await expect(nav.getByRole('link', { name: 'Sous-comptes', exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Se déconnecter', exact: true })).toBeVisible();

    await walk(page, 'fr');

    // Back to English, from any page.
    await page.getByRole('button', { name: 'English', exact: true }).click();
    await expectHeading(page, 'Activity');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  });

  test('a French browser gets French from the first page', async ({ browser, baseURL }) => {
    const context = await browser.newContext({ baseURL, locale: 'fr-FR' });
    try {
      const page = await context.newPage();
      await page.goto('/login');
      await waitForHydration(page);
      await expectHeading(page, 'Connexion à Steward');
      await expectNoSeriousA11yViolations(page);
      await page.getByLabel('Identifiant de compte', { exact: true }).fill('0000-000-00');
      await page.getByLabel('Mot de passe', { exact: true }).fill('not-the-password');
      await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
      await expect(
        page.getByRole('alert').filter({ hasText: 'Identifiant de compte ou mot de passe incorrect.' }),
      ).toBeVisible();
    } finally {
      await context.close();
    }
  });
});

test.describe('in French without JavaScript', () => {
  let context: BrowserContext;

  test.afterEach(async () => {
    await context?.close();
  });

  test('the switch works as a plain form, before and after logging in', async ({ browser, baseURL }) => {
    context = await browser.newContext({ javaScriptEnabled: false, baseURL });
    const page = await context.newPage();

    await page.goto('/signup');
    await page.getByRole('button', { name: 'Français', exact: true }).click();
    await expectPath(page, '/signup');
    await expectHeading(page, 'Créer un compte Steward');

    const company = uniqueCompany();
    await page.getByLabel('Société', { exact: true }).fill(company);
    await page.getByLabel('E-mail', { exact: true }).fill('jane@localhost'); // valid for the browser, not for the server
    await page.getByLabel('Mot de passe', { exact: true }).fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Créer le compte', exact: true }).click();
    await expect(page.getByText('Saisissez une adresse e-mail, par exemple nom@exemple.com.')).toBeVisible();

    await page.getByLabel('Société', { exact: true }).fill(company);
    await page.getByLabel('E-mail', { exact: true }).fill(uniqueEmail());
    await page.getByLabel('Mot de passe', { exact: true }).fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Créer le compte', exact: true }).click();
    await expectHeading(page, 'Votre compte est prêt');

    await walk(page, 'fr', false);

    await page.getByRole('button', { name: 'English', exact: true }).click();
    await expectHeading(page, 'Activity');
  });
});
