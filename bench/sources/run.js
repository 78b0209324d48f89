#!/usr/bin/env node
// Source benchmarks in headless Chromium: `npm run bench:sources [-- --mib 256 --runs 5 --only http]`.
// `--smoke`: 4 MiB, one run (a check that every module runs).
//
// Plain JS so it runs without build:node. It starts a Vite dev server in
// process (root = the repo) and loads the TypeScript it needs from Node through
// that server (`ssrLoadModule`): the range server (test/servers/range-server.ts)
// and the Chromium path/arguments (test/browser-launch.ts), so nothing is
// duplicated. Then it opens bench/sources/index.html in Chromium and runs every
// bench/sources/*.bench.ts module in the page, printing each one's ratios.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';
import { chromium } from 'playwright';

const { values: args } = parseArgs({
  options: {
    mib: { type: 'string', default: '256' },
    runs: { type: 'string', default: '5' },
    only: { type: 'string' },
    smoke: { type: 'boolean', default: false },
  },
});
if (args.smoke) Object.assign(args, { mib: '4', runs: '1' });
const root = fileURLToPath(new URL('../..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const modules = readdirSync(here).filter((f) => f.endsWith('.bench.ts') && (!args.only || f.startsWith(args.only)));

const pageHeaders = {};
const vite = await createServer({
  root,
  configFile: false,
  logLevel: 'warn',
  clearScreen: false,
  // No watcher, no HMR, no dependency discovery: nothing may reload the page mid-run.
  server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
  optimizeDeps: { noDiscovery: true, include: [] },
  worker: { format: 'es' },
  plugins: [
    {
      name: 'bench-headers',
      configureServer: (s) =>
        void s.middlewares.use((_q, res, next) => {
          for (const [k, v] of Object.entries(pageHeaders)) res.setHeader(k, v);
          next();
        }),
    },
  ],
});
const cleanups = [() => vite.close()];
try {
  await vite.listen();
  const { CHROMIUM, CHROMIUM_ARGS, ISOLATION_HEADERS } = await vite.ssrLoadModule('/test/browser-launch.ts');
  Object.assign(pageHeaders, ISOLATION_HEADERS);
  const { startRangeServer } = await vite.ssrLoadModule('/test/servers/range-server.ts');
  const range = await startRangeServer();
  cleanups.push(() => range.stop());
  const ctx = { rangeBase: range.url, bytes: Number(args.mib) * 2 ** 20, runs: Number(args.runs) };
  await fetch(`${range.url}/gen/${ctx.bytes}/7`, { method: 'HEAD' }); // generate the file before timing

  // A persistent profile on disk: a throwaway context keeps OPFS and IndexedDB in memory,
  // which measures a different backend (OPFS ~13x slower there, IndexedDB capped near 1.5 GB).
  const profile = mkdtempSync(join(tmpdir(), 'gguf-pager-bench-'));
  cleanups.push(async () => rmSync(profile, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  cleanups.push(() => context.close());
  const browser = { version: () => context.browser()?.version() ?? 'persistent context' };
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => process.stderr.write(`[page] ${e.message}\n`));
  await page.goto(`${vite.resolvedUrls.local[0]}bench/sources/index.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
  process.stdout.write(`Chromium ${browser.version()}, ${modules.length} benchmark module(s)\n`);
  for (const file of modules) {
    const result = await page.evaluate(([f, c]) => window.runBench(f, c), [file, ctx]);
    print(file, result);
  }
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
}

function print(file, r) {
  const w = Math.max(...r.rows.map((x) => x.name.length), 8);
  const out = [`\n${file}: ${r.title}`, `  ${'case'.padEnd(w)}  median ms     MB/s   ratio`];
  for (const x of r.rows) {
    const ratio = x.against === x.name ? 'baseline' : `${x.ratio.toFixed(2)}x vs ${x.against}`;
    out.push(`  ${x.name.padEnd(w)}  ${x.medianMs.toFixed(1).padStart(9)}  ${x.mbPerS.toFixed(0).padStart(7)}   ${ratio}`);
  }
  for (const n of r.notes) out.push(`  ${n}`);
  process.stdout.write(out.join('\n') + '\n');
}
