/**
 * The test/bench build of the core (build/core.testing.wasm, build/core.testing-relaxed.wasm; entry
 * assembly/testing.ts compiled with assembly/index.ts): every export of the production builds plus the
 * test-only kernels below, which the production builds leave out. It lives here, outside src/, so
 * production code cannot load it; tests get its module from core-builds.ts (testingCoreBuild), benches read
 * the file themselves, and both hand it to createTestingCore.
 */
import { createCore, type Core, type CoreOptions } from '../../src/core/core.ts';
import type { CoreExports } from '../../src/core/exports.ts';
import { checkKernelStatus } from '../../src/core/kernels.ts';
import { attentionShape, checkOpStatus, opInt as int, opPtr as ptr } from '../../src/core/ops.ts';
import type { CoreModuleSource } from '../../src/core/wasm.ts';

/** The test/bench build's exports: the production core's and the test-only kernels (assembly/testing.ts). */
export interface TestingCoreExports extends CoreExports {
  // scalar oracles (assembly/kernels/{matvec,attention-scalar,gelu,layer-norm}.ts)
  kMatvecScalar(type: number, w: number, rows: number, cols: number, x: number, y: number, work: number): number;
  /** One row's dot with an 8-bit activation (kQuantizeAct's); scalar = 1: the type's scalar reference dot. */
  kVecDot(type: number, n: number, w: number, a: number, scalar: number): number;
  kQuantizeAct(x: number, dst: number, n: number): number;
  kAttentionScalar(seq: number, q: number, out: number, nHead: number, nKvHead: number, headDim: number, nPos: number, scale: number, scratch: number): number;
  kAttentionScalarExt(
    seq: number,
    q: number,
    out: number,
    nHead: number,
    nKvHead: number,
    headDim: number,
    first: number,
    nPos: number,
    scale: number,
    cap: number,
    scratch: number,
  ): number;
  kGegluScalar(gate: number, up: number, out: number, n: number): number;
  kLayerNormScalar(x: number, w: number, b: number, y: number, n: number, rows: number, eps: number): number;
  kSoftcapScalar(x: number, cap: number, n: number): number;
  // the benchmark's streaming-bandwidth ceiling (assembly/kernels/bytesum.ts)
  kByteSum(ptr: number, n: number): number;
  // the region the kernels' range checks accept (assembly/kernels/check.ts)
  kernelRegionLo(): number;
  kernelRegionHi(): number;
  // the core's half-float conversions (assembly/f16.ts)
  f32ToF16(x: number): number;
  f16ToF32(h: number): number;
  // K-quant kernels (assembly/kernels/kquants.ts): type ids 10..14 (Q2_K..Q6_K); a negative status on a bad request.
  kqBlockBytes(type: number): number;
  kqRowBytes(type: number, n: number): number;
  kqQ8KBytes(n: number): number;
  kqQuantizeQ8K(x: number, dst: number, n: number): number;
  kqDequant(type: number, src: number, dst: number, n: number): number;
  kqMatvec(type: number, w: number, rows: number, cols: number, a: number, y: number, scalar: number): number;
  /** y[b·rows + r] for `batch` consecutive Q8_K activations at a. */
  kqMatmul(type: number, w: number, rows: number, cols: number, a: number, batch: number, y: number): number;
  /** One row's dot; NaN for a request kqMatvec refuses. */
  kqVecDot(type: number, n: number, w: number, a: number, scalar: number): number;
}

type TestingOnly = Exclude<keyof TestingCoreExports, keyof CoreExports>;

/** The names only the test/bench build exports: each a member of TestingCoreExports, and no member left out. */
export const TESTING_ONLY_EXPORTS = [
  'kMatvecScalar',
  'kVecDot',
  'kQuantizeAct',
  'kAttentionScalar',
  'kAttentionScalarExt',
  'kGegluScalar',
  'kLayerNormScalar',
  'kSoftcapScalar',
  'kByteSum',
  'kernelRegionLo',
  'kernelRegionHi',
  'f32ToF16',
  'f16ToF32',
  'kqBlockBytes',
  'kqRowBytes',
  'kqQ8KBytes',
  'kqQuantizeQ8K',
  'kqDequant',
  'kqMatvec',
  'kqMatmul',
  'kqVecDot',
] as const satisfies readonly TestingOnly[];
// Fails to compile when a member of TestingCoreExports is missing from the list.
type Unlisted = Exclude<TestingOnly, (typeof TESTING_ONLY_EXPORTS)[number]>;
const everyMemberListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyMemberListed;

/** The test-only kernels behind the same argument and status checks as Kernels and Ops (typed GgufPagerErrors). */
export class TestingKernels {
  readonly #x: TestingCoreExports;

  constructor(exports: TestingCoreExports) {
    this.#x = exports;
  }

  /** matvec with each type's scalar reference dot: the oracle and the benchmark's baseline. */
  matvecScalar(type: number, w: number, rows: number, cols: number, x: number, y: number, work: number): void {
    checkKernelStatus(this.#x.kMatvecScalar(type, w, rows, cols, x, y, work), 'matvecScalar', type, { rows, cols, w, x, y, work });
  }

  /** Σ of n bytes at ptr mod 2^31, streamed through v128 loads: the benchmark's bandwidth ceiling. */
  byteSum(p: number, n: number): number {
    return checkKernelStatus(this.#x.kByteSum(p >>> 0, n), 'byteSum', -1, { ptr: p, n });
  }

  /** Ops.attention in plain scalar loops (the oracle and the benchmark's baseline). */
  attentionScalar(seq: number, q: number, out: number, nHead: number, nKvHead: number, headDim: number, nPos: number, scale: number, scratch: number): void {
    const r = this.#x.kAttentionScalar(int(seq), ptr(q), ptr(out), int(nHead), int(nKvHead), int(headDim), int(nPos), scale, ptr(scratch));
    checkOpStatus(r, 'attentionScalar', () => attentionShape(this.#x, seq, nHead, nKvHead, headDim, nPos));
  }

  /** Ops.attentionExt in scalar loops (the oracle). */
  attentionScalarExt(
    seq: number,
    q: number,
    out: number,
    nHead: number,
    nKvHead: number,
    headDim: number,
    first: number,
    nPos: number,
    scale: number,
    cap: number,
    scratch: number,
  ): void {
    const r = this.#x.kAttentionScalarExt(int(seq), ptr(q), ptr(out), int(nHead), int(nKvHead), int(headDim), int(first), int(nPos), scale, cap, ptr(scratch));
    checkOpStatus(r, 'attentionScalarExt', () => ({ ...attentionShape(this.#x, seq, nHead, nKvHead, headDim, nPos), first, cap }));
  }

  /** Ops.layerNorm in scalar loops (the oracle). */
  layerNormScalar(x: number, w: number, b: number, y: number, n: number, rows: number, eps: number): void {
    checkOpStatus(this.#x.kLayerNormScalar(ptr(x), ptr(w), ptr(b), ptr(y), int(n), int(rows), eps), 'layerNormScalar', () => ({ n, rows, eps }));
  }

  /** Ops.geglu one element at a time (the oracle). */
  gegluScalar(gate: number, up: number, out: number, n: number): void {
    checkOpStatus(this.#x.kGegluScalar(ptr(gate), ptr(up), ptr(out), int(n)), 'gegluScalar', () => ({ n }));
  }

  /** Ops.softcap one element at a time (the oracle). */
  softcapScalar(x: number, cap: number, n: number): void {
    checkOpStatus(this.#x.kSoftcapScalar(ptr(x), cap, int(n)), 'softcapScalar', () => ({ n, cap }));
  }
}

/** A core of the test/bench build: the production Core, its exports typed with the test-only kernels, and those kernels checked. */
export interface TestingCore extends Core {
  exports: TestingCoreExports;
  testing: TestingKernels;
}

/** The names of TESTING_ONLY_EXPORTS that `exports` lacks (all of them for a production build). */
export function missingTestingExports(exports: object): string[] {
  return TESTING_ONLY_EXPORTS.filter((n) => typeof (exports as Record<string, unknown>)[n] !== 'function');
}

/** createCore on the test/bench build (`module`: its compiled module or bytes); refuses a module without the test-only kernels. */
export async function createTestingCore(opts: CoreOptions & { module: CoreModuleSource }): Promise<TestingCore> {
  const core = await createCore(opts);
  const missing = missingTestingExports(core.exports);
  if (missing.length > 0) {
    throw new Error(
      `createTestingCore: the module is not the test/bench build of the core (no ${missing.join(', ')}): load build/core.testing*.wasm (npm run build:wasm)`,
    );
  }
  const exports = core.exports as TestingCoreExports;
  return { ...core, exports, testing: new TestingKernels(exports) };
}
