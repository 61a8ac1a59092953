import { defineConfig } from '@playwright/test';

/**
 * Playwright configuration for Steward's end-to-end suite.
 *
 * The server is started by an outside script (not by Playwright, so there is
 * no `webServer` block); point the suite at it with STEWARD_E2E_BASE_URL.
 *
 * Playwright never downloads a browser here: the suite drives Debian's
 * /usr/bin/chromium. Install dependencies with
 *   PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci
 * and never run `npx playwright install`.
 */
export default defineConfig({
  testDir: './tests',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: 'list',
  timeout: 30_000,
  // Password hashing (argon2) on a small machine can take a moment.
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  use: {
    baseURL: process.env.STEWARD_E2E_BASE_URL ?? 'http://127.0.0.1:3000',
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
