// The consumer tests: the package as users get it (npm pack → npm install in a temporary
// folder), built into apps and run in headless Chromium; see setup.ts.
import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../browser-launch.ts';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../../test-results/consumers',
  globalSetup: './setup.ts',
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 30_000 },
  use: { headless: true, launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
