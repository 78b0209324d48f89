#!/usr/bin/env node
// Generation benchmark in headless Chromium, one thread: `npm run bench:generate [-- --json --only q8_0 --decode 64 --prefetch 0]`.
// `--threads 1,2`: also the rows at each thread count (100 % budget): gguf-pager in the isolated page and in Node
// (one process, the thread counts' runs alternated: bench/generate/node-threads.js), wllama at n_threads N on its isolated page; prints N-vs-1 ratios and the
// scaling efficiency (ratio ÷ N).
//
// For each model (stories260K, a ~143 MB Q8_0 and a ~89 MB Q4_K/Q6_K llama of 12 blocks × 768, 32k vocabulary,
// generated on demand by scripts/make-models.mjs into the OS temp folder): wllama 3.8.1 with n_threads 1
// (installed by this script into a temp folder unless --wllama-dir names one) and gguf-pager on the same
// file, prompt tokens/s on a 128-token prompt and greedy decode tokens/s; gguf-pager again at 50 % and 25 %
// budgets with the model cached in OPFS (pins none, --prefetch groups ahead, default 0), and its bytes loaded per
// token against `gguf-pager simulate`.
// gguf-pager rows report the median of --runs timed generations (default 3; wllama: one).
// Prints the ratios; --json prints one JSON line with every row.
// --smoke: stories260K only, a 16-token prompt, 4 decoded tokens, one run, 1 and 2 threads, budgets 100 % and 50 %; wllama only when
// already installed (--wllama-dir, or the temp folder of an earlier run): the smoke never installs it. A failed row
// fails the process.
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
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    decode: { type: 'string', default: '64' },
    prompt: { type: 'string', default: '128' },
    'wllama-dir': { type: 'string' },
    'skip-wllama': { type: 'boolean', default: false },
    'skip-pager': { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    prefetch: { type: 'string', default: '0' },
    smoke: { type: 'boolean', default: false },
    threads: { type: 'string', default: '1' },
  },
});
if (args.smoke) Object.assign(args, { only: 'stories260K', prompt: '16', decode: '4', runs: '1', threads: '1,2' });
const root = fileURLToPath(new URL('../..', import.meta.url));
const log = (s) => process.stderr.write(`${s}\n`);
const WLLAMA_VERSION = '3.8.1';
const THREADS = args.threads.split(',').map(Number);
if (THREADS.some((t) => !Number.isInteger(t) || t < 1)) throw new Error(`--threads takes a list of thread counts like 1,2, not ${args.threads}`);
const EXTRA_THREADS = THREADS.filter((t) => t > 1);

function wllamaDir() {
  const dir = args['wllama-dir'] ?? join(tmpdir(), `gguf-pager-wllama-${WLLAMA_VERSION}`);
  const pkg = join(dir, 'node_modules/@wllama/wllama');
  if (!existsSync(join(pkg, 'esm/index.js'))) {
    if (args.smoke) {
      log(`[bench] smoke: @wllama/wllama is not installed in ${dir} (not a dependency of the repository): gguf-pager rows only`);
      return undefined;
    }
    log(`[bench] installing @wllama/wllama@${WLLAMA_VERSION} into ${dir} (bench-only, outside the repository)`);
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', `@wllama/wllama@${WLLAMA_VERSION}`], { stdio: ['ignore', 2, 2] }); // stdout stays for --json
  }
  return pkg;
}

async function models() {
  const all = [{ key: 'stories260K', path: join(FIXTURES, 'models/stories260K.gguf') }];
  for (const [key, recipe] of Object.entries(BENCH_RECIPES)) {
    if (recipe.arch === 'bert') continue; // an encoder: it embeds, it does not generate (npm run bench:embed)
    if (args.only && !key.includes(args.only) && !args.only.includes(key)) continue;
    log(`[bench] model ${key}: ${recipe.name} (generated once into ${MODEL_CACHE})`);
    const res = await makeModel(recipe, join(MODEL_CACHE, `${recipe.name}.gguf`));
    all.push({ key, path: res.path });
  }
  return all.filter((m) => !args.only || m.key.includes(args.only) || args.only.includes(m.key));
}

const SEED =
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her friends and her dog. One day, she found a shiny red ball under a big tree. ';

/** A text the model's own tokenizer (src/text, llama.cpp-exact) makes exactly `n` tokens of, BOS included (or the longest below). */
async function promptText(path, n) {
  const dist = join(root, 'dist/src');
  const [{ parseGguf }, { FileSource }, { createTokenizer }] = await Promise.all([
    import(join(dist, 'gguf/parse.js')),
    import(join(dist, 'sources/file.js')),
    import(join(dist, 'text/index.js')),
  ]);
  const src = await FileSource.open(path);
  const tok = createTokenizer((await parseGguf(src)).metadata);
  await src.close?.();
  const words = SEED.repeat(Math.ceil(n / 8))
    .trim()
    .split(' ');
  let lo = 1;
  let hi = words.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (tok.encode(words.slice(0, mid).join(' ')).length <= n) lo = mid;
    else hi = mid - 1;
  }
  const text = words.slice(0, lo).join(' ');
  return { text, tokens: tok.encode(text).length };
}

/** Model shape (for the KV pool and scratch sizes) from the GGUF header. */
async function shapeOf(path) {
  const [{ parseGguf }, { FileSource }] = await Promise.all([import(join(root, 'dist/src/gguf/parse.js')), import(join(root, 'dist/src/sources/file.js'))]);
  const src = await FileSource.open(path);
  const m = await parseGguf(src);
  await src.close?.();
  const arch = m.metadata.get('general.architecture');
  const get = (k) => Number(m.metadata.get(`${arch}.${k}`));
  const embd = get('embedding_length');
  const heads = get('attention.head_count');
  const kvHeads = Number(m.metadata.get(`${arch}.attention.head_count_kv`) ?? heads);
  return {
    tensorBytes: m.totalTensorBytes,
    tensors: m.tensors.length,
    layers: get('block_count'),
    embd,
    ff: get('feed_forward_length'),
    kvDim: Number(m.metadata.get(`${arch}.attention.key_length`) ?? embd / heads) * kvHeads,
    vocab: m.metadata.get('tokenizer.ggml.tokens').length,
  };
}

/** KV pool bytes for `ctx` tokens (f16 pages of 4096 elements, the runtime's default), and the engine's scratch with slack. */
function poolSizes(sh, ctx) {
  const pageElems = 4096;
  const perPage = Math.floor(pageElems / (2 * sh.kvDim));
  const kvBytes = sh.layers * Math.ceil(ctx / perPage) * pageElems * 2 + (1 << 20);
  const reserveBytes = 4 * (32 * (10 * sh.embd + 2 * sh.ff) + sh.vocab + ctx) + sh.tensors * 64 + (8 << 20);
  return { kvBytes, reserveBytes };
}

/** `gguf-pager simulate`'s prediction for the policy the bench loads with (pins none, prefetch --prefetch). */
function simulateBytesPerToken(path, budget) {
  const out = execFileSync(
    'node',
    [
      join(root, 'dist/src/cli/main.js'),
      'simulate',
      path,
      '--budget',
      String(budget),
      '--pins',
      'none',
      '--prefetch',
      args.prefetch,
      '--tokens',
      '8',
      '--json',
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').pop()).steadyBytesPerToken;
}

/**
 * The Node rows: every thread count in one process, warm, run in turn --runs times (at least 5) on the prompt
 * (bench/generate/node-threads.js); each row carries the median of the rounds' ratios to 1 thread.
 */
function nodeThreads(path, prompt, decode) {
  const out = execFileSync(
    'node',
    [
      '--experimental-wasm-relaxed-simd',
      join(root, 'bench/generate/node-threads.js'),
      path,
      prompt,
      String(decode),
      String(Math.max(args.smoke ? 1 : 5, Number(args.runs))),
      THREADS.join(','),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  return JSON.parse(out.trim().split('\n').pop());
}

const rows = [];
const cleanups = [];
try {
  const list = await models();
  const wllama = args['skip-wllama'] ? undefined : wllamaDir();
  const pageHeaders = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  const vite = await createServer({
    root,
    configFile: false,
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null, headers: pageHeaders },
    optimizeDeps: { noDiscovery: true, include: ['comlink', 'idb-keyval'] },
    worker: { format: 'es' },
    plugins: [
      {
        name: 'bench-files',
        configureServer: (s) => {
          for (const m of list) s.middlewares.use(staticRanges(`/models/${m.key}`, dirname(m.path)));
          if (wllama) s.middlewares.use(staticRanges('/wllama', wllama));
        },
      },
    ],
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
  log(
    `[bench] Chromium ${context.browser()?.version() ?? ''}, threads ${THREADS.join(',')}; crossOriginIsolated: ${await page.evaluate(() => crossOriginIsolated)}; figures are noisy on a shared machine`,
  );

  for (const m of list) {
    const url = `${base}/models/${m.key}/${m.path.split('/').pop()}`;
    const prompt = await promptText(m.path, Number(args.prompt));
    const common = { url, prompt: prompt.text, decodeTokens: Number(args.decode), nCtx: 512 };
    log(`[bench] ${m.key}: prompt of ${prompt.tokens} tokens (gguf-pager's tokenizer, BOS included)`);
    if (wllama) {
      log(`[bench] ${m.key}: wllama ${WLLAMA_VERSION}, n_threads 1`);
      const r = await page.evaluate((o) => window.bench.wllama(o), { ...common, wllamaBase: `${base}/wllama` });
      rows.push({ model: m.key, runtime: `wllama ${WLLAMA_VERSION}`, budget: 1, ...r });
      log(
        `  prompt ${r.promptTokens} tok at ${r.promptTokensPerSecond.toFixed(1)}/s, decode ${r.decodeTokens} tok at ${r.decodeTokensPerSecond.toFixed(1)}/s, load ${r.loadSeconds.toFixed(1)} s`,
      );
      for (const t of EXTRA_THREADS) {
        log(`[bench] ${m.key}: wllama ${WLLAMA_VERSION}, n_threads ${t} (isolated page)`);
        try {
          const rt = await page.evaluate((o) => window.bench.wllama(o), { ...common, wllamaBase: `${base}/wllama`, threads: t });
          rows.push({ model: m.key, runtime: `wllama ${WLLAMA_VERSION}`, budget: 1, threads: t, ...rt });
          log(`  prompt ${rt.promptTokensPerSecond.toFixed(1)}/s, decode ${rt.decodeTokensPerSecond.toFixed(1)}/s`);
        } catch (e) {
          rows.push({ model: m.key, runtime: `wllama ${WLLAMA_VERSION}`, budget: 1, threads: t, error: String(e.message ?? e).split('\n')[0] });
          log(`  failed: ${String(e.message ?? e).split('\n')[0]}`);
        }
      }
    }
    if (args['skip-pager']) continue;
    const sh = await shapeOf(m.path);
    const ctx = 256;
    const { kvBytes, reserveBytes } = poolSizes(sh, ctx);
    for (const t of EXTRA_THREADS) {
      log(`[bench] ${m.key}: gguf-pager at 100 %, ${t} threads (isolated page)`);
      const r = await page.evaluate((o) => window.bench.pager(o), {
        ...common,
        ramBytes: sh.tensorBytes,
        kvBytes,
        reserveBytes,
        contextLength: ctx,
        runs: Number(args.runs),
        prefetch: 0,
        threads: t,
      });
      rows.push({ model: m.key, runtime: 'gguf-pager', budget: 1, threads: t, ...r });
      log(`  prompt ${r.promptTokensPerSecond.toFixed(1)}/s, decode ${r.decodeTokensPerSecond.toFixed(1)}/s on ${r.threads} threads`);
    }
    if (THREADS.length > 1) {
      log(`[bench] ${m.key}: gguf-pager in Node at ${THREADS.join(', ')} threads, runs alternated in one process`);
      for (const r of nodeThreads(m.path, prompt.text, Number(args.decode))) {
        rows.push({ model: m.key, runtime: 'gguf-pager (Node)', budget: 1, ...r });
        log(`  prompt ${r.promptTokensPerSecond.toFixed(1)}/s, decode ${r.decodeTokensPerSecond.toFixed(1)}/s on ${r.threads} threads`);
      }
    }
    for (const fraction of args.smoke ? [1, 0.5] : [1, 0.5, 0.25]) {
      const ramBytes = Math.floor(sh.tensorBytes * fraction);
      log(`[bench] ${m.key}: gguf-pager at ${fraction * 100} % (${(ramBytes / 2 ** 20).toFixed(1)} MiB of weights, cached in OPFS)`);
      try {
        const r = await page.evaluate((o) => window.bench.pager(o), {
          ...common,
          ramBytes,
          kvBytes,
          reserveBytes,
          contextLength: ctx,
          runs: Number(args.runs),
          prefetch: Number(args.prefetch),
        });
        let predicted = 0;
        try {
          predicted = fraction < 1 ? simulateBytesPerToken(m.path, ramBytes) : 0;
        } catch (e) {
          // simulate has no model of a head streamed past the budget
          predicted = NaN;
          log(`  simulate: ${String(e.message ?? e).split('\n')[0]}`);
        }
        rows.push({ model: m.key, runtime: 'gguf-pager', budget: fraction, ...r, predictedBytesPerToken: predicted });
        log(
          `  prompt ${r.promptTokens} tok at ${r.promptTokensPerSecond.toFixed(1)}/s, decode ${r.decodeTokens} tok at ${r.decodeTokensPerSecond.toFixed(1)}/s, ` +
            `${(r.bytesLoadedPerToken / 2 ** 20).toFixed(2)} MiB loaded/token (simulate: ${(predicted / 2 ** 20).toFixed(2)}), max resident ${(r.maxResidentBytes / 2 ** 20).toFixed(1)} MiB`,
        );
      } catch (e) {
        rows.push({ model: m.key, runtime: 'gguf-pager', budget: fraction, error: String(e.message ?? e).split('\n')[0] });
        log(`  failed: ${String(e.message ?? e).split('\n')[0]}`);
      }
    }
  }
} finally {
  for (const c of cleanups.reverse()) await c();
}

/** Ratios against the baselines measured in this run: gguf-pager ÷ wllama (same file), budget rows ÷ the 100 % row. */
function summarize(all) {
  const out = [];
  for (const model of [...new Set(all.map((r) => r.model))]) {
    const w = all.find((r) => r.model === model && r.runtime.startsWith('wllama') && !r.error && !(r.threads > 1));
    const full = all.find((r) => r.model === model && r.runtime === 'gguf-pager' && r.budget === 1 && !r.error && !(r.threads > 1));
    for (const r of all.filter((x) => x.model === model)) {
      const row = {
        model,
        runtime: r.runtime + (r.threads > 1 || (r.threads === 1 && r.runtime.includes('Node')) ? ` ×${r.threads} thr` : ''),
        budget: `${r.budget * 100} %`,
      };
      if (r.error) {
        out.push({ ...row, error: r.error });
        continue;
      }
      Object.assign(row, { 'prompt tok/s': +r.promptTokensPerSecond.toFixed(1), 'decode tok/s': +r.decodeTokensPerSecond.toFixed(1) });
      if (r.threads > 1) {
        const one = all.find((x) => x.model === model && x.runtime === r.runtime && x.budget === 1 && !x.error && (x.threads ?? 1) === 1);
        if (one) {
          // rows measured in alternated rounds carry the median of the rounds' own ratios
          const pr = r.promptRatio ?? r.promptTokensPerSecond / one.promptTokensPerSecond;
          const dr = r.decodeRatio ?? r.decodeTokensPerSecond / one.decodeTokensPerSecond;
          row[`prompt ×1 thr`] = +pr.toFixed(2);
          row[`decode ×1 thr`] = +dr.toFixed(2);
          row['efficiency'] = +(dr / r.threads).toFixed(2);
        }
        const wt = all.find((x) => x.model === model && x.runtime.startsWith('wllama') && !x.error && x.threads === r.threads);
        if (wt && r.runtime === 'gguf-pager') {
          row['prompt ×wllama same thr'] = +(r.promptTokensPerSecond / wt.promptTokensPerSecond).toFixed(2);
          row['decode ×wllama same thr'] = +(r.decodeTokensPerSecond / wt.decodeTokensPerSecond).toFixed(2);
        }
        out.push(row);
        continue;
      }
      if (r.runtime === 'gguf-pager' && r.budget === 1 && w) {
        row['prompt ×wllama'] = +(r.promptTokensPerSecond / w.promptTokensPerSecond).toFixed(2);
        row['decode ×wllama'] = +(r.decodeTokensPerSecond / w.decodeTokensPerSecond).toFixed(2);
      }
      if (r.runtime === 'gguf-pager' && r.budget < 1) {
        if (full) row['decode ×100 %'] = +(r.decodeTokensPerSecond / full.decodeTokensPerSecond).toFixed(2);
        row['MiB/token'] = +(r.bytesLoadedPerToken / 2 ** 20).toFixed(2);
        row['simulate MiB/token'] = +(r.predictedBytesPerToken / 2 ** 20).toFixed(2);
      }
      out.push(row);
    }
  }
  return out;
}

if (args.smoke && (rows.length === 0 || rows.some((r) => r.error))) {
  log(
    `[bench] smoke FAILED: ${
      rows
        .filter((r) => r.error)
        .map((r) => `${r.model} ${r.budget * 100} %: ${r.error}`)
        .join('; ') || 'no row'
    }`,
  );
  process.exitCode = 1;
}
if (args.json)
  process.stdout.write(
    `${JSON.stringify({ bench: 'generate', threads: THREADS, promptTokens: Number(args.prompt), decodeTokens: Number(args.decode), rows, summary: summarize(rows) })}\n`,
  );
else console.table(summarize(rows));
