/**
 * Memory benchmark (npm run bench:memory [-- --json]): the tab's private
 * memory as a person sees it (renderer RssAnon, test/e2e/renderer-memory.ts)
 * at its peak over the open demo page, for models of 1x, 4x and 16x the budget:
 *
 *   download   first load over HTTP into OPFS, then forward passes
 *   cached     the same model loaded again from the cache, then passes
 *   opfs-file  a model generated in OPFS by the page (no server), then passes
 *
 * Target: flat, the 16x figure within 16 MiB of the 1x one, and
 * every figure <= budget + KV + 48 MiB (the named baseline: the ratio printed
 * is figure / that bound). Chromium is launched bare (no DevTools Network
 * domain, see test/e2e/bare-chromium.ts); the demo is built and served by
 * `vite preview` in this process. Figures are noisy on a shared machine.
 * `--smoke`: one 8 MiB model, the download case, one token (a check that it runs).
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import { sizedLlama } from '../src/authoring/synthetic-size.ts';
import { BareChromium, type BarePage } from '../test/e2e/bare-chromium.ts';
import { click, fill, loadInDemo, runInDemo } from '../test/e2e/demo-driver.ts';
import { MemorySampler, MiB } from '../test/e2e/renderer-memory.ts';
import { sized } from './smoke.ts';

const BUDGET_MIB = sized(32, 8);
const KV_MIB = 4;
const ratiosArg = process.argv.find((a) => a.startsWith('--ratios='));
const RATIOS = ratiosArg ? ratiosArg.slice(9).split(',').map(Number) : sized([1, 4, 16], [1]);
const trace = process.argv.includes('--trace');
const casesArg = process.argv.find((a) => a.startsWith('--cases='));
const CASES = casesArg ? casesArg.slice(8).split(',') : sized(['download', 'cached', 'opfs-file'], ['download']);
const TOKENS = sized(2, 1);
const LIMIT_MIB = BUDGET_MIB + KV_MIB + 48;
const json = process.argv.includes('--json');
const log = (m: string) => {
  if (!json) process.stdout.write(m + '\n');
};
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

// The repository root, from dist/bench/ or bench/.
const root = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../' : '../', import.meta.url));

function ensureModel(mib: number): string {
  const name = `bench-${mib}MiB.gguf`;
  const out = `${root}build/models/${name}`;
  const model = sizedLlama(mib * MiB, { name: `bench-${mib}`, seed: 3 });
  if (existsSync(out) && statSync(out).size === model.size) return name;
  mkdirSync(`${root}build/models`, { recursive: true });
  const fd = openSync(`${out}.partial`, 'w');
  try {
    for (const c of model.chunks(4 * MiB)) writeSync(fd, c);
  } finally {
    closeSync(fd);
  }
  renameSync(`${out}.partial`, out);
  return name;
}

async function openPage(s: MemorySampler): Promise<number> {
  await sleep(1500);
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    xs.push(s.now());
    await sleep(200);
  }
  return xs.sort((a, b) => a - b)[2];
}

async function peakOver(pid: number, action: () => Promise<void>): Promise<number> {
  const s = new MemorySampler(pid);
  const base = await openPage(s);
  s.start();
  try {
    await action();
  } finally {
    s.stop();
  }
  if (trace) log(s.samples.map((x) => ((x.bytes - base) / MiB).toFixed(0)).join(' '));
  return (s.peak - base) / MiB;
}

async function fresh(page: BarePage, url: string): Promise<void> {
  await page.navigate(url);
  await page.waitFor(`!!document.querySelector('[data-testid="load"]')`, 10_000);
}

const configFile = `${root}vite.config.ts`;
await build({ configFile, logLevel: 'warn' });
const server = await preview({ configFile, logLevel: 'warn', preview: { port: 0, host: '127.0.0.1', strictPort: false } });
const base = server.resolvedUrls?.local[0]?.replace(/\/$/, '') ?? '';
const rows: Array<{ case: string; ratio: number; modelMiB: number; peakMiB: number }> = [];
try {
  for (const r of RATIOS) {
    const mib = r * BUDGET_MIB;
    const name = ensureModel(mib);
    const b = await BareChromium.launch();
    try {
      const page = await b.open(`${base}/`);
      await fresh(page, `${base}/`);
      await click(page, 'cache-clear');
      const url = `/models/${name}`;
      if (CASES.includes('download') || CASES.includes('cached')) {
        // the cached case loads what the download stored
        const peakMiB = await peakOver(b.pid, async () => {
          await loadInDemo(page, url, BUDGET_MIB, KV_MIB);
          await runInDemo(page, TOKENS);
        });
        if (CASES.includes('download')) rows.push({ case: 'download', ratio: r, modelMiB: mib, peakMiB });
      }
      if (CASES.includes('cached')) {
        await fresh(page, `${base}/`);
        rows.push({
          case: 'cached',
          ratio: r,
          modelMiB: mib,
          peakMiB: await peakOver(b.pid, async () => {
            await loadInDemo(page, url, BUDGET_MIB, KV_MIB);
            await runInDemo(page, TOKENS);
          }),
        });
      }
      if (CASES.includes('opfs-file')) {
        await fresh(page, `${base}/`);
        await fill(page, 'synth-mib', mib);
        await click(page, 'synth-make');
        await page.waitFor(`document.querySelector('#status-detail').textContent.includes('stored in OPFS')`, 120_000);
        rows.push({
          case: 'opfs-file',
          ratio: r,
          modelMiB: mib,
          peakMiB: await peakOver(b.pid, async () => {
            await fill(page, 'budget', BUDGET_MIB);
            await fill(page, 'kv-mib', KV_MIB);
            await click(page, 'load');
            await page.waitFor(`['ready', 'error'].includes(document.querySelector('[data-testid="status"]').textContent)`, 120_000);
            await runInDemo(page, TOKENS);
          }),
        });
      }
      log(
        `${mib} MiB (${r}x): ${rows
          .filter((x) => x.ratio === r)
          .map((x) => `${x.case} +${x.peakMiB.toFixed(1)} MiB`)
          .join(', ')}`,
      );
    } finally {
      await b.close();
    }
  }
} finally {
  await new Promise<void>((ok) => server.httpServer.close(() => ok()));
}

const summary = CASES.map((c) => {
  const xs = rows.filter((x) => x.case === c);
  const growth = xs.at(-1)!.peakMiB - xs[0].peakMiB;
  const worst = Math.max(...xs.map((x) => x.peakMiB));
  return {
    case: c,
    peaksMiB: xs.map((x) => Number(x.peakMiB.toFixed(1))),
    growth16xMiB: Number(growth.toFixed(1)),
    worstVsLimit: Number((worst / LIMIT_MIB).toFixed(2)),
    flat: growth <= 16,
    withinLimit: worst <= LIMIT_MIB,
  };
});
if (json) {
  process.stdout.write(JSON.stringify({ bench: 'memory', budgetMiB: BUDGET_MIB, kvMiB: KV_MIB, limitMiB: LIMIT_MIB, ratios: RATIOS, summary }) + '\n');
} else {
  log(`\npeak renderer private memory over the open page; budget ${BUDGET_MIB} MiB, KV ${KV_MIB} MiB, limit budget + KV + 48 = ${LIMIT_MIB} MiB`);
  log(`| case | ${RATIOS.map((r) => `${r}x (${r * BUDGET_MIB} MiB)`).join(' | ')} | 16x - 1x | worst / limit |`);
  log(`| --- | ${RATIOS.map(() => '---').join(' | ')} | --- | --- |`);
  for (const s of summary) {
    log(
      `| ${s.case} | ${s.peaksMiB.map((p) => `+${p} MiB`).join(' | ')} | ${s.growth16xMiB >= 0 ? '+' : ''}${s.growth16xMiB} MiB ${s.flat ? '(flat)' : '(GROWS)'} | ${s.worstVsLimit} ${s.withinLimit ? '' : '(OVER)'} |`,
    );
  }
}
