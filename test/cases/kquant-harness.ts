/**
 * What the K-quant cases share: a core of one build with pinned arena buffers, ggml's
 * quantize_row_q8_K_ref written again in TypeScript (the oracle of the Wasm quantizer),
 * the Q8_K layout of assembly/kernels/q8_k.ts, random weight rows with edge scales, and
 * the float64 references with their bounds.
 */
import { bytesAt, f32At } from '../../src/core/view.ts';
import { testingCoreBuild, type CoreBuildName } from './core-builds.ts';
import { createTestingCore, type TestingCore } from './testing-core.ts';

export const K_TYPES = ['Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K'] as const;
export type KType = (typeof K_TYPES)[number];

/** Per type: ggml id, block bytes, the f16 fields (d, and dmin where there is one), the largest 'min' code. */
export const K_INFO: Record<KType, { id: number; blockBytes: number; halves: number[]; maxMin: number }> = {
  Q2_K: { id: 10, blockBytes: 84, halves: [80, 82], maxMin: 15 },
  Q3_K: { id: 11, blockBytes: 110, halves: [108], maxMin: 0 },
  Q4_K: { id: 12, blockBytes: 144, halves: [0, 2], maxMin: 63 },
  Q5_K: { id: 13, blockBytes: 176, halves: [0, 2], maxMin: 63 },
  Q6_K: { id: 14, blockBytes: 210, halves: [208], maxMin: 0 },
};

export const QK_K = 256;

/** The Q8_K block of assembly/kernels/q8_k.ts (the activation format is private to those kernels). */
export const Q8K = { QS: 0, QS16: 256, BSUMS16: 768, BSUMS32: 800, D: 816, BLOCK: 832 } as const;

export interface KqCore {
  /** The test/bench build (the kq* entry points are test-only). */
  core: TestingCore;
  build: CoreBuildName;
  /** A fresh pinned arena block of `bytes` (64-byte aligned), as a byte pointer. */
  alloc(bytes: number): number;
  f32(ptr: number, n: number): Float32Array;
  bytes(ptr: number, n: number): Uint8Array;
  view(ptr: number, n: number): DataView;
}

export async function kqCore(build: CoreBuildName, arenaBytes = 4 * 1024 * 1024): Promise<KqCore> {
  const core = await createTestingCore({ arenaBytes, module: await testingCoreBuild(build) });
  return {
    core,
    build,
    alloc(bytes) {
      const h = core.arena.alloc(Math.max(bytes, 1));
      core.arena.pin(h);
      return core.arena.ptr(h);
    },
    f32: (ptr, n) => f32At(core.memory, ptr, n),
    bytes: (ptr, n) => bytesAt(core.memory, ptr, n),
    view: (ptr, n) => new DataView(core.memory.buffer, ptr, n),
  };
}

export function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Round half to even, as ggml's nearest_int (the 12582912 trick) for |v| < 2^22. */
function nearestInt(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : r;
}

export interface Q8KBlockRef {
  d: number;
  qs: Int8Array;
  bsums: Int16Array;
}

/** ggml's quantize_row_q8_K_ref for one block, in f32 steps (Math.fround), bsums zeroed for a zero block. */
export function quantizeQ8KRef(x: Float32Array): Q8KBlockRef {
  const qs = new Int8Array(QK_K);
  const bsums = new Int16Array(QK_K / 16);
  let amax = 0,
    max = 0;
  for (let j = 0; j < QK_K; j++) {
    const ax = Math.abs(x[j]!);
    if (ax > amax) {
      amax = ax;
      max = x[j]!;
    }
  }
  if (amax === 0) return { d: 0, qs, bsums };
  const iscale = Math.fround(-127 / max);
  for (let j = 0; j < QK_K; j++) qs[j] = Math.min(127, nearestInt(Math.fround(iscale * x[j]!)));
  for (let k = 0; k < QK_K / 16; k++) {
    let s = 0;
    for (let j = 0; j < 16; j++) s += qs[k * 16 + j]!;
    bsums[k] = s;
  }
  return { d: Math.fround(1 / iscale), qs, bsums };
}

/** The activation a Q8_K buffer stands for: d·q per element, in float64. */
export function dequantQ8K(kc: KqCore, ptr: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let b = 0; b < n / QK_K; b++) {
    const v = kc.view(ptr + b * Q8K.BLOCK, Q8K.BLOCK);
    const d = v.getFloat32(Q8K.D, true);
    for (let j = 0; j < QK_K; j++) out[b * QK_K + j] = d * v.getInt8(Q8K.QS + j);
  }
  return out;
}

/** f16 bits of the scale of block `b`: edge values for the first blocks, then typical ones. */
const EDGE_HALVES = [0x0000, 0x8000, 0x0001, 0x03ff, 0xb555, 0x7bff, 0x0400];
function halfScale(rnd: () => number, b: number, field: number, edges: boolean): number {
  if (edges && b < EDGE_HALVES.length) return EDGE_HALVES[(b + 3 * field) % EDGE_HALVES.length]!;
  const sign = rnd() < 0.5 ? 0x8000 : 0;
  const exp = 1 + Math.floor(rnd() * 14); // |d| in [2^-14, 2^0)
  return sign | (exp << 10) | Math.floor(rnd() * 1024);
}

/** rows × cols weights of `type`: random bytes, f16 fields random (edge values in the first blocks if `edges`). */
export function randomKWeights(type: KType, rows: number, cols: number, rnd: () => number, edges: boolean): Uint8Array {
  const { blockBytes, halves } = K_INFO[type];
  const blocks = (rows * cols) / QK_K;
  const out = new Uint8Array(blocks * blockBytes);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rnd() * 256);
  const dv = new DataView(out.buffer);
  for (let b = 0; b < blocks; b++) {
    halves.forEach((off, f) => dv.setUint16(b * blockBytes + off, halfScale(rnd, b, f, edges), true));
  }
  return out;
}

/** Random f32 activations in [-1, 1): some blocks a thousandfold smaller, one block all zero, one with a ±40 spike. */
export function randomActivations(n: number, rnd: () => number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (rnd() * 2 - 1) * ((i >> 8) % 3 === 2 ? 1e-3 : 1);
  if (n >= 4 * QK_K) x.fill(0, 3 * QK_K, 4 * QK_K);
  x[Math.floor(rnd() * n)] = rnd() < 0.5 ? -40 : 40;
  return x;
}

export interface DotReference {
  /** Σ w·ã in float64, ã the dequantized Q8_K activation. */
  exactQ: number;
  /** Σ w·x in float64, x the f32 activation. */
  exactX: number;
  /** f32 rounding bound of the kernel against exactQ. */
  fpBound: number;
  /** activation-quantization bound (+ fpBound) of the kernel against exactX. */
  actBound: number;
}

/**
 * The references of one row (w: its dequantized f32 weights) and their bounds:
 *  - fpBound = (nb + 8)·2^-24·Σ_j (|w_j| + 2·|dmin_b|·maxMin)·|ã_j|: the kernel's integer sums are exact;
 *    what rounds is the f32 dequantized weight (≤ 3 ulp of |d·sc·q| + |dmin·m|), the per-block
 *    d8·d, d8·dmin, the i32→f32 sums and their combine (≤ 4 ulp), and the running f32 sum over
 *    nb blocks (≤ nb ulp of Σ|block terms|); |d·sc·q| ≤ |w| + |dmin·m|.
 *  - actBound = Σ_b (max|x_b| / 254)·(1 + 2^-20)·Σ_{j∈b}|w_j| + fpBound: each x_j moved by at most
 *    |d_b|/2 when quantized, d_b = max|x_b|/127 (rounded to f32).
 */
export function dotReference(type: KType, w: Float32Array, rowBlocks: Uint8Array, x: Float32Array, a: Float64Array): DotReference {
  const { blockBytes, halves, maxMin } = K_INFO[type];
  const n = x.length;
  const nb = n / QK_K;
  const dv = new DataView(rowBlocks.buffer, rowBlocks.byteOffset, rowBlocks.byteLength);
  let exactQ = 0,
    exactX = 0,
    m = 0,
    act = 0;
  for (let b = 0; b < nb; b++) {
    const dmin = maxMin > 0 ? Math.abs(halfToNumber(dv.getUint16(b * blockBytes + halves[1]!, true))) : 0;
    let amax = 0,
      absW = 0;
    for (let j = b * QK_K; j < (b + 1) * QK_K; j++) {
      exactQ += w[j]! * a[j]!;
      exactX += w[j]! * x[j]!;
      m += (Math.abs(w[j]!) + 2 * dmin * maxMin) * Math.abs(a[j]!);
      amax = Math.max(amax, Math.abs(x[j]!));
      absW += Math.abs(w[j]!);
    }
    act += (amax / 254) * (1 + 2 ** -20) * absW;
  }
  const fpBound = (nb + 8) * 2 ** -24 * m;
  return { exactQ, exactX, fpBound, actBound: act + fpBound };
}

export function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f,
    f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}
