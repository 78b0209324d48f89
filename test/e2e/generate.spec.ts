import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

const STORIES = '/fixtures/stories260K.gguf';
const STORIES_BYTES = 1_185_376;
const ref = JSON.parse(readFileSync(new URL('../vectors/llama/stories260K-F32-kvf16.json', import.meta.url), 'utf8')) as { prompt: string; greedyText: string };

async function loadStories(page: Page, budgetMiB: number, kvMiB: number) {
  await page.goto('/');
  await page.getByTestId('model-url').fill(STORIES);
  await page.getByTestId('budget').fill(String(budgetMiB));
  await page.getByTestId('kv-mib').fill(String(kvMiB));
  await page.getByTestId('cache-store').selectOption('none');
  await page.getByTestId('load').click();
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 90_000 });
  await expect(page.getByTestId('gen-status')).toContainText('llama, context');
}

async function generate(page: Page, prompt: string, maxTokens: number) {
  await page.getByTestId('prompt').fill(prompt);
  await page.getByTestId('max-tokens').fill(String(maxTokens));
  await page.getByTestId('generate').click();
}

test.describe.configure({ mode: 'serial' });

test("stories260K under a budget smaller than the model generates llama.cpp's text", async ({ page }, info) => {
  await loadStories(page, 1, 0.25);
  expect(await page.getByTestId('budget-bytes').textContent()).toBe(String(2 ** 20));
  expect(2 ** 20).toBeLessThan(STORIES_BYTES);
  await generate(page, ref.prompt, 32);
  await expect(page.getByTestId('output')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('reply')).toContainText(ref.prompt + ref.greedyText);
  await expect(page.getByTestId('gen-stop')).toHaveText('maxTokens');
  expect(Number(await page.getByTestId('gen-tps').textContent())).toBeGreaterThan(0);
  const maxResident = Number(await page.getByTestId('max-resident-bytes').textContent());
  expect(maxResident).toBeLessThanOrEqual(2 ** 20);
  await page.screenshot({ path: info.outputPath('generated.png'), fullPage: true });
});

test('the stop button ends a generation with the reason abort', async ({ page }) => {
  await loadStories(page, 4, 1);
  await page.getByTestId('temperature').fill('1');
  await generate(page, 'Once upon a time', 1500);
  await expect(page.getByTestId('reply')).not.toHaveText('Once upon a time', { timeout: 30_000 });
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('output')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(page.getByTestId('gen-stop')).toHaveText('abort');
  expect(Number(await page.getByTestId('gen-count').textContent())).toBeLessThan(1500);
});

test('a chat of two turns computes only the new part of the second prompt', async ({ page }) => {
  await loadStories(page, 4, 1);
  await page.getByTestId('chat-mode').check();
  await generate(page, 'Tell me about Lily.', 16);
  await expect(page.getByTestId('output')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const firstTurn = await page.getByTestId('gen-prompt').textContent();
  await generate(page, 'What did she do next?', 16);
  // The state is still 'done' from the first turn until the second starts: wait for the second turn's own figures.
  await expect(page.getByTestId('reply')).toHaveCount(2);
  await expect(page.getByTestId('gen-prompt')).not.toHaveText(firstTurn!, { timeout: 60_000 });
  await expect(page.getByTestId('output')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const [computed, total] = (await page.getByTestId('gen-prompt').textContent())!.split(' of ').map(Number);
  expect(total).toBeGreaterThan(0);
  expect(computed).toBeLessThan(total);
});

test('the synthetic default model streams tokens under a budget smaller than it', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('model-url').fill('/models/default.gguf');
  await page.getByTestId('budget').fill('48');
  await page.getByTestId('kv-mib').fill('4');
  await page.getByTestId('cache-store').selectOption('none');
  await page.getByTestId('load').click();
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 90_000 });
  await expect(page.getByTestId('gen-status')).toContainText('llama, context');
  await generate(page, 'Hello', 8);
  await expect(page.getByTestId('output')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('gen-count')).toHaveText('8');
  await expect(page.getByTestId('gen-stop')).toHaveText('maxTokens');
  await expect(page.getByTestId('reply')).toContainText(/Hello.+/);
  expect(Number(await page.getByTestId('max-resident-bytes').textContent())).toBeLessThanOrEqual(48 * 2 ** 20);
});
