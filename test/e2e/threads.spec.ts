/**
 * Threads as a person meets them in the demo. The isolated page (the config's
 * server sends COOP/COEP) computes on every core with 'auto' and lets a person
 * compare 1 and 2 threads; the same built demo served WITHOUT those headers
 * (a second `vite preview` started here) computes on one thread whatever is
 * asked, says why, and generates the very same ids.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { preview, type PreviewServer } from 'vite';
import { modelsPlugin } from '../../scripts/models-plugin.ts';

const STORIES = '/fixtures/stories260K.gguf';
const STORIES_BYTES = 1_185_376;
const ref = JSON.parse(readFileSync(new URL('../vectors/llama/stories260K-F32-kvf16.json', import.meta.url), 'utf8')) as { prompt: string; greedyText: string };
const TOKENS = 24;

let plain: PreviewServer;
let plainUrl: string;

test.beforeAll(async () => {
  // The demo the config's webServer built (dist-web), served as it is but with no isolation headers.
  plain = await preview({
    configFile: false,
    root: fileURLToPath(new URL('../../web', import.meta.url)),
    plugins: [modelsPlugin()],
    build: { outDir: '../dist-web' },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
    logLevel: 'warn',
  });
  plainUrl = plain.resolvedUrls!.local[0];
});

test.afterAll(async () => {
  await plain?.close();
});

test.describe.configure({ mode: 'serial' });

/** Chooses `threads` (re-creating the runtime), loads stories260K paged through 1 MiB, and returns the threads computing. */
async function loadWithThreads(page: Page, threads: string): Promise<number> {
  await page.getByTestId('model-url').fill(STORIES);
  await page.getByTestId('budget').fill('1');
  await page.getByTestId('kv-mib').fill('0.25');
  await page.getByTestId('cache-store').selectOption('none');
  await page.getByTestId('threads-choice').selectOption(threads);
  // With a model loaded, another choice reloads it by itself; else the person presses Load.
  if ((await page.getByTestId('status').textContent()) !== 'loading') await page.getByTestId('load').click();
  await expect(page.getByTestId('status')).toHaveText(/^(ready|error)$/, { timeout: 90_000 });
  await expect(page.getByTestId('error')).toBeHidden();
  await expect(page.getByTestId('status')).toHaveText('ready');
  expect(Number(await page.getByTestId('budget-bytes').textContent())).toBeLessThan(STORIES_BYTES);
  return Number(await page.getByTestId('threads').getAttribute('data-threads'));
}

/** Generates greedily from the reference prompt; returns the generated ids. */
async function generateIds(page: Page): Promise<number[]> {
  await page.getByTestId('prompt').fill(ref.prompt);
  await page.getByTestId('max-tokens').fill(String(TOKENS));
  await page.getByTestId('temperature').fill('0');
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('output')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('output')).toHaveAttribute('data-ids', /\d/);
  await expect(page.getByTestId('gen-count')).toHaveText(String(TOKENS));
  return (await page.getByTestId('output').getAttribute('data-ids'))!.split(',').map(Number);
}

let isolatedIds: number[] = [];

test('the isolated demo computes on every core with auto, and compares 1 and 2 threads side by side', async ({ page }, info) => {
  test.setTimeout(300_000);
  await page.goto('/');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  expect(await loadWithThreads(page, 'auto')).toBe(Math.min(cores, 8));
  expect(Math.min(cores, 8)).toBeGreaterThanOrEqual(2); // this machine has 2 cores
  await expect(page.getByTestId('threads-line')).toHaveAttribute('data-reason', '');
  await expect(page.getByTestId('threads-line')).toHaveText(`${Math.min(cores, 8)} (asked: 'auto')`);

  expect(await loadWithThreads(page, '2')).toBe(2);
  isolatedIds = await generateIds(page);
  expect(isolatedIds).toHaveLength(TOKENS);
  await expect(page.getByTestId('reply')).toContainText(ref.prompt + ref.greedyText.slice(0, 40));

  // The person switches to 1 thread: the runtime is re-created and the model reloaded by the change alone.
  await page.getByTestId('threads-choice').selectOption('1');
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 90_000 });
  await expect(page.getByTestId('threads')).toHaveAttribute('data-threads', '1');
  expect(await generateIds(page)).toEqual(isolatedIds);

  const rows = page.getByTestId('threads-rows').locator('tr');
  await expect(rows).toHaveCount(2);
  for (const [i, threads] of [
    [0, '1'],
    [1, '2'],
  ] as const) {
    const cells = await rows.nth(i).locator('td').allTextContents();
    expect(cells[0]).toBe(threads);
    expect(Number.parseFloat(cells[1])).toBeGreaterThan(0); // prompt tok/s, measured
    expect(Number.parseFloat(cells[2])).toBeGreaterThan(0); // decode tok/s, measured
    expect(cells[3]).toMatch(new RegExp(`^\\d+ / ${TOKENS}$`));
  }
  expect(await rows.nth(1).locator('td').nth(2).textContent()).toMatch(/\(\d+\.\d\d×\)$/); // 2 threads against 1
  await expect(page.getByTestId('threads-compare-note')).toContainText('stories260K.gguf');
  await page.screenshot({ path: info.outputPath('isolated-1-vs-2.png'), fullPage: true });
});

test('a page without COOP/COEP computes on 1 thread, says why, and generates the same ids', async ({ page }, info) => {
  test.setTimeout(300_000);
  expect(isolatedIds).toHaveLength(TOKENS);
  const response = await page.goto(plainUrl);
  expect(response!.headers()['cross-origin-opener-policy']).toBeUndefined();
  expect(response!.headers()['cross-origin-embedder-policy']).toBeUndefined();
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);

  for (const asked of ['auto', '2']) {
    expect(await loadWithThreads(page, asked), `threads: ${asked}`).toBe(1);
    // 'auto' on a one-core machine would say that instead; this machine has 2.
    if (asked === '2' || cores > 1) await expect(page.getByTestId('threads-line')).toHaveAttribute('data-reason', /not cross-origin isolated/);
    expect(await generateIds(page), `threads: ${asked}`).toEqual(isolatedIds);
  }
  await expect(page.getByTestId('reply')).toContainText(ref.prompt + ref.greedyText.slice(0, 40));
  await page.screenshot({ path: info.outputPath('not-isolated.png'), fullPage: true });
});
