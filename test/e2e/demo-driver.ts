/**
 * Drives the demo's own controls from inside the page (a BarePage has no
 * Playwright locators): fill inputs, click buttons, wait for the status line.
 */
import type { BarePage } from './bare-chromium.ts';

const el = (testId: string) => `document.querySelector('[data-testid="${testId}"]')`;

export async function fill(page: BarePage, testId: string, value: string | number): Promise<void> {
  await page.eval(
    `(() => { const e = ${el(testId)}; e.value = ${JSON.stringify(String(value))}; e.dispatchEvent(new Event('input', { bubbles: true })); e.dispatchEvent(new Event('change', { bubbles: true })); })()`,
  );
}

export async function click(page: BarePage, testId: string): Promise<void> {
  await page.eval(`${el(testId)}.click()`);
}

export async function text(page: BarePage, testId: string): Promise<string> {
  return page.eval<string>(`${el(testId)}.textContent`);
}

/** Waits until the status reads one of `states`; throws with the error box's text on `error`. */
export async function waitStatus(page: BarePage, states: string[], timeoutMs = 90_000): Promise<string> {
  const s = await page.waitFor<string>(
    `(() => { const s = ${el('status')}.textContent; return ${JSON.stringify([...states, 'error'])}.includes(s) && s; })()`,
    timeoutMs,
  );
  if (s === 'error' && !states.includes('error')) throw new Error(`demo error: ${await text(page, 'error')}`);
  return s;
}

/** Loads `url` with the demo under `budgetMiB` and `kvMiB`; resolves when ready. */
export async function loadInDemo(page: BarePage, url: string, budgetMiB: number, kvMiB: number): Promise<void> {
  await fill(page, 'budget', budgetMiB);
  await fill(page, 'kv-mib', kvMiB);
  await fill(page, 'model-url', url);
  await click(page, 'load');
  await page.waitFor(`${el('status')}.textContent === 'loading'`, 10_000).catch(() => undefined);
  await waitStatus(page, ['ready']);
}

/** Runs `tokens` forward passes (paging the whole model each time) and waits for the summary. */
export async function runInDemo(page: BarePage, tokens: number): Promise<void> {
  await fill(page, 'tokens', tokens);
  await click(page, 'run');
  await page.waitFor(`document.querySelector('#status-detail').textContent.includes('loaded per token') || ${el('status')}.textContent === 'error'`, 120_000);
  await waitStatus(page, ['ready']);
}

/** Generates `maxTokens` tokens from `prompt` with the demo's prompt box; resolves when the run is done. */
export async function generateInDemo(page: BarePage, prompt: string, maxTokens: number): Promise<void> {
  await fill(page, 'prompt', prompt);
  await fill(page, 'max-tokens', maxTokens);
  await click(page, 'generate');
  await page.waitFor(`${el('output')}.dataset.state === 'running' || ${el('output')}.dataset.state === 'done'`, 10_000).catch(() => undefined);
  await page.waitFor(`${el('output')}.dataset.state === 'done' && ${el('gen-count')}.textContent === ${JSON.stringify(String(maxTokens))}`, 120_000);
}
