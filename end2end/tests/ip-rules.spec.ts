import type { BrowserContext, Page } from '@playwright/test';
import {
  STRONG_PASSWORD,
  expect,
  expectNoSeriousA11yViolations,
  expectPath,
  signUp,
  signUpInFrench,
  test,
  uniqueCompany,
  uniqueEmail,
  waitForHydration,
} from './fixtures';

/**
 * IP rules: the page under Security names the visitor's own address, refuses rules that would
 * shut it out or cannot be read (beside the field), and shows the saved rules in order. The
 * rules themselves are enforced per address in the HTTP tests (`tests/api/ip_rules.rs`), where a
 * trusted proxy can say which client is calling.
 */

async function ownAddress(page: Page): Promise<string> {
  const shown = page.getByTestId('your-address');
  await expect(shown).toHaveText(/^[0-9a-f.:]+$/);
  return ((await shown.textContent()) ?? '').trim();
}

test.describe('IP rules', () => {
  test('an Administrator saves rules that keep their own address in', async ({ page }) => {
    await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD);
    await page.goto('/security');
    await waitForHydration(page);
    await page.getByRole('link', { name: 'Manage IP rules', exact: true }).click();
    await expectPath(page, '/security/ip-rules');
    await expect(page.getByRole('heading', { level: 1, name: 'IP rules' })).toBeVisible();
    await expect(page.getByTestId('default-rule')).toHaveText('Any other address: accepted.');
    await expectNoSeriousA11yViolations(page);
    const me = await ownAddress(page);
    const rules = page.getByLabel('Rules, in order', { exact: true });

    await rules.fill('ALLOW 10.0.0.0/8\nACCEPT 10.0.0.0/33');
    await page.getByRole('button', { name: 'Save rules', exact: true }).click();
    await expect(page.getByText('Line 1: start with ACCEPT or DENY.')).toBeVisible();
    await expect(page.getByText('Line 2: enter an address or a range')).toBeVisible();
    await expect(rules).toHaveAttribute('aria-describedby', /rules-error/);

    await rules.fill(`DENY ${me} Myself`);
    await page.getByRole('button', { name: 'Save rules', exact: true }).click();
    await expect(page.getByText(`Rule 1 would refuse your own address, ${me}.`)).toBeVisible();

    await rules.fill('ACCEPT 2001:db8::/32 Office v6');
    await page.getByLabel('Any other address', { exact: true }).selectOption('DENY');
    await page.getByRole('button', { name: 'Save rules', exact: true }).click();
    await expect(page.getByText(`The default would refuse your own address, ${me}.`)).toBeVisible();

    await rules.fill(`ACCEPT ${me} This office\nDENY 10.0.0.0/8 Old VPN\nACCEPT 2001:db8::/32 Office v6`);
    await page.getByRole('button', { name: 'Save rules', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'The IP rules are saved.' })).toBeVisible();
    const table = page.getByRole('table');
    await expect(table.getByRole('row')).toHaveCount(4);
    await expect(table.getByRole('row').nth(1)).toContainText('This office');
    await expect(table.getByRole('row').nth(2)).toContainText('Deny');
    await expect(table.getByRole('row').nth(2)).toContainText('10.0.0.0/8');
    await expect(page.getByTestId('default-rule')).toHaveText('Any other address: denied.');
    await expectNoSeriousA11yViolations(page);

    // Still in: the next page loads, and the change is on the record.
    await page.goto('/activity');
    await expect(page.getByRole('cell', { name: 'IP rules changed' }).first()).toBeVisible();
  });

  test.describe('without JavaScript, and in French', () => {
    let context: BrowserContext;

    test.afterEach(async () => {
      await context?.close();
    });

    test('the rules are a plain form post', async ({ browser, baseURL }) => {
      context = await browser.newContext({ javaScriptEnabled: false, baseURL });
      const page = await context.newPage();
      await signUp(page, uniqueCompany(), uniqueEmail(), STRONG_PASSWORD, false);
      await page.goto('/security/ip-rules');
      await page.getByLabel('Rules, in order', { exact: true }).fill('DENY 192.0.2.0/24 Test net');
      await page.getByRole('button', { name: 'Save rules', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: 'The IP rules are saved.' })).toBeVisible();
      await expect(page.getByRole('cell', { name: '192.0.2.0/24' })).toBeVisible();
      await page.getByLabel('Rules, in order', { exact: true }).fill('NOPE');
      await page.getByRole('button', { name: 'Save rules', exact: true }).click();
      await expect(page.getByText('Line 1: start with ACCEPT or DENY.')).toBeVisible();
    });

    test('the page speaks French', async ({ browser, baseURL }) => {
      context = await browser.newContext({ baseURL, locale: 'fr-FR' });
      const page = await context.newPage();
      await signUpInFrench(page);
      await page.goto('/security/ip-rules');
      await waitForHydration(page);
      await expect(page.getByRole('heading', { level: 1, name: 'Règles d’adresses IP' })).toBeVisible();
      const me = await ownAddress(page);
      await page.getByLabel('Règles, dans l’ordre', { exact: true }).fill(`DENY ${me}`);
      await page.getByRole('button', { name: 'Enregistrer les règles', exact: true }).click();
      await expect(page.getByText(`La règle 1 refuserait votre propre adresse, ${me}.`)).toBeVisible();
      await expectNoSeriousA11yViolations(page);
    });
  });
});
