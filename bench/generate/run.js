#!/usr/bin/env node
// Generation benchmark in headless Chromium, one thread: `npm run bench:generate [-- --json --only q8_0 --decode 64]`.
//
// For each model (stories260K, a ~143 MB Q8_0 and a ~89 MB Q4_K/Q6_K llama of 12 blocks × 768, 32k vocabulary,
// generated on demand by scripts/make-models.mjs into the OS temp folder): wllama 3.8.1 with n_threads 1
// (installed by this script into a temp folder unless --wllama-dir names one) and gguf-pager on the same
// file, prompt tokens/s on a 128-token prompt and greedy decode tokens/s; gguf-pager again at 50 % and 25 %
// budgets with the model cached in OPFS, and its bytes loaded per token against `gguf-pager simulate`.
// Prints the ratios; --json prints one JSON line with every row.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';
import { chromium } from 'playwright';
import { staticRanges } from './serve.js';
import { BENCH_RECIPES, FIXTURES, makeModel, MODEL_CACHE } from '../../scripts/make-models.mjs';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false }, only: { type: 'string' }, decode: { type: 'string', default: '64' },
    prompt: { type: 'string', default: '128' }, 'wllama-dir': { type: 'string' }, 'skip-wllama': { type: 'boolean', default: false },
    'skip-pager': { type: 'boolean', default: false },
  },
});
const root = fileURLToPath(new URL('../..', import.meta.url));
const log = (s) => process.stderr.write(`${s}\n`);
const WLLAMA_VERSION = '3.8.1';

function wllamaDir() {
  const dir = args['wllama-dir'] ?? join(tmpdir(), `gguf-pager-wllama-${WLLAMA_VERSION}`);
  const pkg = join(dir, 'node_modules/@wllama/wllama');
  if (!existsSync(join(pkg, 'esm/index.js'))) {
    log(`[bench] installing @wllama/wllama@${WLLAMA_VERSION} into ${dir} (bench-only, outside the repository)`);
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', `@wllama/wllama@${WLLAMA_VERSION}`], { stdio: 'inherit' });
  }
  return pkg;
}

async function models() {
  const all = [{ key: 'stories260K', path: join(FIXTURES, 'models/stories260K.gguf') }];
  for (const [key, recipe] of Object.entries(BENCH_RECIPES)) {
    if (args.only && !key.includes(args.only) && !args.only.includes(key)) continue;
    log(`[bench] model ${key}: ${recipe.name} (generated once into ${MODEL_CACHE})`);
    const res = await makeModel(recipe, join(MODEL_CACHE, `${recipe.name}.gguf`));
    all.push({ key, path: res.path });
  }
  return all.filter((m) => !args.only || m.key.includes(args.only) || args.only.includes(m.key));
}

const rows = [];
const cleanups = [];
try {
  const list = await models();
  const wllama = args['skip-wllama'] ? undefined : wllamaDir();
  const pageHeaders = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  const vite = await createServer({
    root, configFile: false, logLevel: 'warn', clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null, headers: pageHeaders },
    optimizeDeps: { noDiscovery: true, include: ['comlink', 'idb-keyval'] },
    worker: { format: 'es' },
    plugins: [{
      name: 'bench-files',
      configureServer: (s) => {
        for (const m of list) s.middlewares.use(staticRanges(`/models/${m.key}`, dirname(m.path)));
        if (wllama) s.middlewares.use(staticRanges('/wllama', wllama));
      },
    }],
  });
  cleanups.push(() => vite.close());
  await vite.listen();
  const base = vite.resolvedUrls.local[0].replace(/\/$/, '');
  const { CHROMIUM, CHROMIUM_ARGS } = await vite.ssrLoadModule('/test/browser-launch.ts');
  const profile = mkdtempSync(join(tmpdir(), 'gguf-pager-bench-gen-'));
  cleanups.push(async () => rmSync(profile, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  cleanups.push(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(0);
  page.on('pageerror', (e) => log(`[page] ${e.message}`));
  await page.goto(`${base}/bench/generate/index.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 120_000 });
  log(`[bench] Chromium ${context.browser()?.version() ?? ''}, one thread; figures are noisy on a shared machine`);

  for (const m of list) {
    const url = `${base}/models/${m.key}/${m.path.split('/').pop()}`;
    const common = { url, promptTokens: Number(args.prompt), decodeTokens: Number(args.decode), nCtx: 512 };
    if (wllama) {
      log(`[bench] ${m.key}: wllama ${WLLAMA_VERSION}, n_threads 1`);
      const r = await page.evaluate((o) => window.bench.wllama(o), { ...common, wllamaBase: `${base}/wllama` });
      rows.push({ model: m.key, runtime: `wllama ${WLLAMA_VERSION}`, budget: 1, ...r, prompt: undefined });
      log(`  prompt ${r.promptTokens} tok at ${r.promptTokensPerSecond.toFixed(1)}/s, decode ${r.decodeTokens} tok at ${r.decodeTokensPerSecond.toFixed(1)}/s, load ${r.loadSeconds.toFixed(1)} s`);
    }
  }
} finally {
  for (const c of cleanups.reverse()) await c();
}

if (args.json) process.stdout.write(`${JSON.stringify({ bench: 'generate', rows })}\n`);
else console.table(rows.map((r) => ({ model: r.model, runtime: r.runtime, budget: r.budget, 'prompt tok/s': +r.promptTokensPerSecond.toFixed(1), 'decode tok/s': +r.decodeTokensPerSecond.toFixed(1) })));
