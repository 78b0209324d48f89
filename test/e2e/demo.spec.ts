import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DEFAULT_MODEL = '/models/default.gguf';

/** Counts the body bytes of every response to `path`, as the network delivered them. */
function countModelTraffic(page: Page, path: string) {
  const seen = { requests: 0, bytes: 0, ranges: [] as string[] };
  page.on('requestfinished', async (req) => {
    if (!new URL(req.url()).pathname.endsWith(path)) return;
    seen.requests++;
    seen.ranges.push(req.headers()['range'] ?? '(none)');
    const sizes = await req.sizes().catch(() => null);
    if (sizes) seen.bytes += sizes.responseBodySize;
  });
  return seen;
}

async function loadModel(page: Page, url: string, budgetMiB?: number) {
  await page.getByTestId('model-url').fill(url);
  if (budgetMiB !== undefined) await page.getByTestId('budget').fill(String(budgetMiB));
  await page.getByTestId('load').click();
  await expect(page.getByTestId('status')).toHaveText(/^(ready|error)$/, { timeout: 90_000 });
}

async function num(page: Page, testId: string): Promise<number> {
  return Number(await page.getByTestId(testId).textContent());
}

test.describe.configure({ mode: 'serial' });

test('the default model loads through the page: progress reaches 100 % and status reads ready', async ({ page }, info) => {
  await page.goto('/');
  await page.getByTestId('cache-clear').click();
  await loadModel(page, DEFAULT_MODEL);
  await expect(page.getByTestId('status')).toHaveText('ready');
  expect(await page.getByTestId('progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(100);
  await expect(page.getByTestId('tensor-table')).toContainText('token_embd.weight');
  await expect(page.getByTestId('arena-stats')).toContainText(/capacity .* live blocks/);
  await expect(page.getByTestId('kv-stats')).toContainText(/\d+ pages of 4096 elements, 0 in use/);
  await page.screenshot({ path: info.outputPath('loaded.png'), fullPage: true });
});

test('forward passes under a budget smaller than the model keep resident bytes within the budget', async ({ page }, info) => {
  await page.goto('/');
  await loadModel(page, DEFAULT_MODEL, 24);
  await expect(page.getByTestId('status')).toHaveText('ready');
  const budget = await num(page, 'budget-bytes');
  expect(budget).toBe(24 * 2 ** 20);
  await page.getByTestId('tokens').fill('4');
  // Sample the displayed resident bytes while the run goes on.
  const samples: number[] = [];
  const sampler = setInterval(() => void num(page, 'resident-bytes').then((n) => samples.push(n)).catch(() => {}), 50);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('running');
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 90_000 });
  clearInterval(sampler);
  const max = await num(page, 'max-resident-bytes');
  expect(max).toBeGreaterThan(0);
  expect(max).toBeLessThanOrEqual(budget);
  expect(samples.length).toBeGreaterThan(0);
  for (const s of samples) expect(s).toBeLessThanOrEqual(budget);
  const hitsMisses = await page.getByTestId('hits-misses').textContent();
  expect(Number(hitsMisses!.split('/')[1])).toBeGreaterThan(0); // it really paged
  await page.screenshot({ path: info.outputPath('ran.png'), fullPage: true });
});

test('after a reload the model loads again with zero network bytes for its cached chunks', async ({ page }) => {
  await page.goto('/');
  await loadModel(page, DEFAULT_MODEL);
  await expect(page.getByTestId('status')).toHaveText('ready');
  await page.reload();
  const traffic = countModelTraffic(page, DEFAULT_MODEL);
  await loadModel(page, DEFAULT_MODEL);
  await expect(page.getByTestId('status')).toHaveText('ready');
  const fromNetwork = Number(await page.getByTestId('progress').getAttribute('data-from-network'));
  const fromCache = Number(await page.getByTestId('progress').getAttribute('data-from-cache'));
  expect(fromNetwork).toBe(0);
  expect(fromCache).toBeGreaterThan(0);
  // Only a revalidation of the remote identity may touch the network: no chunk bytes.
  expect(traffic.bytes, `requests: ${traffic.ranges.join(', ')}`).toBeLessThanOrEqual(64);
});

test('deleting the model in the cache manager makes the next load fetch it again', async ({ page }) => {
  await page.goto('/');
  await loadModel(page, DEFAULT_MODEL); // each test has a fresh browser context: cache the model first
  await expect(page.getByTestId('status')).toHaveText('ready');
  const row = page.getByTestId('cache-list').locator('tr', { hasText: DEFAULT_MODEL });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('100 %');
  await row.getByTestId('cache-delete').click();
  await expect(row).toHaveCount(0);
  const traffic = countModelTraffic(page, DEFAULT_MODEL);
  await loadModel(page, DEFAULT_MODEL);
  await expect(page.getByTestId('status')).toHaveText('ready');
  expect(Number(await page.getByTestId('progress').getAttribute('data-from-network'))).toBeGreaterThan(0);
  expect(traffic.bytes).toBeGreaterThan(1 << 20);
});

test('a URL that answers 404 shows an error with its code', async ({ page }) => {
  await page.goto('/');
  await loadModel(page, '/models/does-not-exist.gguf');
  await expect(page.getByTestId('status')).toHaveText('error');
  await expect(page.getByTestId('error')).toContainText('HTTP_STATUS');
  await expect(page.getByTestId('error')).toContainText('404');
});

test('a URL that serves an HTML page shows an error with its code', async ({ page }) => {
  await page.goto('/');
  await loadModel(page, '/index.html');
  await expect(page.getByTestId('status')).toHaveText('error');
  await expect(page.getByTestId('error')).toContainText('HTTP_NOT_MODEL');
});

test('a synthetic model made in OPFS by the page loads and pages like any other', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('synth-mib').fill('12');
  await page.getByTestId('synth-make').click();
  await expect(page.locator('#status-detail')).toContainText('stored in OPFS', { timeout: 60_000 });
  await page.getByTestId('budget').fill('4');
  await page.getByTestId('load').click();
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
  await expect(page.getByTestId('tensor-table')).toContainText('blk.0.attn_q.weight');
  await page.getByTestId('tokens').fill('2');
  await page.getByTestId('run').click();
  await expect(page.locator('#status-detail')).toContainText('loaded per token', { timeout: 60_000 });
  expect(await num(page, 'max-resident-bytes')).toBeLessThanOrEqual(4 * 2 ** 20);
});

test('a local GGUF file picked by the user is copied into OPFS and loads', async ({ page }) => {
  const fixture = new URL('../../../shared/fixtures/models/stories260K.gguf', import.meta.url);
  expect(existsSync(fixture), `${fileURLToPath(fixture)}: the shared fixtures belong beside the clone`).toBe(true);
  await page.goto('/');
  await page.getByTestId('model-file').setInputFiles(fileURLToPath(fixture));
  await expect(page.locator('#status-detail')).toContainText('stored in OPFS', { timeout: 30_000 });
  await page.getByTestId('load').click();
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 30_000 });
  await expect(page.getByTestId('metadata')).toContainText('llama, 5 blocks, 48 tensors');
});

test('the demo uses the library\'s default policy, and says which budget would fit pins that do not', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('kv-mib').fill('0');
  // 4 MiB: less than the default model's embeddings + output head (about 4.3 MiB), more than one block.
  await loadModel(page, DEFAULT_MODEL, 4);
  await expect(page.getByTestId('status')).toHaveText('ready');
  await page.getByTestId('pins').selectOption('head');
  await page.getByTestId('load').click();
  await expect(page.getByTestId('status')).toHaveText('error', { timeout: 60_000 });
  await expect(page.getByTestId('error')).toContainText('PAGER_PINS_OVER_BUDGET');
  await expect(page.getByTestId('error')).toContainText(/A budget of \d+ MiB would fit these pins/);
  const mib = Number(/A budget of (\d+) MiB/.exec((await page.getByTestId('error').textContent())!)![1]);
  await loadModel(page, DEFAULT_MODEL, mib);
  await expect(page.getByTestId('status')).toHaveText('ready');
});
