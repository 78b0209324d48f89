// `npm run build`: the published package in dist/.
//   dist/index.js                the main entry (page side: createRuntime, types, errors)
//   dist/worker.js               `gguf-pager/worker`: what a custom engine worker needs
//   dist/gguf-pager-worker.js    the stock worker script createRuntime starts
//   dist/cli.js                  the `gguf-pager` command (Node)
//   dist/core.wasm, dist/core.relaxed.wasm   the core's builds, beside the code that loads them
//   dist/core.shared.wasm, dist/core.shared-relaxed.wasm   its shared-memory builds (compute threads)
//   dist/*-[hash].js             chunks shared by the entries; dist/types/ the .d.ts files
// Every chunk sits at the top of dist/, so `new URL('./core.wasm', import.meta.url)` and
// `new URL('./gguf-pager-worker.js', import.meta.url)` resolve from any of them. comlink and
// idb-keyval are bundled in: the files run in a browser without a bundler or an import map.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rolldown } from 'rolldown';

const OUT = 'dist';
const WORKER_LITERAL = "new URL('./worker.ts', import.meta.url)";

/** The stock worker's literal in client.ts names the TypeScript source; the package ships it as gguf-pager-worker.js. */
const workerUrlPlugin = {
  name: 'gguf-pager-worker-url',
  transform(code, id) {
    if (!id.endsWith('/src/runtime/client.ts')) return null;
    if (!code.includes(WORKER_LITERAL)) this.error(`client.ts no longer holds ${WORKER_LITERAL}: update scripts/build-lib.js`);
    return { code: code.replaceAll(WORKER_LITERAL, "new URL('./gguf-pager-worker.js', import.meta.url)"), map: null };
  },
};

async function bundle(input, output, platform, plugins = []) {
  const build = await rolldown({ input, platform, plugins, external: [/^node:/], logLevel: 'warn' });
  await build.write({ dir: OUT, format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', ...output });
  await build.close();
}

const t0 = Date.now();
// Only what this script writes: dist/src and dist/bench belong to `npm run build:node`.
mkdirSync(OUT, { recursive: true });
for (const f of readdirSync(OUT)) if (/\.(js|map|wasm)$/.test(f) || f === 'types' || f === '.stamp') rmSync(`${OUT}/${f}`, { recursive: true, force: true });

await bundle({ index: 'src/index.ts', worker: 'src/worker-api.ts', 'gguf-pager-worker': 'src/runtime/worker.ts' }, {}, 'browser', [workerUrlPlugin]);
await bundle({ cli: 'src/cli/main.ts' }, { codeSplitting: false, sourcemap: false }, 'node'); // errors print code and message; no map to ship

// Both builds always ship: bundlers (webpack 5) refuse a `new URL('./core.relaxed.wasm', …)` whose file is missing.
// Where build:wasm made no relaxed build (assembly/ without Relaxed SIMD kernels yet), the package's
// core.relaxed.wasm is the same core compiled with relaxed-simd enabled (written to dist/ only, never to
// build/, so a real relaxed build is never shadowed), and the build says so.
if (!existsSync('build/core.wasm')) throw new Error('build/core.wasm is missing: run npm run build:wasm first');
copyFileSync('build/core.wasm', `${OUT}/core.wasm`);
if (existsSync('build/core.relaxed.wasm')) copyFileSync('build/core.relaxed.wasm', `${OUT}/core.relaxed.wasm`);
else {
  process.stderr.write('[build] no build/core.relaxed.wasm: dist/core.relaxed.wasm is the core compiled with relaxed-simd enabled\n');
  const asc = spawnSync(
    'node_modules/.bin/asc',
    [
      '--config',
      'asconfig.json',
      '--target',
      'release',
      '--enable',
      'relaxed-simd',
      '--outFile',
      `${OUT}/core.relaxed.wasm`,
      '--textFile',
      `${OUT}/core.relaxed.wat`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  rmSync(`${OUT}/core.relaxed.wat`, { force: true }); // the release target writes a text file; build/core.wat stays the plain build's
  if (asc.status !== 0 || !existsSync(`${OUT}/core.relaxed.wasm`)) throw new Error('asc could not build dist/core.relaxed.wasm');
}

// The shared-memory builds compute threads load (src/core/threads): beside the others, named by static literals too.
for (const f of ['core.shared.wasm', 'core.shared-relaxed.wasm']) {
  if (!existsSync(`build/${f}`)) throw new Error(`build/${f} is missing: run npm run build:wasm first`);
  copyFileSync(`build/${f}`, `${OUT}/${f}`);
}

const tsc = spawnSync('node_modules/.bin/tsc', ['-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
// The sources import each other as './x.ts'; declarations a consumer reads name './x.js'.
for (const file of readdirSync(`${OUT}/types`, { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.d.ts')) continue;
  const path = `${OUT}/types/${file}`;
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, text.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g, '$1$2$3.js$2'));
}
writeFileSync(`${OUT}/.stamp`, `${new Date().toISOString()}\n`);
process.stderr.write(`[build] dist/ in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
