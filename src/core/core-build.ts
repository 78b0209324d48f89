/**
 * Which build of the Wasm core a realm loads. Two builds ship side by side:
 * `core.relaxed.wasm` (Relaxed SIMD kernels) and `core.wasm` (plain SIMD128).
 * The relaxed build is picked when the engine validates a tiny module that uses
 * one relaxed-SIMD instruction (Chromium 114+, Node 22+; Node 20
 * only with --experimental-wasm-relaxed-simd), else the plain one. A relaxed
 * build that is missing or fails to compile falls back to the plain build.
 */

export type CoreBuild = 'relaxed' | 'simd';

/** Where the page or worker finds the core; both default to the files beside the module that loads them. */
export interface CoreLocation {
  /** The plain SIMD build (`core.wasm`), for apps that host it elsewhere. */
  wasmUrl?: string | URL;
  /**
   * The Relaxed SIMD build (`core.relaxed.wasm`). Default: beside the module,
   * unless `wasmUrl` is given (then only `wasmUrl` is used). `null`: never load it.
   */
  relaxedWasmUrl?: string | URL | null;
  /**
   * The shared-memory build (`core.shared.wasm`) compute threads need. Default: beside the module
   * (with `core.shared-relaxed.wasm`), unless `wasmUrl` is given. `null`: no threads.
   */
  sharedWasmUrl?: string | URL | null;
}

/** What was loaded: the build, from where, and why the relaxed build was passed over (if it was). */
export interface CoreBuildInfo {
  build: CoreBuild;
  url: string;
  /** Set when the relaxed build was wanted but could not be used (missing, HTTP error, did not compile). */
  fallback?: string;
}

/**
 * (module (func (result v128) i32.const 1 i8x16.splat i32.const 2 i8x16.splat i8x16.relaxed_swizzle))
 * The same probe as wasm-feature-detect's `relaxedSimd`.
 */
export const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // \0asm, version 1
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b, // type section: () -> v128
  0x03,
  0x02,
  0x01,
  0x00, // function section: one function of type 0
  0x0a,
  0x0f,
  0x01,
  0x0d,
  0x00, // code section: one body of 13 bytes, no locals
  0x41,
  0x01,
  0xfd,
  0x0f, // i32.const 1, i8x16.splat
  0x41,
  0x02,
  0xfd,
  0x0f, // i32.const 2, i8x16.splat
  0xfd,
  0x80,
  0x02, // i8x16.relaxed_swizzle (0xfd 0x100)
  0x0b, // end
]);

/** True when this engine runs Relaxed SIMD. */
export function relaxedSimdSupported(): boolean {
  try {
    return WebAssembly.validate(RELAXED_SIMD_PROBE);
  } catch {
    return false;
  }
}

export interface CoreCandidate {
  build: CoreBuild;
  url: URL;
}

/** The builds to try, in order: the relaxed one first when the engine runs it and a URL for it is known. */
export function coreCandidates(plain: URL, relaxed: URL | null, relaxedSupported: boolean): CoreCandidate[] {
  const out: CoreCandidate[] = [];
  if (relaxed && relaxedSupported) out.push({ build: 'relaxed', url: relaxed });
  out.push({ build: 'simd', url: plain });
  return out;
}
