/**
 * The package as its users get it: the tarball `npm pack` writes, installed
 * into fresh apps (setup.ts), built and run in headless Chromium. Models come
 * from the tests' range server on another origin (CORS, Range, exposed headers).
 */
import { expect, test, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';
import { startRangeServer, type RangeServer } from '../servers/range-server.ts';
import { fixturePath } from '../cases/fixtures-dir.ts';
import type { PackInfo } from './setup.ts';
import { startStaticServer, type StaticServer } from './static-server.ts';

const DIR = process.env.GGUF_PAGER_CONSUMERS ?? '';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODEL = 'stories260K.gguf'; // 1.13 MiB, 48 tensors, 5 blocks
const BUDGET = 2 ** 20; // below the model's size: the pager must evict
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

let models: RangeServer;
test.beforeAll(async () => {
  expect(DIR, 'setup.ts sets GGUF_PAGER_CONSUMERS').not.toBe('');
  models = await startRangeServer({ root: fixturePath('models') });
});
test.afterAll(() => models?.stop());

interface Loaded {
  coreBuild: string;
  budget: number;
  tensors: number;
  fileSize: number;
  stats: { budgetBytes: number; maxResidentBytes: number; evictions: number; bytesLoaded: number; fromNetwork: number };
}

/** Opens the app with a model URL and waits for its result, failing with what the page printed. */
async function result(page: Page, url: string): Promise<{ stock?: Loaded; engine?: { tensors: number; sum: number }; opfsHandle?: Loaded } & Partial<Loaded>> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${url}/?model=${encodeURIComponent(`${models.url}/${MODEL}`)}&budget=${BUDGET}`);
  const out = page.locator('#result');
  await expect(out).not.toHaveAttribute('data-status', 'loading');
  const text = (await out.textContent()) ?? '';
  expect(await out.getAttribute('data-status'), `${text}\n${errors.join('\n')}`).toBe('ready');
  return JSON.parse(text);
}

/** What every app checks: the whole model read from the network through a budget it never exceeds. */
function expectPagedUnderBudget(r: Loaded): void {
  expect(r.tensors).toBe(48);
  expect(r.coreBuild).toMatch(/^(relaxed|simd)$/);
  expect(r.fileSize).toBeGreaterThan(BUDGET);
  expect(r.stats.budgetBytes).toBeLessThanOrEqual(BUDGET);
  expect(r.stats.maxResidentBytes).toBeGreaterThan(0);
  expect(r.stats.maxResidentBytes).toBeLessThanOrEqual(r.stats.budgetBytes);
  expect(r.stats.evictions).toBeGreaterThan(0);
  expect(r.stats.fromNetwork).toBeGreaterThan(0);
}

function run(cmd: string, args: string[], cwd = DIR): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    ),
  );
}

test('the tarball holds the built package and none of the sources, tests, benches or demo', () => {
  const pack = JSON.parse(readFileSync(join(DIR, 'pack.json'), 'utf8')) as PackInfo;
  for (const f of [
    'dist/index.js',
    'dist/worker.js',
    'dist/gguf-pager-worker.js',
    'dist/cli.js',
    'dist/core.wasm',
    'dist/core.relaxed.wasm',
    'dist/types/index.d.ts',
    'dist/types/worker-api.d.ts',
    'dist/index.js.map',
    'package.json',
    'README.md',
  ]) {
    expect(pack.files, f).toContain(f);
  }
  expect(pack.files.filter((f) => /^(src|test|bench|web|assembly|scripts|build)\//.test(f))).toEqual([]);
  // ~0.91 MB packed: four core builds (SIMD and Relaxed SIMD, each also with shared memory for threads), the worker
  // runtime and the CLI bundles with their source maps and types. The bound catches an accidental inclusion.
  expect(pack.size, `tarball of ${pack.size} bytes`).toBeLessThan(1_000_000);
  const installed = JSON.parse(readFileSync(join(DIR, 'node_modules/gguf-pager/package.json'), 'utf8'));
  expect(installed.version).toBe(version);
});

test.describe('a Vite app', () => {
  let server: PreviewServer | undefined;
  test.afterAll(async () => {
    await server?.close();
  });

  test('builds with vite build and, served by vite preview, loads a model under a budget with the stock and a custom worker, and from an OPFS file handle', async ({
    page,
  }) => {
    const root = join(DIR, 'vite-app');
    await build({ root, configFile: false, logLevel: 'warn' });
    server = await preview({ root, configFile: false, logLevel: 'warn', preview: { port: 0, host: '127.0.0.1', strictPort: false } });
    const url = server.resolvedUrls?.local[0]?.replace(/\/$/, '') ?? '';
    const r = await result(page, url);
    expectPagedUnderBudget(r.stock!);
    expect(r.engine!.tensors).toBe(9); // blk.0: attn_norm, q, k, v, output, ffn_norm, gate, up, down
    expect(r.engine!.sum).toBeGreaterThan(0);
    // the same model stored in OPFS, loaded from its FileSystemFileHandle: read on the device, paged under the budget
    const h = r.opfsHandle!;
    expect(h.tensors).toBe(48);
    expect(h.fileSize).toBe(r.stock!.fileSize);
    expect(h.stats.fromNetwork).toBe(0);
    expect(h.stats.maxResidentBytes).toBeGreaterThan(0);
    expect(h.stats.maxResidentBytes).toBeLessThanOrEqual(h.stats.budgetBytes);
    expect(h.stats.evictions).toBeGreaterThan(0);
  });

  test("typechecks in strict mode against the package's .d.ts, and a misuse does not", async () => {
    const tsc = join(ROOT, 'node_modules/.bin/tsc');
    const ok = await run(tsc, ['-p', 'tsconfig.json'], join(DIR, 'vite-app'));
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    writeFileSync(join(DIR, 'vite-app/src/misuse.ts'), "import { createRuntime } from 'gguf-pager';\nvoid createRuntime({ budget: '1 MiB' });\n");
    const bad = await run(tsc, ['-p', 'tsconfig.json'], join(DIR, 'vite-app'));
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toMatch(/misuse\.ts.*TS2322.*'string' is not assignable to type 'number'/s);
  });
});

test.describe('a Vite app with the model in public/', () => {
  let dev: ViteDevServer | undefined;
  let server: PreviewServer | undefined;
  test.afterAll(async () => {
    await dev?.close();
    await server?.close();
  });

  /** Opens the app at `url` and returns what it generated, failing with what the page printed. */
  async function generated(
    page: Page,
    url: string,
  ): Promise<{ text: string; tokens: number; cache: Array<{ store: string; bytesCached: number; size: number }> }> {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${url}/`);
    const out = page.locator('#result');
    await expect(out).not.toHaveAttribute('data-status', 'loading');
    const text = (await out.textContent()) ?? '';
    expect(await out.getAttribute('data-status'), `${text}\n${errors.join('\n')}`).toBe('ready');
    return JSON.parse(text);
  }

  function expectGeneratedAndCached(r: Awaited<ReturnType<typeof generated>>): void {
    expect(r.tokens).toBe(8);
    expect(r.text.length).toBeGreaterThan(8);
    const size = readFileSync(fixturePath(`models/${MODEL}`)).length;
    expect(r.cache).toEqual([expect.objectContaining({ size, bytesCached: size })]);
  }

  test('loads /model.gguf with the default cache and generates, through vite (dev) and vite preview', async ({ page, context }) => {
    const root = join(DIR, 'vite-public-app');
    mkdirSync(join(root, 'public'), { recursive: true });
    copyFileSync(fixturePath(`models/${MODEL}`), join(root, 'public/model.gguf'));
    // Vite's own server (sirv) answers the 1-byte probe `bytes=0-0` with a 206 of the whole file.
    dev = await createServer({ root, configFile: false, logLevel: 'warn', server: { port: 0, host: '127.0.0.1', strictPort: false } });
    await dev.listen();
    expectGeneratedAndCached(await generated(page, dev.resolvedUrls?.local[0]?.replace(/\/$/, '') ?? ''));
    await dev.close();
    dev = undefined;
    await build({ root, configFile: false, logLevel: 'warn' });
    server = await preview({ root, configFile: false, logLevel: 'warn', preview: { port: 0, host: '127.0.0.1', strictPort: false } });
    // Another port, so another origin: its cache starts empty.
    expectGeneratedAndCached(await generated(await context.newPage(), server.resolvedUrls?.local[0]?.replace(/\/$/, '') ?? ''));
  });
});

test.describe('a webpack 5 app', () => {
  let server: StaticServer | undefined;
  test.afterAll(async () => {
    await server?.stop();
  });

  test('builds with no loader or plugin and loads a model under a budget', async ({ page }) => {
    const app = join(DIR, 'webpack-app');
    const webpack = createRequire(join(DIR, 'package.json'))('webpack') as (c: object, cb: (e: Error | null, s?: WebpackStats) => void) => void;
    const stats = await new Promise<WebpackStats>((ok, fail) =>
      webpack(
        {
          mode: 'production',
          context: app,
          entry: './src/main.js',
          devtool: false,
          performance: { hints: false },
          output: { path: join(app, 'dist'), filename: 'main.js', clean: true },
        },
        (e, s) => (e ? fail(e) : ok(s!)),
      ),
    );
    const info = stats.toJson({ all: false, errors: true, warnings: true, assets: true });
    expect(info.errors.map((e) => e.message)).toEqual([]);
    expect(info.warnings.map((w) => w.message)).toEqual([]);
    const assets = info.assets.map((a) => a.name);
    // core.wasm and core.relaxed.wasm, found by webpack; content-hashed, so identical builds share one file
    expect(assets.filter((a) => a.endsWith('.wasm')).length).toBeGreaterThanOrEqual(1);
    server = await startStaticServer(app);
    expectPagedUnderBudget((await result(page, server.url)) as Loaded);
  });
});

interface WebpackStats {
  toJson(o: object): { errors: Array<{ message: string }>; warnings: Array<{ message: string }>; assets: Array<{ name: string }> };
}

test.describe('a page without a bundler', () => {
  let server: StaticServer | undefined;
  test.afterAll(async () => {
    await server?.stop();
  });

  test('imports dist/index.js as an ES module under a strict CSP and loads a model under a budget', async ({ page }) => {
    const csp = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self' ${models.url}`;
    server = await startStaticServer(DIR, { 'Content-Security-Policy': csp });
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const r = (await result(page, `${server.url}/esm-page`)) as Loaded;
    expectPagedUnderBudget(r);
    expect(violations).toEqual([]);
  });
});

test.describe('the installed CLI', () => {
  const cli = () => join(DIR, 'node_modules/.bin/gguf-pager');

  test('answers --help and --version', async () => {
    const help = await run(cli(), ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: gguf-pager <command>[\s\S]*inspect[\s\S]*simulate/);
    const v = await run(cli(), ['--version']);
    expect([v.code, v.stdout.trim()]).toEqual([0, version]);
  });

  test('inspects a local GGUF file from the compiled code', async () => {
    const r = await run(cli(), ['inspect', fixturePath(`models/${MODEL}`), '--json']);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.tensors).toHaveLength(48);
    expect(j.metadata['general.architecture']).toBe('llama');
    // How long it takes is a benchmark's question (docs/benchmarks.md), not this test's.
  });

  test('inspects a GGUF by URL through Range requests', async () => {
    const r = await run(cli(), ['inspect', `${models.url}/${MODEL}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/architecture\s+llama/);
    expect(r.stdout).toMatch(/GGUF v3/);
  });
});
