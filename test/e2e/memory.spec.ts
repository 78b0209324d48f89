/**
 * The tab's private memory as a person sees it (renderer RssAnon, see
 * renderer-memory.ts) while the demo downloads a model 8x its budget into
 * OPFS and pages it, then loads it again from the cache and pages it: the peak
 * over the open page stays within budget + KV + 48 MiB. Chromium runs without
 * Playwright's instrumentation (bare-chromium.ts explains why).
 */
import { expect, test } from '@playwright/test';
import { BareChromium, type BarePage } from './bare-chromium.ts';
import { click, generateInDemo, loadInDemo, runInDemo } from './demo-driver.ts';
import { MemorySampler, MiB, mib } from './renderer-memory.ts';

const MODEL = '/models/default.gguf'; // 96 MiB
const BUDGET_MIB = 12; // the model is 8x the budget
const KV_MIB = 4;
const SLACK_MIB = 48;
const LIMIT = (BUDGET_MIB + KV_MIB + SLACK_MIB) * MiB;

test.describe.configure({ mode: 'serial' });

let b: BareChromium;
let page: BarePage;
test.beforeAll(async () => {
  b = await BareChromium.launch();
});
test.afterAll(async () => {
  await b?.close();
});

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** The open page's figure: the median of five samples once it has settled. */
async function openPageBytes(s: MemorySampler): Promise<number> {
  await sleep(1500);
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    xs.push(s.now());
    await sleep(200);
  }
  return xs.sort((x, y) => x - y)[2];
}

async function measure(what: string, action: () => Promise<void>): Promise<number> {
  const s = new MemorySampler(b.pid);
  const base = await openPageBytes(s);
  s.start();
  try {
    await action();
  } finally {
    s.stop();
  }
  const peak = s.peak - base;
  test.info().annotations.push({
    type: 'memory',
    description: `${what}: open page ${mib(base)}, peak +${mib(peak)}, after +${mib(s.last - base)} (limit +${mib(LIMIT)}, ${s.samples.length} samples)`,
  });
  return peak;
}

test('downloading a model 8x the budget into OPFS and paging it keeps the tab within budget + KV + 48 MiB', async ({ baseURL }) => {
  page = await b.open(`${baseURL}/`);
  await page.waitFor(`!!document.querySelector('[data-testid="cache-clear"]')`, 10_000);
  await click(page, 'cache-clear');
  const peak = await measure('first load + 8 passes', async () => {
    await loadInDemo(page, MODEL, BUDGET_MIB, KV_MIB);
    await runInDemo(page, 8);
  });
  expect(peak).toBeLessThanOrEqual(LIMIT);
});

test('loading it again from the cache and paging it stays within the same bound', async ({ baseURL }) => {
  await page.navigate(`${baseURL}/`);
  const peak = await measure('cached load + 8 passes', async () => {
    await loadInDemo(page, MODEL, BUDGET_MIB, KV_MIB);
    expect(Number(await page.eval(`document.querySelector('[data-testid="progress"]').dataset.fromNetwork`))).toBe(0);
    await runInDemo(page, 8);
  });
  expect(peak).toBeLessThanOrEqual(LIMIT);
});

test('generating 16 tokens from it, loaded from the cache, stays within the same bound', async ({ baseURL }) => {
  await page.navigate(`${baseURL}/`);
  const peak = await measure('cached load + 16 generated tokens', async () => {
    await loadInDemo(page, MODEL, BUDGET_MIB, KV_MIB);
    await generateInDemo(page, 'Once upon a time', 16);
  });
  expect(peak).toBeLessThanOrEqual(LIMIT);
});

test("the demo shows the browser's own measure of its memory (measureUserAgentSpecificMemory, cross-origin isolated)", async () => {
  expect(await page.eval('crossOriginIsolated')).toBe(true);
  const shown = await page.waitFor<string>(`document.querySelector('#ua-memory').dataset.bytes`, 30_000);
  expect(Number(shown)).toBeGreaterThan(100 * 1024);
  expect(await page.eval(`document.querySelector('#ua-memory').textContent`)).toMatch(/MiB|KiB/);
});
