/**
 * RoPE against two float64 references:
 * - "ggml's angles": θ_i as ggml computes it in f32 (θ_0 = pos, θ_{i+1} = θ_i · fround(base^fround(−2/nRot)),
 *   a_i = fround(freqScale · fround(θ_i / factor_i))), then cos, sin and the rotation in f64.
 *   Bound |y − ref| ≤ 2^-21 · (|x0| + |x1|): cos and sin rounded to f32 (2^-24 each), two f32
 *   products and a sum (2^-24 each, on values ≤ |x0| + |x1|).
 * - "exact angles": a_i = freqScale · pos · base^(−2i/nRot) / factor_i in f64. Bound
 *   |y − ref| ≤ (|x0| + |x1|) · (2^-21 + |a_i| · (2i + 4 + ln base) · 2^-24): ggml's running f32
 *   product drifts by one rounding per step, so at pos 4096 the last pairs turn by up to ~1e-2 rad
 *   from the exact angle; the kernel reproduces that drift on purpose (it matches llama.cpp).
 * Dimensions past nRot are copied bit for bit.
 */
import type { Cases } from './arena-harness.ts';
import { checkEq } from './arena-harness.ts';
import { buf, checkClose, opsCore, uniform } from './ops-setup.ts';
import { prng } from './prng.ts';
import type { RopeMode } from '../../src/core/ops.ts';

interface RopeShape {
  nTok: number;
  nHeads: number;
  headDim: number;
  nRot: number;
  base: number;
  scale: number;
  mode: RopeMode;
  factors?: Float32Array;
}

/** Angle of pair i at position p: ggml's f32 recurrence, or the exact f64 formula. */
function angles(s: RopeShape, p: number, exact: boolean): number[] {
  const half = s.nRot / 2;
  const out: number[] = [];
  if (exact) {
    for (let i = 0; i < half; i++) out.push((s.scale * p * s.base ** ((-2 * i) / s.nRot)) / (s.factors ? s.factors[i]! : 1));
    return out;
  }
  const f = Math.fround;
  const ts = f(Math.pow(f(s.base), f(-2 / s.nRot)));
  let theta = f(p);
  for (let i = 0; i < half; i++) {
    out.push(f(f(s.scale) * f(theta / (s.factors ? s.factors[i]! : 1))));
    theta = f(theta * ts);
  }
  return out;
}

/** The rotated vectors and, per element, the bound of the case's reference. */
function ropeRef(s: RopeShape, x: Float32Array, pos: Int32Array, exact: boolean): { y: Float64Array; bound: Float64Array } {
  const y = Float64Array.from(x);
  const bound = new Float64Array(x.length);
  const half = s.nRot / 2;
  for (let t = 0; t < s.nTok; t++) {
    const a = angles(s, pos[t]!, exact);
    for (let h = 0; h < s.nHeads; h++) {
      const base = (t * s.nHeads + h) * s.headDim;
      for (let i = 0; i < half; i++) {
        const [i0, i1] = s.mode === 0 ? [base + 2 * i, base + 2 * i + 1] : [base + i, base + i + half];
        const x0 = x[i0]!,
          x1 = x[i1]!;
        const c = Math.cos(a[i]!),
          sn = Math.sin(a[i]!);
        y[i0] = x0 * c - x1 * sn;
        y[i1] = x0 * sn + x1 * c;
        const drift = exact ? Math.abs(a[i]!) * (2 * i + 4 + Math.log(s.base)) * 2 ** -24 : 0;
        bound[i0] = bound[i1] = (Math.abs(x0) + Math.abs(x1)) * (2 ** -21 + drift);
      }
    }
  }
  return { y, bound };
}

/** Positions 0, 1, 4095, 4096 and random ones below 4096. */
function positions(n: number, seed: number): Int32Array {
  const rnd = prng(seed);
  return Int32Array.from({ length: n }, (_, i) => [0, 1, 4095, 4096][i] ?? Math.floor(rnd() * 4096));
}

async function checkRope(s: RopeShape, seed: number): Promise<void> {
  const core = await opsCore();
  const n = s.nTok * s.nHeads * s.headDim;
  const x = uniform(n, seed, -2, 2);
  const pos = positions(s.nTok, seed + 1);
  const X = buf(core, n).set(x);
  const P = buf(core, s.nTok);
  P.i32().set(pos);
  const F = s.factors ? buf(core, s.nRot / 2).set(s.factors) : null;
  core.ops.rope(X.ptr, s.nTok, s.nHeads, s.headDim, s.nRot, P.ptr, s.base, s.scale, s.mode, F ? F.ptr : 0);
  const got = X.f32();
  const what = `rope mode ${s.mode} headDim ${s.headDim} nRot ${s.nRot} base ${s.base} scale ${s.scale}${s.factors ? ' with factors' : ''}`;
  for (const exact of [false, true]) {
    const { y, bound } = ropeRef(s, x, pos, exact);
    checkClose(got, y, (i) => bound[i]!, `${what}, ${exact ? 'exact' : "ggml's"} angles`);
  }
  for (let t = 0; t < s.nTok * s.nHeads; t++) {
    for (let d = s.nRot; d < s.headDim; d++) {
      const i = t * s.headDim + d;
      if (!Object.is(got[i], x[i])) checkEq(got[i], x[i], `${what}: dim ${d} past nRot of row ${t} is copied`);
    }
  }
}

export const opsRopeCases: Cases = {
  async 'rope normal (llama): adjacent pairs, base 10000, positions 0..4096'() {
    await checkRope({ nTok: 9, nHeads: 4, headDim: 64, nRot: 64, base: 10000, scale: 1, mode: 0 }, 1);
  },

  async 'rope NeoX (qwen2): pairs i, i + nRot/2, base 1e6, positions 0..4096'() {
    await checkRope({ nTok: 9, nHeads: 3, headDim: 128, nRot: 128, base: 1e6, scale: 1, mode: 2 }, 2);
  },

  async 'rope rotates only the first nRot dims when nRot < headDim, in both modes'() {
    await checkRope({ nTok: 5, nHeads: 2, headDim: 64, nRot: 32, base: 10000, scale: 1, mode: 0 }, 3);
    await checkRope({ nTok: 5, nHeads: 2, headDim: 80, nRot: 24, base: 10000, scale: 1, mode: 2 }, 4);
  },

  async 'rope divides each angle by its llama 3 frequency factor and multiplies by freq_scale'() {
    const factors = Float32Array.from({ length: 64 }, (_, i) => (i < 16 ? 1 : i < 48 ? 1 + (i - 16) / 4.5 : 8));
    await checkRope({ nTok: 7, nHeads: 4, headDim: 128, nRot: 128, base: 500000, scale: 1, mode: 0, factors }, 5);
    await checkRope({ nTok: 7, nHeads: 2, headDim: 128, nRot: 128, base: 500000, scale: 0.25, mode: 2, factors }, 6);
    await checkRope({ nTok: 4, nHeads: 2, headDim: 64, nRot: 64, base: 10000, scale: 0.5, mode: 0 }, 7);
  },

  async 'rope handles pair counts that are not a multiple of the vector width'() {
    for (const [headDim, nRot] of [
      [12, 10],
      [12, 6],
      [2, 2],
      [8, 4],
      [10, 10],
    ] as const) {
      await checkRope({ nTok: 4, nHeads: 3, headDim, nRot, base: 10000, scale: 1, mode: 0 }, headDim + nRot);
      await checkRope({ nTok: 4, nHeads: 3, headDim, nRot, base: 10000, scale: 1, mode: 2 }, headDim * nRot);
    }
  },
};
