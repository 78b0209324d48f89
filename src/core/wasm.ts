/**
 * Loads the Wasm core in a page, in a Worker and in Node.
 *
 * - Browser (page or worker): the URL comes from Vite's `?url` import and the
 *   module is compiled while it streams (`compileStreaming`).
 * - Node: build/core.wasm is read with `node:fs`, found relative to this file
 *   both as src/core/wasm.ts (Vitest) and as dist/src/core/wasm.js (tsc).
 * Both imports are dynamic: a static `?url` import cannot load in plain Node,
 * and `node:fs` must stay out of the browser bundle.
 *
 * The compiled module is cached per realm; the runtime may also hand a
 * precompiled `WebAssembly.Module` to its worker and pass it in here.
 */
import { GgufPagerError } from './errors.ts';
import type { CoreExports } from './exports.ts';
import { verifyStatus } from './status.ts';

export type CoreModuleSource = WebAssembly.Module | BufferSource;

let cached: Promise<WebAssembly.Module> | null = null;

/** The compiled core module of this realm, compiled on first use. */
export function compileCore(): Promise<WebAssembly.Module> {
  cached ??= (isNode() ? compileFromFile() : compileFromUrl()).catch((e: unknown) => {
    cached = null;
    throw e;
  });
  return cached;
}

/** A fresh instance (its own memory) of the core; `init` has not run yet. */
export async function instantiateCore(source?: CoreModuleSource): Promise<CoreExports> {
  const module = source instanceof WebAssembly.Module ? source
    : source !== undefined ? await compileBytes(source, 'the given bytes')
    : await compileCore();
  let memory: WebAssembly.Memory | undefined;
  const imports = { env: { abort: (msg: number, file: number, line: number, col: number) => {
    const text = `${readAsString(memory, msg)} in ${readAsString(memory, file)}:${line}:${col}`;
    throw new GgufPagerError('WASM_ABORT', `wasm core aborted: ${text}`, { line, col });
  } } };
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, imports);
  } catch (e) {
    throw new GgufPagerError('WASM_LOAD', `core.wasm could not be instantiated: ${String(e)}`, {}, { cause: e });
  }
  verifyStatus(instance.exports);
  const exports = instance.exports as unknown as CoreExports;
  memory = exports.memory;
  return exports;
}

function isNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: unknown } }; document?: unknown; WorkerGlobalScope?: unknown };
  return typeof g.process?.versions?.node === 'string' && g.document === undefined && g.WorkerGlobalScope === undefined;
}

async function compileBytes(bytes: BufferSource, where: string): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes);
  } catch (e) {
    throw new GgufPagerError('WASM_LOAD', `core.wasm from ${where} does not compile: ${String(e)}`, { where }, { cause: e });
  }
}

async function compileFromFile(): Promise<WebAssembly.Module> {
  const fsModule = 'node:fs/promises'; // a variable, so bundlers leave it out of browser builds
  const { readFile } = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
  const candidates = ['../../build/core.wasm', '../../../build/core.wasm'].map((p) => new URL(p, import.meta.url));
  for (const url of candidates) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = (await readFile(url)) as Uint8Array<ArrayBuffer>;
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') continue;
      throw new GgufPagerError('WASM_LOAD', `core.wasm could not be read at ${url.pathname}: ${String(e)}`, { path: url.pathname }, { cause: e });
    }
    return compileBytes(bytes, url.pathname);
  }
  const tried = candidates.map((u) => u.pathname);
  throw new GgufPagerError('WASM_LOAD', `core.wasm not found (tried ${tried.join(', ')}): run npm run build:wasm`, { tried });
}

async function compileFromUrl(): Promise<WebAssembly.Module> {
  const { default: path } = await import('../../build/core.wasm?url');
  const url = new URL(path, globalThis.location?.href).href;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new GgufPagerError('WASM_LOAD', `core.wasm could not be fetched from ${url}: ${String(e)}`, { url }, { cause: e });
  }
  if (!response.ok) throw new GgufPagerError('WASM_LOAD', `core.wasm: HTTP ${response.status} from ${url}`, { url, status: response.status });
  if (response.headers.get('content-type')?.startsWith('application/wasm')) {
    try {
      return await WebAssembly.compileStreaming(response);
    } catch (e) {
      throw new GgufPagerError('WASM_LOAD', `core.wasm from ${url} does not compile: ${String(e)}`, { url }, { cause: e });
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
