/**
 * The builds of the Wasm core the kernel cases run against, handed to createCore through CoreOptions.module:
 * - `simd` and `relaxed`: the flavours (SIMD, Relaxed SIMD) of the production builds createCore picks itself;
 * - testingCoreBuild: the same two flavours of the test/bench build (build/core.testing.wasm,
 *   build/core.testing-relaxed.wasm), which adds the test-only kernels (testing-core.ts).
 * Node 20 compiles the relaxed builds only with --experimental-wasm-relaxed-simd (vitest.config.ts sets it for the
 * unit project); Chromium has Relaxed SIMD on.
 */
export type CoreBuildName = 'simd' | 'relaxed';
export const CORE_BUILDS: readonly CoreBuildName[] = ['simd', 'relaxed'];

const cache = new Map<string, Promise<WebAssembly.Module>>();

/** The test/bench build of flavour `build`, compiled (for createTestingCore). */
export function testingCoreBuild(build: CoreBuildName): Promise<WebAssembly.Module> {
  return compiled(build === 'simd' ? 'core.testing.wasm' : 'core.testing-relaxed.wasm');
}

type BuildFile = 'core.testing.wasm' | 'core.testing-relaxed.wasm';

function compiled(file: BuildFile): Promise<WebAssembly.Module> {
  let p = cache.get(file);
  if (!p) {
    p = (isNode() ? readNode(file) : fetchBrowser(file)).then((bytes) => WebAssembly.compile(bytes));
    cache.set(file, p);
  }
  return p;
}

function isNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: unknown } }; document?: unknown; WorkerGlobalScope?: unknown };
  return typeof g.process?.versions?.node === 'string' && g.document === undefined && g.WorkerGlobalScope === undefined;
}

async function readNode(file: BuildFile): Promise<Uint8Array<ArrayBuffer>> {
  const fsModule = 'node:fs/promises';
  const { readFile } = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
  return (await readFile(new URL(`../../build/${file}`, import.meta.url))) as Uint8Array<ArrayBuffer>;
}

/** Vite serves each build by a static `?url` import of its file. */
const URLS: Record<BuildFile, () => Promise<{ default: string }>> = {
  'core.testing.wasm': () => import('../../build/core.testing.wasm?url'),
  'core.testing-relaxed.wasm': () => import('../../build/core.testing-relaxed.wasm?url'),
};

async function fetchBrowser(file: BuildFile): Promise<ArrayBuffer> {
  const { default: path } = await URLS[file]();
  const r = await fetch(new URL(path, globalThis.location?.href));
  if (!r.ok) throw new Error(`${file}: HTTP ${r.status}: run npm run build:wasm`);
  return r.arrayBuffer();
}
