/**
 * K-quant kernels (assembly/kernels/q*_k.ts), one case each, for both core builds (plain SIMD,
 * Relaxed SIMD), run in Node, a page and a Worker (test/unit/kquants.test.ts,
 * test/browser/kquants.test.ts, test/browser/kquants-worker.test.ts).
 */
import { Status } from '../../src/core/status.ts';
import { type Cases, check, checkEq, prng } from './arena-harness.ts';
import { CORE_BUILDS, type CoreBuildName } from './core-builds.ts';
import {
  K_INFO,
  K_TYPES,
  Q8K,
  QK_K,
  type KType,
  type KqCore,
  dequantQ8K,
  dotReference,
  fromBase64,
  kqCore,
  quantizeQ8KRef,
  randomActivations,
  randomKWeights,
} from './kquant-harness.ts';
import Q2_K from '../vectors/quant/Q2_K.json';
import Q3_K from '../vectors/quant/Q3_K.json';
import Q4_K from '../vectors/quant/Q4_K.json';
import Q5_K from '../vectors/quant/Q5_K.json';
import Q6_K from '../vectors/quant/Q6_K.json';

interface Vector {
  type: string;
  typeId: number;
  blockBytes: number;
  blocks: number;
  elements: number;
  raw: string;
  dequant: string;
}
const VECTORS: Record<KType, Vector> = { Q2_K, Q3_K, Q4_K, Q5_K, Q6_K };

/** Row lengths of the dot cases: 1, 2, 3, 4 and 11 blocks. */
const DOT_COLS = [256, 512, 768, 1024, 2816];
const DOT_ROWS = 3;

function upload(kc: KqCore, bytes: Uint8Array): number {
  const p = kc.alloc(bytes.length);
  kc.bytes(p, bytes.length).set(bytes);
  return p;
}

function quantize(kc: KqCore, x: Float32Array): number {
  const xp = kc.alloc(x.length * 4);
  kc.f32(xp, x.length).set(x);
  const ap = kc.alloc(kc.core.exports.kqQ8KBytes(x.length));
  checkEq(kc.core.exports.kqQuantizeQ8K(xp, ap, x.length), Status.OK, `kqQuantizeQ8K(${x.length})`);
  return ap;
}

async function decodesLikeGgml(build: CoreBuildName, type: KType): Promise<void> {
  const kc = await kqCore(build);
  const v = VECTORS[type];
  const raw = fromBase64(v.raw);
  const want = new Uint32Array(fromBase64(v.dequant).buffer);
  checkEq(raw.length, v.blocks * K_INFO[type].blockBytes, `${type} vector bytes`);
  const src = upload(kc, raw);
  const dst = kc.alloc(v.elements * 4);
  checkEq(kc.core.exports.kqDequant(K_INFO[type].id, src, dst, v.elements), Status.OK, `kqDequant(${type})`);
  const got = new Uint32Array(kc.core.memory.buffer, dst, v.elements);
  for (let i = 0; i < v.elements; i++) {
    if (got[i] !== want[i]) {
      const f = (u: number): string => `0x${u.toString(16)} (${new Float32Array(new Uint32Array([u]).buffer)[0]})`;
      throw new Error(`${type} [${build}] element ${i} (block ${i >> 8}): got ${f(got[i]!)}, ggml ${f(want[i]!)}`);
    }
  }
}

async function quantizesLikeGgml(build: CoreBuildName): Promise<void> {
  const kc = await kqCore(build);
  const rnd = prng(8);
  const n = 8 * QK_K;
  const x = randomActivations(n, rnd);
  x.fill(0, 0, QK_K); // a zero block
  for (let j = QK_K; j < 2 * QK_K; j++) x[j] = (j % 9) - 4.5; // ties: with max = -127, iscale = 1 and iscale·x = k + 0.5
  x[QK_K + 3] = -127;
  x[2 * QK_K + 5] = -2;
  x[2 * QK_K + 9] = 2; // two largest |x| of opposite sign: the first one sets the sign
  const ap = quantize(kc, x);
  const back = dequantQ8K(kc, ap, n);
  for (let b = 0; b < n / QK_K; b++) {
    const want = quantizeQ8KRef(x.subarray(b * QK_K, (b + 1) * QK_K));
    const v = kc.view(ap + b * Q8K.BLOCK, Q8K.BLOCK);
    const d = v.getFloat32(Q8K.D, true);
    checkEq(d, want.d, `block ${b}: d`);
    for (let j = 0; j < QK_K; j++) {
      checkEq(v.getInt8(Q8K.QS + j), want.qs[j], `block ${b}: q[${j}]`);
      checkEq(v.getInt16(Q8K.QS16 + 2 * j, true), want.qs[j], `block ${b}: q16[${j}]`);
      const xj = x[b * QK_K + j]!;
      check(Math.abs(back[b * QK_K + j]! - xj) <= Math.abs(d) * 0.5 * (1 + 2 ** -20), `block ${b}: |x - d·q| ≤ |d|/2 at ${j}`);
    }
    for (let k = 0; k < 16; k++) checkEq(v.getInt16(Q8K.BSUMS16 + 2 * k, true), want.bsums[k], `block ${b}: bsums16[${k}]`);
    for (let k = 0; k < 8; k++) {
      checkEq(v.getInt16(Q8K.BSUMS32 + 2 * k, true), want.bsums[2 * k]! + want.bsums[2 * k + 1]!, `block ${b}: bsums32[${k}]`);
    }
  }
  const tie = kc.view(ap + 2 * Q8K.BLOCK, Q8K.BLOCK);
  checkEq(tie.getInt8(Q8K.QS + 5), -127, 'x = -2, the first of the largest |x|, maps to -127');
  checkEq(tie.getInt8(Q8K.QS + 9), 127, 'x = 2, the second, maps to 127');
}

async function dotsAgree(build: CoreBuildName, type: KType): Promise<void> {
  const kc = await kqCore(build);
  const x32 = kc.core.exports;
  const { id } = K_INFO[type];
  const rnd = prng(id * 101);
  for (const cols of DOT_COLS) {
    const rowBytes = x32.kqRowBytes(id, cols);
    const blocks = randomKWeights(type, DOT_ROWS, cols, rnd, cols === 2816);
    const w = upload(kc, blocks);
    const x = randomActivations(cols, rnd);
    const a = quantize(kc, x);
    const aq = dequantQ8K(kc, a, cols);
    const wf = kc.alloc(DOT_ROWS * cols * 4);
    checkEq(x32.kqDequant(id, w, wf, DOT_ROWS * cols), Status.OK, 'kqDequant');
    const ySimd = kc.alloc(DOT_ROWS * 4),
      yScalar = kc.alloc(DOT_ROWS * 4);
    checkEq(x32.kqMatvec(id, w, DOT_ROWS, cols, a, ySimd, 0), Status.OK, 'kqMatvec (SIMD)');
    checkEq(x32.kqMatvec(id, w, DOT_ROWS, cols, a, yScalar, 1), Status.OK, 'kqMatvec (scalar)');
    for (let r = 0; r < DOT_ROWS; r++) {
      const what = `${type} [${build}] ${cols} cols, row ${r}`;
      const simd = kc.f32(ySimd, DOT_ROWS)[r]!;
      const scalar = kc.f32(yScalar, DOT_ROWS)[r]!;
      // The integer sums are exact and both kernels combine blocks in the same f32 steps: equal bit for bit.
      checkEq(simd, scalar, `${what}: SIMD dot vs its scalar oracle`);
      checkEq(x32.kqVecDot(id, cols, w + r * rowBytes, a, 0), simd, `${what}: kqVecDot vs kqMatvec`);
      const wr = kc.f32(wf + r * cols * 4, cols);
      const ref = dotReference(type, wr, blocks.subarray(r * rowBytes, (r + 1) * rowBytes), x, aq);
      check(Number.isFinite(simd), `${what}: finite`);
      check(Math.abs(simd - ref.exactQ) <= ref.fpBound, `${what}: |${simd} - ${ref.exactQ} (f64 dot with the Q8_K activation)| ≤ ${ref.fpBound}`);
      check(Math.abs(simd - ref.exactX) <= ref.actBound, `${what}: |${simd} - ${ref.exactX} (f64 dot with the f32 activation)| ≤ ${ref.actBound}`);
    }
  }
}

async function matmulAgrees(build: CoreBuildName, type: KType): Promise<void> {
  const kc = await kqCore(build);
  const x32 = kc.core.exports;
  const { id } = K_INFO[type];
  const rnd = prng(id * 7 + 3);
  const rows = 5,
    cols = 768,
    batch = 9;
  const w = upload(kc, randomKWeights(type, rows, cols, rnd, true));
  const ab = x32.kqQ8KBytes(cols);
  const acts = kc.alloc(batch * ab);
  for (let b = 0; b < batch; b++) {
    const one = quantize(kc, randomActivations(cols, rnd));
    kc.bytes(acts + b * ab, ab).set(kc.bytes(one, ab));
  }
  const y = kc.alloc(batch * rows * 4),
    yv = kc.alloc(rows * 4);
  checkEq(x32.kqMatmul(id, w, rows, cols, acts, batch, y), Status.OK, 'kqMatmul');
  for (let b = 0; b < batch; b++) {
    checkEq(x32.kqMatvec(id, w, rows, cols, acts + b * ab, yv, 0), Status.OK, 'kqMatvec');
    for (let r = 0; r < rows; r++) {
      checkEq(
        kc.f32(y, batch * rows)[b * rows + r],
        kc.f32(yv, rows)[r],
        `${type} [${build}] batch ${b} of ${batch}, row ${r}: matmul (four vectors a block) vs matvec`,
      );
    }
  }
  checkEq(x32.kqMatmul(id, w, rows, cols, acts, 0, y), Status.E_K_SHAPE, 'kqMatmul batch 0');
}

async function nonFiniteActivations(build: CoreBuildName): Promise<void> {
  const kc = await kqCore(build);
  const rnd = prng(77);
  for (const bad of [NaN, Infinity, -Infinity]) {
    const x = randomActivations(2 * QK_K, rnd);
    x[QK_K + 17] = bad;
    const a = quantize(kc, x);
    check(Number.isNaN(kc.view(a + Q8K.BLOCK, Q8K.BLOCK).getFloat32(Q8K.D, true)), `${bad}: the block's d is NaN`);
    checkEq(kc.view(a, Q8K.BLOCK).getFloat32(Q8K.D, true), quantizeQ8KRef(x.subarray(0, QK_K)).d, `${bad}: the other block is untouched`);
    for (const type of K_TYPES) {
      const { id } = K_INFO[type];
      const w = upload(kc, randomKWeights(type, 1, 2 * QK_K, rnd, false));
      for (const scalar of [0, 1])
        check(Number.isNaN(kc.core.exports.kqVecDot(id, 2 * QK_K, w, a, scalar)), `${type} ${scalar ? 'scalar' : 'SIMD'} dot with ${bad}: NaN`);
    }
  }
}

async function refusesBadRequests(build: CoreBuildName): Promise<void> {
  const kc = await kqCore(build);
  const x = kc.core.exports;
  const w = kc.alloc(4 * 210),
    f = kc.alloc(1024 * 4 + 64),
    a = kc.alloc(4 * Q8K.BLOCK),
    y = kc.alloc(64);
  for (const n of [0, -256, 255, 257, 2 ** 30]) {
    checkEq(x.kqDequant(12, w, f, n), Status.E_K_SHAPE, `kqDequant n = ${n}`);
    checkEq(x.kqQuantizeQ8K(f, a, n), Status.E_K_SHAPE, `kqQuantizeQ8K n = ${n}`);
    checkEq(x.kqMatvec(12, w, 1, n, a, y, 0), Status.E_K_SHAPE, `kqMatvec cols = ${n}`);
    checkEq(x.kqQ8KBytes(n), Status.E_K_SHAPE, `kqQ8KBytes(${n})`);
  }
  checkEq(x.kqMatvec(12, w, 0, 256, a, y, 0), Status.E_K_SHAPE, 'kqMatvec rows = 0');
  for (const type of [0, 1, 2, 8, 9, 15, 30, -1]) {
    checkEq(x.kqDequant(type, w, f, 256), Status.E_K_TYPE, `kqDequant type ${type}`);
    checkEq(x.kqRowBytes(type, 256), Status.E_K_TYPE, `kqRowBytes type ${type}`);
  }
  const end = kc.core.arena.base + kc.core.arena.capacity;
  checkEq(x.kqDequant(12, 0, f, 256), Status.E_K_RANGE, 'source at address 0');
  checkEq(x.kqDequant(12, end - 100, f, 256), Status.E_K_RANGE, 'source running past the budget');
  checkEq(x.kqDequant(12, w, end - 512, 256), Status.E_K_RANGE, 'destination running past the budget');
  checkEq(x.kqMatvec(12, w, 40000, 256, a, y, 0), Status.E_K_RANGE, '40000 rows (5.8 MB) past the budget');
  checkEq(x.kqQuantizeQ8K(f, end - 64, 256), Status.E_K_RANGE, 'Q8_K destination past the budget');
  checkEq(x.kqDequant(12, w, f + 4, 256), Status.E_K_ALIGN, 'f32 destination 4 bytes off 16');
  checkEq(x.kqQuantizeQ8K(f + 8, a, 256), Status.E_K_ALIGN, 'f32 source 8 bytes off 16');
  checkEq(x.kqMatvec(12, w, 1, 256, a + 4, y, 0), Status.E_K_ALIGN, 'Q8_K activation off 16');
  checkEq(x.kqDequant(12, w + 1, f, 256), Status.OK, 'a weight row may start at any byte');
  check(Number.isNaN(x.kqVecDot(12, 255, w, a, 0)), 'kqVecDot of a bad shape is NaN');
  check(Number.isNaN(x.kqVecDot(12, 256, w, a + 4, 0)), 'kqVecDot of a misaligned activation is NaN');
  checkEq(x.kqRowBytes(14, 4096), 16 * 210, 'kqRowBytes(Q6_K, 4096)');
  checkEq(x.kqQ8KBytes(512), 2 * Q8K.BLOCK, 'kqQ8KBytes(512)');
}

export const kquantCases: Cases = {};
for (const build of CORE_BUILDS) {
  for (const type of K_TYPES) {
    kquantCases[`[${build}] decodes ${type} blocks bit for bit like ggml's dequantizer (test/vectors/quant/${type}.json)`] = () => decodesLikeGgml(build, type);
  }
  kquantCases[`[${build}] quantizes activations to Q8_K exactly as ggml's quantize_row_q8_K_ref, each within |d|/2`] = () => quantizesLikeGgml(build);
  for (const type of K_TYPES) {
    kquantCases[`[${build}] ${type}: the SIMD dot equals its scalar oracle bit for bit and the f64 dot within the stated bounds`] = () =>
      dotsAgree(build, type);
  }
  for (const type of K_TYPES) {
    kquantCases[`[${build}] ${type}: a batch of 9 activations (four at a time, then one by one) gives each one's matvec bit for bit`] = () =>
      matmulAgrees(build, type);
  }
  kquantCases[`[${build}] an activation holding NaN or ±inf makes every dot with its block NaN, as float math would`] = () => nonFiniteActivations(build);
  kquantCases[`[${build}] refuses a bad row length, type, range or alignment with its status code`] = () => refusesBadRequests(build);
}
