/**
 * What the kernel cases share: a core of one build with pinned arena buffers, random weight rows of each type
 * (quant blocks with sane f16 scales), and the float64 reference with its error bound.
 */
import { GgmlType } from '../../src/gguf/ggml-types.ts';
import { bytesAt, f32At } from '../../src/core/view.ts';
import { testingCoreBuild, type CoreBuildName } from './core-builds.ts';
import { halfToNumber } from './kquant-harness.ts';
import { createTestingCore, type TestingCore } from './testing-core.ts';

export const MiB = 1024 * 1024;

/** The types whose kernels K1 owns (the K-quants are K2's: assembly/kernels/q*_k.ts). */
export const K1_TYPES = ['F32', 'F16', 'BF16', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q8_0'] as const;
export type K1Type = (typeof K1_TYPES)[number];
export const FLOAT_TYPES: readonly K1Type[] = ['F32', 'F16', 'BF16'];

export interface KernelCore {
  /** The test/bench build (the cases call its scalar oracles, byte-sum and region exports). */
  core: TestingCore;
  /** A fresh pinned arena block of `bytes` (64-byte aligned), as a byte pointer. */
  alloc(bytes: number): number;
  f32(ptr: number, n: number): Float32Array;
  bytes(ptr: number, n: number): Uint8Array;
}

export async function kernelCore(build: CoreBuildName, arenaBytes = 16 * MiB): Promise<KernelCore> {
  const core = await createTestingCore({ arenaBytes, module: await testingCoreBuild(build) });
  return {
    core,
    alloc(bytes) {
      const h = core.arena.alloc(Math.max(bytes, 1));
      core.arena.pin(h);
      return core.arena.ptr(h);
    },
    f32: (ptr, n) => f32At(core.memory, ptr, n),
    bytes: (ptr, n) => bytesAt(core.memory, ptr, n),
  };
}

/** Byte offsets of the f16 scale fields (d, then m) in one block of each legacy quant. */
const SCALE_FIELDS: Record<string, number[]> = { Q4_0: [0], Q4_1: [0, 2], Q5_0: [0], Q5_1: [0, 2], Q8_0: [0] };

/** rows × cols weights of `type`: random quants with f16 scales in ±[0, 0.05]; random floats in [-1, 1). */
export function randomWeights(kc: KernelCore, type: K1Type, rows: number, cols: number, rnd: () => number): Uint8Array {
  const k = kc.core.kernels;
  const x = kc.core.exports;
  const n = rows * cols;
  const out = new Uint8Array(rows * k.rowBytes(GgmlType[type], cols));
  const dv = new DataView(out.buffer);
  if (type === 'F32') {
    for (let i = 0; i < n; i++) dv.setFloat32(i * 4, rnd() * 2 - 1, true);
  } else if (type === 'F16') {
    for (let i = 0; i < n; i++) dv.setUint16(i * 2, x.f32ToF16(rnd() * 2 - 1), true);
  } else if (type === 'BF16') {
    for (let i = 0; i < n; i++) dv.setUint16(i * 2, Math.floor(rnd() * 0x10000) & 0xbfff, true); // |v| < 2
  } else {
    for (let i = 0; i < out.length; i++) out[i] = Math.floor(rnd() * 256);
    const bb = k.rowBytes(GgmlType[type], 32);
    for (let b = 0; b < out.length / bb; b++) {
      for (const off of SCALE_FIELDS[type]!) dv.setUint16(b * bb + off, x.f32ToF16((rnd() * 2 - 1) * 0.05), true);
    }
  }
  return out;
}

/** |m| of every 32-weight block of rows × cols Q4_1/Q5_1 weights (f16 at byte 2 of each block); undefined for other types. */
export function blockMins(type: K1Type, bytes: Uint8Array, rows: number, cols: number): Float64Array | undefined {
  const bb = type === 'Q4_1' ? 20 : type === 'Q5_1' ? 24 : 0;
  if (bb === 0) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float64Array.from({ length: rows * (cols / 32) }, (_, i) => halfToNumber(dv.getUint16(i * bb + 2, true)));
}

/** Random f32 activations in [-1, 1), some blocks scaled down a thousandfold (varied block scales). */
export function randomActivations(n: number, rnd: () => number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (rnd() * 2 - 1) * ((i >> 5) % 3 === 2 ? 1e-3 : 1);
  return x;
}

/** The largest |w| a block can hold, from its decoded weights (used for the rounding slack). */
function blockMaxAbs(w: Float32Array, start: number, len: number): number {
  let m = 0;
  for (let i = start; i < start + len; i++) m = Math.max(m, Math.abs(w[i]!));
  return m;
}

/**
 * The float64 dot of one decoded weight row with x, and the bound the kernel's f32 result must meet:
 *  - float weights (F32/F16/BF16, dotted with f32 x): n·2^-24·Σ|w·x| (f32 summation of n products, any order);
 *  - quantized weights (dotted with the 8-bit activation, act-q8.ts): each x moves by ≤ e_b = d_b/2 + 127·r_b with
 *    d_b = max|x_b|/127 and r_b = max(2^-11·d_b, 2^-25) the rounding of the scale to f16 (as ggml stores it), so the
 *    dot moves by ≤ Σ_b e_b·Σ_{j∈b}|w_j| (the activation's rounding, as in ggml); Q4_1/Q5_1 dot their min m_b
 *    with s = f16(d_b·Σ q) (block_q8_1's s) where the exact form has d16·Σ q, which adds
 *    |m_b|·(4064·r_b + max(2^-11·4064·d_b, 2^-25) + 2^-24·4064·d_b) (|Σ q| ≤ 32·127 = 4064; `mins` gives |m_b|); plus the f32 rounding of the block scales and sums, bounded by 2^-16·Σ_b 40·W_b·Σ_{j∈b}|x_j| with W_b
 *    the block's largest |w| (the unsigned-offset forms carry terms up to ~2× the weights' range, and a row sums
 *    at most a few hundred block terms in f32).
 */
export function reference(w: Float32Array, row: number, x: Float32Array, quantized: boolean, mins?: ArrayLike<number>): { ref: number; bound: number } {
  const n = x.length;
  const base = row * n;
  let ref = 0,
    absWx = 0,
    bound = 0;
  for (let j = 0; j < n; j++) {
    ref += w[base + j]! * x[j]!;
    absWx += Math.abs(w[base + j]! * x[j]!);
  }
  if (!quantized) return { ref, bound: n * 2 ** -24 * absWx + 1e-30 };
  for (let b = 0; b < n / 32; b++) {
    let amax = 0,
      absW = 0,
      absX = 0;
    for (let j = b * 32; j < b * 32 + 32; j++) {
      amax = Math.max(amax, Math.abs(x[j]!));
      absW += Math.abs(w[base + j]!);
      absX += Math.abs(x[j]!);
    }
    const d = amax / 127;
    const r = Math.max(d * 2 ** -11, 2 ** -25);
    const e = d / 2 + 127 * r;
    const m = mins ? Math.abs(mins[row * (n / 32) + b]!) : 0;
    bound +=
      e * absW * (1 + 2 ** -20) +
      2 ** -16 * 40 * blockMaxAbs(w, base + b * 32, 32) * absX +
      m * (4064 * r + Math.max(2 ** -11 * 4064 * d, 2 ** -25) + 2 ** -24 * 4064 * d);
  }
  return { ref, bound: bound + 1e-30 };
}
