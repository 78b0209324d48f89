/**
 * Loads the Wasm core in a page, in a Worker and in Node.
 *
 * The core's builds sit beside this module and are named with static
 * `new URL('./core.wasm', import.meta.url)` literals, the pattern Vite, webpack 5,
 * Rollup, esbuild and plain browsers all understand: in the published package
 * they are dist/core.wasm and dist/core.relaxed.wasm; in the repository
 * src/core/core*.wasm are links to build/. Which build loads is chosen in
 * core-build.ts (Relaxed SIMD when the engine runs it, else plain SIMD).
 *
 * - Browser (page or worker): fetched, compiled while it streams.
 * - Node: read with `node:fs` (beside the module, else from the repository's
 *   build/ when running the tsc-compiled dev tree dist/src/core/wasm.js).
 *
 * The compiled module is cached per realm; the runtime may also hand a
 * precompiled `WebAssembly.Module` to its worker and pass it in here.
 */
import { GgufPagerError } from '../errors.ts';
import type { CoreExports } from './exports.ts';
import { verifyStatus } from './status.ts';
import { coreCandidates, relaxedSimdSupported, type CoreBuildInfo, type CoreCandidate, type CoreLocation } from './core-build.ts';

export type CoreModuleSource = WebAssembly.Module | BufferSource;

/** One kind of build (single-memory or shared): its module, compiled once per realm, and which build that was. */
interface BuildSlot {
  module: Promise<WebAssembly.Module> | null;
  info: CoreBuildInfo | null;
}

const singleSlot: BuildSlot = { module: null, info: null };
const sharedSlot: BuildSlot = { module: null, info: null };
let where: CoreLocation = {};

/** Where this realm loads the core from (default: the files beside this module); forgets a module compiled before. */
export function setCoreLocation(loc: CoreLocation): void {
  where = { ...loc };
  for (const slot of [singleSlot, sharedSlot]) {
    slot.module = null;
    slot.info = null;
  }
}

/** The build this realm compiled (null before the first compile); `shared`: the shared-memory build's. */
export function loadedCoreBuild(shared = false): CoreBuildInfo | null {
  return (shared ? sharedSlot : singleSlot).info;
}

/** The slot's module, compiled from the first candidate that loads; a failed compile is tried again on the next call. */
function compileOnce(slot: BuildSlot, list: () => CoreCandidate[]): Promise<WebAssembly.Module> {
  slot.module ??= compileChosen(list(), (info) => {
    slot.info = info;
  }).catch((e: unknown) => {
    slot.module = null;
    throw e;
  });
  return slot.module;
}

/** The compiled core module of this realm, compiled on first use. */
export function compileCore(): Promise<WebAssembly.Module> {
  return compileOnce(singleSlot, candidates);
}

/**
 * The shared-memory build (imports a shared `env.memory`; compute threads), compiled on first use:
 * core.shared-relaxed.wasm or core.shared.wasm beside this module, chosen as the single-memory builds are.
 */
export function compileSharedCore(): Promise<WebAssembly.Module> {
  return compileOnce(sharedSlot, sharedCandidates);
}

/** A fresh instance of the shared build on `memory` (shared, sized by initPages); `init` has not run yet. */
export async function instantiateSharedCore(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<CoreExports> {
  return instantiateWith(module, memory);
}

/** A fresh instance (its own memory) of the core; `init` has not run yet. */
export async function instantiateCore(source?: CoreModuleSource): Promise<CoreExports> {
  const module = source instanceof WebAssembly.Module ? source : source !== undefined ? await compileBytes(source, 'the given bytes') : await compileCore();
  return instantiateWith(module);
}

async function instantiateWith(module: WebAssembly.Module, shared?: WebAssembly.Memory): Promise<CoreExports> {
  let memory: WebAssembly.Memory | undefined = shared;
  const imports = {
    env: {
      ...(shared ? { memory: shared } : {}),
      abort: (msg: number, file: number, line: number, col: number) => {
        const text = `${readAsString(memory, msg)} in ${readAsString(memory, file)}:${line}:${col}`;
        throw new GgufPagerError('WASM_ABORT', `wasm core aborted: ${text}`, { line, col });
      },
    },
  };
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, imports);
  } catch (e) {
    throw new GgufPagerError('WASM_LOAD', `core.wasm could not be instantiated: ${String(e)}`, {}, { cause: e });
  }
  verifyStatus(instance.exports);
  const exports = instance.exports as unknown as CoreExports;
  memory = exports.memory ?? shared;
  return shared && !exports.memory ? ({ ...exports, memory: shared } as CoreExports) : exports;
}

function isNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: unknown } }; document?: unknown; WorkerGlobalScope?: unknown };
  return typeof g.process?.versions?.node === 'string' && g.document === undefined && g.WorkerGlobalScope === undefined;
}

async function compileBytes(bytes: BufferSource, where: string): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes);
  } catch (e) {
    throw new GgufPagerError('WASM_LOAD', `the core from ${where} does not compile: ${String(e)}`, { where }, { cause: e });
  }
}

/** An absolute URL: relative to the page in a browser, to the working directory (a path or file: URL) in Node. */
function toUrl(u: string | URL): URL {
  const node = (globalThis as { process?: { cwd?: () => string } }).process;
  const base = isNode() ? `file://${node?.cwd?.() ?? ''}/` : globalThis.location?.href;
  return new URL(String(u), base);
}

/** The candidates in order; the literals stay static so bundlers copy both files. */
function candidates(): CoreCandidate[] {
  const plain = where.wasmUrl !== undefined ? toUrl(where.wasmUrl) : new URL('./core.wasm', import.meta.url);
  const relaxed =
    where.relaxedWasmUrl === null
      ? null
      : where.relaxedWasmUrl !== undefined
        ? toUrl(where.relaxedWasmUrl)
        : where.wasmUrl !== undefined
          ? null
          : new URL('./core.relaxed.wasm', import.meta.url);
  return coreCandidates(plain, relaxed, relaxedSimdSupported());
}

/** The shared builds in order (no relaxed one where relaxedWasmUrl is null); given only where the app names no other location for the core. */
function sharedCandidates(): CoreCandidate[] {
  if (where.sharedWasmUrl === null || (where.wasmUrl !== undefined && where.sharedWasmUrl === undefined)) {
    throw new GgufPagerError('WASM_LOAD', 'no location for the shared-memory core (set sharedWasmUrl beside wasmUrl)', {});
  }
  const plain = where.sharedWasmUrl !== undefined ? toUrl(where.sharedWasmUrl) : new URL('./core.shared.wasm', import.meta.url);
  const relaxed = where.sharedWasmUrl !== undefined || where.relaxedWasmUrl === null ? null : new URL('./core.shared-relaxed.wasm', import.meta.url);
  return coreCandidates(plain, relaxed, relaxedSimdSupported());
}

async function compileChosen(list: CoreCandidate[], done: (info: CoreBuildInfo) => void): Promise<WebAssembly.Module> {
  let fallback: string | undefined;
  for (const [i, c] of list.entries()) {
    const last = i === list.length - 1;
    try {
      const [module, from] =
        isNode() && c.url.protocol === 'file:'
          ? await compileFromFile(c.url, inDevTree() && c.url.href.startsWith(besideUrl()))
          : [await compileFromUrl(c.url), c.url];
      done({ build: c.build, url: from.href, ...(fallback !== undefined ? { fallback } : {}) });
      return module;
    } catch (e) {
      if (last) throw e;
      fallback = (e as Error).message; // the relaxed build is missing or broken: the plain build follows
    }
  }
  throw new GgufPagerError('WASM_LOAD', 'no core build to load', {});
}

/** Dev layouts: the repository's build/ seen from src/core/ and from dist/src/core/ (tsc's output). */
const DEV_BUILD_DIRS = ['../../build/', '../../../build/'];

/** This module runs from the repository's sources or tsc's dev output, not from the package's dist/. */
function inDevTree(): boolean {
  return /\/src\/core\/$/.test(besideUrl());
}

/** The folder of the plain build beside this module (derived from its literal: no other `import.meta.url` use for bundlers to trip on). */
function besideUrl(): string {
  const plain = new URL('./core.wasm', import.meta.url).href;
  return plain.slice(0, plain.lastIndexOf('/') + 1);
}

/** Reads a build from disk; one beside this module may also be in the repository's build/ (dev layouts). */
async function compileFromFile(url: URL, beside: boolean): Promise<[WebAssembly.Module, URL]> {
  const { readFile } = nodeFs();
  const name = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  const tries = [url, ...(beside ? DEV_BUILD_DIRS.map((dir) => new URL(dir + name, besideUrl())) : [])];
  for (const u of tries) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = (await readFile(u)) as Uint8Array<ArrayBuffer>;
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') continue;
      throw new GgufPagerError('WASM_LOAD', `${name} could not be read at ${u.pathname}: ${String(e)}`, { path: u.pathname }, { cause: e });
    }
    return [await compileBytes(bytes, u.pathname), u];
  }
  const tried = tries.map((u) => u.pathname);
  throw new GgufPagerError('WASM_LOAD', `${name} not found (tried ${tried.join(', ')}): run npm run build:wasm`, { tried });
}

/** The part of node:fs/promises used here (typed here, so browser builds need no Node types). */
interface NodeFs {
  readFile(path: URL): Promise<Uint8Array>;
}

/** node:fs/promises without an import a bundler would follow (process.getBuiltinModule: Node 20.16+). */
function nodeFs(): NodeFs {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs/promises') as NodeFs | undefined;
  if (!fs) throw new GgufPagerError('WASM_LOAD', 'reading the core needs Node 20.16 or later (process.getBuiltinModule)', {});
  return fs;
}

async function compileFromUrl(u: URL): Promise<WebAssembly.Module> {
  const url = u.href;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new GgufPagerError('WASM_LOAD', `the core could not be fetched from ${url}: ${String(e)}`, { url }, { cause: e });
  }
  if (!response.ok) throw new GgufPagerError('WASM_LOAD', `the core: HTTP ${response.status} from ${url}`, { url, status: response.status });
  if (response.headers.get('content-type')?.startsWith('application/wasm')) {
    try {
      return await WebAssembly.compileStreaming(response);
    } catch (e) {
      throw new GgufPagerError('WASM_LOAD', `the core from ${url} does not compile: ${String(e)}`, { url }, { cause: e });
    }
  }
  return compileBytes(await response.arrayBuffer(), url);
}

/** An AssemblyScript string (UTF-16, byte length in the word before it), for abort messages. */
function readAsString(memory: WebAssembly.Memory | undefined, ptr: number): string {
  const MAX_CHARS = 256;
  if (memory === undefined || ptr < 4 || ptr % 2 !== 0 || ptr + 4 > memory.buffer.byteLength) return '?';
  const bytes = new DataView(memory.buffer).getUint32(ptr - 4, true);
  const chars = Math.min(bytes >>> 1, MAX_CHARS, (memory.buffer.byteLength - ptr) >>> 1);
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, chars));
}
