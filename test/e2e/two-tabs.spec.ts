/**
 * Two tabs of the demo (two pages of one browser context) load the same model
 * at once: the second waits for the first's download and reads the cached
 * bytes; the model is downloaded once. Deleting it while the other tab reads
 * is CACHE_IN_USE for the deleter, and the reader goes on.
 */
import { expect, test, type Page } from '@playwright/test';

const SIZE_MIB = 96;

function countModelBytes(pages: Page[], path: string) {
  const seen = { bytes: 0 };
  for (const page of pages) {
    page.on('requestfinished', async (req) => {
      if (!new URL(req.url()).pathname.endsWith(path)) return;
      const sizes = await req.sizes().catch(() => null);
      if (sizes) seen.bytes += sizes.responseBodySize;
    });
  }
  return seen;
}

async function startLoad(page: Page, url: string) {
  await page.getByTestId('model-url').fill(url);
  await page.getByTestId('budget').fill('24');
  await page.getByTestId('load').click();
}

async function ready(page: Page) {
  await expect(page.getByTestId('status')).toHaveText(/^(ready|error)$/, { timeout: 90_000 });
  await expect(page.getByTestId('error')).toBeHidden();
  await expect(page.getByTestId('status')).toHaveText('ready');
  return Number(await page.getByTestId('progress').getAttribute('data-from-network'));
}

test('two tabs loading the same URL at once: one downloads, the other waits and reads the cache; bytes fetched once', async ({ context }) => {
  const [a, b] = [await context.newPage(), await context.newPage()];
  await a.goto('/');
  await b.goto('/');
  await a.getByTestId('cache-clear').click();
  const url = `/models/fault/slow/1/default.gguf?t=${Date.now()}`; // slow enough that the second load starts mid-download
  const seen = countModelBytes([a, b], 'default.gguf');
  await startLoad(a, url);
  await expect(a.getByTestId('progress-text')).toContainText('download', { timeout: 30_000 });
  await startLoad(b, url);
  const [netA, netB] = await Promise.all([ready(a), ready(b)]);
  expect(netA).toBeGreaterThan(SIZE_MIB * 2 ** 20 * 0.99);
  expect(netB).toBe(0);
  expect(seen.bytes).toBeLessThan(SIZE_MIB * 2 ** 20 * 1.05); // never downloaded twice
  // Both page it.
  for (const p of [a, b]) {
    await p.getByTestId('tokens').fill('2');
    await p.getByTestId('run').click();
  }
  for (const p of [a, b]) await expect(p.locator('#status-detail')).toContainText('loaded per token', { timeout: 60_000 });
});

test('after a download, a second tab opens the cached model while the first reads it; deleting it there is CACHE_IN_USE', async ({ context }) => {
  const [a, b] = [await context.newPage(), await context.newPage()];
  await a.goto('/');
  await a.getByTestId('cache-clear').click();
  const url = `/models/default.gguf?t=${Date.now()}`;
  await startLoad(a, url);
  expect(await ready(a)).toBeGreaterThan(0);
  await b.goto('/');
  await startLoad(b, url);
  expect(await ready(b)).toBe(0);
  // Tab b deletes the model: tab a has it open, so b is told why it cannot.
  const row = b.getByTestId('cache-list').locator('tr', { hasText: url });
  await expect(row).toHaveCount(1);
  await row.getByTestId('cache-delete').click();
  await expect(b.getByTestId('storage-estimate')).toContainText('CACHE_IN_USE');
  // Both read on, unharmed: the refusal came before tab b unloaded its own model.
  for (const p of [a, b]) {
    await p.getByTestId('tokens').fill('2');
    await p.getByTestId('run').click();
  }
  for (const p of [a, b]) await expect(p.locator('#status-detail')).toContainText('loaded per token', { timeout: 60_000 });
});
