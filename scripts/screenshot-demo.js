#!/usr/bin/env node
// Refreshes docs/demo.png, the README's screenshot: serves the demo (vite, port 0), opens it in headless Chromium,
// loads the model the page opens on with its default budget, generates a few tokens with the default threads and
// again on one thread (the threads table compares them), runs a paging dry run, and
// takes a full-page screenshot. Needs `npm run build:wasm`, `npm run build:node` and the default model
// (`node scripts/make-default-model.js`; `npm start` makes it). Usage: node scripts/screenshot-demo.js [out.png]
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { chromium } from 'playwright';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = process.argv[2] ?? `${root}docs/demo.png`;
const server = await createServer({
  configFile: `${root}vite.config.ts`,
  logLevel: 'warn',
  server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
});
await server.listen();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => process.stderr.write(`[page] ${e.message}\n`));
  await page.goto(server.resolvedUrls.local[0]);
  await page.getByTestId('budget-note').filter({ hasText: 'half' }).waitFor({ timeout: 30_000 });
  await page.getByTestId('cache-clear').click();
  await page.getByTestId('load').click();
  await page
    .getByTestId('status')
    .filter({ hasText: /^(ready|error)$/ })
    .waitFor({ timeout: 120_000 });
  const status = await page.getByTestId('status').textContent();
  if (status !== 'ready') throw new Error(`load: ${await page.getByTestId('error').textContent()}`);
  await page.getByTestId('max-tokens').fill('48');
  await page.getByTestId('generate').click();
  await page.locator('[data-testid="output"][data-state="done"]').waitFor({ timeout: 120_000 });
  // Then on one thread (the choice reloads the model), so the threads table compares 1 with 'auto'.
  await page.getByTestId('threads-choice').selectOption('1');
  await page
    .getByTestId('status')
    .filter({ hasText: /^(ready|error)$/ })
    .waitFor({ timeout: 120_000 });
  await page.getByTestId('generate').click();
  await page.locator('[data-testid="output"][data-state="done"]').waitFor({ timeout: 120_000 });
  await page.getByTestId('tokens').fill('4');
  await page.getByTestId('run').click();
  await page.locator('#status-detail').filter({ hasText: 'loaded per token' }).waitFor({ timeout: 120_000 });
  await page.screenshot({ path: out, fullPage: true });
  const report = {
    url: await page.getByTestId('model-url').inputValue(),
    budgetMiB: await page.getByTestId('budget').inputValue(),
    kvMiB: await page.getByTestId('kv-mib').inputValue(),
    note: await page.getByTestId('budget-note').textContent(),
    genStatus: await page.getByTestId('gen-status').textContent(),
    reply: await page.getByTestId('output').textContent(),
    maxResident: await page.getByTestId('max-resident-bytes').textContent(),
    budgetBytes: await page.getByTestId('budget-bytes').textContent(),
    hitsMisses: await page.getByTestId('hits-misses').textContent(),
    stop: await page.getByTestId('gen-stop').textContent(),
    threads: await page.getByTestId('threads-rows').locator('tr').allInnerTexts(),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\nwrote ${out}\n`);
} finally {
  await browser.close();
  await server.close();
}
