import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/**
 * Playwright configuration for the runs behind a reverse proxy with TLS (tests/deploy/proxy.sh
 * and tests/deploy/two-servers.sh start the servers and nginx, tests/deploy/caddy.sh one server
 * and Caddy, then run this configuration with STEWARD_E2E_BASE_URL=https://127.0.0.1:<proxy port>).
 *
 * The same as playwright.config.ts (Debian's /usr/bin/chromium, one worker, never a browser
 * download), with the specs of ./proxy-tests and the certificate made for the run accepted.
 */
export default defineConfig({
  ...base,
  testDir: './proxy-tests',
  outputDir: './test-results/proxy',
  use: {
    ...base.use,
    ignoreHTTPSErrors: true,
  },
});
