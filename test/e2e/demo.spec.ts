import { expect, test, type Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
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

const STORIES = '/fixtures/stories260K.gguf';
const STORIES_WEIGHTS = 1_171_200;
const stories = JSON.parse(readFileSync(new URL('../vectors/llama/stories260K-F32-kvf16.json', import.meta.url), 'utf8')) as {
  prompt: string;
  greedyText: string;
};

test('the page opens on stories260K with about half its weights as the budget and a 2048-token KV, pages it and writes English', async ({ page }, info) => {
  await page.goto('/');
  await expect(page.getByTestId('model-url')).toHaveValue(STORIES);
  await expect(page.getByTestId('budget-note')).toContainText("about half of stories260K.gguf's 1.12 MiB of weights");
  // 0.56 MiB of weights + 1.5 MiB of f16 KV pages for 2048 tokens (6 × 32 pages of 8 KiB) + the engine's scratch, in 64 KiB.
  await expect(page.getByTestId('budget')).toHaveValue('2.25');
  await expect(page.getByTestId('kv-mib')).toHaveValue('1.5');
  await page.getByTestId('cache-clear').click();
  await page.getByTestId('load').click();
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 90_000 });
  expect(await page.getByTestId('progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(100);
  await expect(page.getByTestId('tensor-table')).toContainText('token_embd.weight');
  await expect(page.getByTestId('kv-stats')).toContainText('192 pages of 4096 elements, 0 in use');
  await expect(page.getByTestId('gen-status')).toContainText('llama, context 2048 tokens');
  await page.getByTestId('prompt').fill(stories.prompt);
  await page.getByTestId('max-tokens').fill('32');
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('output')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('reply')).toContainText(stories.prompt + stories.greedyText);
  // It paged: never the whole model resident, and tensors loaded again and again.
  expect(await num(page, 'max-resident-bytes')).toBeLessThan(STORIES_WEIGHTS);
  // The stats panel refreshes on a timer: wait for the figures of the finished generation.
  await expect.poll(async () => Number((await page.getByTestId('hits-misses').textContent())!.split('/')[1]), { timeout: 15_000 }).toBeGreaterThan(48);
  await page.screenshot({ path: info.outputPath('first-visit.png'), fullPage: true });
});

test('the big synthetic model is one click away, with about half of it as the budget', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('pick-synthetic').click();
  await expect(page.getByTestId('status')).toHaveText(/^(ready|error)$/, { timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveText('ready');
  await expect(page.getByTestId('model-url')).toHaveValue(DEFAULT_MODEL);
  await expect(page.getByTestId('budget-note')).toContainText('about half of default.gguf');
  await page.getByTestId('tokens').fill('2');
  await page.getByTestId('run').click();
  await expect(page.locator('#status-detail')).toContainText('loaded per token', { timeout: 90_000 });
  const weights = Number(/(\d+(?:\.\d+)?) MiB of weights/.exec((await page.getByTestId('budget-note').textContent())!)![1]) * 2 ** 20;
  expect(await num(page, 'max-resident-bytes')).toBeLessThanOrEqual(weights * 0.55);
  expect(Number((await page.getByTestId('hits-misses').textContent())!.split('/')[1])).toBeGreaterThan(0);
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
  const sampler = setInterval(
    () =>
      void num(page, 'resident-bytes')
        .then((n) => samples.push(n))
        .catch(() => {}),
    50,
  );
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
  // The page computed its defaults from the header before the reload and remembers them (web/defaults.ts): no header read again.
  await page.goto('/');
  await loadModel(page, DEFAULT_MODEL, 24);
  await expect(page.getByTestId('status')).toHaveText('ready');
  await page.reload();
  const traffic = countModelTraffic(page, DEFAULT_MODEL);
  await loadModel(page, DEFAULT_MODEL, 24);
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
  await loadModel(page, DEFAULT_MODEL, 24); // each test has a fresh browser context: cache the model first
  await expect(page.getByTestId('status')).toHaveText('ready');
  const row = page.getByTestId('cache-list').locator('tr', { hasText: DEFAULT_MODEL });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('100 %');
  await row.getByTestId('cache-delete').click();
  await expect(row).toHaveCount(0);
  const traffic = countModelTraffic(page, DEFAULT_MODEL);
  await loadModel(page, DEFAULT_MODEL, 24);
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

test("the demo uses the library's default policy, and says which budget would fit pins that do not", async ({ page }) => {
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
