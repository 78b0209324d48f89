/**
 * The two builds of the Wasm core the kernel cases run against: `simd` (build/core.wasm, what createCore loads by
 * default) and `relaxed` (build/core.relaxed.wasm, Relaxed SIMD), handed to createCore through CoreOptions.module.
 * Node 20 compiles the relaxed build only with --experimental-wasm-relaxed-simd (vitest.config.ts sets it for the
 * unit project); Chromium has Relaxed SIMD on.
 */
import type { CoreModuleSource } from '../../src/core/wasm.ts';

export type CoreBuildName = 'simd' | 'relaxed';
export const CORE_BUILDS: readonly CoreBuildName[] = ['simd', 'relaxed'];

const cache = new Map<CoreBuildName, Promise<CoreModuleSource | undefined>>();

/** The module to pass as CoreOptions.module for `build` (undefined: the default build/core.wasm). */
export function coreBuild(build: CoreBuildName): Promise<CoreModuleSource | undefined> {
  if (build === 'simd') return Promise.resolve(undefined);
  let p = cache.get(build);
  if (!p) {
    p = (isNode() ? readNode('core.relaxed.wasm') : fetchBrowser()).then((bytes) => WebAssembly.compile(bytes));
    cache.set(build, p);
  }
  return p;
}

function isNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: unknown } }; document?: unknown; WorkerGlobalScope?: unknown };
  return typeof g.process?.versions?.node === 'string' && g.document === undefined && g.WorkerGlobalScope === undefined;
}

async function readNode(file: string): Promise<Uint8Array<ArrayBuffer>> {
  const fsModule = 'node:fs/promises';
  const { readFile } = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
  return (await readFile(new URL(`../../build/${file}`, import.meta.url))) as Uint8Array<ArrayBuffer>;
}

async function fetchBrowser(): Promise<ArrayBuffer> {
  const { default: path } = await import('../../build/core.relaxed.wasm?url');
  const r = await fetch(new URL(path, globalThis.location?.href));
  if (!r.ok) throw new Error(`core.relaxed.wasm: HTTP ${r.status}: run npm run build:wasm`);
  return r.arrayBuffer();
}
